package dev.gatehouse.hub.sites;

/**
 * What a bookable resource of a site is. Here, below bookings, billing and credits, because packages
 * give credits per kind and the ledger keeps them per kind without depending on bookings.
 */
public enum ResourceKind {
    MEETING_ROOM,
    PHONE_BOOTH,
    HOT_DESK,
    DEDICATED_DESK,
    EVENT_SPACE
}
