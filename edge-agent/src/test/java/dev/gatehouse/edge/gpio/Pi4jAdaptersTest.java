package dev.gatehouse.edge.gpio;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.pi4j.context.Context;
import com.pi4j.io.gpio.digital.PullResistance;
import dev.gatehouse.edge.door.DoorError;
import dev.gatehouse.edge.door.DoorException;
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
import org.junit.jupiter.params.provider.EnumSource;

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
        @ParameterizedTest
        @EnumSource(LockType.class)
        void relayIsCreatedAtTheLockedLevelSoTheDoorNeverBlipsOpenAtStartup(LockType type) {
            // Between creating the output and starting the controller the door must already be locked.
            Pi4jRelay relay = Pi4jRelay.create(context, 17, type);

            boolean locked = type == LockType.FAIL_SAFE;
            assertThat(relay.energised()).isEqualTo(locked);
            assertThat(gpio.relay(17).transitions())
                    .isEqualTo(locked ? List.of(new Transition(START, true)) : List.of());
        }

        @Test
        void settingTheRelayDrivesThePin() {
            Pi4jRelay relay = Pi4jRelay.create(context, 17, LockType.FAIL_SECURE);

            relay.set(true);

            assertThat(relay.energised()).isTrue();
            assertThat(gpio.relay(17).energised()).isTrue();
        }

        @Test
        void cleanPi4jShutdownLeavesTheCoilDeEnergised() {
            // Matches DoorController.close(): an orderly exit leaves every lock at its unpowered level.
            Pi4jRelay.create(context, 17, LockType.FAIL_SAFE);

            gpio.close();

            assertThat(gpio.relay(17).energised()).isFalse();
        }

        @Test
        void secondRelayOnTheSamePinIsRefused() {
            Pi4jRelay.create(context, 17, LockType.FAIL_SECURE);

            assertThatThrownBy(() -> Pi4jRelay.create(context, 17, LockType.FAIL_SAFE))
                    .isInstanceOfSatisfying(
                            DoorException.class, e -> assertThat(e.error()).isEqualTo(DoorError.PIN_IN_USE));
        }

        @Test
        void pinUsedTwiceIsReportedWithWhatToFix() {
            // Two doors configured on one relay pin would open each other.
            Pi4jRelay.create(context, 17, LockType.FAIL_SECURE);

            assertThatThrownBy(() -> Pi4jBinaryInput.create(context, 17, false))
                    .isInstanceOfSatisfying(DoorException.class, e -> {
                        assertThat(e.error()).isEqualTo(DoorError.PIN_IN_USE);
                        assertThat(e.getMessage()).contains("BCM 17").contains("door configuration");
                    });
        }
    }

    @Nested
    class Inputs {
        @Test
        void activeHighInputIsActiveWhenThePinIsHigh() {
            Pi4jBinaryInput contact = Pi4jBinaryInput.create(context, 5, false);
            List<Boolean> changes = new CopyOnWriteArrayList<>();
            contact.onChange(changes::add);

            gpio.openDoor(5);
            assertThat(contact.active()).isTrue();
            gpio.closeDoor(5);

            assertThat(contact.active()).isFalse();
            assertThat(changes).containsExactly(true, false);
        }

        @Test
        void activeLowInputInvertsThePinForListenersAndReads() {
            // The invert option: a LOW pin is an open door, and listeners get "active", not the level.
            gpio.wireActiveLow(5);
            Pi4jBinaryInput contact = Pi4jBinaryInput.create(context, 5, true, PullResistance.PULL_UP);
            assertThat(contact.active()).isFalse();
            List<Boolean> changes = new CopyOnWriteArrayList<>();
            contact.onChange(changes::add);

            gpio.openDoor(5);

            assertThat(gpio.inputHigh(5)).isFalse();
            assertThat(contact.active()).isTrue();
            assertThat(changes).containsExactly(true);
        }

        @Test
        void doorAlreadyOpenWhenTheInputIsCreatedReadsOpen() {
            gpio.openDoor(5);

            assertThat(Pi4jBinaryInput.create(context, 5, false).active()).isTrue();
        }
    }
}
