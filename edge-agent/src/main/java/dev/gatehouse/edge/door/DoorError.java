package dev.gatehouse.edge.door;

/** What went wrong at a door. Every {@link DoorException} carries one. */
public enum DoorError {
    /** An unlock duration or setting is out of range. */
    BAD_ARGUMENT,
    /** A lockdown was asked for while the door is held open by an emergency release (life safety first). */
    EMERGENCY_RELEASE_ACTIVE,
    /** A remote unlock was asked for while the door is in lockdown. */
    LOCKDOWN_ACTIVE,
    /** The controller was closed; it takes no more commands. */
    CLOSED,
    /** The door's queue did not run the controller's work (shut down or stuck). */
    QUEUE_UNAVAILABLE,
    /** The relay output could not be driven. */
    RELAY_FAILED,
    /** A door contact or request-to-exit input could not be set up or read. */
    INPUT_FAILED,
    /** The GPIO pin is already used by another input or output of this agent. */
    PIN_IN_USE
}
