package dev.gatehouse.edge.av;

import java.util.Objects;

/**
 * A call the room A/V API cannot carry out, with an {@link AvError} code. A controller that fails is
 * not an exception: it is an {@link AvOutcome} and, after retries, a fault reported to the
 * {@link RoomAvListener}.
 */
public final class AvException extends RuntimeException {
    private final AvError error;

    public AvException(AvError error, String message) {
        super(message);
        this.error = Objects.requireNonNull(error, "error");
    }

    public AvError error() {
        return error;
    }

    @Override
    public String toString() {
        return "AvException[" + error + "]: " + getMessage();
    }
}
