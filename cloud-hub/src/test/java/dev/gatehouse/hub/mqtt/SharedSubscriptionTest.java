package dev.gatehouse.hub.mqtt;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.gatehouse.hub.testing.MosquittoBroker;
import dev.gatehouse.protocol.topic.Channel;
import dev.gatehouse.protocol.topic.Topic;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.random.RandomGenerator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two hub replicas on one Mosquitto, members of the shared subscription. Mosquitto gives a member
 * that disconnected but whose session lives on its share of the messages (queued for it): a replica
 * stopped for good must take its session with it, or half the edges' events would wait for their
 * edges to send them again.
 */
class SharedSubscriptionTest {
    private static final String PASSWORD = "ghh_shared-subscription-test";

    @Test
    void aReplicaThatStopsLeavesTheSharedSubscriptionSoTheOtherGetsEveryMessage(@TempDir Path dir) throws Exception {
        assumeTrue(MosquittoBroker.binary().isPresent(), "Mosquitto is not installed");
        Set<String> first = ConcurrentHashMap.newKeySet();
        Set<String> second = ConcurrentHashMap.newKeySet();
        try (MosquittoBroker broker = MosquittoBroker.start(dir, "gatehouse-hub", PASSWORD);
                PahoMqttLink survivor = link(broker, "hub-2", second);
                PahoMqttLink publisher = new PahoMqttLink(
                        broker.url(),
                        "hub-publisher",
                        "gatehouse-hub",
                        PASSWORD,
                        RandomGenerator.of("L64X128MixRandom"),
                        false)) {
            PahoMqttLink leaving = link(broker, "hub-1", first);
            survivor.start();
            leaving.start();
            publisher.start();
            assertThat(survivor.awaitConnected(30_000)).isTrue();
            assertThat(leaving.awaitConnected(30_000)).isTrue();
            assertThat(publisher.awaitConnected(30_000)).isTrue();

            // Both members take messages while both are up.
            publish(publisher, "before", 20);
            await().atMost(Duration.ofSeconds(30)).until(() -> first.size() + second.size() == 20);
            assertThat(first).as("round robin: each member gets some").isNotEmpty();
            assertThat(second).isNotEmpty();

            leaving.close();
            publish(publisher, "after", 20);
            await().atMost(Duration.ofSeconds(30))
                    .until(() ->
                            second.stream().filter(id -> id.startsWith("after")).count() == 20);
            assertThat(first).as("nothing reached the replica that left").noneMatch(id -> id.startsWith("after"));
        }
    }

    private static PahoMqttLink link(MosquittoBroker broker, String clientId, Set<String> received) {
        PahoMqttLink link = new PahoMqttLink(
                broker.url(), clientId, "gatehouse-hub", PASSWORD, RandomGenerator.of("L64X128MixRandom"), true);
        link.onMessage(Channel.EVENTS, (topic, payload) -> received.add(new String(payload)));
        return link;
    }

    private static void publish(PahoMqttLink publisher, String prefix, int n) throws Exception {
        Topic topic = Topic.of("acme", "site_1", "dev_1", Channel.EVENTS);
        for (int i = 0; i < n; i++) {
            publisher
                    .publish(topic, (prefix + "-" + i).getBytes(java.nio.charset.StandardCharsets.UTF_8))
                    .toCompletableFuture()
                    .get(30, TimeUnit.SECONDS);
        }
    }
}
