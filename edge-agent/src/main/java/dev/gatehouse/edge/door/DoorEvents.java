package dev.gatehouse.edge.door;

import dev.gatehouse.protocol.message.DoorEventKind;
import dev.gatehouse.protocol.model.DoorId;

/**
 * What the door controller reports; the agent turns these into {@code event.door} messages. Called
 * on the door's queue thread: an implementation must hand off (write to the outbox, enqueue) and
 * never block. {@code detail} is a short sentence for the technician (at most 200 characters, the
 * protocol's limit).
 */
public interface DoorEvents {
    void doorEvent(DoorId door, DoorEventKind kind, String detail);
}
