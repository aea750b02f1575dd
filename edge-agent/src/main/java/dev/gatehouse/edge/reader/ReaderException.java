package dev.gatehouse.edge.reader;

import java.util.Objects;

/**
 * The one exception type of the readers, with a {@link ReaderError} code and a message a technician
 * can act on (which device, what to check). jSerialComm's {@code false} and {@code -1} returns become
 * this at the adapter boundary.
 */
public final class ReaderException extends RuntimeException {
    private final ReaderError error;

    public ReaderException(ReaderError error, String message) {
        super(message);
        this.error = Objects.requireNonNull(error, "error");
    }

    public ReaderException(ReaderError error, String message, Throwable cause) {
        super(message, cause);
        this.error = Objects.requireNonNull(error, "error");
    }

    public ReaderError error() {
        return error;
    }

    @Override
    public String toString() {
        return "ReaderException[" + error + "]: " + getMessage();
    }
}
