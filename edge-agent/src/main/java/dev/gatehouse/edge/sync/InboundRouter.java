package dev.gatehouse.edge.sync;

import dev.gatehouse.edge.config.EdgeConfig;
import dev.gatehouse.protocol.ProtocolException;
import dev.gatehouse.protocol.message.Envelope;
import dev.gatehouse.protocol.message.EventAck;
import dev.gatehouse.protocol.sign.Inbound;
import dev.gatehouse.protocol.sign.KeySet;
import dev.gatehouse.protocol.topic.Topic;
import java.time.Clock;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Where a message from the broker goes: its topic is parsed and must name this device; sync batches
 * and snapshot chunks go to the {@link BatchReceiver}, event acks (decoded here) to the
 * {@link OutboxDrain}, commands to the {@link CommandInbox}, the hub's time to {@link HubTimes}. Nothing escapes: a message that cannot
 * be handled changes nothing and becomes one of the state's problems.
 */
final class InboundRouter {
    private static final Logger log = LoggerFactory.getLogger(InboundRouter.class);
    private static final KeySet UNSIGNED = KeySet.of(List.of());

    private final EdgeConfig.Site site;
    private final BatchReceiver batches;
    private final OutboxDrain events;
    private final CommandInbox commands;
    private final HubTimes times;
    private final StatePublisher state;
    private final SyncClient.Host host;
    private final Clock clock;

    InboundRouter(
            EdgeConfig.Site site,
            BatchReceiver batches,
            OutboxDrain events,
            CommandInbox commands,
            HubTimes times,
            StatePublisher state,
            SyncClient.Host host,
            Clock clock) {
        this.site = site;
        this.batches = batches;
        this.events = events;
        this.commands = commands;
        this.times = times;
        this.state = state;
        this.host = host;
        this.clock = clock;
    }

    /** Handles a message that arrived on {@code topic}; never throws. */
    void receive(String topic, byte[] payload) {
        try {
            route(topic, payload);
        } catch (RuntimeException e) {
            log.error("message on {} could not be handled: {}", topic, e.toString(), e);
            state.problem("a message on " + channel(topic) + " could not be handled: " + e.getMessage());
        }
    }

    private void route(String topicText, byte[] payload) {
        Topic topic;
        try {
            topic = Topic.parse(topicText);
        } catch (ProtocolException e) {
            state.problem("a message on an unusable topic was ignored: " + e.getMessage());
            return;
        }
        if (!topic.tenant().equals(site.tenant())
                || !topic.site().equals(site.id())
                || !topic.device().equals(site.device())) {
            state.problem("a message on " + topic + " is not for this device; ignored");
            return;
        }
        switch (topic.channel()) {
            case SYNC, SNAPSHOT -> batches.receive(topic, payload);
            case EVENT_ACK -> eventAck(topic, payload);
            case COMMANDS -> commands.receive(payload);
            case TIME -> times.receive(topic, payload);
            default -> log.debug("ignored {}: an edge-to-hub channel", topic); // e.g. our own retained state
        }
    }

    private void eventAck(Topic topic, byte[] payload) {
        Envelope envelope;
        try {
            envelope = Inbound.read(topic, payload, UNSIGNED, clock.instant(), host.clockStatus());
        } catch (ProtocolException e) {
            state.problem("rejected an event.ack: " + e.error() + " " + e.getMessage());
            return;
        }
        events.acknowledged(envelope.payloadAs(EventAck.class).eventIds());
    }

    private static String channel(String topic) {
        int slash = topic == null ? -1 : topic.lastIndexOf('/');
        return slash < 0 ? String.valueOf(topic) : topic.substring(slash + 1);
    }
}
