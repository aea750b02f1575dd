package dev.gatehouse.hub.bookings;

import dev.gatehouse.protocol.model.TimeWindow;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

/**
 * The one booking rule engine: a pure function from a request, the resource's rules and what the
 * store knows about the member, to <em>every</em> rule the request breaks (not just the first), each
 * with a sentence that says what would keep it. Operators run through the same engine; an override is
 * a separate, audited decision of the caller. Overlap with other bookings is not a rule here: the store
 * decides it under its lock (or PostgreSQL's exclusion constraint).
 */
public final class BookingEngine {
    private static final DateTimeFormatter LOCAL = DateTimeFormatter.ofPattern("EEE d MMM uuuu HH:mm");

    private BookingEngine() {}

    /**
     * A request as the engine sees it.
     *
     * @param start the booking's start
     * @param end its end (after the start; the web layer checks)
     * @param now the hub's time
     * @param zone the site's zone: granularity, opening hours, holidays and limits are local
     * @param holidays the site's holidays
     * @param memberMinutesOnDay the member's other live bookings on the resource starting on the same local
     *     day as this one, in minutes
     * @param memberMinutesInWeek the same over the local ISO week (Monday to Sunday)
     * @param planAllows whether one of the member's plans may book the resource
     * @param memberActive whether the member is active (not suspended or cancelled)
     * @param resourceActive whether the resource is in service
     */
    public record Request(
            Instant start,
            Instant end,
            Instant now,
            ZoneId zone,
            Set<LocalDate> holidays,
            long memberMinutesOnDay,
            long memberMinutesInWeek,
            boolean planAllows,
            boolean memberActive,
            boolean resourceActive) {
        public Request {
            holidays = Set.copyOf(holidays);
        }
    }

    /** Every rule {@code request} breaks under {@code rules}, in a fixed order; empty when it may be booked. */
    public static List<Violation> check(BookingRules rules, Request request) {
        List<Violation> broken = new ArrayList<>();
        ZonedDateTime start = request.start().atZone(request.zone());
        ZonedDateTime end = request.end().atZone(request.zone());
        long minutes = Duration.between(request.start(), request.end()).toMinutes();

        if (!request.resourceActive()) {
            broken.add(new Violation(Violation.Rule.OUT_OF_SERVICE, "the resource is out of service"));
        }
        if (!request.memberActive()) {
            broken.add(new Violation(
                    Violation.Rule.MEMBER_STATUS,
                    "the member is not active; a suspended or cancelled member cannot book"));
        }
        if (!request.planAllows()) {
            broken.add(new Violation(Violation.Rule.PLAN, "none of the member's plans may book this resource"));
        }
        if (request.start().isBefore(request.now())) {
            broken.add(new Violation(Violation.Rule.IN_THE_PAST, "the booking starts in the past"));
        }
        if (!onGrid(start, rules.granularityMinutes()) || !onGrid(end, rules.granularityMinutes())) {
            broken.add(new Violation(
                    Violation.Rule.GRANULARITY,
                    "start and end must fall on whole multiples of " + rules.granularityMinutes()
                            + " minutes in the site's time (" + request.zone() + ")"));
        }
        if (minutes < rules.minMinutes()) {
            broken.add(new Violation(
                    Violation.Rule.TOO_SHORT,
                    "the booking lasts " + minutes + " minutes; the shortest is " + rules.minMinutes()));
        }
        if (minutes > rules.maxMinutes()) {
            broken.add(new Violation(
                    Violation.Rule.TOO_LONG,
                    "the booking lasts " + minutes + " minutes; the longest is " + rules.maxMinutes()));
        }
        if (!request.start().isBefore(request.now())
                && request.start().isBefore(request.now().plus(Duration.ofMinutes(rules.minNoticeMinutes())))) {
            broken.add(new Violation(
                    Violation.Rule.MIN_NOTICE,
                    "bookings must be made at least " + rules.minNoticeMinutes() + " minutes before they start"));
        }
        if (request.start().isAfter(request.now().plus(Duration.ofDays(rules.maxAdvanceDays())))) {
            broken.add(new Violation(
                    Violation.Rule.MAX_ADVANCE,
                    "bookings may start at most " + rules.maxAdvanceDays() + " days ahead"));
        }
        if (!rules.openingHours().isEmpty() && !withinOpeningHours(rules.openingHours(), start, end)) {
            broken.add(new Violation(
                    Violation.Rule.OPENING_HOURS,
                    start.format(LOCAL) + " to " + end.format(LOCAL) + " is not within the opening hours ("
                            + describe(rules.openingHours()) + ")"));
        }
        if (rules.closedOnHolidays()) {
            Set<LocalDate> closed = new TreeSet<>();
            for (LocalDate day = start.toLocalDate(); !day.isAfter(lastDay(end)); day = day.plusDays(1)) {
                if (request.holidays().contains(day)) {
                    closed.add(day);
                }
            }
            if (!closed.isEmpty()) {
                broken.add(new Violation(Violation.Rule.HOLIDAY, "the site is closed on " + closed + " (a holiday)"));
            }
        }
        if (rules.maxHoursPerDay() > 0 && request.memberMinutesOnDay() + minutes > rules.maxHoursPerDay() * 60L) {
            broken.add(new Violation(
                    Violation.Rule.DAILY_LIMIT,
                    "the member would have " + hours(request.memberMinutesOnDay() + minutes)
                            + " booked on that day; the limit is " + rules.maxHoursPerDay() + " h"));
        }
        if (rules.maxHoursPerWeek() > 0 && request.memberMinutesInWeek() + minutes > rules.maxHoursPerWeek() * 60L) {
            broken.add(new Violation(
                    Violation.Rule.WEEKLY_LIMIT,
                    "the member would have " + hours(request.memberMinutesInWeek() + minutes)
                            + " booked in that week; the limit is " + rules.maxHoursPerWeek() + " h"));
        }
        return List.copyOf(broken);
    }

