package dev.gatehouse.hub.web;

import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;

/** Instants on the wire: ISO-8601 UTC with milliseconds; in the store: epoch milliseconds. */
public final class Times {
    private static final DateTimeFormatter ISO = DateTimeFormatter.ISO_INSTANT.withZone(ZoneOffset.UTC);

    private Times() {}

    private static final Instant LATEST = Instant.parse("9999-12-31T23:59:59.999Z");

    /**
     * An ISO-8601 timestamp with an offset, between 1970 and 9999: a year such as +999999999 parses
     * but cannot be stored as epoch milliseconds, so it is refused like any other unreadable time.
     */
    public static Instant parseInstant(String text) {
        Instant instant = java.time.OffsetDateTime.parse(text).toInstant();
        if (instant.isBefore(Instant.EPOCH) || instant.isAfter(LATEST)) {
            throw new java.time.format.DateTimeParseException("outside 1970-9999", text, 0);
        }
        return instant;
    }

    public static String iso(long epochMillis) {
        return ISO.format(Instant.ofEpochMilli(epochMillis));
    }

    public static String iso(Instant instant) {
        return ISO.format(instant.truncatedTo(ChronoUnit.MILLIS));
    }
}
