package dev.gatehouse.edge.sync;

import static org.awaitility.Awaitility.await;

import dev.gatehouse.protocol.message.SyncRequest;
import dev.gatehouse.protocol.topic.Channel;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A broker that accepts the connection and then never answers (killed, or stalled, between the TCP
 * accept and its CONNACK): the edge's connect times out while Paho still counts it in progress. The
 * edge must abandon that half-made connect, or every later attempt fails with "connect already in
 * progress" and it never comes back — found by the chaos harness after a broker restart. Here the
 * silent listener is replaced by a real broker on the same port while the stalled socket stays open.
 */
class StuckConnectIT {

    @Test
    void aConnectThatNeverGetsItsConnackIsAbandonedAndTheEdgeComesBack(@TempDir Path dir) throws Exception {
        int port = HubDouble.freePort();
        List<Socket> held = new CopyOnWriteArrayList<>();
        ServerSocket silent = new ServerSocket(port, 50, InetAddress.getLoopbackAddress());
        Thread acceptor = Thread.ofVirtual().start(() -> {
            try {
                while (true) {
                    held.add(silent.accept()); // read nothing, answer nothing
                }
            } catch (IOException closed) {
                // the listener was closed: the test goes on with a real broker
            }
        });
        try (Edge edge = new Edge(
                Files.createDirectories(dir.resolve("edge")),
                "dev-stuck",
                "tcp://127.0.0.1:" + port,
                UnaryOperator.identity())) {
            await().atMost(Duration.ofSeconds(30)).until(() -> !held.isEmpty());
            silent.close();
            acceptor.join();
            // The edge's connect is now waiting on a socket that will never answer (and stays open).
            try (HubDouble hub = new HubDouble(dir.resolve("broker"), port)) {
                await().atMost(Duration.ofSeconds(120)).until(() -> edge.sync().connected());
                hub.await(edge.device, Channel.SYNC_REQUEST, e -> e.payload() instanceof SyncRequest);
            }
        } finally {
            silent.close();
            for (Socket socket : held) {
                socket.close();
            }
        }
    }
}
