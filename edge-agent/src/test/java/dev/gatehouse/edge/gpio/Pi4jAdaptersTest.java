package dev.gatehouse.edge.gpio;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.pi4j.context.Context;
import dev.gatehouse.edge.door.DoorError;
import dev.gatehouse.edge.door.DoorException;
import dev.gatehouse.edge.door.InputWiring;
import dev.gatehouse.edge.door.LockOutput;
import dev.gatehouse.edge.door.LockType;
import dev.gatehouse.edge.testing.MutableClock;
import dev.gatehouse.sim.gpio.RelayHistory.Transition;
import dev.gatehouse.sim.gpio.SimulatedGpio;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/** The production Pi4J adapters on the simulated GPIO header: given a context and a pin, as on a Pi. */
class Pi4jAdaptersTest {
    private static final Instant START = Instant.parse("2026-03-02T09:00:00Z");

    private final MutableClock clock = new MutableClock(START);
    private final SimulatedGpio gpio = SimulatedGpio.create(clock);
    private final Context context = gpio.context();

    @AfterEach
    void closeBoard() {
        gpio.close();
    }

    @Nested
    class RelayOutput {
        @ParameterizedTest(name = "{0}, active-low board: {1}")
        @CsvSource({"FAIL_SAFE, false", "FAIL_SAFE, true", "FAIL_SECURE, false", "FAIL_SECURE, true"})
        void relayIsCreatedAtTheLockedLevelSoTheDoorNeverBlipsOpenAtStartup(LockType type, boolean activeLow) {
            // Between creating the output and starting the controller the door must already be locked.
            gpio.wireRelay(17, activeLow);
            Pi4jRelay relay = Pi4jRelay.create(context, 17, new LockOutput(type, activeLow));

            boolean energised = type == LockType.FAIL_SAFE;
            assertThat(relay.energised()).isEqualTo(energised);
            assertThat(gpio.relay(17).energised()).isEqualTo(energised);
            assertThat(gpio.relay(17).pinHigh()).contains(energised != activeLow);
            assertThat(gpio.relay(17).transitions())
                    .isEqualTo(energised ? List.of(new Transition(START, true)) : List.of());
        }

        @ParameterizedTest(name = "active-low board: {0}")
        @ValueSource(booleans = {false, true})
        void settingTheRelayDrivesTheCoilThroughTheBoardsPolarity(boolean activeLow) {
            gpio.wireRelay(17, activeLow);
            Pi4jRelay relay = Pi4jRelay.create(context, 17, new LockOutput(LockType.FAIL_SECURE, activeLow));

            relay.set(true);

            assertThat(relay.energised()).isTrue();
            assertThat(gpio.relay(17).energised()).isTrue();
            assertThat(gpio.relay(17).pinHigh()).contains(!activeLow);
            relay.set(false);
            assertThat(gpio.relay(17).energised()).isFalse();
        }

        @ParameterizedTest(name = "{0}, active-low board: {1}")
        @CsvSource({"FAIL_SAFE, false", "FAIL_SAFE, true", "FAIL_SECURE, false", "FAIL_SECURE, true"})
        void cleanPi4jShutdownLeavesTheDoorLocked(LockType type, boolean activeLow) {
            // As filed, the shutdown level was LOW on every board: an active-low board then held a
            // strike unlocked after every stop, and an active-high one let every maglock go.
            gpio.wireRelay(17, activeLow);
            Pi4jRelay relay = Pi4jRelay.create(context, 17, new LockOutput(type, activeLow));
            relay.set(!type.energisedWhenLocked()); // mid-grant: unlocked

            gpio.close();

            assertThat(gpio.relay(17).energised()).isEqualTo(type.energisedWhenLocked());
        }

        @Test
        void secondRelayOnTheSamePinIsRefused() {
            Pi4jRelay.create(context, 17, new LockOutput(LockType.FAIL_SECURE, false));

            assertThatThrownBy(() -> Pi4jRelay.create(context, 17, new LockOutput(LockType.FAIL_SAFE, false)))
                    .isInstanceOfSatisfying(
                            DoorException.class, e -> assertThat(e.error()).isEqualTo(DoorError.PIN_IN_USE));
        }

