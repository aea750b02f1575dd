package dev.gatehouse.sim.gpio;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.pi4j.context.Context;
import com.pi4j.io.gpio.digital.DigitalInput;
import com.pi4j.io.gpio.digital.DigitalOutput;
import com.pi4j.io.gpio.digital.DigitalState;
import com.pi4j.io.gpio.digital.PullResistance;
import dev.gatehouse.sim.gpio.RelayHistory.Transition;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The simulated GPIO header, driven through plain Pi4J the way the agent's adapters use it: they
 * get the context and a pin number, create their own I/O, and must see what real hardware would
 * show them.
 */
class SimulatedGpioTest {
    private static final Instant START = Instant.parse("2026-03-02T09:00:00Z");

    private final SteppingClock clock = new SteppingClock(START);
    private final SimulatedGpio gpio = SimulatedGpio.create(clock);

    @AfterEach
    void closeBoard() {
        gpio.close();
    }

    @Nested
    class Relays {
        @Test
        void everyEdgeOnAnOutputIsRecordedWithTheClocksTime() {
            // The door tests judge the unlock pulse by these instants, so they must be the clock's.
            DigitalOutput relay = output(gpio.context(), 17, DigitalState.LOW);
            relay.high();
            clock.advance(Duration.ofSeconds(5));
            relay.low();

            assertThat(gpio.relay(17).transitions())
                    .containsExactly(
                            new Transition(START, true), new Transition(START.plus(Duration.ofSeconds(5)), false));
            assertThat(gpio.relay(17).energised()).isFalse();
        }

        @Test
        void writingTheLevelAPinAlreadyHasIsNoTransition() {
            // A scope on the pin would show one edge, so the history shows one.
            DigitalOutput relay = output(gpio.context(), 17, DigitalState.LOW);
            relay.high();
            relay.high();

            assertThat(gpio.relay(17).transitions()).hasSize(1);
        }

        @Test
        void anOutputCreatedEnergisedIsRecordedAtCreation() {
            // A fail-safe lock's relay is created at its locked (energised) level: that edge counts.
            output(gpio.context(), 18, DigitalState.HIGH);

            assertThat(gpio.relay(18).transitions()).containsExactly(new Transition(START, true));
        }

        @Test
        void anActiveLowBoardEnergisesItsCoilOnLow() {
            // Most optocoupled relay boards: the coil is on while the pin is LOW.
            gpio.wireRelay(17, true);
            DigitalOutput relay = output(gpio.context(), 17, DigitalState.HIGH);
            assertThat(gpio.relay(17).energised()).isFalse();
            assertThat(gpio.relay(17).transitions()).isEmpty();

            relay.low();

            assertThat(gpio.relay(17).energised()).isTrue();
            assertThat(gpio.relay(17).pinHigh()).contains(false);
            assertThat(gpio.relay(17).transitions()).containsExactly(new Transition(START, true));
        }

        @Test
        void anActiveLowBoardCreatedLowIsEnergisedAtOnce() {
            // The fault as filed: a strike's relay created LOW ("locked") on such a board is unlocked.
            gpio.wireRelay(17, true);
            output(gpio.context(), 17, DigitalState.LOW);

            assertThat(gpio.relay(17).energised()).isTrue();
        }

        @Test
        void aCleanShutdownDrivesEachOutputToItsShutdownLevel() {
            // What Pi4J does on an orderly exit is part of the door's safe state, so it is recorded.
            output(gpio.context(), 17, DigitalState.HIGH);
            clock.advance(Duration.ofSeconds(1));

            gpio.close();

            assertThat(gpio.relay(17).transitions())
                    .containsExactly(
                            new Transition(START, true), new Transition(START.plus(Duration.ofSeconds(1)), false));
        }
    }

    @Nested
    class Inputs {
        @Test
        void openingTheDoorFiresTheInputsPi4jListener() {
            // The adapters react to listener events, not to polling: the board must fire them.
            DigitalInput contact = input(gpio.context(), 5);
            List<DigitalState> seen = new CopyOnWriteArrayList<>();
            contact.addListener(event -> seen.add(event.state()));

            gpio.openDoor(5);
            gpio.closeDoor(5);

            assertThat(seen).containsExactly(DigitalState.HIGH, DigitalState.LOW);
            assertThat(contact.state()).isEqualTo(DigitalState.LOW);
        }

        @Test
        void pressingAndReleasingRexDrivesItsPin() {
            DigitalInput rex = input(gpio.context(), 6);

            gpio.pressRex(6);
            assertThat(rex.state()).isEqualTo(DigitalState.HIGH);
            gpio.releaseRex(6);
            assertThat(rex.state()).isEqualTo(DigitalState.LOW);
        }

