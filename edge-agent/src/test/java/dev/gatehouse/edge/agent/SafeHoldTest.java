package dev.gatehouse.edge.agent;

import static dev.gatehouse.edge.agent.DemoSite.ADA;
import static dev.gatehouse.edge.agent.DemoSite.DOOR;
import static dev.gatehouse.edge.agent.DemoSite.NFC;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.gatehouse.edge.config.ConfigException;
import dev.gatehouse.edge.door.DoorState;
import dev.gatehouse.sim.gpio.RelayHistory;
import dev.gatehouse.sim.site.SimulatedSite;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Doors before everything else: an agent whose card key, cache or data directory cannot be used still
 * claims every door, holds it locked with REX working and refuses every card, instead of exiting with
 * the relay lines left as they were (as filed, the doors were set up last, so any such failure exited
 * without touching a relay: a maglock stayed open, REX was dead, and a restart loop kept it so).
 */
class SafeHoldTest {
    @Test
    void aCardKeyOthersCanReadHoldsTheDoorsLockedWithRexWorking(@TempDir Path dir) throws Exception {
        DemoSite demo = new DemoSite(dir);
        Files.setPosixFilePermissions(demo.config().cardKeyFile(), PosixFilePermissions.fromString("rw-r--r--"));

        try (SimulatedHardware hardware =
                SimulatedHardware.forConfig(demo.config(), dir.resolve("dev"), Clock.systemUTC())) {
            SimulatedSite site = hardware.site();
            var started = EdgeAgent.startOrHold(demo.config(), hardware, Clock.systemUTC());

            assertThat(started).isInstanceOf(EdgeAgent.Started.Held.class);
            try (SafeHold hold = ((EdgeAgent.Started.Held) started).hold()) {
                assertThat(hold.problem()).startsWith("card-key-file: ").contains("chmod 600");
                RelayHistory relay = site.relay(DOOR);
                // Claimed at the locked level: the demo's strike on an active-low board, pin HIGH, coil off.
                assertThat(relay.pinHigh()).contains(true);
                assertThat(relay.energised()).isFalse();
                assertThat(hold.doors().get(DOOR).state()).isEqualTo(DoorState.LOCKED);
                List<String> lines = new CopyOnWriteArrayList<>();
                hold.watch(lines::add);

                site.holdCard(NFC, ADA);
                await().atMost(Duration.ofSeconds(10)).until(() -> hold.refused() == 1);
                site.removeCard(NFC);
                assertThat(relay.transitions()).isEmpty();
                assertThat(lines).anySatisfy(line -> assertThat(line)
                        .contains("refused: the agent cannot read its access list")
                        .contains("card-key-file"));

                site.pressRex(DOOR);
                site.releaseRex(DOOR);
                await().atMost(Duration.ofSeconds(5)).until(relay::energised);
                await().atMost(Duration.ofSeconds(5)).until(() -> !relay.energised());
                assertThat(lines).anySatisfy(line -> assertThat(line).contains("REX"));
            }
            assertThat(site.relay(DOOR).energised()).isFalse();
        }
    }

    @Test
    void aCorruptCacheHoldsTheDoorsToo(@TempDir Path dir) throws Exception {
        DemoSite demo = new DemoSite(dir);
        Files.createDirectories(demo.config().dataDir());
        Files.write(
                demo.config().dataDir().resolve("cache.db"),
                "this is not a SQLite database, at all".repeat(200).getBytes());

        try (SimulatedHardware hardware =
                SimulatedHardware.forConfig(demo.config(), dir.resolve("dev"), Clock.systemUTC())) {
            var started = EdgeAgent.startOrHold(demo.config(), hardware, Clock.systemUTC());

            assertThat(started).isInstanceOf(EdgeAgent.Started.Held.class);
            try (SafeHold hold = ((EdgeAgent.Started.Held) started).hold()) {
                assertThat(hold.problem()).isNotBlank();
                assertThat(hardware.site().relay(DOOR).pinHigh()).contains(true);
                hardware.site().pressRex(DOOR);
                hardware.site().releaseRex(DOOR);
                await().atMost(Duration.ofSeconds(5)).until(hardware.site().relay(DOOR)::energised);
            }
        }
    }

    @Test
    void startStillThrowsAndReleasesTheDoors(@TempDir Path dir) throws Exception {
        // The plain start() keeps its contract for tests and tools: the failure is thrown.
        DemoSite demo = new DemoSite(dir);
        Files.setPosixFilePermissions(demo.config().cardKeyFile(), PosixFilePermissions.fromString("rw-r--r--"));

        try (SimulatedHardware hardware =
                SimulatedHardware.forConfig(demo.config(), dir.resolve("dev"), Clock.systemUTC())) {
            assertThatThrownBy(() -> EdgeAgent.start(demo.config(), hardware, Clock.systemUTC()))
                    .isInstanceOf(ConfigException.class);
            assertThat(hardware.site().relay(DOOR).energised()).isFalse();
        }
    }

    @Test
    void aHealthyAgentStartsRunning(@TempDir Path dir) throws Exception {
        DemoSite demo = new DemoSite(dir);

        try (SimulatedHardware hardware =
                SimulatedHardware.forConfig(demo.config(), dir.resolve("dev"), Clock.systemUTC())) {
            var started = EdgeAgent.startOrHold(demo.config(), hardware, Clock.systemUTC());

            assertThat(started).isInstanceOf(EdgeAgent.Started.Running.class);
            ((EdgeAgent.Started.Running) started).agent().close();
        }
    }
}
