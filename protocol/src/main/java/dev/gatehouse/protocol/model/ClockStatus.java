package dev.gatehouse.protocol.model;

/**
 * Whether the edge can trust its own clock. A Pi has no real-time clock: after a power cut it may
 * boot with a wrong time until it hears the hub's signed time or a time server again.
 */
public enum ClockStatus {
    TRUSTED,
    UNTRUSTED
}
