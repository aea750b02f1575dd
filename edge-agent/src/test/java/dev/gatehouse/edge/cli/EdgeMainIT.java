package dev.gatehouse.edge.cli;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.gatehouse.edge.agent.ControlServer;
import dev.gatehouse.edge.agent.DemoSite;
import dev.gatehouse.edge.agent.EdgeAgent;
import dev.gatehouse.edge.agent.SimulatedHardware;
import dev.gatehouse.protocol.message.DoorEvent;
import dev.gatehouse.protocol.message.DoorEventKind;
import dev.gatehouse.protocol.message.Envelope;
import java.io.BufferedReader;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.io.PrintStream;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.Channels;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.time.Clock;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/** A technician at a running (simulated) site, using the same command line as on a Pi. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class EdgeMainIT {
    private DemoSite demo;
    private SimulatedHardware hardware;
    private EdgeAgent agent;
    private ControlServer control;

    private record Run(int exit, String out, String err) {}

    @BeforeAll
    void start(@TempDir Path dir) throws Exception {
        demo = new DemoSite(dir);
        hardware = SimulatedHardware.forConfig(demo.config(), dir.resolve("dev"), Clock.systemUTC());
        agent = demo.startSimulated(hardware);
        control = ControlServer.start(agent, Optional.of(hardware.site()));
    }

    @AfterAll
    void stop() {
        control.close();
        agent.close();
        hardware.close();
    }

    private Run cli(String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int exit = new EdgeMain(new PrintStream(out, true, UTF_8), new PrintStream(err, true, UTF_8)).run(args);
        return new Run(exit, out.toString(UTF_8), err.toString(UTF_8));
    }

    private String config() {
        return demo.configFile.toString();
    }

    @Test
    void statusShowsDoorsReadersCacheClockAndOutbox() {
        Run run = cli("status", "--config", config());

        assertThat(run.exit()).isZero();
        assertThat(run.out())
                .contains("site     acme/hq-berlin/pi-1 (simulated hardware)")
                .contains("5 credentials")
                .contains("clock    trusted")
                .containsPattern("main-entrance +(locked|unlocked)")
                .contains("nfc-main");
    }

    @Test
    void simTapDecidesAndReportsTheRecordedEvent() {
        Run granted = cli("sim", "tap", "nfc-main", "04A22B1C5D8000", "--config", config());
        Run denied = cli("sim", "tap", "nfc-main", "04:11:22:33:44:55:66", "--config", config());

        assertThat(granted.exit()).isZero();
        assertThat(granted.out()).contains("decision: GRANTED MEMBER_GRANT").containsPattern("eventId: [0-9A-Z]{26}");
        assertThat(denied.out()).contains("decision: DENIED MEMBER_SUSPENDED: The member is suspended.");

        Run garbage = cli("sim", "tap", "nfc-main", "not-a-uid", "--config", config());
        assertThat(garbage.exit()).isEqualTo(1);
        assertThat(garbage.err()).contains("is not hex bytes");
    }

    @Test
    void simFireReleasesTheDoorUntilTheAlarmEnds() {
        Run on = cli("sim", "fire", "fire-panel", "on", "--config", config());
        assertThat(on.exit()).as(on.err()).isZero();
        await().atMost(Duration.ofSeconds(5))
                .until(() -> cli("status", "--config", config()).out().contains("fire_released"));

        Run off = cli("sim", "fire", "fire-panel", "off", "--config", config());
        assertThat(off.exit()).isZero();
        await().atMost(Duration.ofSeconds(5))
                .until(() -> !cli("status", "--config", config()).out().contains("fire_released"));

        Run bad = cli("sim", "fire", "fire-panel", "maybe", "--config", config());
        assertThat(bad.exit()).isEqualTo(1);
        assertThat(bad.err()).contains("say 'on' or 'off'");
        Run unknown = cli("sim", "fire", "sprinkler", "on", "--config", config());
        assertThat(unknown.exit()).isEqualTo(1);
        assertThat(unknown.err()).contains("no fire-release input sprinkler");
    }

    @Test
    void simRelayShowsTheClaimAndAClockOnlyASimulatedRunMoves() {
        Run relay = cli("sim", "relay", "main-entrance", "--config", config());
        assertThat(relay.exit()).as(relay.err()).isZero();
        assertThat(relay.out()).contains("energised: false").containsPattern("claimedAt: 20[0-9-]+T");

        // This agent was given no simulated clock (as one on real hardware has none): nothing moves it.
        Run clock = cli("sim", "clock", "+2h", "--config", config());
        assertThat(clock.exit()).isEqualTo(1);
        assertThat(clock.err()).contains("only an agent run with --simulate has a movable one");
    }

    @Test
    void watchStreamsDecisionsAsTheyHappen() {
        ByteArrayOutputStream watched = new ByteArrayOutputStream();
        CompletableFuture<Integer> watcher = CompletableFuture.supplyAsync(() -> new EdgeMain(
                        new PrintStream(watched, true, UTF_8),
                        new PrintStream(new ByteArrayOutputStream(), true, UTF_8))
                .run(new String[] {"watch", "--config", config()}));
        await().atMost(Duration.ofSeconds(20)).until(() -> {
            cli("sim", "tap", "nfc-main", "04998877665544", "--config", config());
            return watched.toString(UTF_8).contains("CREDENTIAL_REVOKED");
        });
        assertThat(watched.toString(UTF_8))
                .contains("main-entrance  DENIED   CREDENTIAL_REVOKED")
                .contains("member cy");
        watcher.cancel(true);
    }

    @Test
    void testRelayPulsesTheDoorAndAnUnknownDoorIsAOneLineError() {
        int before = hardware.site().relay("main-entrance").transitions().size();

        assertThat(cli("test-relay", "main-entrance", "--config", config()).exit())
                .isZero();
        Run unknown = cli("test-relay", "back-door", "--config", config());

        assertThat(hardware.site().relay("main-entrance").transitions().size()).isGreaterThan(before);
        assertThat(unknown.exit()).isEqualTo(1);
        assertThat(unknown.err().strip()).isEqualTo("gatehouse-edge: no door 'back-door' (doors: [main-entrance])");
    }

    @Test
    void theControlSocketIsOnlyForTheAgentsUser() throws Exception {
        // Anyone who can talk to it can pulse relays: it must not be world-accessible, and neither is
        // its directory, which was so before the socket existed.
        Path socket = ControlServer.socketIn(demo.config().dataDir());
        assertThat(Files.getPosixFilePermissions(socket))
                .containsExactlyInAnyOrder(PosixFilePermission.OWNER_READ, PosixFilePermission.OWNER_WRITE);
        assertThat(Files.getPosixFilePermissions(socket.getParent()))
                .containsExactlyInAnyOrder(
                        PosixFilePermission.OWNER_READ,
                        PosixFilePermission.OWNER_WRITE,
                        PosixFilePermission.OWNER_EXECUTE);
    }

    @Test
    void aRelayTestIsRecordedBeforeTheRelayMoves() {
        // Every opening is on record, the technician's included.
        assertThat(cli("test-relay", "main-entrance", "--config", config()).exit())
                .isZero();

        assertThat(agent.cache().outbox().peek(100_000))
                .extracting(Envelope::payload)
                .filteredOn(DoorEvent.class::isInstance)
                .extracting(event -> ((DoorEvent) event).kind())
                .contains(DoorEventKind.RELAY_TEST);
    }

    @Test
    void aMisspeltOptionIsRefusedRatherThanIgnored() {
        // "run --simulat" must not quietly start on the real GPIO header.
        Run run = cli("run", "--simulat", "--config", config());

        assertThat(run.exit()).isEqualTo(2);
        assertThat(run.err()).startsWith("gatehouse-edge: unknown option --simulat");
    }

    @Test
    void anOversizedRequestIsRefusedWithTheLimitAndTheAgentAnswersOn() throws Exception {
        try (SocketChannel channel = SocketChannel.open(StandardProtocolFamily.UNIX)) {
            channel.connect(UnixDomainSocketAddress.of(
                    ControlServer.socketIn(demo.config().dataDir())));
            OutputStream out = Channels.newOutputStream(channel);
            byte[] chunk = "x".repeat(64 * 1024).getBytes(UTF_8);
            try {
                for (int i = 0; i < 10; i++) {
                    out.write(chunk);
                }
            } catch (IOException e) {
                // the agent may close the connection once it has answered
            }
            String answer =
                    new BufferedReader(new InputStreamReader(Channels.newInputStream(channel), UTF_8)).readLine();
            assertThat(answer).contains("\"ok\":false").contains("longer than");
        }
        assertThat(cli("status", "--config", config()).exit()).isZero();
    }

    @Test
    void mistakesAreUsageErrorsOrClearFailures() {
        assertThat(cli("status").exit()).isEqualTo(2);
        assertThat(cli("frobnicate", "--config", config()).exit()).isEqualTo(2);
        Run noAgent = cli("status", "--config", demo.dir.resolve("nowhere.yaml").toString());
        assertThat(noAgent.exit()).isEqualTo(1);
        assertThat(noAgent.err()).contains("nowhere.yaml");
    }
}
