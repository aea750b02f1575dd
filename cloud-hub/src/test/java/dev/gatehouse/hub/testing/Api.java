package dev.gatehouse.hub.testing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.Socket;
import java.net.SocketException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpHeaders;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import javax.net.ssl.SSLContext;

/** A client for the hub's API in tests (java.net.http against the real server), over HTTP or HTTPS. */
public final class Api {
    private static final ObjectMapper MAPPER = new ObjectMapper();
    private static final HttpClient CLIENT =
            HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    private final String base;
    private final int port;
    private final HttpClient client;

    public Api(int port) {
        this("http://127.0.0.1:" + port, port, CLIENT);
    }

    private Api(String base, int port, HttpClient client) {
        this.port = port;
        this.base = base;
        this.client = client;
    }

    /** The API of a hub serving HTTPS at {@code host:port}, trusting what {@code trust} trusts. */
    public static Api https(String host, int port, SSLContext trust) {
        return new Api(
                "https://" + host + ":" + port,
                port,
                HttpClient.newBuilder()
                        .connectTimeout(Duration.ofSeconds(5))
                        .sslContext(trust)
                        .build());
    }

    /** One answer: status, headers, raw body and the body as JSON (a missing node when not JSON). */
    public record Response(int status, HttpHeaders headers, String text) {
        public JsonNode json() {
            try {
                return text.isEmpty() ? MAPPER.missingNode() : MAPPER.readTree(text);
            } catch (IOException e) {
                throw new AssertionError("not JSON: " + text, e);
            }
        }

        public String contentType() {
            return headers.firstValue("content-type").orElse("");
        }

        @Override
        public String toString() {
            return status + " " + text;
        }
    }

    public Response get(String path, String token) {
        return send("GET", path, token, Optional.empty(), Optional.empty());
    }

    public Response delete(String path, String token) {
        return send("DELETE", path, token, Optional.empty(), Optional.empty());
    }

    public Response post(String path, String token, String json) {
        return send("POST", path, token, Optional.of(json), Optional.empty());
    }

    public Response patch(String path, String token, String json) {
        return send("PATCH", path, token, Optional.of(json), Optional.empty());
    }

    public Response put(String path, String token, String json) {
        return send("PUT", path, token, Optional.of(json), Optional.empty());
    }

    /** A request with a chosen Host header (subdomain tenancy). */
    public Response getWithHost(String path, String token, String host) {
        // java.net.http refuses to set Host, so this one request goes over a plain socket.
        String request = "GET " + path + " HTTP/1.1\r\nHost: " + host + "\r\nAuthorization: Bearer " + token
                + "\r\nConnection: close\r\n\r\n";
        return raw(request.getBytes(StandardCharsets.ISO_8859_1));
    }

    /**
     * Sends {@code request} as it is over a plain socket and reads the answer until the hub closes the
     * connection: for what java.net.http refuses to send (a bad percent-escape, an oversized header, a
     * malformed request line). The request should say {@code Connection: close}.
     */
    public Response raw(byte[] request) {
        try (Socket socket = new Socket("127.0.0.1", port)) {
            socket.setSoTimeout(30_000);
            try {
                socket.getOutputStream().write(request);
                socket.shutdownOutput();
            } catch (IOException e) {
                // The hub may answer and close before it has read everything (a body over the limit):
                // its answer is still there to read.
            }
            return parse(readUntilClosed(socket.getInputStream()));
        } catch (IOException e) {
            throw new UncheckedIOException(
                    "raw request " + new String(request, 0, Math.min(80, request.length), StandardCharsets.ISO_8859_1),
                    e);
        }
    }

    private static byte[] readUntilClosed(InputStream in) throws IOException {
        ByteArrayOutputStream answer = new ByteArrayOutputStream();
        byte[] buffer = new byte[8192];
        try {
            for (int n = in.read(buffer); n >= 0; n = in.read(buffer)) {
                answer.write(buffer, 0, n);
            }
        } catch (SocketException e) {
            // A reset after the answer (the hub closed with request bytes unread) loses nothing read.
            if (answer.size() == 0) {
                throw e;
            }
        }
        return answer.toByteArray();
    }

