package dev.gatehouse.protocol.message;

import dev.gatehouse.protocol.Ids;
import dev.gatehouse.protocol.model.Checks;
import java.util.List;

/** The hub has stored these events (by envelope id); the edge may prune them from its outbox. */
public record EventAck(List<String> eventIds) implements Message {
    public static final int MAX_IDS = 500;

    public EventAck {
        eventIds = List.copyOf(Checks.present(eventIds, "event ack eventIds"));
        if (eventIds.isEmpty() || eventIds.size() > MAX_IDS) {
            throw Checks.bad("event ack must carry 1 to " + MAX_IDS + " ids, not " + eventIds.size());
        }
        eventIds.forEach(id -> Ids.require(id, "event ack id"));
    }

    @Override
    public MessageType type() {
        return MessageType.EVENT_ACK;
    }
}
