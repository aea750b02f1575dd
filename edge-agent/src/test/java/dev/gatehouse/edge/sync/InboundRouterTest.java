package dev.gatehouse.edge.sync;

import static org.assertj.core.api.Assertions.assertThat;

import dev.gatehouse.protocol.codec.MessageCodec;
import dev.gatehouse.protocol.message.Envelope;
import dev.gatehouse.protocol.message.EventAck;
import dev.gatehouse.protocol.sign.KeySet;
import dev.gatehouse.protocol.topic.Channel;
import dev.gatehouse.protocol.topic.Topic;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Where messages from the broker go, and what happens to those that cannot go anywhere. */
class InboundRouterTest {
    private final SyncFixture world = new SyncFixture();
    private final List<List<String>> acknowledged = new ArrayList<>();
    private final StatePublisher state = world.state(() -> 0);
    private final SyncRequests requests = new SyncRequests(
            "hq", () -> 0, Duration.ofSeconds(30), world.link, world.worker, world.clock, world.ticker);
    private final OutboxDrain drain = new OutboxDrain(
            new OutboxDrain.Outbox(
                    max -> List.of(),
                    ids -> {
                        if (ids.contains("boom")) {
                            throw new IllegalStateException("the outbox cannot be written");
                        }
                        acknowledged.add(ids);
                        return ids.size();
                    },
                    () -> 0),
            32,
            Duration.ofSeconds(10),
            world.link,
            world.worker,
            world.ticker);
    private final InboundRouter router = new InboundRouter(
            SyncFixture.SITE,
            new BatchReceiver(
                    new BatchReceiver.Cache(() -> KeySet.of(List.of()), b -> null, c -> null),
                    world.host,
                    requests,
                    state,
                    world.clock),
            drain,
            new CommandInbox(
                    Topic.of("acme", "hq", "pi-1", Channel.COMMANDS),
                    () -> KeySet.of(List.of()),
                    (id, until, now) -> true,
                    action -> null,
                    world.host,
                    new CommandAcks(world.link, world.clock),
                    state,
                    world.clock),
            new HubTimes(() -> KeySet.of(List.of()), requests, world.host, state, drain, world.clock),
            state,
            world.host,
            world.clock);

    private static byte[] ack(String... ids) {
        return MessageCodec.encode(new Envelope("a-1", java.time.Instant.now(), new EventAck(List.of(ids))));
    }

    @Test
    void anEventAckReachesTheOutbox() {
        router.receive("gh/v1/acme/hq/pi-1/event-ack", ack("e1", "e2"));
        assertThat(acknowledged).containsExactly(List.of("e1", "e2"));
        assertThat(state.problems()).isEmpty();
    }

    @Test
    void aMessageForAnotherDeviceIsIgnoredAndReported() {
        // Why: a broker that routes wrongly must not make this edge act on another edge's acks.
        router.receive("gh/v1/acme/hq/pi-2/event-ack", ack("e1"));
        router.receive("not/a/topic", ack("e1"));
        assertThat(acknowledged).isEmpty();
        assertThat(state.problems())
                .hasSize(2)
                .anyMatch(p -> p.contains("is not for this device"))
                .anyMatch(p -> p.contains("unusable topic"));
    }

    @Test
    void undecodableMessagesAreReported() {
        router.receive("gh/v1/acme/hq/pi-1/sync", "not a jws".getBytes(java.nio.charset.StandardCharsets.US_ASCII));
        router.receive(Topic.of("acme", "hq", "pi-1", Channel.EVENT_ACK).value(), new byte[] {'{'});
        assertThat(state.problems())
                .hasSize(2)
                .anyMatch(p -> p.contains("rejected a sync message"))
                .anyMatch(p -> p.contains("rejected an event.ack"));
    }

    @Test
    void aPartThatThrowsIsReportedNotPropagated() {
        // Why: an exception on Paho's callback thread would drop the connection.
        router.receive("gh/v1/acme/hq/pi-1/event-ack", ack("boom"));
        assertThat(state.problems())
                .singleElement()
                .asString()
                .contains("a message on event-ack could not be handled: the outbox cannot be written");
    }
}
