package dev.gatehouse.edge.access;

import java.time.Duration;

/** What a typed PIN came to: a decision made and recorded, or nothing looked up because the place is locked. */
public sealed interface PinAttempt {
    /** The PIN was decided (granted or denied) and recorded like a QR code. */
    record Made(Decided decided) implements PinAttempt {}

    /** Too many wrong PINs here lately: nothing was looked up; try again after {@code remaining}. */
    record Locked(Duration remaining) implements PinAttempt {}
}
