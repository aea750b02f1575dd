package dev.gatehouse.edge.agent;

import static dev.gatehouse.edge.agent.DemoSite.DOOR;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.gatehouse.edge.config.ConfigException;
import dev.gatehouse.edge.config.EdgeConfig;
import dev.gatehouse.edge.config.EdgeConfigLoader;
import dev.gatehouse.edge.door.DoorState;
import dev.gatehouse.protocol.message.DoorEvent;
import dev.gatehouse.protocol.message.DoorEventKind;
import dev.gatehouse.protocol.message.Envelope;
import dev.gatehouse.protocol.policy.DoorMode;
import dev.gatehouse.sim.gpio.RelayHistory;
import dev.gatehouse.sim.site.SimulatedSite;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A fire-release input releases the doors it names while it is active, whatever else holds them: a
 * lockdown, an agent that cannot read its cache, no hub. As filed there was no such input at all;
 * each test here fails without it.
 */
class FireReleaseTest {
    private static final String PANEL = "fire-panel";

    /** The demo site with the fire panel's normally-closed alarm contact on GPIO 26, to ground. */
    private static EdgeConfig withFireRelease(DemoSite demo) throws Exception {
        Files.writeString(demo.configFile, Files.readString(demo.configFile) + """
                        fire-release:
                          - id: fire-panel
                            pin: 26
                            doors: [main-entrance]
                        """);
        return demo.config();
    }

    @Test
    void theAlarmReleasesTheDoorOverALockdownAndReportsBothEdges(@TempDir Path dir) throws Exception {
        DemoSite demo = new DemoSite(dir);
        EdgeConfig config = withFireRelease(demo);
        try (SimulatedHardware hardware = SimulatedHardware.forConfig(config, dir.resolve("dev"), Clock.systemUTC());
                EdgeAgent agent = EdgeAgent.start(config, hardware, Clock.systemUTC())) {
            SimulatedSite site = hardware.site();
            RelayHistory relay = site.relay(DOOR);
            var door = agent.door(DOOR).orElseThrow();
            door.setMode(new DoorMode.Lockdown(java.util.Set.of())).join();
            assertThat(relay.energised()).isFalse();

            site.fireAlarm(PANEL, true);

            // The demo's strike on an active-low board: unlocked means the coil is on.
            await().atMost(Duration.ofSeconds(5)).until(relay::energised);
            assertThat(door.state()).isEqualTo(DoorState.FIRE_RELEASED);
            assertThat(door.fireReleased()).isTrue();
            // The hub hears of it in the device's state, not only from the door event.
            assertThat(agent.localProblems()).contains("door main-entrance: held unlocked by a fire-release input");
            await().atMost(Duration.ofSeconds(5)).until(() -> doorEvents(agent).contains(DoorEventKind.FIRE_RELEASE));

            site.fireAlarm(PANEL, false);

            await().atMost(Duration.ofSeconds(5)).until(() -> !relay.energised());
            assertThat(door.mode()).isInstanceOf(DoorMode.Lockdown.class); // the lockdown still stands
            assertThat(agent.localProblems()).isEmpty();
            await().atMost(Duration.ofSeconds(5))
                    .until(() -> doorEvents(agent).indexOf(DoorEventKind.RESTORED)
                            > doorEvents(agent).indexOf(DoorEventKind.FIRE_RELEASE));
        }
    }

    @Test
    void aCutWireReleasesTheDoorLikeAnAlarm(@TempDir Path dir) throws Exception {
        // Normally closed by default: the panel's contact opens on alarm, and so does a cut cable.
        DemoSite demo = new DemoSite(dir);
        EdgeConfig config = withFireRelease(demo);
        try (SimulatedHardware hardware = SimulatedHardware.forConfig(config, dir.resolve("dev"), Clock.systemUTC());
                EdgeAgent agent = EdgeAgent.start(config, hardware, Clock.systemUTC())) {
            hardware.site().cutFireReleaseWire(PANEL);

            await().atMost(Duration.ofSeconds(5)).until(hardware.site().relay(DOOR)::energised);
            assertThat(agent.door(DOOR).orElseThrow().state()).isEqualTo(DoorState.FIRE_RELEASED);
        }
    }

