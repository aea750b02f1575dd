package dev.gatehouse.hub.web;

import dev.gatehouse.hub.store.StoreResult;
import java.util.Optional;

/** The one mapping of store results to HTTP: every service answers a {@link StoreResult} through it. */
public final class StoreResults {
    private StoreResults() {}

    /**
     * The found value, or the RFC 9457 problem that answers the caller: NotFound → 404, Conflict →
     * 409, Invalid → 422 naming each field.
     */
    public static <T> T value(StoreResult<T> result) {
        return switch (result) {
            case StoreResult.Found<T> found -> found.value();
            case StoreResult.NotFound<T> missing -> throw ApiException.notFound(missing.what(), missing.id());
            case StoreResult.Conflict<T> conflict -> throw ApiException.conflict(conflict.reason());
            case StoreResult.Invalid<T> invalid -> throw ApiException.invalid(invalid.errors());
        };
    }

    /** A read that may find nothing: the value, or 404 naming {@code what} and {@code id}. */
    public static <T> T found(Optional<T> value, String what, String id) {
        return value(StoreResult.of(value, what, id));
    }
}
