package dev.gatehouse.sim.av;

/** What went wrong in a simulated room controller. Every {@link SimAvException} carries one. */
public enum SimAvError {
    /** The OPC UA server would not start (no free port, a bind refused). */
    START_FAILED,
    /** A room or point the controller does not have was named. */
    UNKNOWN_POINT,
    /** An argument is out of range or of the wrong kind (a room id with '/', a text for a Boolean). */
    BAD_ARGUMENT
}