        @Test
        void pinUsedTwiceIsReportedWithWhatToFix() {
            // Two doors configured on one relay pin would open each other.
            Pi4jRelay.create(context, 17, new LockOutput(LockType.FAIL_SECURE, false));

            assertThatThrownBy(() -> Pi4jBinaryInput.create(context, 17, InputWiring.contactToGround()))
                    .isInstanceOfSatisfying(DoorException.class, e -> {
                        assertThat(e.error()).isEqualTo(DoorError.PIN_IN_USE);
                        assertThat(e.getMessage()).contains("BCM 17").contains("door configuration");
                    });
        }
    }

    @Nested
    class Inputs {
        @ParameterizedTest(name = "{0} to {1}")
        @CsvSource({
            "NORMALLY_CLOSED, GROUND",
            "NORMALLY_CLOSED, SUPPLY",
            "NORMALLY_OPEN, GROUND",
            "NORMALLY_OPEN, SUPPLY"
        })
        void everyWiringReadsTheDoorAsItIs(InputWiring.Circuit circuit, InputWiring.Rail rail) {
            // The board reads the pin from the switch and the pull the adapter asks for: a wrong pull or
            // polarity would read a door that never changes, or one read inverted.
            gpio.wireSwitch(
                    5,
                    new SimulatedGpio.SwitchWiring(
                            circuit == InputWiring.Circuit.NORMALLY_CLOSED,
                            rail == InputWiring.Rail.GROUND ? SimulatedGpio.Rail.GROUND : SimulatedGpio.Rail.SUPPLY));
            Pi4jBinaryInput contact = Pi4jBinaryInput.create(context, 5, InputWiring.of(circuit, rail));
            assertThat(contact.active()).isFalse();
            List<Boolean> changes = new CopyOnWriteArrayList<>();
            contact.onChange(changes::add);

            gpio.openDoor(5);
            assertThat(contact.active()).isTrue();
            gpio.closeDoor(5);

            assertThat(contact.active()).isFalse();
            assertThat(changes).containsExactly(true, false);
        }

        @Test
        void aCutWireOnTheUsualContactReadsAsAnOpenDoor() {
            // Normally closed to ground with the pull-up: the wiring the README recommends, because a cut
            // or unplugged cable can then never hide a door standing open.
            gpio.wireSwitch(5, new SimulatedGpio.SwitchWiring(true, SimulatedGpio.Rail.GROUND));
            Pi4jBinaryInput contact = Pi4jBinaryInput.create(context, 5, InputWiring.contactToGround());
            assertThat(contact.active()).isFalse();
            assertThat(gpio.inputHigh(5)).isFalse();

            gpio.cutWire(5);

            assertThat(gpio.inputHigh(5)).isTrue();
            assertThat(contact.active()).isTrue();
        }

        @Test
        void theWrongPullLeavesTheSimulatedPinStuckAsOnCopper() {
            // The fault as filed: a contact wired to 3.3 V read with a pull-up never changes. The simulator
            // must show it, or no test could catch a wrong pull.
            gpio.wireSwitch(5, new SimulatedGpio.SwitchWiring(true, SimulatedGpio.Rail.SUPPLY));
            Pi4jBinaryInput wrong = Pi4jBinaryInput.create(
                    context,
                    5,
                    new InputWiring(
                            InputWiring.Circuit.NORMALLY_CLOSED,
                            InputWiring.Rail.GROUND,
                            InputWiring.Pull.UP,
                            InputWiring.DEFAULT_DEBOUNCE));
            boolean before = gpio.inputHigh(5);

            gpio.openDoor(5);

            assertThat(gpio.inputHigh(5)).isEqualTo(before).isTrue();
            assertThat(wrong.active()).isTrue(); // "open" whatever the door does
        }

        @Test
        void doorAlreadyOpenWhenTheInputIsCreatedReadsOpen() {
            gpio.wireSwitch(5, new SimulatedGpio.SwitchWiring(true, SimulatedGpio.Rail.GROUND));
            gpio.openDoor(5);

            assertThat(Pi4jBinaryInput.create(context, 5, InputWiring.contactToGround())
                            .active())
                    .isTrue();
        }
    }
}
