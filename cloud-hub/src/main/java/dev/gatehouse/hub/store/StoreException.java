package dev.gatehouse.hub.store;

import java.sql.SQLException;

/** A failure of the hub's store, with a code and a message an operator can act on. */
public final class StoreException extends RuntimeException {
    private final StoreError error;

    public StoreException(StoreError error, String message) {
        super(message);
        this.error = error;
    }

    public StoreException(StoreError error, String message, Throwable cause) {
        super(message, cause);
        this.error = error;
    }

    public StoreError error() {
        return error;
    }

    /** Translates a JDBC failure from either store into a coded exception. */
    static StoreException from(SQLException e, StoreKind kind) {
        return new StoreException(classify(e, kind), kind.label() + ": " + e.getMessage(), e);
    }

    private static StoreError classify(SQLException e, StoreKind kind) {
        String state = e.getSQLState() == null ? "" : e.getSQLState();
        return switch (kind) {
            case POSTGRESQL -> {
                if (state.equals("23505")) {
                    yield StoreError.CONFLICT;
                }
                if (state.equals("23503")) {
                    yield StoreError.REFERENCE;
                }
                yield StoreError.UNAVAILABLE;
            }
            case SQLITE -> {
                // SQLITE_CONSTRAINT is result code 19; the message names which constraint failed.
                String message = e.getMessage() == null ? "" : e.getMessage();
                if (e.getErrorCode() == 19 && message.contains("FOREIGN KEY")) {
                    yield StoreError.REFERENCE;
                }
                if (e.getErrorCode() == 19 && (message.contains("UNIQUE") || message.contains("PRIMARYKEY"))) {
                    yield StoreError.CONFLICT;
                }
                yield StoreError.UNAVAILABLE;
            }
        };
    }
}
