package dev.gatehouse.sim.av;

import java.util.Objects;

/** The one exception type of the simulated room controller, with a {@link SimAvError} code. */
public final class SimAvException extends RuntimeException {
    private final SimAvError error;

    public SimAvException(SimAvError error, String message) {
        super(message);
        this.error = Objects.requireNonNull(error, "error");
    }

    public SimAvException(SimAvError error, String message, Throwable cause) {
        super(message, cause);
        this.error = Objects.requireNonNull(error, "error");
    }

    public SimAvError error() {
        return error;
    }

    @Override
    public String toString() {
        return "SimAvException[" + error + "]: " + getMessage();
    }
}
