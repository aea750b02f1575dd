package dev.gatehouse.protocol.message;

/** The outcome of a command at the edge. */
public enum CommandStatus {
    DONE,
    /** Bad signature, replayed id, untrusted clock, or an action the edge cannot perform; the detail says which. */
    REJECTED,
    /** It arrived at or after its expiry and was not executed. */
    EXPIRED,
    /**
     * None of the doors it names is on this device (a site may have several edges, and the hub sends
     * every command to each of them); nothing changed. The hub leaves such answers out of the
     * command's overall status. A hub that predates it refuses the answer (the command then reads
     * expired there): upgrade hubs before edges.
     */
    NOT_HERE
}
