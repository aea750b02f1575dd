package dev.gatehouse.edge.sync;

import dev.gatehouse.edge.access.EventIds;
import dev.gatehouse.protocol.message.CommandAck;
import dev.gatehouse.protocol.message.CommandStatus;
import dev.gatehouse.protocol.message.Envelope;
import dev.gatehouse.protocol.topic.Channel;
import java.time.Clock;
import java.time.Instant;
import java.util.Optional;
import java.util.concurrent.ConcurrentLinkedDeque;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Sends {@code command.ack}s. An ack made while the link is down is kept (at most
 * {@value #MAX_PENDING}, the oldest dropped beyond) and sent once it is back, so the hub learns what
 * was done. Any thread may ack (Paho's callback thread, a door's queue); nothing waits for a lock.
 */
final class CommandAcks {
    private static final Logger log = LoggerFactory.getLogger(CommandAcks.class);
    /** Command acknowledgements kept while the link is down, at most. */
    static final int MAX_PENDING = 100;

    private final HubLink link;
    private final Clock clock;
    private final ConcurrentLinkedDeque<Envelope> pending = new ConcurrentLinkedDeque<>();

    CommandAcks(HubLink link, Clock clock) {
        this.link = link;
        this.clock = clock;
    }

    /** Acknowledges command {@code commandId} with {@code status} and a detail for people. */
    void ack(String commandId, CommandStatus status, String detail) {
        Instant at = clock.instant();
        String id = ("ca-" + commandId).length() <= 64 ? "ca-" + commandId : "ca-" + EventIds.next(at);
        log.info("command {}: {} ({})", commandId, status, detail);
        Envelope ack =
                new Envelope(id, at, new CommandAck(commandId, status, Optional.of(StatePublisher.clip(detail))));
        if (!link.publish(Channel.COMMAND_ACK, ack) && !link.connected()) {
            keep(ack);
        }
    }

    private void keep(Envelope ack) {
        log.info("command ack {} waits for the link", ack.id());
        pending.addLast(ack);
        while (pending.size() > MAX_PENDING) {
            Envelope dropped = pending.pollFirst();
            if (dropped != null) {
                log.warn("command ack {} dropped: too many waiting", dropped.id());
            }
        }
    }

    /** Sends the acknowledgements kept while the link was down, oldest first. Worker, on connect. */
    void sendPending() {
        while (link.connected()) {
            Envelope ack = pending.pollFirst();
            if (ack == null || !link.publish(Channel.COMMAND_ACK, ack)) {
                return;
            }
        }
    }

    /** Acknowledgements waiting for the link. */
    int pending() {
        return pending.size();
    }
}
