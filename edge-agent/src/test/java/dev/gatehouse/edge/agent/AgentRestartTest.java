package dev.gatehouse.edge.agent;

import static dev.gatehouse.edge.agent.DemoSite.DOOR;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.gatehouse.edge.config.EdgeConfig;
import dev.gatehouse.edge.door.DoorController;
import dev.gatehouse.edge.door.DoorState;
import dev.gatehouse.sim.gpio.RelayHistory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * What each lock does when the agent is killed (SIGKILL, an out-of-memory exit, a JVM crash) or
 * hangs, and is started again, as the edge README's table says, for every lock type on both relay-board
 * polarities. The simulator's "process died" mode keeps every output at its last level and drops
 * anything the dead agent's threads still try to drive, as libgpiod does on a Pi.
 */
class AgentRestartTest {
    private static EdgeConfig config(DemoSite demo, String lock, String relayActive) throws Exception {
        String yaml = Files.readString(demo.configFile)
                .replace("lock: fail-secure", "lock: " + lock)
                .replace("relay-active: low", "relay-active: " + relayActive);
        Files.writeString(demo.configFile, yaml);
        return demo.config();
    }

    /** Whether the relay's coil is where the lock type unlocks: on for a strike, off for a maglock. */
    private static boolean unlocked(RelayHistory relay, String lock) {
        return relay.energised() == lock.equals("fail-secure");
    }

    @ParameterizedTest(name = "{0} on an active-{1} board")
    @CsvSource({"fail-secure, low", "fail-secure, high", "fail-safe, low", "fail-safe, high"})
    void killedMidGrantTheDoorStaysUnlockedUntilTheNextAgentClaimsItLocked(
            String lock, String relayActive, @TempDir Path dir) throws Exception {
        EdgeConfig config = config(new DemoSite(dir), lock, relayActive);
        try (SimulatedHardware hardware = SimulatedHardware.forConfig(config, dir.resolve("dev"), Clock.systemUTC())) {
            RelayHistory relay = hardware.site().relay(DOOR);
            EdgeAgent killed = EdgeAgent.start(config, hardware, Clock.systemUTC());
            assertThat(unlocked(relay, lock)).isFalse();
            killed.door(DOOR).orElseThrow().grant(Duration.ofMinutes(5)).join();
            assertThat(unlocked(relay, lock)).isTrue();

            hardware.site().gpio().restartAfterKill();
            // The dead agent's threads may still run here; on the board they drive nothing. Its lock
            // file goes as a killed process's would.
            killed.close();
            assertThat(unlocked(relay, lock))
                    .as("the line keeps its level: the documented hazard the restart ends")
                    .isTrue();

            try (EdgeAgent restarted = EdgeAgent.start(config, hardware, Clock.systemUTC())) {
                assertThat(unlocked(relay, lock)).isFalse();
                assertThat(restarted.door(DOOR).orElseThrow().state()).isEqualTo(DoorState.LOCKED);
            }
            assertThat(unlocked(relay, lock))
                    .as("a clean stop leaves it locked")
                    .isFalse();
        }
    }

    @ParameterizedTest(name = "{0} on an active-{1} board")
    @CsvSource({"fail-secure, low", "fail-secure, high", "fail-safe, low", "fail-safe, high"})
    void killedAtRestTheDoorStaysLockedAndTheRestartDoesNotUnlockItEvenForAMoment(
            String lock, String relayActive, @TempDir Path dir) throws Exception {
        EdgeConfig config = config(new DemoSite(dir), lock, relayActive);
        try (SimulatedHardware hardware = SimulatedHardware.forConfig(config, dir.resolve("dev"), Clock.systemUTC())) {
            RelayHistory relay = hardware.site().relay(DOOR);
            EdgeAgent killed = EdgeAgent.start(config, hardware, Clock.systemUTC());
            int transitions = relay.transitions().size();

            hardware.site().gpio().restartAfterKill();
            killed.close();
            try (EdgeAgent restarted = EdgeAgent.start(config, hardware, Clock.systemUTC())) {
                assertThat(unlocked(relay, lock)).isFalse();
                // Every level the relay took from the kill to now was the locked one.
                assertThat(relay.transitions()
                                .subList(transitions, relay.transitions().size()))
                        .allSatisfy(t -> assertThat(t.energised()).isEqualTo(lock.equals("fail-safe")));
            }
        }
    }

    @ParameterizedTest(name = "{0} on an active-{1} board")
    @CsvSource({"fail-secure, low", "fail-secure, high", "fail-safe, low", "fail-safe, high"})
    void hungMidGrantTheWatchdogStopsPingingAndTheRestartLocksTheDoor(
            String lock, String relayActive, @TempDir Path dir) throws Exception {
        EdgeConfig config = config(new DemoSite(dir), lock, relayActive);
        CountDownLatch hang = new CountDownLatch(1);
        ScheduledExecutorService ticker = Executors.newSingleThreadScheduledExecutor();
        try (SimulatedHardware hardware = SimulatedHardware.forConfig(config, dir.resolve("dev"), Clock.systemUTC());
                NotifySocket systemd = NotifySocket.atPath(dir.resolve("notify"))) {
            RelayHistory relay = hardware.site().relay(DOOR);
            EdgeAgent hung = EdgeAgent.start(config, hardware, Clock.systemUTC());
            DoorController door = hung.door(DOOR).orElseThrow();
            Watchdog watchdog = Watchdog.start(
                    new SystemdNotifier(Optional.of(systemd.name()), Optional.of(Duration.ofMillis(600))),
                    List.of(door),
                    ticker,
                    System::nanoTime,
                    "running: 1 doors");
            assertThat(systemd.receive(Duration.ofSeconds(5)))
                    .hasValueSatisfying(m -> assertThat(m).startsWith("READY=1"));
            assertThat(systemd.receive(Duration.ofSeconds(5))).contains("WATCHDOG=1");

            door.grant(Duration.ofMillis(200)).join();
            door.onQueue(() -> {
                try {
                    hang.await(); // a door queue stuck (a hung driver call, a deadlock)
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                return null;
            });
            // The watchdog says so, and stops feeding systemd, which kills the agent after WatchdogSec.
            await().atMost(Duration.ofSeconds(10)).until(() -> systemd.receive(Duration.ofSeconds(1))
                    .filter(message -> message.contains("stuck"))
                    .isPresent());
            assertThat(unlocked(relay, lock))
                    .as("the relock waits behind the hang: the documented hazard the watchdog ends")
                    .isTrue();

            // systemd's SIGABRT and restart:
            watchdog.close();
            hardware.site().gpio().restartAfterKill();
            hang.countDown();
            hung.close();
            try (EdgeAgent restarted = EdgeAgent.start(config, hardware, Clock.systemUTC())) {
                assertThat(unlocked(relay, lock)).isFalse();
            }
        } finally {
            hang.countDown();
            ticker.shutdownNow();
        }
    }
}
