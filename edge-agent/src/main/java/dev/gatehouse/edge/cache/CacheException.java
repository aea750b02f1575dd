package dev.gatehouse.edge.cache;

import java.util.Objects;

/**
 * The one exception type of the entitlement cache and outbox: a fault (not an expected outcome such
 * as a gap or a repeat, which are results), with a {@link CacheError} code and a message a technician
 * can act on. SQLite's and the JDBC driver's failures are translated into it at the boundary.
 */
public final class CacheException extends RuntimeException {
    private final CacheError error;

    public CacheException(CacheError error, String message) {
        super(message);
        this.error = Objects.requireNonNull(error, "error");
    }

    public CacheException(CacheError error, String message, Throwable cause) {
        super(message, cause);
        this.error = Objects.requireNonNull(error, "error");
    }

    public CacheError error() {
        return error;
    }

    @Override
    public String toString() {
        return "CacheException[" + error + "]: " + getMessage();
    }
}
