package dev.gatehouse.protocol.message;

/** What an edge reports about a booking that needs a check-in. */
public enum BookingEventKind {
    /** A tap of its member or an invitee at one of its doors, in its check-in window, checked it in. */
    CHECKED_IN,
    /** Nobody checked it in by {@code start + releaseAfter}: the edge stopped granting it. */
    RELEASED
}
