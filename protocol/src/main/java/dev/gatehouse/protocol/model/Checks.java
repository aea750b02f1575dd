package dev.gatehouse.protocol.model;

import dev.gatehouse.protocol.ProtocolError;
import dev.gatehouse.protocol.ProtocolException;
import java.time.Duration;
import java.time.Instant;
import java.util.Objects;
import java.util.Optional;

/** Argument checks for records; every failure is a {@link ProtocolException} naming the field. */
public final class Checks {
    private Checks() {}

    public static <T> T present(T value, String field) {
        if (value == null) {
            throw new ProtocolException(ProtocolError.MISSING_FIELD, field + " is missing");
        }
        return value;
    }

    public static ProtocolException bad(String message) {
        return new ProtocolException(ProtocolError.BAD_VALUE, message);
    }

    public static Duration nonNegative(Duration value, String field) {
        present(value, field);
        if (value.isNegative()) {
            throw bad(field + " is " + value + "; it must not be negative");
        }
        return value;
    }

    public static Duration within(Duration value, Duration min, Duration max, String field) {
        present(value, field);
        if (value.compareTo(min) < 0 || value.compareTo(max) > 0) {
            // ISO-8601 as on the wire; toMillis() would overflow for the huge durations a sender can write.
            throw bad(field + " is " + value + "; it must be between " + min + " and " + max);
        }
        return value;
    }

    /** Checks that an optional window, when both ends are given, does not end before it starts. */
    public static void window(Optional<Instant> from, Optional<Instant> until, String what) {
        Objects.requireNonNull(from, what + " validFrom");
        Objects.requireNonNull(until, what + " validUntil");
        if (from.isPresent() && until.isPresent() && !until.get().isAfter(from.get())) {
            throw bad(what + " is valid until " + until.get() + ", which is not after its start " + from.get());
        }
    }

    public static long nonNegative(long value, String field) {
        if (value < 0) {
            throw bad(field + " is " + value + "; it must not be negative");
        }
        return value;
    }

    public static String text(String value, int maxLength, String field) {
        present(value, field);
        if (value.length() > maxLength) {
            throw bad(field + " is " + value.length() + " characters long; the limit is " + maxLength);
        }
        for (int i = 0; i < value.length(); i++) {
            if (Character.isISOControl(value.charAt(i))) {
                throw bad(field + " contains a control character at position " + i);
            }
        }
        return value;
    }
}