        @ParameterizedTest(name = "normally closed {0}, to {1}, pull {2}: shut {3}, open {4}")
        @CsvSource({
            // the usual contact: NC to ground with the pull-up
            "true , GROUND, PULL_UP  , LOW , HIGH",
            // NC to 3.3 V with the pull-down
            "true , SUPPLY, PULL_DOWN, HIGH, LOW",
            // a normally-open switch to ground (a button) with the pull-up
            "false, GROUND, PULL_UP  , HIGH, LOW",
            "false, SUPPLY, PULL_DOWN, LOW , HIGH",
            // pulled toward its own rail the pin never changes: what a wrong pull looks like on copper
            "true , SUPPLY, PULL_UP  , HIGH, HIGH",
            "true , GROUND, PULL_DOWN, LOW , LOW",
            // no pull: an open switch leaves the pin floating, which this board reads LOW
            "false, SUPPLY, OFF      , LOW , HIGH",
        })
        void aSwitchReadsItsRailWhileItConductsAndThePullOtherwise(
                boolean normallyClosed,
                SimulatedGpio.Rail rail,
                PullResistance pull,
                DigitalState shut,
                DigitalState open) {
            gpio.wireSwitch(5, new SimulatedGpio.SwitchWiring(normallyClosed, rail));
            DigitalInput contact = input(gpio.context(), 5, pull);
            assertThat(contact.state()).isEqualTo(shut);

            gpio.openDoor(5);

            assertThat(contact.state()).isEqualTo(open);
            assertThat(gpio.inputHigh(5)).isEqualTo(open == DigitalState.HIGH);
            gpio.closeDoor(5);
            assertThat(contact.state()).isEqualTo(shut);
        }

        @Test
        void aCutWireNeverConductsAgain() {
            gpio.wireSwitch(5, new SimulatedGpio.SwitchWiring(true, SimulatedGpio.Rail.GROUND));
            DigitalInput contact = input(gpio.context(), 5, PullResistance.PULL_UP);
            assertThat(contact.state()).isEqualTo(DigitalState.LOW);

            gpio.cutWire(5);

            assertThat(contact.state()).isEqualTo(DigitalState.HIGH);
            gpio.closeDoor(5);
            assertThat(contact.state()).isEqualTo(DigitalState.HIGH);
        }

        @Test
        void aSwitchIsNotDrivenAsARawSignal() {
            gpio.wireSwitch(5, new SimulatedGpio.SwitchWiring(true, SimulatedGpio.Rail.GROUND));

            assertThatThrownBy(() -> gpio.drive(5, true))
                    .isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("wired as a switch");
        }

        @Test
        void anInputCreatedLaterStartsAtThePinsLevel() {
            // A door left open while the agent was down is still open when the agent starts.
            gpio.openDoor(5);

            assertThat(input(gpio.context(), 5).state()).isEqualTo(DigitalState.HIGH);
        }

        @Test
        void pinsThatThePiDoesNotHaveAreRefused() {
            assertThatThrownBy(() -> gpio.openDoor(40))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("BCM pin 40");
        }
    }

    @Nested
    class RestartAfterKill {
        @Test
        void theRelayKeepsItsLevelUntilTheRestartedAgentDrivesIt() {
            // SIGKILL runs no shutdown code: whatever the coil had, it keeps.
            output(gpio.context(), 17, DigitalState.LOW).high();

            Context restarted = gpio.restartAfterKill();

            assertThat(gpio.relay(17).energised()).isTrue();
            clock.advance(Duration.ofSeconds(2));
            output(restarted, 17, DigitalState.LOW);
            assertThat(gpio.relay(17).transitions())
                    .containsExactly(
                            new Transition(START, true), new Transition(START.plus(Duration.ofSeconds(2)), false));
        }

        @Test
        void aKilledProcessNoLongerReachesThePins() {
            // Timers of the dead agent may still fire in the test JVM; on a Pi they would not exist.
            DigitalOutput old = output(gpio.context(), 17, DigitalState.LOW);
            DigitalInput oldContact = input(gpio.context(), 5);
            List<DigitalState> oldSeen = new CopyOnWriteArrayList<>();
            oldContact.addListener(event -> oldSeen.add(event.state()));

            Context restarted = gpio.restartAfterKill();
            old.high();
            DigitalInput contact = input(restarted, 5);
            gpio.openDoor(5);

            assertThat(gpio.relay(17).transitions()).isEmpty();
            assertThat(oldSeen).isEmpty();
            assertThat(contact.state()).isEqualTo(DigitalState.HIGH);
            assertThat(gpio.context()).isSameAs(restarted);
        }
    }

    private static DigitalOutput output(Context context, int pin, DigitalState initial) {
        return context.create(DigitalOutput.newConfigBuilder(context)
                .id("out-" + pin)
                .address(pin)
                .initial(initial)
                .shutdown(DigitalState.LOW));
    }

    private static DigitalInput input(Context context, int pin) {
        return context.create(
                DigitalInput.newConfigBuilder(context).id("in-" + pin).address(pin));
    }

    private static DigitalInput input(Context context, int pin, PullResistance pull) {
        return context.create(DigitalInput.newConfigBuilder(context)
                .id("in-" + pin)
                .address(pin)
                .pull(pull));
    }

    /** A clock the test moves by hand. */
    private static final class SteppingClock extends Clock {
        private volatile Instant now;

        SteppingClock(Instant start) {
            this.now = start;
        }

        void advance(Duration step) {
            now = now.plus(step);
        }

        @Override
        public Instant instant() {
            return now;
        }

        @Override
        public ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(ZoneId zone) {
            throw new UnsupportedOperationException("UTC only");
        }
    }
}
