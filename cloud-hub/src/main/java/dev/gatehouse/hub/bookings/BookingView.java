package dev.gatehouse.hub.bookings;

import java.util.List;

/**
 * A booking as the API shows it to operators and to its member. {@code occupiedFrom}/{@code occupiedUntil}
 * include the buffers fixed when it was made; price (minor units) and credits are fixed then too.
 *
 * @param invitees members who pass the booking's doors like its member
 * @param joinLink the meeting's link, for the room's display; null when none
 * @param checkIn the check-in the booking needs; null when it needs none
 * @param releasedAt when it was released for want of a check-in; null unless its status is released
 * @param releasedBy who released it first: a device id, or {@code hub}
 * @param approval the approval a member's request waited for; null when the booking was confirmed at once
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
        String cancelledAt,
        List<String> invitees,
        String joinLink,
        CheckIn checkIn,
        String releasedAt,
        String releasedBy,
        Approval approval) {
    public BookingView {
        invitees = List.copyOf(invitees);
    }

    /**
     * A booking's check-in: it counts from {@code opensAt} until {@code releaseAt}, when a booking not
     * checked in is released.
     *
     * @param checkedInBy a device id and door ({@code device/door}), or an operator's actor id; null until then
     */
    public record CheckIn(String opensAt, String releaseAt, String checkedInAt, String checkedInBy) {}

    /**
     * A member's request that waited for an operator: it held its time until {@code holdUntil}.
     *
     * @param decidedBy the operator's actor id who approved or declined it, or {@code hub} when it lapsed;
     *     null while it waits
     * @param declineReason the operator's reason, when declined
     */
    public record Approval(String holdUntil, String decidedAt, String decidedBy, String declineReason) {}

    /** A booking without invitees, join link or check-in. */
    public BookingView(
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
            String cancelledAt) {
        this(
                id,
                siteId,
                resourceId,
                memberId,
                title,
                start,
                end,
                occupiedFrom,
                occupiedUntil,
                status,
                price,
                credits,
                overrideReason,
                createdBy,
                createdAt,
                updatedAt,
                cancelledAt,
                List.of(),
                null,
                null,
                null,
                null,
                null);
    }

    BookingView withInvitees(List<String> members) {
        return new BookingView(
                id,
                siteId,
                resourceId,
                memberId,
                title,
                start,
                end,
                occupiedFrom,
                occupiedUntil,
                status,
                price,
                credits,
                overrideReason,
                createdBy,
                createdAt,
                updatedAt,
                cancelledAt,
                members,
                joinLink,
                checkIn,
                releasedAt,
                releasedBy,
                approval);
    }
}
