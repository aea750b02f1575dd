package dev.gatehouse.hub.console;

import java.time.DayOfWeek;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.time.format.TextStyle;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * A series' recurrence in words, as the front desk reads it: "Every Tuesday at 10:00–11:00, until
 * 2027-03-01, 3 exceptions". It reads the RRULE parts the console and most calendar apps write (FREQ,
 * INTERVAL, BYDAY of plain weekdays, COUNT, UNTIL); any other part (BYMONTHDAY, BYSETPOS…) is said as
 * "a custom rule" with the RRULE itself, never guessed at.
 */
public final class SeriesWords {
    private static final Set<String> KNOWN = Set.of("FREQ", "INTERVAL", "BYDAY", "COUNT", "UNTIL", "WKST");
    private static final Map<String, DayOfWeek> DAYS = Map.of(
            "MO", DayOfWeek.MONDAY,
            "TU", DayOfWeek.TUESDAY,
            "WE", DayOfWeek.WEDNESDAY,
            "TH", DayOfWeek.THURSDAY,
            "FR", DayOfWeek.FRIDAY,
            "SA", DayOfWeek.SATURDAY,
            "SU", DayOfWeek.SUNDAY);
    private static final DateTimeFormatter UTC_BASIC = DateTimeFormatter.ofPattern("uuuuMMdd'T'HHmmss'Z'", Locale.ROOT);
    private static final DateTimeFormatter DATE_BASIC = DateTimeFormatter.ofPattern("uuuuMMdd", Locale.ROOT);
    private static final DateTimeFormatter CLOCK = DateTimeFormatter.ofPattern("HH:mm", Locale.ROOT);

    private SeriesWords() {}

    /**
     * The series in one sentence.
     *
     * @param start DTSTART, local in {@code zone}
     * @param exceptions how many occurrences are left out (EXDATEs)
     */
    public static String describe(
            String rrule, LocalDateTime start, long minutes, ZoneId zone, int exceptions, Messages t) {
        Map<String, String> parts = new HashMap<>();
        for (String part : rrule.split(";")) {
            int eq = part.indexOf('=');
            if (eq > 0) {
                parts.put(part.substring(0, eq), part.substring(eq + 1));
            }
        }
        String at = t.get(
                "series.rule.at",
                CLOCK.format(start),
                CLOCK.format(start.plusMinutes(minutes)),
                start.plusMinutes(minutes).toLocalDate().isAfter(start.toLocalDate()) ? 1 : 0);
        Optional<String> every = every(parts, start, t);
        StringBuilder text =
                new StringBuilder(every.map(e -> e + " " + at).orElse(t.get("series.rule.custom", rrule) + " " + at));
        if (parts.containsKey("UNTIL")) {
            until(parts.get("UNTIL"), zone).ifPresent(day -> text.append(t.get("series.rule.until", day.toString())));
        } else if (parts.containsKey("COUNT")) {
            text.append(t.get("series.rule.count", number(parts.get("COUNT")).orElse(0)));
        }
        if (exceptions > 0) {
            text.append(t.get("series.rule.exceptions", exceptions));
        }
        return text.toString();
    }

    /** "Every Tuesday", "Every 2 weeks on Monday and Thursday"…; empty for a rule said otherwise. */
    private static Optional<String> every(Map<String, String> parts, LocalDateTime start, Messages t) {
        if (!KNOWN.containsAll(parts.keySet())) {
            return Optional.empty();
        }
        Optional<Integer> interval = parts.containsKey("INTERVAL") ? number(parts.get("INTERVAL")) : Optional.of(1);
        Optional<List<DayOfWeek>> days =
                parts.containsKey("BYDAY") ? days(parts.get("BYDAY")) : Optional.of(List.of(start.getDayOfWeek()));
        if (interval.isEmpty() || days.isEmpty()) {
            return Optional.empty();
        }
        int n = interval.get();
        Locale locale = t.locale();
        return switch (parts.getOrDefault("FREQ", "")) {
            case "DAILY" ->
                parts.containsKey("BYDAY")
                        ? Optional.of(t.get("series.rule.weekly", n, names(days.get(), t)))
                        : Optional.of(t.get("series.rule.daily", n));
            case "WEEKLY" -> Optional.of(t.get("series.rule.weekly", n, names(days.get(), t)));
            case "MONTHLY" ->
                parts.containsKey("BYDAY")
                        ? Optional.empty()
                        : Optional.of(t.get("series.rule.monthly", n, start.getDayOfMonth()));
            case "YEARLY" ->
                parts.containsKey("BYDAY")
                        ? Optional.empty()
                        : Optional.of(t.get(
                                "series.rule.yearly",
                                n,
                                DateTimeFormatter.ofPattern("MMMM d", locale).format(start)));
            default -> Optional.empty();
        };
    }

    private static String names(List<DayOfWeek> days, Messages t) {
        List<String> names = new ArrayList<>();
        for (DayOfWeek day : days) {
            names.add(day.getDisplayName(TextStyle.FULL, t.locale()));
        }
        if (names.size() == 1) {
            return names.getFirst();
        }
        return String.join(", ", names.subList(0, names.size() - 1)) + t.get("series.rule.and") + names.getLast();
    }

    private static Optional<List<DayOfWeek>> days(String byday) {
        List<DayOfWeek> days = new ArrayList<>();
        for (String code : byday.split(",")) {
            DayOfWeek day = DAYS.get(code);
            if (day == null) {
                return Optional.empty(); // "1MO", "-1FR": a position in the month, said as a custom rule
            }
            days.add(day);
        }
        days.sort(null);
        return Optional.of(days);
    }

    /** UNTIL (a UTC date-time, or a date) as the last day in the site's zone. */
    private static Optional<LocalDate> until(String text, ZoneId zone) {
        try {
            if (text.length() == 8) {
                return Optional.of(LocalDate.parse(text, DATE_BASIC));
            }
            return Optional.of(LocalDateTime.parse(text, UTC_BASIC)
                    .atOffset(ZoneOffset.UTC)
                    .atZoneSameInstant(zone)
                    .toLocalDate());
        } catch (DateTimeParseException e) {
            return Optional.empty();
        }
    }

    private static Optional<Integer> number(String text) {
        try {
            return Optional.of(Integer.parseInt(text)).filter(n -> n > 0);
        } catch (NumberFormatException e) {
            return Optional.empty();
        }
    }
}
