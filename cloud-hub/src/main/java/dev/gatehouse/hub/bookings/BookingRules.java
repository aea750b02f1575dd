package dev.gatehouse.hub.bookings;

import dev.gatehouse.protocol.model.TimeWindow;
import java.time.Duration;
import java.util.List;

/**
 * The rules a booking of one resource must keep, set per resource. Zero for a limit means none.
 *
 * @param granularityMinutes starts and ends fall on multiples of it, in the site's local time
 * @param minMinutes the shortest booking
 * @param maxMinutes the longest booking
 * @param minNoticeMinutes how long before its start a booking must be made
 * @param maxAdvanceDays how far ahead a booking may start
 * @param bufferBeforeMinutes occupied time before the start (setting up, cleaning), counted as booked
 * @param bufferAfterMinutes occupied time after the end, counted as booked
 * @param maxHoursPerDay a member's booked hours on the resource per local day (0: no limit)
 * @param maxHoursPerWeek a member's booked hours on the resource per ISO week (0: no limit)
 * @param cancelWindowMinutes until how long before the start a cancellation is in time (credits back)
 * @param openingHours when bookings may run, in the site's zone; empty means at any time
 * @param closedOnHolidays whether the site's holidays are closed days for the resource
 * @param checkInOpensBeforeMinutes how long before its start a booking may be checked in
 * @param releaseAfterMinutes a booking not checked in by its start plus this is released (0: no check-in
 *     needed); only at sites whose edges all read check-in (the protocol's {@code bookings-v2})
 * @param approvalHoldHours 0: bookings are confirmed at once; else a member's request waits for an
 *     operator's approval, holding its time this many hours (or until its start, if sooner) before it lapses
 */
public record BookingRules(
        int granularityMinutes,
        int minMinutes,
        int maxMinutes,
        int minNoticeMinutes,
        int maxAdvanceDays,
        int bufferBeforeMinutes,
        int bufferAfterMinutes,
        int maxHoursPerDay,
        int maxHoursPerWeek,
        int cancelWindowMinutes,
        List<TimeWindow> openingHours,
        boolean closedOnHolidays,
        int checkInOpensBeforeMinutes,
        int releaseAfterMinutes,
        int approvalHoldHours) {
    /** The granularities offered: 5 to 60 minutes, each dividing an hour. */
    public static final List<Integer> GRANULARITIES = List.of(5, 10, 15, 20, 30, 60);

    /** The longest booking any resource allows: a week (event spaces). */
    public static final int LONGEST_MINUTES = 7 * 24 * 60;

    /** The longest buffer: the protocol's limit for what the edge admits around a booking. */
    public static final int LONGEST_BUFFER_MINUTES = 120;

    public static final int MAX_OPENING_WINDOWS = 50;

    /** What a new resource starts with: quarter hours, 15 minutes to 8 hours, up to 90 days ahead. */
    public static final BookingRules DEFAULTS =
            new BookingRules(15, 15, 8 * 60, 0, 90, 0, 0, 0, 0, 24 * 60, List.of(), false);

    public BookingRules {
        openingHours = List.copyOf(openingHours);
    }

    /** Rules without a check-in or approval. */
    public BookingRules(
            int granularityMinutes,
            int minMinutes,
            int maxMinutes,
            int minNoticeMinutes,
            int maxAdvanceDays,
            int bufferBeforeMinutes,
            int bufferAfterMinutes,
            int maxHoursPerDay,
            int maxHoursPerWeek,
            int cancelWindowMinutes,
            List<TimeWindow> openingHours,
            boolean closedOnHolidays) {
        this(
                granularityMinutes,
                minMinutes,
                maxMinutes,
                minNoticeMinutes,
                maxAdvanceDays,
                bufferBeforeMinutes,
                bufferAfterMinutes,
                maxHoursPerDay,
                maxHoursPerWeek,
                cancelWindowMinutes,
                openingHours,
                closedOnHolidays,
                0,
                0,
                0);
    }

    /** The shortest and longest release times the protocol allows (minutes after the start). */
    public static final int SHORTEST_RELEASE_MINUTES = 5;

    public static final int LONGEST_RELEASE_MINUTES = 120;

    /** The longest a request may wait for approval: a week. */
    public static final int LONGEST_HOLD_HOURS = 7 * 24;

    /** Whether members' requests wait for an operator's approval. */
    public boolean approvalRequired() {
        return approvalHoldHours > 0;
    }

    /** Whether bookings of the resource must be checked in. */
    public boolean checkInRequired() {
        return releaseAfterMinutes > 0;
    }

    public Duration bufferBefore() {
        return Duration.ofMinutes(bufferBeforeMinutes);
    }

    public Duration bufferAfter() {
        return Duration.ofMinutes(bufferAfterMinutes);
    }

    /** Problems between the rules themselves (each one in range is the web layer's check): empty when sound. */
    public List<String> inconsistencies() {
        java.util.ArrayList<String> problems = new java.util.ArrayList<>();
        if (!GRANULARITIES.contains(granularityMinutes)) {
            problems.add("granularityMinutes must be one of " + GRANULARITIES);
        }
        if (minMinutes > maxMinutes) {
            problems.add("minMinutes (" + minMinutes + ") is more than maxMinutes (" + maxMinutes + ")");
        }
        if (granularityMinutes > 0 && minMinutes % granularityMinutes != 0) {
            problems.add("minMinutes (" + minMinutes + ") is not a multiple of granularityMinutes ("
                    + granularityMinutes + ")");
        }
        if (granularityMinutes > 0 && maxMinutes % granularityMinutes != 0) {
            problems.add("maxMinutes (" + maxMinutes + ") is not a multiple of granularityMinutes ("
                    + granularityMinutes + ")");
        }
        if (maxHoursPerDay > 0 && maxHoursPerWeek > 0 && maxHoursPerDay > maxHoursPerWeek) {
            problems.add(
                    "maxHoursPerDay (" + maxHoursPerDay + ") is more than maxHoursPerWeek (" + maxHoursPerWeek + ")");
        }
        if (releaseAfterMinutes != 0
                && (releaseAfterMinutes < SHORTEST_RELEASE_MINUTES || releaseAfterMinutes > LONGEST_RELEASE_MINUTES)) {
            problems.add("releaseAfterMinutes must be 0 (no check-in) or " + SHORTEST_RELEASE_MINUTES + " to "
                    + LONGEST_RELEASE_MINUTES);
        }
        if (releaseAfterMinutes > 0 && releaseAfterMinutes >= minMinutes) {
            problems.add("releaseAfterMinutes (" + releaseAfterMinutes + ") must be less than minMinutes (" + minMinutes
                    + "): a release must leave part of the shortest booking");
        }
        if (approvalHoldHours < 0 || approvalHoldHours > LONGEST_HOLD_HOURS) {
            problems.add("approvalHoldHours must be 0 (no approval) to " + LONGEST_HOLD_HOURS);
        }
        return List.copyOf(problems);
    }
}
