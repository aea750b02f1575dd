package dev.gatehouse.hub.secrets;

/** A secret the hub cannot use (missing, readable by others, wrong, not matching the store); says what to fix. */
public final class SecretException extends RuntimeException {
    public SecretException(String message) {
        super(message);
    }

    public SecretException(String message, Throwable cause) {
        super(message, cause);
    }
}
