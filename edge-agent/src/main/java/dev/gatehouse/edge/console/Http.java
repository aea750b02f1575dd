package dev.gatehouse.edge.console;

import com.sun.net.httpserver.HttpExchange;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The little the console (and the kiosk it serves) needs of HTTP on top of the JDK's server: forms,
 * cookies, headers, answers.
 */
public final class Http {
    /** The longest form body read; the wiring form is well under 2 KB. */
    public static final int MAX_FORM_BYTES = 16 * 1024;

    static final String CSP = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self';"
            + " connect-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'";

    private Http() {}

    /** A request body larger than {@link #MAX_FORM_BYTES}. */
    public static final class TooLarge extends IOException {
        TooLarge() {
            super("the form is larger than " + MAX_FORM_BYTES + " bytes");
        }
    }

    /** The URL-encoded form in the request body; each name with its values in order. */
    public static Map<String, List<String>> form(HttpExchange exchange) throws IOException {
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        try (InputStream in = exchange.getRequestBody()) {
            byte[] buffer = new byte[4096];
            int n;
            while ((n = in.read(buffer)) > 0) {
                if (body.size() + n > MAX_FORM_BYTES) {
                    throw new TooLarge();
                }
                body.write(buffer, 0, n);
            }
        }
        Map<String, List<String>> form = new LinkedHashMap<>();
        String text = body.toString(StandardCharsets.US_ASCII);
        if (text.isEmpty()) {
            return form;
        }
        for (String pair : text.split("&")) {
            int eq = pair.indexOf('=');
            String name = decode(eq < 0 ? pair : pair.substring(0, eq));
            String value = eq < 0 ? "" : decode(pair.substring(eq + 1));
            form.computeIfAbsent(name, key -> new ArrayList<>()).add(value);
        }
        return form;
    }

    private static String decode(String text) {
        try {
            return URLDecoder.decode(text, StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            return "";
        }
    }

    public static String first(Map<String, List<String>> form, String name) {
        List<String> values = form.get(name);
        return values == null || values.isEmpty() ? "" : values.getFirst();
    }

    /** The value of cookie {@code name}, if the request carries it. */
    public static Optional<String> cookie(HttpExchange exchange, String name) {
        for (String header : exchange.getRequestHeaders().getOrDefault("Cookie", List.of())) {
            for (String part : header.split(";")) {
                String item = part.strip();
                if (item.startsWith(name + "=")) {
                    return Optional.of(item.substring(name.length() + 1));
                }
            }
        }
        return Optional.empty();
    }

    /**
     * Whether a request that changes something came from another site's page: its {@code Origin}, when
     * the browser sent one, names another host than the one the request is for.
     */
    public static boolean foreignOrigin(HttpExchange exchange) {
        String origin = exchange.getRequestHeaders().getFirst("Origin");
        if (origin == null) {
            return false;
        }
        String host = exchange.getRequestHeaders().getFirst("Host");
        try {
            URI uri = URI.create(origin);
            String authority = uri.getRawAuthority();
            return host == null || authority == null || !authority.equalsIgnoreCase(host);
        } catch (IllegalArgumentException e) {
            return true;
        }
    }

    /** Headers every answer carries: no framing, no sniffing, no referrer to other sites, no inline script. */
    public static void securityHeaders(HttpExchange exchange) {
        var headers = exchange.getResponseHeaders();
        headers.set("Content-Security-Policy", CSP);
        headers.set("X-Content-Type-Options", "nosniff");
        headers.set("X-Frame-Options", "DENY");
        headers.set(
                "Referrer-Policy",
                "same-origin"); // no-referrer would make Chromium send "Origin: null" on its own forms
    }

    public static void send(HttpExchange exchange, int status, String contentType, byte[] body) throws IOException {
        exchange.getResponseHeaders().set("Content-Type", contentType);
        if (!exchange.getResponseHeaders().containsKey("Cache-Control")) {
            exchange.getResponseHeaders().set("Cache-Control", "no-store");
        }
        boolean head = exchange.getRequestMethod().equals("HEAD");
        exchange.sendResponseHeaders(status, head || body.length == 0 ? -1 : body.length);
        if (!head && body.length > 0) {
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(body);
            }
        }
        exchange.close();
    }

    public static void text(HttpExchange exchange, int status, String text) throws IOException {
        send(exchange, status, "text/plain; charset=utf-8", text.getBytes(StandardCharsets.UTF_8));
    }

    /** Whether the request is a GET, HEAD or POST; anything else is answered 405 here. */
    public static boolean getOrPost(HttpExchange exchange) throws IOException {
        String method = exchange.getRequestMethod();
        if (method.equals("GET") || method.equals("HEAD") || method.equals("POST")) {
            return true;
        }
        exchange.getResponseHeaders().set("Allow", "GET, HEAD, POST");
        text(exchange, 405, "method not allowed");
        return false;
    }

    /** 303 See Other to {@code path} on this server: the answer to a form, and to a page without a session. */
    public static void redirect(HttpExchange exchange, String path) throws IOException {
        exchange.getResponseHeaders().set("Location", path);
        exchange.getResponseHeaders().set("Cache-Control", "no-store");
        exchange.sendResponseHeaders(303, -1);
        exchange.close();
    }
}
