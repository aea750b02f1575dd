package dev.gatehouse.edge.access;

import dev.gatehouse.protocol.message.AccessEvent;
import dev.gatehouse.protocol.message.Envelope;
import dev.gatehouse.protocol.model.DoorId;
import dev.gatehouse.protocol.policy.Decision;
import java.time.Instant;

/** One decision as it was recorded: what the technician's {@code watch} shows. */
public record Decided(DoorId door, Instant at, Decision decision, Envelope event) {
    public AccessEvent accessEvent() {
        return event.payloadAs(AccessEvent.class);
    }
}
