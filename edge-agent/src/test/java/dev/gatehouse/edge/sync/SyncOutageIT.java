package dev.gatehouse.edge.sync;

import static dev.gatehouse.edge.agent.DemoSite.ADA;
import static dev.gatehouse.edge.agent.DemoSite.STRANGER;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.gatehouse.protocol.message.Envelope;
import dev.gatehouse.protocol.message.EventAck;
import dev.gatehouse.protocol.message.SyncRequest;
import dev.gatehouse.protocol.policy.Decision;
import dev.gatehouse.protocol.topic.Channel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The broker goes away while cards are tapped: the doors keep deciding, the events wait in the
 * outbox, and once the broker is back every one of them reaches the hub and is pruned on its ack.
 * A class of its own: it stops and restarts its broker.
 */
class SyncOutageIT {

    @Test
    void doorsKeepDecidingDuringAnOutageAndNoEventIsLost(@TempDir Path dir) throws Exception {
        try (HubDouble hub = new HubDouble(dir.resolve("broker"));
                Edge edge = new Edge(
                        Files.createDirectories(dir.resolve("edge")),
                        "dev-outage",
                        hub.url(),
                        UnaryOperator.identity())) {
            hub.await(edge.device, Channel.SYNC_REQUEST, e -> ((SyncRequest) e.payload()).haveSeq() == 0);
            hub.publish(edge.device, Channel.SYNC, edge.site.signedBatch(Instant.now()));
            await().atMost(Duration.ofSeconds(20))
                    .until(() -> edge.agent.cache().seq() > 0);
            await().atMost(Duration.ofSeconds(20)).until(() -> edge.sync().connected());

            hub.stopBroker();
            await().atMost(Duration.ofSeconds(20)).until(() -> !edge.sync().connected());
            List<String> ids = new ArrayList<>();
            for (int i = 0; i < 6; i++) {
                var decided = edge.tap(i % 2 == 0 ? ADA : STRANGER);
                assertThat(decided.decision())
                        .isInstanceOf(i % 2 == 0 ? Decision.Granted.class : Decision.Denied.class);
                ids.add(decided.event().id());
            }
            assertThat(edge.agent.cache().outbox().peek(100))
                    .extracting(Envelope::id)
                    .containsAll(ids);
            assertThat(edge.agent.status().hub()).startsWith("offline since");

            hub.startBroker();
            hub.connectHub();
            await().atMost(Duration.ofSeconds(30)).until(() -> edge.sync().connected());
            await().atMost(Duration.ofSeconds(30)).until(() -> hub.from(edge.device, Channel.EVENTS).stream()
                    .map(r -> r.envelope().id())
                    .toList()
                    .containsAll(ids));
            Set<String> delivered = new LinkedHashSet<>();
            hub.from(edge.device, Channel.EVENTS)
                    .forEach(r -> delivered.add(r.envelope().id()));
            hub.publish(edge.device, new Envelope("ea-all", Instant.now(), new EventAck(List.copyOf(delivered))));

            await().atMost(Duration.ofSeconds(20))
                    .until(() -> edge.agent.cache().outbox().depth() == 0);
            // Oldest first: the taps arrive in the order they were decided.
            List<String> order = hub.from(edge.device, Channel.EVENTS).stream()
                    .map(r -> r.envelope().id())
                    .filter(ids::contains)
                    .distinct()
                    .toList();
            assertThat(order).containsExactlyElementsOf(ids);
        }
    }
}