    @Test
    void anAlarmAlreadyOnAtStartReleasesTheDoorAtOnce(@TempDir Path dir) throws Exception {
        DemoSite demo = new DemoSite(dir);
        EdgeConfig config = withFireRelease(demo);
        try (SimulatedHardware hardware = SimulatedHardware.forConfig(config, dir.resolve("dev"), Clock.systemUTC())) {
            hardware.site().fireAlarm(PANEL, true);
            try (EdgeAgent agent = EdgeAgent.start(config, hardware, Clock.systemUTC())) {
                assertThat(hardware.site().relay(DOOR).energised()).isTrue();
                assertThat(agent.door(DOOR).orElseThrow().fireReleased()).isTrue();
            }
        }
    }

    @Test
    void anAgentThatCannotReadItsCacheStillReleasesTheDoor(@TempDir Path dir) throws Exception {
        DemoSite demo = new DemoSite(dir);
        EdgeConfig config = withFireRelease(demo);
        Files.setPosixFilePermissions(config.cardKeyFile(), PosixFilePermissions.fromString("rw-r--r--"));
        try (SimulatedHardware hardware = SimulatedHardware.forConfig(config, dir.resolve("dev"), Clock.systemUTC())) {
            var started = EdgeAgent.startOrHold(config, hardware, Clock.systemUTC());
            assertThat(started).isInstanceOf(EdgeAgent.Started.Held.class);
            try (SafeHold hold = ((EdgeAgent.Started.Held) started).hold()) {
                RelayHistory relay = hardware.site().relay(DOOR);
                assertThat(relay.energised()).isFalse();

                hardware.site().fireAlarm(PANEL, true);
                await().atMost(Duration.ofSeconds(5)).until(relay::energised);

                hardware.site().fireAlarm(PANEL, false);
                await().atMost(Duration.ofSeconds(5)).until(() -> !relay.energised());
            }
        }
    }

    @Test
    void aFireReleaseThatNamesNoKnownDoorOrAUsedPinIsRefused(@TempDir Path dir) throws Exception {
        DemoSite demo = new DemoSite(dir);
        String base = Files.readString(demo.configFile);
        List<String[]> cases = List.of(
                new String[] {
                    "fire-release:\n  - id: f\n    pin: 26\n    doors: [back-door]\n",
                    "fire-release[0].doors[0]",
                    "door 'back-door' is not defined"
                },
                new String[] {
                    "fire-release:\n  - id: f\n    pin: 22\n    doors: [main-entrance]\n",
                    "fire-release[0].pin",
                    "GPIO 22 is already used"
                },
                new String[] {
                    "fire-release:\n  - id: f\n    pin: 26\n    doors: []\n",
                    "fire-release[0].doors",
                    "at least one door"
                },
                new String[] {
                    "fire-release:\n  - id: f\n    pin: 26\n    wired-to: ground\n    pull: down\n    doors: [main-entrance]\n",
                    "fire-release[0].pull",
                    "needs a pull up"
                });
        for (String[] bad : cases) {
            assertThatThrownBy(() -> EdgeConfigLoader.parse(base + bad[0], dir))
                    .isInstanceOf(ConfigException.class)
                    .hasMessageContaining(bad[1])
                    .hasMessageContaining(bad[2]);
        }
    }

    private static List<DoorEventKind> doorEvents(EdgeAgent agent) {
        return agent.cache().outbox().peek(10_000).stream()
                .map(Envelope::payload)
                .filter(DoorEvent.class::isInstance)
                .map(event -> ((DoorEvent) event).kind())
                .toList();
    }
}
