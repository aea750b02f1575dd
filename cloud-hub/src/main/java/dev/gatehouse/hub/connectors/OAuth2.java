package dev.gatehouse.hub.connectors;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * The OAuth2 token endpoint (RFC 6749): an authorization code exchanged for tokens after the connect
 * flow's callback, and a refresh token exchanged for a new access token when it expires or is refused.
 * QuickBooks rotates refresh tokens (each answer may carry a new one, which replaces the old), so the
 * answer's refresh token is always kept. The client authenticates with HTTP Basic or in the form body,
 * as the connector says.
 */
final class OAuth2 {
    private final HttpClient http;
    private final Duration timeout;
    private final Clock clock;

    OAuth2(HttpClient http, Duration timeout, Clock clock) {
        this.http = http;
        this.timeout = timeout;
        this.clock = clock;
    }

    /** The authorization page's URL for the connect flow. */
    static URI authorizationUrl(URI authorize, String clientId, String scopes, URI redirect, String state) {
        Map<String, String> query = new LinkedHashMap<>();
        query.put("client_id", clientId);
        query.put("response_type", "code");
        query.put("scope", scopes);
        query.put("redirect_uri", redirect.toString());
        query.put("state", state);
        return URI.create(authorize + (authorize.getQuery() == null ? "?" : "&") + RemoteApi.form(query));
    }

    Credentials exchange(Connector connector, URI token, Credentials current, String code, URI redirect) {
        Map<String, String> form = new LinkedHashMap<>();
        form.put("grant_type", "authorization_code");
        form.put("code", code);
        form.put("redirect_uri", redirect.toString());
        return tokens(connector, token, current, form);
    }

    Credentials refresh(Connector connector, URI token, Credentials current) {
        String refresh = current.get(Credentials.REFRESH_TOKEN)
                .orElseThrow(() -> new ConnectorException(
                        ConnectorException.Kind.UNAUTHORIZED,
                        connector.title() + " has no refresh token; connect again"));
        Map<String, String> form = new LinkedHashMap<>();
        form.put("grant_type", "refresh_token");
        form.put("refresh_token", refresh);
        return tokens(connector, token, current, form);
    }

    private Credentials tokens(Connector connector, URI token, Credentials current, Map<String, String> form) {
        String clientId = current.get(Credentials.CLIENT_ID)
                .orElseThrow(() -> new ConnectorException(
                        ConnectorException.Kind.UNAUTHORIZED, "set the connector's clientId first"));
        String clientSecret = current.get(Credentials.CLIENT_SECRET)
                .orElseThrow(() -> new ConnectorException(
                        ConnectorException.Kind.UNAUTHORIZED, "set the connector's clientSecret first"));
        HttpRequest.Builder request = HttpRequest.newBuilder(token)
                .timeout(timeout)
                .header("content-type", "application/x-www-form-urlencoded")
                .header("accept", "application/json");
        if (connector.tokenBasicAuth()) {
            request.header(
                    "authorization",
                    "Basic "
                            + Base64.getEncoder()
                                    .encodeToString((clientId + ":" + clientSecret).getBytes(StandardCharsets.UTF_8)));
        } else {
            form = new LinkedHashMap<>(form);
            form.put("client_id", clientId);
            form.put("client_secret", clientSecret);
        }
        HttpResponse<byte[]> response;
        try {
            response = http.send(
                    request.POST(HttpRequest.BodyPublishers.ofString(RemoteApi.form(form)))
                            .build(),
                    HttpResponse.BodyHandlers.ofByteArray());
        } catch (IOException e) {
            throw new ConnectorException(
                    ConnectorException.Kind.UNAVAILABLE,
                    "could not reach " + connector.title() + "'s token endpoint ("
                            + e.getClass().getSimpleName() + ")");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ConnectorException(ConnectorException.Kind.UNAVAILABLE, "the hub stopped during the call");
        }
        JsonNode body = RemoteApi.parse(response.body());
        int status = response.statusCode();
        if (status == 429) {
            throw new ConnectorException(
                    ConnectorException.Kind.RATE_LIMITED,
                    connector.title() + "'s token endpoint asked to slow down (429)",
                    RemoteApi.retryAfter(response.headers(), clock.instant())
                            .or(() -> Optional.of(RemoteApi.DEFAULT_WAIT)));
        }
        if (status >= 500) {
            throw new ConnectorException(
                    ConnectorException.Kind.UNAVAILABLE,
                    connector.title() + "'s token endpoint failed (" + status + ")");
        }
        if (status != 200 || !body.path("access_token").isTextual()) {
            // invalid_grant: the code or refresh token was used, expired or revoked.
            throw new ConnectorException(
                    ConnectorException.Kind.UNAUTHORIZED,
                    connector.title() + " refused the authorization ("
                            + body.path("error").asText("HTTP " + status) + "); connect again");
        }
        Map<String, String> changes = new LinkedHashMap<>();
        changes.put(Credentials.ACCESS_TOKEN, body.get("access_token").asText());
        if (body.path("refresh_token").isTextual()) {
            changes.put(Credentials.REFRESH_TOKEN, body.get("refresh_token").asText());
        }
        long expiresIn = body.path("expires_in").asLong(3600);
        changes.put(
                Credentials.ACCESS_EXPIRES_AT,
                clock.instant().plusSeconds(expiresIn).toString());
        return current.with(changes);
    }
}
