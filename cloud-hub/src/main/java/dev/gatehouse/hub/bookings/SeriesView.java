package dev.gatehouse.hub.bookings;

import java.util.List;

/**
 * A booking series as the API shows it: its RFC 5545 recurrence (local date-times in {@code timeZone},
 * the TZID) and its occurrences, each an ordinary booking.
 *
 * @param start DTSTART, local
 * @param exdates the occurrences left out: asked for, skipped as conflicts, or cancelled one by one
 *     (each by its original start, exactly)
 */
public record SeriesView(
        String id,
        String siteId,
        String resourceId,
        String memberId,
        String title,
        String timeZone,
        String start,
        long durationMinutes,
        String rrule,
        List<String> rdates,
        List<String> exdates,
        String status,
        String overrideReason,
        String createdBy,
        String createdAt,
        String updatedAt,
        String cancelledAt,
        List<Occurrence> occurrences) {
    public SeriesView {
        rdates = List.copyOf(rdates);
        exdates = List.copyOf(exdates);
        occurrences = List.copyOf(occurrences);
    }

    /**
     * One occurrence.
     *
     * @param recurrenceId its RECURRENCE-ID: the original local start, kept when it is moved
     * @param moved whether its time is no longer the rule's (a RECURRENCE-ID override)
     */
    public record Occurrence(
            String recurrenceId, String bookingId, String start, String end, String status, boolean moved) {}
}
