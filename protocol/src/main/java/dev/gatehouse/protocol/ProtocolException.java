package dev.gatehouse.protocol;

import java.util.Objects;

/**
 * The one exception type of the protocol module. Every malformed input, bad signature or invalid
 * value ends here, with an {@link ProtocolError} code and a message that names the field or part at
 * fault and says what to fix.
 */
public final class ProtocolException extends RuntimeException {
    private final ProtocolError error;

    public ProtocolException(ProtocolError error, String message) {
        super(message);
        this.error = Objects.requireNonNull(error, "error");
    }

    public ProtocolException(ProtocolError error, String message, Throwable cause) {
        super(message, cause);
        this.error = Objects.requireNonNull(error, "error");
    }

    public ProtocolError error() {
        return error;
    }

    @Override
    public String toString() {
        return "ProtocolException[" + error + "]: " + getMessage();
    }
}
