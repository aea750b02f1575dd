package dev.gatehouse.protocol.message;

/** An edge's overall health as it reports it; {@code OFFLINE} is what its last will says. */
public enum Health {
    OK,
    DEGRADED,
    FAULT,
    OFFLINE
}
