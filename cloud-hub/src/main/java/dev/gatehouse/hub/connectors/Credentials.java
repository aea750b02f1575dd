package dev.gatehouse.hub.connectors;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import dev.gatehouse.hub.web.Json;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * A tenant connector's secrets as stored (sealed, as one JSON object) under the master key: what the
 * operator gave ({@code clientId}, {@code clientSecret}, {@code botToken}, {@code privateAppToken}) and
 * what the OAuth2 flow got ({@code accessToken}, {@code refreshToken}, {@code accessTokenExpiresAt}).
 * Its {@code toString} names the fields only.
 */
public record Credentials(Map<String, String> values) {
    public static final String CLIENT_ID = "clientId";
    public static final String CLIENT_SECRET = "clientSecret";
    public static final String ACCESS_TOKEN = "accessToken";
    public static final String REFRESH_TOKEN = "refreshToken";
    public static final String ACCESS_EXPIRES_AT = "accessTokenExpiresAt";

    public Credentials {
        values = Map.copyOf(values);
    }

    public static Credentials none() {
        return new Credentials(Map.of());
    }

    public Optional<String> get(String name) {
        return Optional.ofNullable(values.get(name)).filter(v -> !v.isEmpty());
    }

    /** These credentials with {@code changes} applied (an empty value removes the field). */
    public Credentials with(Map<String, String> changes) {
        TreeMap<String, String> next = new TreeMap<>(values);
        changes.forEach((name, value) -> {
            if (value == null || value.isEmpty()) {
                next.remove(name);
            } else {
                next.put(name, value);
            }
        });
        return new Credentials(next);
    }

    /** When the access token stops working, when the flow said so. */
    public Optional<Instant> accessTokenExpiresAt() {
        return get(ACCESS_EXPIRES_AT).map(Instant::parse);
    }

    String json() {
        try {
            return Json.MAPPER.writeValueAsString(new TreeMap<>(values));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot write connector credentials", e);
        }
    }

    static Credentials parse(String json) {
        try {
            return new Credentials(Json.MAPPER.readValue(json, new TypeReference<Map<String, String>>() {}));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("connector credentials are not JSON", e);
        }
    }

    /** The names of the fields set, sorted: what the API may show. */
    public java.util.List<String> names() {
        return values.keySet().stream().sorted().toList();
    }

    @Override
    public String toString() {
        return "Credentials" + names();
    }
}
