package dev.gatehouse.edge.sync;

import static dev.gatehouse.edge.agent.DemoSite.ADA;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.gatehouse.protocol.message.SyncRequest;
import dev.gatehouse.protocol.topic.Channel;
import dev.gatehouse.sim.net.Relay;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * An event in flight when the broker goes away (its PUBACK never came). Paho gives a topic an alias
 * on its own when the broker allows aliases (HiveMQ 5, Mosquitto 10) and sends later publishes on it
 * with the alias alone; on the next connection of the same client it sends what was in flight first,
 * alias and all, which the new connection has never heard of: the broker must disconnect it (protocol
 * error), and did so at every attempt — the chaos harness saw an edge cut off after a broker restart.
 * The edge must come back and deliver that event and the next ones.
 */
class InFlightAtRestartIT {

    @Test
    void anEventInFlightAtADisconnectDoesNotKeepTheEdgeOut(@TempDir Path dir) throws Exception {
        try (HubDouble hub = new HubDouble(dir.resolve("broker"));
                Relay relay = new Relay(hub.port);
                Edge edge = new Edge(
                        Files.createDirectories(dir.resolve("edge")),
                        "dev-inflight",
                        relay.url(),
                        UnaryOperator.identity())) {
            hub.await(edge.device, Channel.SYNC_REQUEST, e -> ((SyncRequest) e.payload()).haveSeq() == 0);
            hub.publish(edge.device, Channel.SYNC, edge.site.signedBatch(Instant.now()));
            await().atMost(Duration.ofSeconds(20))
                    .until(() -> edge.agent.cache().seq() > 0);

            // The first event gives the events topic its alias; the second goes out with the alias alone.
            String first = edge.tap(ADA).event().id();
            hub.await(edge.device, Channel.EVENTS, e -> e.id().equals(first));
            relay.holdReplies();
            String second = edge.tap(ADA).event().id();
            hub.await(edge.device, Channel.EVENTS, e -> e.id().equals(second)); // sent; its PUBACK is held
            int before = relay.accepted();
            relay.cut();

            await().atMost(Duration.ofSeconds(30))
                    .until(() -> relay.accepted() > before && edge.sync().connected());
            String third = edge.tap(ADA).event().id();
            hub.await(edge.device, Channel.EVENTS, e -> e.id().equals(third));
            // Still the connection that delivered it, minutes of reconnect loop would show as many more.
            assertThat(edge.sync().connected()).isTrue();
            assertThat(relay.accepted() - before).isLessThanOrEqualTo(2);
        }
    }
}
