package dev.gatehouse.hub.connectors;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.MissingNode;
import dev.gatehouse.hub.web.Json;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpHeaders;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.Map;
import java.util.Optional;

/**
 * A service's JSON API called with the tenant's bearer token. It answers every 2xx and client error
 * (the connector reads the service's own error shape), and turns the rest into a
 * {@link ConnectorException}: a 429 into {@code RATE_LIMITED} with the wait from {@code Retry-After}
 * (seconds or an HTTP date), else from the connector's reading of the answer, else {@link #DEFAULT_WAIT}, a 401 into one token refresh and a
 * second try, then {@code UNAUTHORIZED}, a 5xx or no answer into {@code UNAVAILABLE}.
 */
public final class RemoteApi {
    /** How long to wait after a 429 that does not say. */
    public static final Duration DEFAULT_WAIT = Duration.ofSeconds(60);

    private final HttpClient http;
    private final Duration timeout;
    private final TokenSource tokens;
    private final Clock clock;
    private final String service;
    private final java.util.function.Function<JsonNode, Optional<Duration>> waitHint;

    RemoteApi(
            HttpClient http,
            Duration timeout,
            TokenSource tokens,
            Clock clock,
            String service,
            java.util.function.Function<JsonNode, Optional<Duration>> waitHint) {
        this.http = http;
        this.timeout = timeout;
        this.tokens = tokens;
        this.clock = clock;
        this.service = service;
        this.waitHint = waitHint;
    }

    /** One answer: its status, its JSON body (missing when empty or not JSON) and headers. */
    public record Response(int status, JsonNode body, HttpHeaders headers) {
        public boolean ok() {
            return status >= 200 && status < 300;
        }
    }

    public Response get(URI uri) {
        return send("GET", uri, Optional.empty());
    }

    public Response post(URI uri, JsonNode body) {
        return send("POST", uri, Optional.of(body));
    }

    public Response patch(URI uri, JsonNode body) {
        return send("PATCH", uri, Optional.of(body));
    }

    /** Sends the request; a 401 refreshes the token once and sends it again. */
    public Response send(String method, URI uri, Optional<JsonNode> body) {
        Response first = once(method, uri, body, tokens.bearer());
        if (first.status() != 401) {
            return checked(first);
        }
        if (!tokens.canRefresh()) {
            throw new ConnectorException(
                    ConnectorException.Kind.UNAUTHORIZED,
                    service + " refused the token (401); give a valid token or connect again");
        }
        Response second = once(method, uri, body, tokens.refresh());
        if (second.status() == 401) {
            throw new ConnectorException(
                    ConnectorException.Kind.UNAUTHORIZED,
                    service + " refused the token even after a refresh (401); connect again");
        }
        return checked(second);
    }

    private Response checked(Response response) {
        if (response.status() == 429) {
            Duration wait = retryAfter(response.headers(), clock.instant())
                    .or(() -> waitHint.apply(response.body()))
                    .orElse(DEFAULT_WAIT);
            throw new ConnectorException(
                    ConnectorException.Kind.RATE_LIMITED,
                    service + " asked to slow down (429); waiting " + wait.toSeconds() + " s",
                    Optional.of(wait));
        }
        if (response.status() >= 500) {
            throw new ConnectorException(
                    ConnectorException.Kind.UNAVAILABLE, service + " failed (" + response.status() + ")");
        }
        return response;
    }

    private Response once(String method, URI uri, Optional<JsonNode> body, String token) {
        HttpRequest.Builder request = HttpRequest.newBuilder(uri)
                .timeout(timeout)
                .header("authorization", "Bearer " + token)
                .header("accept", "application/json")
                .header("user-agent", "Gatehouse-Connectors/1");
        if (body.isPresent()) {
            request.header("content-type", "application/json")
                    .method(
                            method,
                            HttpRequest.BodyPublishers.ofString(body.get().toString()));
        } else {
            request.method(method, HttpRequest.BodyPublishers.noBody());
        }
        try {
            HttpResponse<byte[]> response = http.send(request.build(), HttpResponse.BodyHandlers.ofByteArray());
            return new Response(response.statusCode(), parse(response.body()), response.headers());
        } catch (HttpTimeoutException e) {
            throw new ConnectorException(
                    ConnectorException.Kind.UNAVAILABLE,
                    service + " did not answer within " + timeout.toSeconds() + " s");
        } catch (IOException e) {
            throw new ConnectorException(
                    ConnectorException.Kind.UNAVAILABLE,
                    "could not reach " + service + " (" + e.getClass().getSimpleName() + ")");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ConnectorException(ConnectorException.Kind.UNAVAILABLE, "the hub stopped during the call");
        }
    }

    static JsonNode parse(byte[] bytes) {
        if (bytes.length == 0) {
            return MissingNode.getInstance();
        }
        try {
            return Json.MAPPER.readTree(new String(bytes, StandardCharsets.UTF_8));
        } catch (IOException e) {
            return MissingNode.getInstance();
        }
    }

    /** The wait a {@code Retry-After} header asks for: delay-seconds or an HTTP date (RFC 9110). */
    public static Optional<Duration> retryAfter(HttpHeaders headers, Instant now) {
        Optional<String> value = headers.firstValue("retry-after").map(String::strip);
        if (value.isEmpty()) {
            return Optional.empty();
        }
        String text = value.get();
        if (text.matches("[0-9]{1,7}")) {
            return Optional.of(Duration.ofSeconds(Long.parseLong(text)));
        }
        try {
            Instant at = ZonedDateTime.parse(text, DateTimeFormatter.RFC_1123_DATE_TIME)
                    .toInstant();
            return Optional.of(at.isAfter(now) ? Duration.between(now, at) : Duration.ZERO);
        } catch (DateTimeParseException e) {
            return Optional.empty();
        }
    }

    /** A form body ({@code application/x-www-form-urlencoded}) of {@code fields}. */
    static String form(Map<String, String> fields) {
        StringBuilder form = new StringBuilder();
        fields.forEach((name, value) -> {
            if (!form.isEmpty()) {
                form.append('&');
            }
            form.append(java.net.URLEncoder.encode(name, StandardCharsets.UTF_8))
                    .append('=')
                    .append(java.net.URLEncoder.encode(value, StandardCharsets.UTF_8));
        });
        return form.toString();
    }
}
