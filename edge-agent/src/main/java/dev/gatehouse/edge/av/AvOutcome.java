package dev.gatehouse.edge.av;

/**
 * What became of one write to (or read of) a room function. Only {@link Confirmed} means the
 * controller holds the value: a write counts once a read-back shows it.
 */
public sealed interface AvOutcome {
    /** The controller holds {@code value}: read back after a write, or read. */
    record Confirmed(AvValue value) implements AvOutcome {}

    /** The controller accepted the write, but reading it back shows something else ({@code detail}). */
    record NotConfirmed(String detail) implements AvOutcome {}

    /** The controller refused the operation with an OPC UA status, e.g. {@code Bad_NotWritable}. */
    record Refused(String status) implements AvOutcome {}

    /** The controller did not answer: not reachable, the session lost, a timeout. */
    record Unreachable(String detail) implements AvOutcome {}

    /**
     * The mapping cannot work as configured: the node does not exist, or the value does not fit the
     * node's data type. Trying again does not help until the config or the controller changes.
     */
    record Misconfigured(String detail) implements AvOutcome {}

    /** Whether trying again may succeed (everything but {@link Confirmed} and {@link Misconfigured}). */
    default boolean retryable() {
        return switch (this) {
            case Confirmed confirmed -> false;
            case Misconfigured misconfigured -> false;
            case NotConfirmed notConfirmed -> true;
            case Refused refused -> true;
            case Unreachable unreachable -> true;
        };
    }

    /** One sentence for a fault or a log line. */
    default String describe() {
        return switch (this) {
            case Confirmed confirmed -> "confirmed " + confirmed.value().describe();
            case NotConfirmed notConfirmed -> "not confirmed: " + notConfirmed.detail();
            case Refused refused -> "refused by the controller: " + refused.status();
            case Unreachable unreachable -> "controller unreachable: " + unreachable.detail();
            case Misconfigured misconfigured -> "mapping does not work: " + misconfigured.detail();
        };
    }
}
