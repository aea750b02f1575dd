package dev.gatehouse.hub.mqtt;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.gatehouse.protocol.topic.Channel;
import dev.gatehouse.protocol.topic.Topic;
import java.io.IOException;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.logging.Handler;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import java.util.random.RandomGenerator;
import org.junit.jupiter.api.Test;

/**
 * The link's promises that need no broker: publishing never blocks or throws, handlers are
 * registered first, the first connect is retried after the shared backoff.
 */
class PahoMqttLinkTest {
    static int freePort() throws IOException {
        try (ServerSocket free = new ServerSocket(0)) {
            return free.getLocalPort();
        }
    }

    @Test
    void publishingWithoutABrokerNeitherBlocksNorThrows() throws Exception {
        try (PahoMqttLink link = new PahoMqttLink("tcp://127.0.0.1:" + freePort(), "hub-test", "gatehouse-hub", "x")) {
            link.onMessage(Channel.EVENTS, (topic, payload) -> {});
            link.start();
            Topic topic = Topic.of("acme", "site_1", "dev_1", Channel.EVENT_ACK);
            List<CompletableFuture<Void>> answers = new ArrayList<>();
            for (int i = 0; i < PahoMqttLink.QUEUE_CAPACITY + 100; i++) {
                answers.add(link.publish(topic, new byte[] {1}).toCompletableFuture());
            }
            assertThat(link.connected()).isFalse();
            // Nothing reached a broker, so nothing is answered as accepted: the queue waits for one
            // (the sender holds one more), and what overflows is answered failed at once.
            assertThat(answers).noneMatch(a -> a.isDone() && !a.isCompletedExceptionally());
            assertThat(answers.getLast()).isCompletedExceptionally();
            assertThatThrownBy(() -> answers.getLast().join())
                    .cause()
                    .isInstanceOfSatisfying(PublishException.class, e -> assertThat(e.reason())
                            .isEqualTo(PublishException.Reason.QUEUE_FULL));
            assertThatThrownBy(() -> link.onMessage(Channel.STATE, (t, p) -> {}))
                    .isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("before the link starts");
            link.close();
            // Closing answers every publish it still held: none is left waiting forever.
            assertThat(answers).allMatch(CompletableFuture::isCompletedExceptionally);
            assertThatThrownBy(() -> answers.getFirst().join())
                    .isInstanceOf(CompletionException.class)
                    .cause()
                    .isInstanceOfSatisfying(PublishException.class, e -> assertThat(e.reason())
                            .isEqualTo(PublishException.Reason.CLOSED));
        }
    }

    @Test
    void theFirstConnectIsRetriedAfterTheSharedBackoffDrawnFromTheGivenRandomness() throws Exception {
        // Hub replicas that lost the broker together must not all come back in the same instant: the
        // delay is drawn, and the draw is the test's. The lowest draw of the first retry is half of 500 ms.
        List<String> warnings = new CopyOnWriteArrayList<>();
        Handler recorder = new Handler() {
            @Override
            public void publish(LogRecord record) {
                warnings.add(record.getMessage());
            }

            @Override
            public void flush() {}

            @Override
            public void close() {}
        };
        Logger logger = Logger.getLogger(PahoMqttLink.class.getName());
        logger.addHandler(recorder);
        RandomGenerator lowest = () -> 0L;
        try (PahoMqttLink link =
                new PahoMqttLink("tcp://127.0.0.1:" + freePort(), "hub-test", "gatehouse-hub", "x", lowest)) {
            link.start();
            await().atMost(Duration.ofSeconds(30))
                    .until(() -> warnings.stream().anyMatch(w -> w.contains("retrying in")));
            assertThat(warnings)
                    .filteredOn(w -> w.contains("retrying in"))
                    .first()
                    .satisfies(w -> assertThat(w).endsWith("; retrying in 250 ms"));
        } finally {
            logger.removeHandler(recorder);
        }
    }

    @Test
    void theHubReceivesOnlyOnEdgeToHubChannels() {
        try (PahoMqttLink link = new PahoMqttLink("tcp://127.0.0.1:1", "hub-test", "gatehouse-hub", "x")) {
            assertThatThrownBy(() -> link.onMessage(Channel.SYNC, (t, p) -> {}))
                    .isInstanceOf(IllegalArgumentException.class);
            link.onMessage(Channel.EVENTS, (t, p) -> {});
            assertThatThrownBy(() -> link.onMessage(Channel.EVENTS, (t, p) -> {}))
                    .isInstanceOf(IllegalStateException.class);
        }
    }
}
