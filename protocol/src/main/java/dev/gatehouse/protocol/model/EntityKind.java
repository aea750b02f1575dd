package dev.gatehouse.protocol.model;

/** The kinds of entity a sync batch or snapshot carries. */
public enum EntityKind {
    SITE,
    MEMBER,
    CREDENTIAL,
    DOOR,
    DOOR_GROUP,
    SCHEDULE,
    GRANT,
    BOOKING,
    VISITOR_PASS,
    SIGNING_KEY,
    ROOM,
    AGREEMENT,
    WIFI_VOUCHER
}