    /** Whether the local time is a whole multiple of {@code minutes} into its hour, with no seconds. */
    static boolean onGrid(ZonedDateTime at, int minutes) {
        return at.getSecond() == 0 && at.getNano() == 0 && at.getMinute() % minutes == 0;
    }

    /**
     * Whether every minute of [start, end) falls within some window on its local day. Walks the
     * booking minute by minute in local time (a week at most: 10,080 steps), which is right across DST
     * changes and across midnight.
     */
    static boolean withinOpeningHours(List<TimeWindow> windows, ZonedDateTime start, ZonedDateTime end) {
        Instant stop = end.toInstant();
        for (ZonedDateTime at = start; at.toInstant().isBefore(stop); at = at.plusMinutes(1)) {
            int minute = at.getHour() * 60 + at.getMinute();
            boolean open = false;
            for (TimeWindow window : windows) {
                if (window.contains(at.getDayOfWeek(), minute)) {
                    open = true;
                    break;
                }
            }
            if (!open) {
                return false;
            }
        }
        return true;
    }

    /** The last local day the booking touches (an end at midnight touches the day before). */
    private static LocalDate lastDay(ZonedDateTime end) {
        return end.toLocalTime().equals(java.time.LocalTime.MIDNIGHT)
                ? end.toLocalDate().minusDays(1)
                : end.toLocalDate();
    }

    private static String hours(long minutes) {
        return minutes % 60 == 0 ? minutes / 60 + " h" : minutes / 60 + " h " + minutes % 60 + " min";
    }

    static String describe(List<TimeWindow> windows) {
        List<String> parts = new ArrayList<>();
        for (TimeWindow window : windows) {
            parts.add(window.day().name().substring(0, 1)
                    + window.day().name().substring(1, 3).toLowerCase(java.util.Locale.ROOT) + " "
                    + TimeWindow.format(window.startMinute()) + "–" + TimeWindow.format(window.endMinute()));
        }
        return String.join(", ", parts);
    }
}
