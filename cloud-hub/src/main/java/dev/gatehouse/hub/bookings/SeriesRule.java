package dev.gatehouse.hub.bookings;

import dev.gatehouse.hub.store.FieldError;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.TimeZone;
import java.util.TreeSet;
import org.dmfs.rfc5545.DateTime;
import org.dmfs.rfc5545.recur.InvalidRecurrenceRuleException;
import org.dmfs.rfc5545.recur.RecurrenceRule;
import org.dmfs.rfc5545.recurrenceset.OfRuleAndFirst;

/**
 * A series' recurrence as RFC 5545 says it: DTSTART as a local date-time in the site's zone (its TZID),
 * a duration, an RRULE, and RDATE and EXDATE lists of local date-times in the same zone.
 *
 * <p>The rule is expanded by lib-recur in local time, and each local start is placed in the zone by
 * {@link ZonedDateTime#of}: a weekly 09:00 stays 09:00 across both daylight-saving changes; a start in
 * the spring gap moves forward by the gap and one in the autumn overlap takes the earlier offset, as
 * RFC 5545 (3.3.5) says. An EXDATE must name an occurrence's start exactly, so one that names none is
 * refused rather than silently ignored.
 *
 * @param start DTSTART, local in the site's zone; always the first occurrence (RFC 5545 3.8.5.3)
 * @param duration each occurrence's length
 * @param rrule the RRULE's value, e.g. {@code FREQ=WEEKLY;BYDAY=MO;COUNT=10}
 * @param rdates extra occurrences
 * @param exdates occurrences left out
 */
