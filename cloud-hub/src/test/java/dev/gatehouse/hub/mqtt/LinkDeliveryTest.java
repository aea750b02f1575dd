package dev.gatehouse.hub.mqtt;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.gatehouse.hub.devices.Devices;
import dev.gatehouse.hub.store.Database;
import dev.gatehouse.hub.store.StoreSettings;
import dev.gatehouse.hub.testing.FakeEdge;
import dev.gatehouse.protocol.topic.Channel;
import dev.gatehouse.protocol.topic.Topic;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What the hub's link promises about a publish, against a real HiveMQ of the test's own: the answer
 * completes only once the broker has accepted the message, a publish made while the broker is away
 * leaves when it is back, and closing the link gives what it still holds time to reach the broker.
 * Sync builds its restart guarantee on these answers.
 */
class LinkDeliveryTest {
    static final Duration WAIT = Duration.ofSeconds(30);
    static final String PASSWORD = "ghh_link-delivery-test";

    @TempDir
    Path dir;

    Database database;
    int port;

    @BeforeEach
    void store() throws IOException {
        database = Database.open(StoreSettings.sqlite(dir.resolve("store")));
        try (ServerSocket free = new ServerSocket(0)) {
            port = free.getLocalPort();
        }
    }

    @AfterEach
    void closeStore() {
        database.close();
    }

    EmbeddedBroker broker() {
        return EmbeddedBroker.start(
                new Devices(database), "127.0.0.1", port, dir.resolve("broker"), Optional.of(PASSWORD));
    }

    PahoMqttLink link(String clientId) {
        return new PahoMqttLink("tcp://127.0.0.1:" + port, clientId, MqttSettings.HUB_USER, PASSWORD);
    }

    static Topic topic(int i) {
        return Topic.of("acme", "site_1", "dev_" + i, Channel.SYNC);
    }

    @Test
    void aPublishMadeWhileTheBrokerIsAwayIsAnsweredOnlyOnceTheBrokerHasAcceptedIt() throws Exception {
        // The hub keeps running while an external broker restarts: what it publishes meanwhile must
        // neither be lost nor be reported delivered before it is.
        try (PahoMqttLink link = link("hub-away")) {
            link.start();
            CompletableFuture<Void> answer = link.publish(topic(1), "while away".getBytes(StandardCharsets.UTF_8))
                    .toCompletableFuture();
            assertThat(link.connected()).isFalse();
            assertThat(answer).isNotDone();

            try (EmbeddedBroker broker = broker()) {
                await().atMost(WAIT).until(answer::isDone);
                assertThat(answer).isCompleted();
                assertThat(link.connected()).isTrue();
            }
        }
    }

    @Test
    void thePublishWindowIsAsWideAsTheBrokersReceiveMaximum() throws Exception {
        // A window of HiveMQ's default 10 made a change reaching 500 sites wait for 50 PUBACK round
        // trips in a row; the embedded broker takes 1,000, and the link learns it from the CONNACK.
        try (EmbeddedBroker broker = broker();
                PahoMqttLink link = link("hub-window")) {
            assertThat(link.publishWindow().toCompletableFuture().get())
                    .as("before any CONNACK")
                    .isEqualTo(PahoMqttLink.FIRST_IN_FLIGHT);
            link.start();
            assertThat(link.awaitConnected(WAIT.toMillis())).isTrue();
            await().atMost(WAIT)
                    .until(() -> link.publishWindow().toCompletableFuture().get() == PahoMqttLink.MAX_IN_FLIGHT);
        }
    }

    @Test
    void closingGivesWhatIsQueuedAndInFlightTimeToReachTheBroker() throws Exception {
        // A hub that stops right after a commit must not throw away the batches it just handed over.
        try (EmbeddedBroker broker = broker();
                FakeEdge observer = FakeEdge.connect(broker.url(), "observer", MqttSettings.HUB_USER, PASSWORD)) {
            observer.subscribe("gh/v1/acme/site_1/+/sync");
            int count = 200;
            List<CompletableFuture<Void>> answers = new ArrayList<>();
            PahoMqttLink link = link("hub-drain");
            link.drainMillis = WAIT.toMillis(); // the drain, not this machine's speed, is under test
            try (link) {
                link.start();
                assertThat(link.awaitConnected(WAIT.toMillis())).isTrue();
                for (int i = 0; i < count; i++) {
                    answers.add(link.publish(topic(i), ("batch " + i).getBytes(StandardCharsets.UTF_8))
                            .toCompletableFuture());
                }
            } // closes at once, with most of them still queued
            assertThat(answers.stream()
                            .filter(answer -> !answer.isDone() || answer.isCompletedExceptionally())
                            .count())
                    .as("publishes the broker had not accepted when the link closed")
                    .isZero();
            await().atMost(WAIT).until(() -> observer.received().size() >= count);
            assertThat(observer.received()).hasSize(count);
        }
    }
}
