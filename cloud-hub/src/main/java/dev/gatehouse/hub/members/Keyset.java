package dev.gatehouse.hub.members;

import dev.gatehouse.hub.sites.SiteService;
import dev.gatehouse.hub.web.ApiException;
import dev.gatehouse.protocol.Ids;
import io.helidon.webserver.http.ServerRequest;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Keyset paging over lists in creation order: a page ends after row (createdAt, id), and the next
 * page starts after it. The cursor is opaque to callers (base64url of the position), so the order
 * can change without breaking clients that only pass it back.
 */
public final class Keyset {
    public static final int DEFAULT_LIMIT = 50;
    public static final int MAX_LIMIT = 500;

    private Keyset() {}

    /** Where a page starts: after this row. */
    public record After(long createdAt, String id) {}

    /** One page of rows and, unless it is the last, the cursor of the next page. */
    public record Page<T>(List<T> items, Optional<String> nextCursor) {
        public Page {
            items = List.copyOf(items);
        }

        /** The answer body: {@code {"items": [...], "nextCursor": "..."}} (no cursor on the last page). */
        public Map<String, Object> body() {
            Map<String, Object> body = new LinkedHashMap<>();
            body.put("items", items);
            nextCursor.ifPresent(cursor -> body.put("nextCursor", cursor));
            return body;
        }
    }

    public static String encode(long createdAt, String id) {
        return Base64.getUrlEncoder()
                .withoutPadding()
                .encodeToString((createdAt + ":" + id).getBytes(StandardCharsets.UTF_8));
    }

    /** The {@code limit} query parameter: 1 to 500, default 50; anything else is a 422 naming it. */
    public static int limit(ServerRequest req) {
        return (int) SiteService.query(req, "limit", 1, MAX_LIMIT, DEFAULT_LIMIT);
    }

    /** The {@code cursor} query parameter, as returned in {@code nextCursor}; anything else is a 422 naming it. */
    public static Optional<After> cursor(ServerRequest req) {
        Optional<String> text = req.query().first("cursor").asOptional();
        if (text.isEmpty()) {
            return Optional.empty();
        }
        try {
            String decoded = new String(Base64.getUrlDecoder().decode(text.get()), StandardCharsets.UTF_8);
            int colon = decoded.indexOf(':');
            if (colon > 0) {
                long createdAt = Long.parseLong(decoded.substring(0, colon));
                String id = decoded.substring(colon + 1);
                if (Ids.isValid(id)) {
                    return Optional.of(new After(createdAt, id));
                }
            }
        } catch (IllegalArgumentException e) {
            // falls through to the 422 below (NumberFormatException is an IllegalArgumentException)
        }
        throw ApiException.invalid("cursor", "is not a cursor this list returned; pass nextCursor unchanged");
    }

    /**
     * Cuts {@code rows} (fetched with {@code limit + 1}) into a page: when there is one row more than
     * the limit, the page ends at the limit and names the last row it holds as the next cursor.
     */
    public static <T> Page<T> page(List<T> rows, int limit, java.util.function.Function<T, After> position) {
        if (rows.size() <= limit) {
            return new Page<>(rows, Optional.empty());
        }
        List<T> items = rows.subList(0, limit);
        After last = position.apply(items.get(limit - 1));
        return new Page<>(items, Optional.of(encode(last.createdAt(), last.id())));
    }
}
