package dev.gatehouse.protocol.message;

/** Door and reader conditions the edge reports. */
public enum DoorEventKind {
    /** The door stayed open longer than its held-open threshold after a grant. */
    HELD_OPEN,
    /** The door contact opened with no grant, REX or release: someone forced it. */
    FORCED_OPEN,
    /** The request-to-exit button was pressed and the door unlocked for egress. */
    REX,
    /** A tamper switch or supervised input reported tampering. */
    TAMPER,
    /** A reader stopped answering or sent garbage. */
    READER_FAULT,
    /** A previously reported condition ended (door closed, reader back). */
    RESTORED,
    /** A technician pulsed the relay from the agent's command line ({@code test-relay}). */
    RELAY_TEST,
    /** A fire-release input became active and released the door; {@code RESTORED} when it ends. */
    FIRE_RELEASE
}
