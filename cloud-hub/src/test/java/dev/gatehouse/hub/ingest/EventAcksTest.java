package dev.gatehouse.hub.ingest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.gatehouse.hub.devices.Devices;
import dev.gatehouse.hub.mqtt.EmbeddedBroker;
import dev.gatehouse.hub.mqtt.MqttSettings;
import dev.gatehouse.hub.mqtt.PahoMqttLink;
import dev.gatehouse.hub.store.Database;
import dev.gatehouse.hub.store.StoreSettings;
import dev.gatehouse.hub.testing.FakeEdge;
import dev.gatehouse.protocol.codec.MessageCodec;
import dev.gatehouse.protocol.message.EventAck;
import dev.gatehouse.protocol.topic.Channel;
import dev.gatehouse.protocol.topic.Topic;
import dev.gatehouse.sim.net.Relay;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Acks the MQTT link cannot take (its queue full: the broker has been away long) are kept, merged
 * with those stored meanwhile, and sent once there is room — one {@code event.ack} per device in the
 * link at a time. Dropping them had stopped a 5,000-edge catch-up: the edges sent the same events
 * again and again, and the hub acknowledged into a full queue.
 */
class EventAcksTest {
    private static final String PASSWORD = "ghh_event-acks-test";
    private static final Duration WAIT = Duration.ofSeconds(60);

    @Test
    void acksTheLinkHasNoRoomForAreKeptMergedAndSentOnceThereIsRoom(@TempDir Path dir) throws Exception {
        int port;
        try (ServerSocket free = new ServerSocket(0)) {
            port = free.getLocalPort();
        }
        Topic ackTopic = Topic.of("acme", "site_1", "dev_1", Channel.EVENT_ACK);
        try (Database database = Database.open(StoreSettings.sqlite(dir.resolve("store")));
                EmbeddedBroker broker = EmbeddedBroker.start(
                        new Devices(database), "127.0.0.1", port, dir.resolve("broker"), Optional.of(PASSWORD));
                FakeEdge observer = FakeEdge.connect(broker.url(), "observer", MqttSettings.HUB_USER, PASSWORD);
                Relay relay = new Relay(port);
                PahoMqttLink link = new PahoMqttLink(relay.url(), "hub-acks", MqttSettings.HUB_USER, PASSWORD);
                EventAcks acks = new EventAcks(link, Clock.systemUTC())) {
            observer.subscribe(ackTopic.value());
            link.start();
            assertThat(link.awaitConnected(WAIT.toMillis())).isTrue();
            // The broker's answers stop (a broker that stalls): the window, then the link's queue, fill up.
            relay.holdReplies();
            List<CompletableFuture<Void>> waiting = new ArrayList<>();
            // The link's sender moves publishes from the queue into the window while it fills: fill
            // again until nothing more gets in.
            await().pollInterval(Duration.ofMillis(200)).atMost(WAIT).until(() -> fill(link, waiting) == 0);

            acks.acknowledge(ackTopic, List.of("ev_1", "ev_2"));
            acks.acknowledge(ackTopic, List.of("ev_2", "ev_3"));
            // Refused by the full queue, kept (a duplicate once) and tried again every RETRY_MILLIS.
            await().atMost(WAIT).until(() -> acks.waiting() == 3);

            relay.release();
            await().atMost(WAIT).until(() -> acks.waiting() == 0);
            // Every id is in the link now; a marker published after them arrives after them (one
            // queue, one connection): then every ack EventAcks sent is at the observer.
            byte[] marker = "marker".getBytes(StandardCharsets.UTF_8);
            link.publish(ackTopic, marker).toCompletableFuture().get(60, java.util.concurrent.TimeUnit.SECONDS);
            await().atMost(WAIT).until(() -> observer.received().stream()
                    .anyMatch(r -> r.payload().equals("marker")));
            List<FakeEdge.Received> received = observer.received().stream()
                    .filter(r -> !r.payload().equals("marker"))
                    .toList();
            assertThat(received).as("one ack with every id").hasSize(1);
            EventAck ack = MessageCodec.decode(received.getFirst().payload().getBytes(StandardCharsets.UTF_8))
                    .payloadAs(EventAck.class);
            assertThat(ack.eventIds()).containsExactlyInAnyOrder("ev_1", "ev_2", "ev_3");
        }
    }

    /**
     * Publishes until the link answers one at once with a failure (its queue is full); answers how many
     * it took before that.
     */
    private static int fill(PahoMqttLink link, List<CompletableFuture<Void>> waiting) {
        int taken = 0;
        while (waiting.size() < 100_000) {
            CompletableFuture<Void> answer = link.publish(
                            Topic.of("acme", "site_1", "dev_2", Channel.SYNC), new byte[] {1})
                    .toCompletableFuture();
            waiting.add(answer);
            if (answer.isCompletedExceptionally()) {
                return taken;
            }
            taken++;
        }
        throw new AssertionError("the link's queue never filled");
    }
}
