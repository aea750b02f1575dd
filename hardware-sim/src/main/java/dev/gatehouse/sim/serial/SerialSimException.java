package dev.gatehouse.sim.serial;

import java.util.Objects;

/**
 * The one exception type of the serial simulators, with a {@link SerialSimError} code and a message
 * that says what to check (permissions on /dev/ptmx, the link directory, an argument).
 */
public final class SerialSimException extends RuntimeException {
    private final SerialSimError error;

    public SerialSimException(SerialSimError error, String message) {
        super(message);
        this.error = Objects.requireNonNull(error, "error");
    }

    public SerialSimException(SerialSimError error, String message, Throwable cause) {
        super(message, cause);
        this.error = Objects.requireNonNull(error, "error");
    }

    public SerialSimError error() {
        return error;
    }

    @Override
    public String toString() {
        return "SerialSimException[" + error + "]: " + getMessage();
    }
}
