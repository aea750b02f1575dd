package dev.gatehouse.hub.testing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpHeaders;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Optional;

/** A plain HTTP client for the hub's API in tests (java.net.http against the real server). */
public final class Api {
    private static final ObjectMapper MAPPER = new ObjectMapper();
    private static final HttpClient CLIENT =
            HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    private final String base;
    private final int port;

    public Api(int port) {
        this.port = port;
        this.base = "http://127.0.0.1:" + port;
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
        try (java.net.Socket socket = new java.net.Socket("127.0.0.1", port)) {
            socket.setSoTimeout(30_000);
            String request = "GET " + path + " HTTP/1.1\r\nHost: " + host + "\r\nAuthorization: Bearer " + token
                    + "\r\nConnection: close\r\n\r\n";
            socket.getOutputStream().write(request.getBytes(StandardCharsets.US_ASCII));
            java.io.InputStream in = socket.getInputStream();
            StringBuilder head = new StringBuilder();
            while (!head.toString().endsWith("\r\n\r\n")) {
                int b = in.read();
                if (b < 0) {
                    throw new IOException("connection closed in the response head: " + head);
                }
                head.append((char) b);
            }
            int status = Integer.parseInt(head.substring(9, 12));
            int length = 0;
            for (String line : head.toString().split("\r\n")) {
                if (line.toLowerCase(java.util.Locale.ROOT).startsWith("content-length:")) {
                    length = Integer.parseInt(line.substring(15).strip());
                }
            }
            String body = new String(in.readNBytes(length), StandardCharsets.UTF_8);
            return new Response(status, HttpHeaders.of(java.util.Map.of(), (a, b) -> true), body);
        } catch (IOException e) {
            throw new UncheckedIOException("GET " + path + " with Host " + host, e);
        }
    }

    public Response send(String method, String path, String token, Optional<String> json, Optional<String> host) {
        HttpRequest.Builder request =
                HttpRequest.newBuilder(URI.create(base + path)).timeout(Duration.ofSeconds(30));
        if (token != null) {
            request.header("Authorization", "Bearer " + token);
        }
        host.ifPresent(h -> request.setHeader("Host", h));
        request.method(
                method,
                json.map(body -> HttpRequest.BodyPublishers.ofString(body, StandardCharsets.UTF_8))
                        .orElse(HttpRequest.BodyPublishers.noBody()));
        json.ifPresent(body -> request.header("Content-Type", "application/json"));
        try {
            HttpResponse<String> response = CLIENT.send(request.build(), HttpResponse.BodyHandlers.ofString());
            return new Response(response.statusCode(), response.headers(), response.body());
        } catch (IOException e) {
            throw new UncheckedIOException(method + " " + path, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }
}
