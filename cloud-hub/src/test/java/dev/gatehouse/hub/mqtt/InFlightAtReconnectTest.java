package dev.gatehouse.hub.mqtt;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.gatehouse.hub.testing.MosquittoBroker;
import dev.gatehouse.protocol.topic.Channel;
import dev.gatehouse.protocol.topic.Topic;
import dev.gatehouse.sim.net.Relay;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.random.RandomGenerator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A publish in flight when the connection to Mosquitto drops (its PUBACK never came). Paho gives a
 * topic an alias on its own (Mosquitto allows 10) and sends later publishes on it with the alias
 * alone; with its automatic reconnect it sent what was in flight first on the next connection, alias
 * and all, which Mosquitto must refuse as a protocol error — at every attempt, so the hub would never
 * publish again after such a broker restart. The link must come back and publish.
 */
class InFlightAtReconnectTest {
    private static final String PASSWORD = "ghh_in-flight-test";

    @Test
    void aPublishInFlightAtADisconnectDoesNotKeepTheHubOut(@TempDir Path dir) throws Exception {
        assumeTrue(MosquittoBroker.binary().isPresent(), "Mosquitto is not installed");
        try (MosquittoBroker broker = MosquittoBroker.start(dir, "gatehouse-hub", PASSWORD);
                Relay relay = new Relay(broker.port());
                PahoMqttLink link = new PahoMqttLink(
                        relay.url(),
                        "hub-in-flight",
                        "gatehouse-hub",
                        PASSWORD,
                        RandomGenerator.of("L64X128MixRandom"))) {
            link.start();
            assertThat(link.awaitConnected(30_000)).isTrue();
            Topic topic = Topic.of("acme", "site_1", "dev_1", Channel.SYNC);

            // The first publish gives the topic its alias; the second goes out with the alias alone.
            link.publish(topic, new byte[] {1}).toCompletableFuture().get(30, TimeUnit.SECONDS);
            relay.holdReplies();
            long before = relay.sent();
            CompletableFuture<Void> held = link.publish(topic, new byte[] {2}).toCompletableFuture();
            await().atMost(Duration.ofSeconds(30)).until(() -> relay.sent() > before); // on the wire, unanswered
            int connections = relay.accepted();
            relay.cut();

            // What was in flight fails (its sender publishes it again); the link comes back and publishes.
            await().atMost(Duration.ofSeconds(30)).until(held::isDone);
            await().atMost(Duration.ofSeconds(30)).until(() -> relay.accepted() > connections && link.connected());
            link.publish(topic, new byte[] {3}).toCompletableFuture().get(30, TimeUnit.SECONDS);
            link.publish(topic, new byte[] {4}).toCompletableFuture().get(30, TimeUnit.SECONDS);
            assertThat(link.connected()).isTrue();
            assertThat(relay.accepted() - connections).isLessThanOrEqualTo(2); // no reconnect loop
        }
    }
}
