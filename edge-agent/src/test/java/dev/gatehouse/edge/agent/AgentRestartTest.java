package dev.gatehouse.edge.agent;

import static dev.gatehouse.edge.agent.DemoSite.DOOR;
import static org.assertj.core.api.Assertions.assertThat;

import dev.gatehouse.edge.config.EdgeConfig;
import dev.gatehouse.edge.door.DoorState;
import dev.gatehouse.sim.gpio.RelayHistory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * What each lock does when the agent is killed (SIGKILL, an out-of-memory exit, a JVM crash) and
 * started again, as the edge README's table says, for every lock type on both relay-board
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
}
