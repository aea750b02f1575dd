package dev.gatehouse.edge.door;

/**
 * What a door is doing, as a technician would describe it. When several things are true at once
 * the first of these wins: {@link #CLOSED}; {@link #EMERGENCY_RELEASED}; an alarm
 * ({@link #FORCED_OPEN_ALARM}, then {@link #HELD_OPEN_ALARM}); {@link #UNLOCKED_PULSE};
 * {@link #LOCKDOWN}; {@link #UNLOCKED_SCHEDULE}; {@link #LOCKED}. The door's mode is read separately
 * with {@link DoorController#mode()}.
 */
public enum DoorState {
    /** Locked, in normal operation. */
    LOCKED,
    /** Unlocked for a timed pulse: a grant, a remote unlock-once or a request-to-exit. */
    UNLOCKED_PULSE,
    /** Unlocked by a scheduled unlock window (office hours). */
    UNLOCKED_SCHEDULE,
    /** The door is still open well after its unlock ended; cleared when it closes. */
    HELD_OPEN_ALARM,
    /** The door opened while locked, with no grant, request-to-exit or release; cleared when it closes. */
    FORCED_OPEN_ALARM,
    /** Held unlocked by a fire-release input while it is active, over every mode. */
    FIRE_RELEASED,
    /** Held unlocked by an emergency release until released. */
    EMERGENCY_RELEASED,
    /** Locked by a lockdown until released (a request-to-exit or a responder's grant still pulses it). */
    LOCKDOWN,
    /** The controller was closed: the relay sits at the lock type's unpowered level. */
    CLOSED
}
