package dev.gatehouse.hub.web;

import dev.gatehouse.hub.store.Cursor;
import dev.gatehouse.protocol.Ids;
import io.helidon.webserver.http.ServerRequest;
import java.util.Optional;

/**
 * The page a list request asks for: {@code limit} (1 to {@value #MAX_LIMIT}, default {@value
 * #DEFAULT_LIMIT}) and {@code cursor} (the {@code nextCursor} of the page before). The one place that
 * reads them from a request: a bad value is a 422 naming the parameter.
 */
public record Paging(int limit, Optional<Cursor> after) {
    public static final int DEFAULT_LIMIT = 50;
    public static final int MAX_LIMIT = 500;

    public Paging {
        if (limit < 1 || limit > MAX_LIMIT) {
            throw new IllegalArgumentException("limit is " + limit + "; use 1 to " + MAX_LIMIT);
        }
    }

    /** The {@code limit} and {@code cursor} query parameters, or a 422 naming the one that is wrong. */
    public static Paging of(ServerRequest req) {
        return new Paging(
                limit(req.query().first("limit").asOptional()),
                cursor(req.query().first("cursor").asOptional()));
    }

    /** A {@code limit} value as sent: absent is the default; anything but 1 to 500 is a 422. */
    public static int limit(Optional<String> text) {
        return (int) number("limit", text, 1, MAX_LIMIT, DEFAULT_LIMIT);
    }

    /**
     * A whole-number query parameter other than the page's (the change log's {@code after}, its own
     * {@code limit}): absent is {@code fallback}; not a whole number or outside {@code min} to
     * {@code max} is a 422 naming it.
     */
    public static long number(ServerRequest req, String name, long min, long max, long fallback) {
        return number(name, req.query().first(name).asOptional(), min, max, fallback);
    }

    private static long number(String name, Optional<String> text, long min, long max, long fallback) {
        if (text.isEmpty()) {
            return fallback;
        }
        long value;
        try {
            value = Long.parseLong(text.get());
        } catch (NumberFormatException e) {
            throw ApiException.invalid(name, "'" + Ids.printable(text.get()) + "' is not a whole number");
        }
        if (value < min || value > max) {
            throw ApiException.invalid(name, "is " + value + "; use " + min + " to " + max);
        }
        return value;
    }

    /** A {@code cursor} value as sent: absent is the first page; anything {@link Cursor} did not write is a 422. */
    public static Optional<Cursor> cursor(Optional<String> text) {
        if (text.isEmpty()) {
            return Optional.empty();
        }
        return Optional.of(Cursor.decode(text.get()).orElseThrow(() -> ApiException.invalid("cursor", Cursor.REFUSED)));
    }
}
