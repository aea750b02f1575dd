package dev.gatehouse.edge.door;

import java.util.Objects;

/**
 * A door fault or a refused door command, with a {@link DoorError} code and a message that says
 * what to check or why the command was refused.
 */
public final class DoorException extends RuntimeException {
    private final DoorError error;

    public DoorException(DoorError error, String message) {
        super(message);
        this.error = Objects.requireNonNull(error, "error");
    }

    public DoorException(DoorError error, String message, Throwable cause) {
        super(message, cause);
        this.error = Objects.requireNonNull(error, "error");
    }

    public DoorError error() {
        return error;
    }

    @Override
    public String toString() {
        return "DoorException[" + error + "]: " + getMessage();
    }
}
