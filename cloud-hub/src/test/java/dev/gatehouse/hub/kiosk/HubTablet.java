package dev.gatehouse.hub.kiosk;

import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * A tablet at the hub's kiosk over plain HTTP: it opens {@code /kiosk/}, types a pairing code, keeps
 * the cookie it is given, and posts the kiosk's forms with the token each page carries, as a browser
 * would (no redirects followed, so tests see them).
 */
final class HubTablet {
    private static final Pattern CSRF = Pattern.compile("name=\"_csrf\" value=\"([^\"]+)\"");
    private static final Pattern HIDDEN =
            Pattern.compile("<input type=\"hidden\" name=\"([^\"]+)\" value=\"([^\"]*)\">");

    private final URI base;
    private final HttpClient http = HttpClient.newBuilder()
            .followRedirects(HttpClient.Redirect.NEVER)
            .connectTimeout(Duration.ofSeconds(5))
            .build();
    private String cookie = "";

    HubTablet(int port) {
        this.base = URI.create("http://127.0.0.1:" + port);
    }

    /** Types {@code code} on the pairing page; answers the hub's answer (303 when paired). */
    HttpResponse<String> pair(String code) throws IOException, InterruptedException {
        HttpResponse<String> page = get("/kiosk/");
        String pre = cookieOf(page, "gh_kiosk_pair").orElseThrow();
        HttpResponse<String> answer =
                send("POST", "/kiosk/pair", pre, Optional.of("_csrf=" + csrf(page.body()) + "&code=" + enc(code)));
        cookieOf(answer, "gh_kiosk").filter(c -> !c.equals("gh_kiosk=")).ifPresent(c -> cookie = c);
        return answer;
    }

    String cookie() {
        return cookie;
    }

    /** The Set-Cookie header the pairing answered, whole. */
    static Optional<String> setCookie(HttpResponse<?> response, String name) {
        return response.headers().allValues("Set-Cookie").stream()
                .filter(c -> c.startsWith(name + "="))
                .findFirst();
    }

    HttpResponse<String> get(String path) throws IOException, InterruptedException {
        return send("GET", path, cookie, Optional.empty());
    }

    /** Posts {@code fields} to the form at {@code path}, with the token of the page at {@code from}. */
    HttpResponse<String> post(String from, String path, Map<String, String> fields)
            throws IOException, InterruptedException {
        Map<String, String> form = new LinkedHashMap<>();
        form.put("_csrf", csrf(get(from).body()));
        form.putAll(fields);
        return postRaw(path, form);
    }

    /** Posts exactly {@code form}. */
    HttpResponse<String> postRaw(String path, Map<String, String> form) throws IOException, InterruptedException {
        return send("POST", path, cookie, Optional.of(encode(form)));
    }

    /** Posts the page's hidden fields (its agreement form) with {@code more}, as ticking the box and submitting does. */
    HttpResponse<String> submitHidden(String page, String path, Map<String, String> more)
            throws IOException, InterruptedException {
        Map<String, String> form = new LinkedHashMap<>();
        Matcher matcher = HIDDEN.matcher(page);
        while (matcher.find()) {
            form.put(
                    matcher.group(1),
                    matcher.group(2)
                            .replace("&amp;", "&")
                            .replace("&quot;", "\"")
                            .replace("&#39;", "'"));
        }
        form.putAll(more);
        return postRaw(path, form);
    }

    byte[] bytes(String path) throws IOException, InterruptedException {
        HttpRequest.Builder request = HttpRequest.newBuilder(base.resolve(path));
        if (!cookie.isEmpty()) {
            request.header("Cookie", cookie);
        }
        HttpResponse<byte[]> answer = http.send(request.build(), HttpResponse.BodyHandlers.ofByteArray());
        if (answer.statusCode() != 200) {
            throw new AssertionError("GET " + path + " answered " + answer.statusCode());
        }
        return answer.body();
    }

    HttpResponse<String> send(String method, String path, String withCookie, Optional<String> form)
            throws IOException, InterruptedException {
        return send(method, path, withCookie, form, Optional.empty());
    }

    HttpResponse<String> send(
            String method, String path, String withCookie, Optional<String> form, Optional<String> origin)
            throws IOException, InterruptedException {
        HttpRequest.Builder request = HttpRequest.newBuilder(base.resolve(path))
                .timeout(Duration.ofSeconds(30))
                .method(
                        method,
                        form.map(body -> HttpRequest.BodyPublishers.ofString(body, StandardCharsets.UTF_8))
                                .orElse(HttpRequest.BodyPublishers.noBody()));
        if (!withCookie.isEmpty()) {
            request.header("Cookie", withCookie);
        }
        form.ifPresent(body -> request.header("Content-Type", "application/x-www-form-urlencoded"));
        origin.ifPresent(value -> request.header("Origin", value));
        return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    static String csrf(String page) {
        Matcher matcher = CSRF.matcher(page);
        if (!matcher.find()) {
            throw new AssertionError("no form token in the page: " + page);
        }
        return matcher.group(1);
    }

    private static Optional<String> cookieOf(HttpResponse<?> response, String name) {
        return setCookie(response, name).map(c -> c.split(";")[0]);
    }

    static String encode(Map<String, String> form) {
        return form.entrySet().stream()
                .map(e -> enc(e.getKey()) + "=" + enc(e.getValue()))
                .collect(Collectors.joining("&"));
    }

    static String enc(String value) {
        return URLEncoder.encode(value, StandardCharsets.UTF_8);
    }
}