public record SeriesRule(
        LocalDateTime start, Duration duration, String rrule, List<LocalDateTime> rdates, List<LocalDateTime> exdates) {
    /** The most occurrences one series holds. */
    public static final int MAX_OCCURRENCES = 500;

    /** How far after its start a series may run. */
    public static final int MAX_MONTHS = 24;

    /** Local date-times on the wire and in the store: {@code 2027-03-01T09:00:00}. */
    public static final DateTimeFormatter LOCAL = DateTimeFormatter.ofPattern("uuuu-MM-dd'T'HH:mm:ss", Locale.ROOT);

    private static final DateTimeFormatter UTC_BASIC =
            DateTimeFormatter.ofPattern("uuuuMMdd'T'HHmmss'Z'", Locale.ROOT).withZone(ZoneOffset.UTC);

    public SeriesRule {
        rrule = normalise(rrule);
        rdates = List.copyOf(rdates);
        exdates = List.copyOf(exdates);
    }

    /** One occurrence: its RECURRENCE-ID (the original local start) and its time. */
    public record Occurrence(LocalDateTime recurrenceId, Instant start, Instant end) {}

    /** What an expansion came to. */
    public sealed interface Expansion {
        /** The occurrences, by start: at least one, at most {@link #MAX_OCCURRENCES}. */
        record Occurrences(List<Occurrence> occurrences) implements Expansion {
            public Occurrences {
                occurrences = List.copyOf(occurrences);
            }
        }

        /** What is wrong with the series, by field ({@code rrule}, {@code rdates[2]}, {@code exdates[0]}). */
        record Invalid(List<FieldError> errors) implements Expansion {
            public Invalid {
                errors = List.copyOf(errors);
            }
        }
    }

    /** The occurrences in {@code zone}, or every reason there are none to book. */
    public Expansion expand(ZoneId zone) {
        List<FieldError> errors = new ArrayList<>();
        RecurrenceRule rule;
        try {
            rule = new RecurrenceRule(rrule, RecurrenceRule.RfcMode.RFC5545_STRICT);
        } catch (InvalidRecurrenceRuleException | RuntimeException e) {
            return invalid(
                    "rrule",
                    "'" + rrule + "' is not an RFC 5545 recurrence rule (" + e.getMessage()
                            + "); write it like FREQ=WEEKLY;BYDAY=MO;COUNT=10");
        }
        if (rule.isInfinite()) {
            return invalid(
                    "rrule",
                    "the rule never ends: add COUNT=n or UNTIL=<UTC date-time such as 20271231T230000Z>; a series"
                            + " holds at most " + MAX_OCCURRENCES + " occurrences within " + MAX_MONTHS + " months");
        }
        LocalDateTime last = start.plusMonths(MAX_MONTHS);
        Set<LocalDateTime> excluded = Set.copyOf(exdates);
        TreeSet<LocalDateTime> starts = new TreeSet<>();
        try {
            // Each excluded date may hide one occurrence: past that many more, the limit is broken.
            int enough = MAX_OCCURRENCES + excluded.size() + 1;
            for (DateTime instance : new OfRuleAndFirst(rule, dateTime(start, zone))) {
                LocalDateTime local = local(instance);
                if (local.isAfter(last)) {
                    return invalid(
                            "rrule",
                            "the series runs past " + LOCAL.format(last) + ", " + MAX_MONTHS
                                    + " months after its start; end it earlier with COUNT or UNTIL");
                }
                starts.add(local);
                if (starts.size() >= enough) {
                    break;
                }
            }
        } catch (IllegalArgumentException e) {
            return invalid(
                    "rrule",
                    "the rule cannot be expanded from " + LOCAL.format(start) + " (" + e.getMessage()
                            + "); UNTIL must be a UTC date-time such as 20271231T230000Z, and every BY part must"
                            + " match some day");
        }
        for (int i = 0; i < rdates.size(); i++) {
            LocalDateTime rdate = rdates.get(i);
            if (rdate.isBefore(start) || rdate.isAfter(last)) {
                errors.add(new FieldError(
                        "rdates[" + i + "]",
                        LOCAL.format(rdate) + " is outside the series: between its start " + LOCAL.format(start)
                                + " and " + LOCAL.format(last) + " (" + MAX_MONTHS + " months) only"));
            }
            starts.add(rdate);
        }
        for (int i = 0; i < exdates.size(); i++) {
            LocalDateTime exdate = exdates.get(i);
            if (!starts.contains(exdate)) {
                errors.add(new FieldError(
                        "exdates[" + i + "]",
                        LOCAL.format(exdate) + " is not the start of an occurrence; an EXDATE must name one exactly"
                                + " (this series' occurrences start at " + start.toLocalTime() + ")"));
            }
        }
        if (!errors.isEmpty()) {
            return new Expansion.Invalid(errors);
        }
        starts.removeAll(excluded);
        if (starts.size() > MAX_OCCURRENCES) {
            return invalid(
                    "rrule",
                    "the series has more than " + MAX_OCCURRENCES + " occurrences; a series holds at most "
                            + MAX_OCCURRENCES + ": lower COUNT or bring UNTIL earlier");
        }
        if (starts.isEmpty()) {
            return invalid("exdates", "every occurrence is excluded; the series would book nothing");
        }
        List<Occurrence> occurrences = new ArrayList<>();
        for (LocalDateTime local : starts) {
            Instant at = ZonedDateTime.of(local, zone).toInstant();
            occurrences.add(new Occurrence(local, at, at.plus(duration)));
        }
        return new Expansion.Occurrences(occurrences);
    }

    /**
     * The same series ending before {@code from}: the RRULE gets an UNTIL just before it (in place of
     * COUNT or an earlier UNTIL), and RDATEs and EXDATEs from then on are dropped. "This and following"
     * keeps the occurrences before {@code from}, so the series still describes exactly what stays.
     */
    public SeriesRule endingBefore(Instant from, ZoneId zone) {
        RecurrenceRule rule;
        try {
            rule = new RecurrenceRule(rrule, RecurrenceRule.RfcMode.RFC5545_STRICT);
        } catch (InvalidRecurrenceRuleException e) {
            throw new IllegalStateException("a stored series has an invalid rule: " + rrule, e);
        }
        Instant until = from.minusSeconds(1);
        rule.setUntil(DateTime.parse(UTC_BASIC.format(until)));
        return new SeriesRule(
                start,
                duration,
                rule.toString(),
                rdates.stream()
                        .filter(d -> ZonedDateTime.of(d, zone).toInstant().isBefore(from))
                        .toList(),
                exdates.stream()
                        .filter(d -> ZonedDateTime.of(d, zone).toInstant().isBefore(from))
                        .toList());
    }

    /** The RRULE as written, without a leading {@code RRULE:} and surrounding blanks, in upper case. */
    static String normalise(String rrule) {
        String text = rrule.strip();
        if (text.regionMatches(true, 0, "RRULE:", 0, 6)) {
            text = text.substring(6).strip();
        }
        return text.toUpperCase(Locale.ROOT);
    }

    /** Parses a local date-time as the API takes it: {@code 2027-03-01T09:00} or with seconds. */
    public static LocalDateTime parseLocal(String text) {
        return LocalDateTime.parse(text);
    }

    public static String format(LocalDateTime local) {
        return LOCAL.format(local);
    }

    private static Expansion invalid(String field, String message) {
        return new Expansion.Invalid(List.of(new FieldError(field, message)));
    }

    /** DTSTART for lib-recur, whose months count from 0. */
    private static DateTime dateTime(LocalDateTime local, ZoneId zone) {
        return new DateTime(
                TimeZone.getTimeZone(zone),
                local.getYear(),
                local.getMonthValue() - 1,
                local.getDayOfMonth(),
                local.getHour(),
                local.getMinute(),
                local.getSecond());
    }

    /** An instance's local fields, as the rule made them (before the zone shifts a start in a gap). */
    private static LocalDateTime local(DateTime instance) {
        return LocalDateTime.of(
                instance.getYear(),
                instance.getMonth() + 1,
                instance.getDayOfMonth(),
                instance.getHours(),
                instance.getMinutes(),
                instance.getSeconds());
    }
}