    private static Response parse(byte[] answer) {
        String text = new String(answer, StandardCharsets.ISO_8859_1);
        int end = text.indexOf("\r\n\r\n");
        if (!text.startsWith("HTTP/1.1 ") || end < 0) {
            throw new AssertionError("not an HTTP answer: " + text);
        }
        Map<String, List<String>> headers = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
        String[] lines = text.substring(0, end).split("\r\n");
        for (int i = 1; i < lines.length; i++) {
            int colon = lines[i].indexOf(':');
            headers.computeIfAbsent(lines[i].substring(0, colon).strip(), name -> new ArrayList<>())
                    .add(lines[i].substring(colon + 1).strip());
        }
        int length = headers.containsKey("content-length")
                ? Integer.parseInt(headers.get("content-length").getFirst())
                : answer.length - end - 4;
        String body = new String(answer, end + 4, length, StandardCharsets.UTF_8);
        return new Response(Integer.parseInt(lines[0].substring(9, 12)), HttpHeaders.of(headers, (a, b) -> true), body);
    }

    /** A request whose body is {@code body} as it is, with the given content type (or none). */
    public Response sendBytes(String method, String path, String token, byte[] body, Optional<String> contentType) {
        return sendBytes(method, path, token, body, contentType, false);
    }

    /**
     * As above; with {@code expectContinue} the client sends {@code Expect: 100-continue} and the body
     * only once the hub asks for it, as curl does for large bodies. A hub that refuses the request by its
     * headers (413 by Content-Length) answers at once; without it, its answer can be lost in the reset of
     * a connection it closes while the client is still sending.
     */
    public Response sendBytes(
            String method,
            String path,
            String token,
            byte[] body,
            Optional<String> contentType,
            boolean expectContinue) {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(base + path))
                .timeout(Duration.ofSeconds(30))
                .expectContinue(expectContinue)
                .method(method, HttpRequest.BodyPublishers.ofByteArray(body));
        if (token != null) {
            request.header("Authorization", "Bearer " + token);
        }
        contentType.ifPresent(type -> request.header("Content-Type", type));
        return exchange(method, path, request);
    }

    public Response send(String method, String path, String token, Optional<String> json, Optional<String> host) {
        HttpRequest.Builder request =
                HttpRequest.newBuilder(URI.create(base + path)).timeout(Duration.ofSeconds(30));
        if (token != null) {
            request.header("Authorization", "Bearer " + token);
        }
        request.method(
                method,
                json.map(body -> HttpRequest.BodyPublishers.ofString(body, StandardCharsets.UTF_8))
                        .orElse(HttpRequest.BodyPublishers.noBody()));
        json.ifPresent(body -> request.header("Content-Type", "application/json"));
        return exchange(method, path, request);
    }

    /**
     * A request as a browser with this cookie would send it ({@code "gh_session=…"}), with a form body
     * ({@code application/x-www-form-urlencoded}) when {@code form} is present.
     */
    public Response withCookie(String method, String path, String cookie, Optional<String> form) {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(base + path))
                .timeout(Duration.ofSeconds(30))
                .header("Cookie", cookie)
                .method(
                        method,
                        form.map(body -> HttpRequest.BodyPublishers.ofString(body, StandardCharsets.UTF_8))
                                .orElse(HttpRequest.BodyPublishers.noBody()));
        form.ifPresent(body -> request.header("Content-Type", "application/x-www-form-urlencoded"));
        return exchange(method, path, request);
    }

    private Response exchange(String method, String path, HttpRequest.Builder request) {
        try {
            HttpResponse<String> response = client.send(request.build(), HttpResponse.BodyHandlers.ofString());
            return new Response(response.statusCode(), response.headers(), response.body());
        } catch (IOException e) {
            throw new UncheckedIOException(method + " " + path, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }
}
