package dev.gatehouse.hub.console;

import java.time.DateTimeException;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalTime;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.FormatStyle;
import java.util.Locale;
import java.util.Optional;

/**
 * Booking times as the console's and the portal's booking pages read and show them: typed as a date
 * and wall-clock times in the site's zone (a room in Berlin is booked in Berlin time, whatever zone the
 * browser is in), shown the same way, and prices in minor units shown as an amount.
 */
public final class BookingTimes {
    private static final DateTimeFormatter HOUR_MINUTE = DateTimeFormatter.ofPattern("HH:mm");

    private BookingTimes() {}

    /** A booking's start and end typed as a date and two times; a problem is a sentence for the form. */
    public sealed interface Typed {
        record Times(Instant start, Instant end) implements Typed {}

        record Problem(String field, String message) implements Typed {}
    }

    /**
     * Reads {@code date} (YYYY-MM-DD), {@code from} and {@code to} (HH:MM) in {@code zone}. An end of
     * 00:00 is midnight at the end of the day; a wall-clock time that a DST change skips moves forward
     * by the gap, as the zone's rules say.
     */
    public static Typed read(String date, String from, String to, ZoneId zone) {
        Optional<LocalDate> day = date(date);
        if (day.isEmpty()) {
            return new Typed.Problem("date", "Give the day as a date, e.g. 2026-11-24.");
        }
        Optional<LocalTime> start = time(from);
        if (start.isEmpty()) {
            return new Typed.Problem("from", "Give the start as a time, e.g. 09:30.");
        }
        Optional<LocalTime> end = time(to);
        if (end.isEmpty()) {
            return new Typed.Problem("to", "Give the end as a time, e.g. 10:30.");
        }
        ZonedDateTime startAt = day.get().atTime(start.get()).atZone(zone);
        ZonedDateTime endAt = end.get().equals(LocalTime.MIDNIGHT)
                ? day.get().plusDays(1).atStartOfDay(zone)
                : day.get().atTime(end.get()).atZone(zone);
        if (!endAt.isAfter(startAt)) {
            return new Typed.Problem("to", "The end must be after the start.");
        }
        return new Typed.Times(startAt.toInstant(), endAt.toInstant());
    }

    public static Optional<LocalDate> date(String text) {
        try {
            return Optional.of(LocalDate.parse(text.strip()));
        } catch (DateTimeException e) {
            return Optional.empty();
        }
    }

    public static Optional<LocalTime> time(String text) {
        String t = text.strip();
        if (!t.matches("\\d{1,2}:\\d{2}")) {
            return Optional.empty();
        }
        try {
            return Optional.of(LocalTime.parse(t.length() == 4 ? "0" + t : t, HOUR_MINUTE));
        } catch (DateTimeException e) {
            return Optional.empty();
        }
    }

    /** {@code 09:30} in the zone. */
    public static String clock(Instant at, ZoneId zone) {
        return HOUR_MINUTE.withZone(zone).format(at);
    }

    /** {@code 2026-11-24} in the zone: the value of a date field. */
    public static String isoDate(Instant at, ZoneId zone) {
        return at.atZone(zone).toLocalDate().toString();
    }

    /** {@code Tuesday, November 24, 2026}. */
    public static String day(LocalDate date, Locale locale) {
        return DateTimeFormatter.ofLocalizedDate(FormatStyle.FULL)
                .withLocale(locale)
                .format(date);
    }

    /** {@code 09:30–10:30}, with the date of the end when it falls on another day than the start. */
    public static String range(Instant from, Instant until, ZoneId zone) {
        LocalDate first = from.atZone(zone).toLocalDate();
        LocalDate last = until.atZone(zone).toLocalDate();
        String end = clock(until, zone);
        if (!first.equals(last) && !(last.equals(first.plusDays(1)) && end.equals("00:00"))) {
            end = last + " " + end;
        }
        return clock(from, zone) + "–" + end;
    }

    /** {@code Nov 24, 2026, 09:30–10:30 CET}: a booking's time on its own line. */
    public static String when(Instant from, Instant until, ZoneId zone, Locale locale) {
        return DateTimeFormatter.ofLocalizedDate(FormatStyle.MEDIUM)
                        .withLocale(locale)
                        .withZone(zone)
                        .format(from)
                + ", " + range(from, until, zone) + " "
                + DateTimeFormatter.ofPattern("zzz", locale).withZone(zone).format(from);
    }

    /** Minutes between two instants, for "15 min" labels. */
    public static long minutes(Instant from, Instant until) {
        return Duration.between(from, until).toMinutes();
    }

    /** An amount in minor units as people read it: {@code 1250} is {@code 12.50}. */
    public static String money(long minor) {
        String sign = minor < 0 ? "-" : "";
        long abs = Math.abs(minor);
        return sign + abs / 100 + "." + (abs % 100 < 10 ? "0" : "") + abs % 100;
    }

    /** An amount typed as {@code 12}, {@code 12.5} or {@code 12.50}, in minor units; empty when it is not one. */
    public static Optional<Long> minorUnits(String text) {
        String t = text.strip();
        if (!t.matches("\\d{1,9}(\\.\\d{1,2})?")) {
            return Optional.empty();
        }
        int dot = t.indexOf('.');
        if (dot < 0) {
            return Optional.of(Long.parseLong(t) * 100);
        }
        String cents = (t.substring(dot + 1) + "0").substring(0, 2);
        return Optional.of(Long.parseLong(t.substring(0, dot)) * 100 + Long.parseLong(cents));
    }
}
