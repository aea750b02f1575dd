package dev.gatehouse.edge.agent;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.gatehouse.edge.cache.SqliteEntitlementCache;
import dev.gatehouse.protocol.message.Envelope;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.Channels;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Power is pulled or the process is killed while members stream through the door: the agent runs in
 * its own JVM, is killed with SIGKILL in the middle of a stream of decisions, and must come back with
 * an intact database, every event it acknowledged still in the outbox, and its doors locked.
 */
class CrashRecoveryIT {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final List<String> CARDS = List.of("04A22B1C5D8000", "04112233445566", "DEADBEEF", "04998877665544");

    @TempDir
    Path dir;

    private Process startAgent(DemoSite demo) throws IOException {
        List<String> command = List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "--enable-native-access=ALL-UNNAMED",
                "-Djava.awt.headless=true",
                "-Dorg.slf4j.simpleLogger.defaultLogLevel=warn",
                "-cp",
                System.getProperty("java.class.path"),
                "dev.gatehouse.edge.cli.EdgeMain",
                "run",
                "--simulate",
                "--config",
                demo.configFile.toString());
        Process process = new ProcessBuilder(command)
                .redirectErrorStream(true)
                .redirectOutput(
                        dir.resolve("agent-" + System.nanoTime() + ".log").toFile())
                .start();
        Path socket = ControlServer.socketIn(demo.config().dataDir());
        await().atMost(Duration.ofSeconds(60)).until(() -> !process.isAlive() || canConnect(socket));
        assertThat(process.isAlive()).as("the agent started").isTrue();
        return process;
    }

    private static boolean canConnect(Path socket) {
        if (!Files.exists(socket)) {
            return false;
        }
        try {
            return request(socket, "{\"cmd\":\"status\"}").path("ok").asBoolean();
        } catch (IOException e) {
            return false;
        }
    }

    private static JsonNode request(Path socket, String json) throws IOException {
        try (SocketChannel channel = SocketChannel.open(StandardProtocolFamily.UNIX)) {
            channel.connect(UnixDomainSocketAddress.of(socket));
            new PrintStream(Channels.newOutputStream(channel), true, UTF_8).println(json);
            String line = new BufferedReader(new InputStreamReader(Channels.newInputStream(channel), UTF_8)).readLine();
            if (line == null) {
                throw new IOException("no answer");
            }
            return JSON.readTree(line);
        }
    }

    @Test
    void afterSigkillTheCacheIsIntactEveryAcknowledgedEventIsKeptAndTheDoorIsLocked() throws Exception {
        DemoSite demo = new DemoSite(dir);
        Path socket = ControlServer.socketIn(demo.config().dataDir());
        Process agent = startAgent(demo);
        String batch = demo.signedBatch(Instant.now());
        assertThat(request(
                                socket,
                                JSON.createObjectNode()
                                        .put("cmd", "apply")
                                        .put("jws", batch)
                                        .toString())
                        .path("ok")
                        .asBoolean())
                .isTrue();

        // A member after member at the reader; each acknowledged event id was committed to the outbox.
        List<String> acknowledged = new CopyOnWriteArrayList<>();
        AtomicBoolean streaming = new AtomicBoolean(true);
        Thread stream = Thread.ofPlatform().start(() -> {
            int i = 0;
            while (streaming.get()) {
                String uid = CARDS.get(i++ % CARDS.size());
                try {
                    JsonNode answer = request(
                            socket,
                            JSON.createObjectNode()
                                    .put("cmd", "sim")
                                    .put("action", "tap")
                                    .put("target", "nfc-main")
                                    .put("uid", uid)
                                    .toString());
                    if (answer.path("ok").asBoolean()) {
                        acknowledged.add(answer.path("eventId").asText());
                    }
                } catch (IOException e) {
                    return; // the agent is gone
                }
            }
        });
        await().atMost(Duration.ofSeconds(60)).until(() -> acknowledged.size() >= 12);

        agent.destroyForcibly(); // SIGKILL, in the middle of the stream
        assertThat(agent.waitFor(30, TimeUnit.SECONDS)).isTrue();
        streaming.set(false);
        stream.join(30_000);
        List<String> acked = new ArrayList<>(acknowledged);
        assertThat(acked).hasSizeGreaterThanOrEqualTo(12);

        try (SqliteEntitlementCache cache =
                SqliteEntitlementCache.open(demo.config().dataDir().resolve("cache.db"), "acme", "hq-berlin")) {
            assertThat(cache.integrityCheck()).containsExactly("ok");
            Set<String> inOutbox =
                    cache.outbox().peek(100_000).stream().map(Envelope::id).collect(Collectors.toSet());
            assertThat(inOutbox).containsAll(acked);
            assertThat(cache.seq()).isEqualTo(demo.entitlements(Instant.now()).size());
        }

        Process restarted = startAgent(demo);
        try {
            JsonNode status = request(socket, "{\"cmd\":\"status\"}").path("status");
            assertThat(status.path("doors").get(0).path("state").asText()).isEqualTo("locked");
            assertThat(status.path("outboxDepth").asLong()).isGreaterThanOrEqualTo(acked.size());
            // And it decides again at once, from the cache it recovered.
            JsonNode tap = request(
                    socket,
                    JSON.createObjectNode()
                            .put("cmd", "sim")
                            .put("action", "tap")
                            .put("target", "nfc-main")
                            .put("uid", CARDS.get(0))
                            .toString());
            assertThat(tap.path("decision").asText()).startsWith("GRANTED");
        } finally {
            restarted.destroy();
            restarted.waitFor(30, TimeUnit.SECONDS);
        }
    }
}
