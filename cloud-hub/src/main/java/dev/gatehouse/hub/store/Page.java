package dev.gatehouse.hub.store;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;

/**
 * One page of a list and, unless it is the last, the opaque cursor of the next page (a {@link
 * Cursor#encode() encoded} position). Cut from rows with {@link Keyset#page}.
 */
public record Page<T>(List<T> items, Optional<String> nextCursor) {
    public Page {
        items = List.copyOf(items);
    }

    /** The same page with each item mapped (e.g. internal rows to their API views). */
    public <R> Page<R> map(Function<? super T, ? extends R> mapper) {
        return new Page<>(items.stream().<R>map(mapper).toList(), nextCursor);
    }

    /** The answer body: {@code {"items": [...], "nextCursor": "..."}}, no cursor on the last page. */
    public Map<String, Object> body() {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("items", items);
        nextCursor.ifPresent(cursor -> body.put("nextCursor", cursor));
        return body;
    }
}
