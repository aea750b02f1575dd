package dev.gatehouse.protocol.message;

/** What a visitor or member did at a kiosk. */
public enum KioskEventKind {
    /** A visitor signed in with a pre-registered pass (its PIN or QR code): names the pass and its host. */
    VISITOR_SIGNED_IN,
    /** A walk-in signed in by name and chose a member as host: names the host and the visitor's name. */
    WALK_IN_SIGNED_IN,
    /** A member checked in by card or member QR at the kiosk's reader: names the member. */
    MEMBER_CHECKED_IN
}
