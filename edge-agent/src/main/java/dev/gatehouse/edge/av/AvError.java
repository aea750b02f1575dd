package dev.gatehouse.edge.av;

/** What a caller of the room A/V API got wrong. Every {@link AvException} carries one. */
public enum AvError {
    /** No room with that id has A/V configured. */
    UNKNOWN_ROOM,
    /** The room's controller has no node mapped for the function. */
    NOT_MAPPED,
    /** The function cannot be written (the presence sensor). */
    READ_ONLY,
    /** An argument is out of range or of the wrong kind. */
    BAD_ARGUMENT
}
