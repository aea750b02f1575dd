package dev.gatehouse.hub.console;

import dev.gatehouse.hub.bookings.SeriesRule;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Locale;
import java.util.Optional;

/**
 * The new-booking form's "Repeat" choice as the RRULE a series is made of: every day, every week on
 * the first day's weekday, or every weekday (Monday to Friday), ending on a day (an UNTIL at the end of
 * that day in the site's zone) or after a number of occurrences (a COUNT, at most {@link
 * SeriesRule#MAX_OCCURRENCES} as for any series). Only the form's own fields are checked here; the rule
 * itself (its 24 months, its occurrences) is {@link SeriesRule}'s to judge, as for the API.
 */
final class BookingRepeat {
    private static final DateTimeFormatter UTC = DateTimeFormatter.ofPattern("uuuuMMdd'T'HHmmss'Z'", Locale.ROOT);

    /** How the booking repeats, as the form's {@code repeat} field names it. */
    enum Kind {
        NONE,
        DAILY,
        WEEKLY,
        WEEKDAYS;

        String wire() {
            return name().toLowerCase(Locale.ROOT);
        }

        static Optional<Kind> of(String wire) {
            for (Kind kind : values()) {
                if (kind.wire().equals(wire)) {
                    return Optional.of(kind);
                }
            }
            return Optional.empty();
        }
    }

    /** What the choice came to. */
    sealed interface Read {
        /** A single booking. */
        record Once() implements Read {}

        /** A series of this rule. */
        record Rule(String rrule) implements Read {}

        /** A field to correct, with what to write. */
        record Problem(String field, String message) implements Read {}
    }

    private BookingRepeat() {}

    /**
     * Reads the choice for a first occurrence starting at {@code start} (local, in {@code zone}).
     *
     * @param ends {@code until} (the last day, {@code until}) or {@code count} (how many, {@code count})
     */
    static Read read(String repeat, String ends, String until, String count, LocalDateTime start, ZoneId zone) {
        Messages t = Guard.messages();
        Optional<Kind> kind = Kind.of(repeat.isEmpty() ? Kind.NONE.wire() : repeat);
        if (kind.isEmpty()) {
            return new Read.Problem("repeat", t.get("booking.form.repeat.unknown"));
        }
        String freq =
                switch (kind.get()) {
                    case NONE -> "";
                    case DAILY -> "FREQ=DAILY";
                    case WEEKLY ->
                        "FREQ=WEEKLY;BYDAY=" + start.getDayOfWeek().name().substring(0, 2);
                    case WEEKDAYS -> "FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR";
                };
        if (freq.isEmpty()) {
            return new Read.Once();
        }
        if (ends.equals("until")) {
            Optional<LocalDate> last = BookingTimes.date(until).filter(day -> !day.isBefore(start.toLocalDate()));
            if (last.isEmpty()) {
                return new Read.Problem("until", t.get("booking.form.repeat.until.bad"));
            }
            // The end of the last day in the site's zone, written in UTC as RFC 5545 wants with a TZID start.
            String utc = UTC.format(
                    last.get().plusDays(1).atStartOfDay(zone).minusSeconds(1).withZoneSameInstant(ZoneOffset.UTC));
            return new Read.Rule(freq + ";UNTIL=" + utc);
        }
        if (ends.equals("count")) {
            Optional<Integer> n = whole(count).filter(c -> c >= 1 && c <= SeriesRule.MAX_OCCURRENCES);
            if (n.isEmpty()) {
                return new Read.Problem("count", t.get("booking.form.repeat.count.bad", SeriesRule.MAX_OCCURRENCES));
            }
            return new Read.Rule(freq + ";COUNT=" + n.get());
        }
        return new Read.Problem("ends", t.get("booking.form.repeat.ends.missing"));
    }

    private static Optional<Integer> whole(String text) {
        try {
            return Optional.of(Integer.parseInt(text.strip()));
        } catch (NumberFormatException e) {
            return Optional.empty();
        }
    }
}
