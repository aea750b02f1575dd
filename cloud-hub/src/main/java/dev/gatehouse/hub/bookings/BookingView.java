package dev.gatehouse.hub.bookings;

/**
 * A booking as the API shows it to operators and to its member. {@code occupiedFrom}/{@code occupiedUntil}
 * include the buffers fixed when it was made; price (minor units) and credits are fixed then too.
 */
public record BookingView(
        String id,
        String siteId,
        String resourceId,
        String memberId,
        String title,
        String start,
        String end,
        String occupiedFrom,
        String occupiedUntil,
        String status,
        long price,
        long credits,
        String overrideReason,
        String createdBy,
        String createdAt,
        String updatedAt,
        String cancelledAt) {}
