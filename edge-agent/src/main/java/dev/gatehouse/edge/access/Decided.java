package dev.gatehouse.edge.access;

import dev.gatehouse.protocol.message.AccessEvent;
import dev.gatehouse.protocol.message.Envelope;
import dev.gatehouse.protocol.model.BookingId;
import dev.gatehouse.protocol.model.DoorId;
import dev.gatehouse.protocol.policy.Decision;
import java.time.Instant;
import java.util.Optional;

/**
 * One decision as it was recorded: what the technician's {@code watch} shows, and when each step
 * happened. {@code checksIn} is the booking the decision checked in, if the policy engine named one
 * (recorded once: a booking already checked in here stays as it was).
 */
public record Decided(
        DoorId door, Instant at, Decision decision, Envelope event, Timeline timeline, Optional<BookingId> checksIn) {
    public AccessEvent accessEvent() {
        return event.payloadAs(AccessEvent.class);
    }

    /**
     * When the decision's steps happened, in {@link System#nanoTime()}, for latency measurements in
     * the same process (the benchmark): the presentation in the reader's hands, the policy decided on
     * the reader's thread (credential hashed or verified, cache read, engine run), the task started on
     * the door's queue, the event committed to the outbox. The relay is driven right after
     * {@code recorded}.
     */
    public record Timeline(long arrived, long decided, long queued, long recorded) {}
}
