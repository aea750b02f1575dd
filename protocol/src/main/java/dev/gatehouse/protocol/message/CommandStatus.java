package dev.gatehouse.protocol.message;

/** The outcome of a command at the edge. */
public enum CommandStatus {
    DONE,
    /** Bad signature, replayed id, unknown door, or an action the edge cannot perform; the detail says which. */
    REJECTED,
    /** It arrived at or after its expiry and was not executed. */
    EXPIRED
}
