package dev.gatehouse.hub.connectors;

import java.time.Duration;
import java.util.Optional;

/**
 * A job or a pre-flight that the service did not carry out, with what to do next: wait as long as the
 * service said (a 429), connect again (a refused token), try later (the service down, a dependency not
 * synced yet), or stop until someone fixes the data or the settings (the service refused the request).
 * The message says what failed in words an operator can act on and never carries a secret.
 */
public final class ConnectorException extends RuntimeException {
    /** What kind of failure, deciding the retry. */
    public enum Kind {
        /** The service asked us to slow down: try again after {@link #retryAfter()}. */
        RATE_LIMITED,
        /** The service refused the credentials, even after a refresh: connect again. */
        UNAUTHORIZED,
        /** The service did not answer or failed (5xx, timeout): try again with backoff. */
        UNAVAILABLE,
        /** Something this job needs is not there yet: try again with backoff. */
        NOT_READY,
        /** The service refused the request as it is (4xx): no retry until someone fixes it and retries. */
        REJECTED
    }

    private final Kind kind;
    private final Optional<Duration> retryAfter;

    public ConnectorException(Kind kind, String message) {
        this(kind, message, Optional.empty());
    }

    public ConnectorException(Kind kind, String message, Optional<Duration> retryAfter) {
        super(message);
        this.kind = kind;
        this.retryAfter = retryAfter;
    }

    public Kind kind() {
        return kind;
    }

    /**
     * Whether the service may have carried the request out although the hub got no answer saying so:
     * {@code UNAVAILABLE} (a timeout, a broken connection, a 5xx, the service's own "internal error").
     * Every other kind is an answer that it did not (a refusal, a 429, a refused token), or no call.
     */
    public boolean outcomeUnknown() {
        return kind == Kind.UNAVAILABLE;
    }

    public Optional<Duration> retryAfter() {
        return retryAfter;
    }
}
