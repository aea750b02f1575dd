package dev.gatehouse.edge.door;

import static dev.gatehouse.protocol.message.DoorEventKind.FORCED_OPEN;
import static dev.gatehouse.protocol.message.DoorEventKind.HELD_OPEN;
import static dev.gatehouse.protocol.message.DoorEventKind.RESTORED;
import static dev.gatehouse.protocol.message.DoorEventKind.REX;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.pi4j.context.Context;
import dev.gatehouse.edge.gpio.Pi4jBinaryInput;
import dev.gatehouse.edge.gpio.Pi4jRelay;
import dev.gatehouse.edge.testing.ManualScheduler;
import dev.gatehouse.edge.testing.MutableClock;
import dev.gatehouse.protocol.message.DoorEventKind;
import dev.gatehouse.protocol.model.DoorId;
import dev.gatehouse.protocol.model.TimeWindow;
import dev.gatehouse.protocol.policy.DoorMode;
import dev.gatehouse.sim.gpio.RelayHistory.Transition;
import dev.gatehouse.sim.gpio.SimulatedGpio;
import java.time.Clock;
import java.time.DayOfWeek;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * One door on the simulated GPIO header, driven through the production Pi4J adapters, with a
 * deterministic queue and clock: time moves only when a test moves it, and the relay history
 * shows exactly what the coil did and when.
 */
class DoorControllerTest {
    private static final ZoneId BERLIN = ZoneId.of("Europe/Berlin");
    private static final DoorId DOOR = DoorId.of("main-entrance");
    private static final int RELAY_PIN = 17;
    private static final int CONTACT_PIN = 5;
    private static final int REX_PIN = 6;
    private static final Duration PULSE = Duration.ofSeconds(5);
    private static final Duration HELD_OPEN_AFTER = Duration.ofSeconds(30);
    /** Monday 2 March 2026, 10:00 in Berlin. */
    private static final Instant MONDAY_MORNING = Instant.parse("2026-03-02T09:00:00Z");

    private static final DoorMode LOCKDOWN = new DoorMode.Lockdown(Set.of("security"));

    private final MutableClock clock = new MutableClock(MONDAY_MORNING);
    private final ManualScheduler queue = new ManualScheduler(clock);
    private final SimulatedGpio gpio = SimulatedGpio.create(clock);

    {
        // The usual copper: a normally-closed contact and a normally-open button, both to ground.
        gpio.wireSwitch(CONTACT_PIN, new SimulatedGpio.SwitchWiring(true, SimulatedGpio.Rail.GROUND));
        gpio.wireSwitch(REX_PIN, new SimulatedGpio.SwitchWiring(false, SimulatedGpio.Rail.GROUND));
    }

    private final RecordingDoorEvents events = new RecordingDoorEvents(clock);
    private final List<DoorController> started = new ArrayList<>();
    private LockType lockType = LockType.FAIL_SECURE;

    @AfterEach
    void shutDown() {
        started.forEach(DoorController::close);
        gpio.close();
        // A door task that threw would otherwise only show up as a log line.
        assertThat(queue.failures()).isEmpty();
    }

    @Nested
    class Start {
        @ParameterizedTest
        @EnumSource(LockType.class)
        void startLocksTheDoorAtTheLockTypesLockedLevel(LockType type) {
            // A maglock holds when powered, a strike when not: the same "locked" is two relay levels.
            DoorController door = start(type);

            assertThat(gpio.relay(RELAY_PIN).energised()).isEqualTo(type == LockType.FAIL_SAFE);
            assertThat(door.state()).isEqualTo(DoorState.LOCKED);
            assertThat(door.mode()).isEqualTo(DoorMode.NORMAL);
        }

        @Test
        void doorPersistedInLockdownStartsInLockdownEvenInsideAnUnlockWindow() {
            // Lockdown survives a restart; the office-hours window must not open the door meanwhile.
            clock.set(berlin("2026-03-02T10:00"));
            DoorController door = start(
                    settings(LockType.FAIL_SECURE, List.of(TimeWindow.of(DayOfWeek.MONDAY, "08:00", "18:00")), true),
                    LOCKDOWN);

            assertThat(door.state()).isEqualTo(DoorState.LOCKDOWN);
            assertThat(unlocked()).isFalse();
            assertThat(gpio.relay(RELAY_PIN).transitions()).isEmpty();
        }

        @Test
        void badUnlockTimeIsRefusedBeforeItReachesTheDoor() {
            DoorController door = start(LockType.FAIL_SECURE);

            assertThatThrownBy(() -> door.grant(Duration.ZERO))
                    .isInstanceOfSatisfying(
                            DoorException.class, e -> assertThat(e.error()).isEqualTo(DoorError.BAD_ARGUMENT));
        }

        @Test
        void settingsNameTheDoorWhenAValueIsOutOfRange() {
            // The config loader passes this message on; the technician must know which door to fix.
            assertThatThrownBy(() -> new DoorSettings(
                            DOOR, LockType.FAIL_SAFE, Duration.ZERO, HELD_OPEN_AFTER, List.of(), BERLIN, true))
                    .isInstanceOf(DoorException.class)
                    .hasMessageContaining("main-entrance")
                    .hasMessageContaining("unlock pulse");
        }
    }

    @Nested
    class Grants {
        @ParameterizedTest
        @EnumSource(LockType.class)
        void grantUnlocksForExactlyThePulseThenRelocks(LockType type) {
            // The member gets the configured five seconds, not a tick more or less, with either lock.
            start(type);
            clock.advance(Duration.ofSeconds(1));
            Instant granted = clock.instant();

            CompletableFuture<Void> applied = door().grant(PULSE);
            assertThat(applied).isCompleted();
            assertThat(door().state()).isEqualTo(DoorState.UNLOCKED_PULSE);
            queue.advanceBy(Duration.ofMinutes(1));

            assertThat(transitionsSince(granted))
                    .containsExactly(
                            new Transition(granted, unlockedLevel(type)),
                            new Transition(granted.plus(PULSE), lockedLevel(type)));
            assertThat(door().state()).isEqualTo(DoorState.LOCKED);
        }

        @Test
        void grantDuringAnUnlockExtendsItInsteadOfRelockingEarly() {
            // Two members tapping in a row: the second must not be locked out by the first's relock.
            start(LockType.FAIL_SECURE);
            Instant first = clock.instant();
            door().grant(PULSE);
            queue.advanceBy(Duration.ofSeconds(3));
            door().grant(PULSE);
            queue.advanceBy(Duration.ofMinutes(1));

            assertThat(gpio.relay(RELAY_PIN).transitions())
                    .containsExactly(
                            new Transition(first, true),
                            new Transition(first.plusSeconds(3).plus(PULSE), false));
        }

        @Test
        void shortGrantDoesNotCutALongerRemoteUnlockShort() {
            // A tap during a 60 s remote buzz-in must not relock after 5 s.
            start(LockType.FAIL_SECURE);
            Instant first = clock.instant();
            door().unlockOnce(Duration.ofSeconds(60));
            queue.advanceBy(Duration.ofSeconds(10));
            door().grant(PULSE);
            queue.advanceBy(Duration.ofMinutes(2));

            assertThat(gpio.relay(RELAY_PIN).transitions())
                    .containsExactly(new Transition(first, true), new Transition(first.plusSeconds(60), false));
        }

        @Test
        void grantGivenInsideADecisionOnTheQueueTakesEffectInsideThatTask() {
            // Decide and unlock must be one step: a lockdown queued meanwhile must not run in between.
            start(LockType.FAIL_SECURE);
            List<String> order = new ArrayList<>();

            CompletableFuture<Boolean> decided = door().onQueue(() -> {
                // A lockdown command arrives from the network while the decision runs.
                queue.execute(() -> door().setMode(LOCKDOWN).thenRun(() -> order.add("lockdown")));
                boolean normal = door().mode().equals(DoorMode.NORMAL);
                door().grant(PULSE).thenRun(() -> order.add("grant"));
                return normal && gpio.relay(RELAY_PIN).energised();
            });

            assertThat(decided).isCompletedWithValue(true);
            assertThat(order).containsExactly("grant", "lockdown");
            assertThat(door().state()).isEqualTo(DoorState.LOCKDOWN);
        }
    }

    @Nested
    class DoorContact {
        @Test
        void doorOpenedAndClosedDuringAGrantRaisesNothing() {
            start(LockType.FAIL_SECURE);
            door().grant(PULSE);
            queue.advanceBy(Duration.ofSeconds(1));
            gpio.openDoor(CONTACT_PIN);
            queue.advanceBy(Duration.ofSeconds(3));
            gpio.closeDoor(CONTACT_PIN);
            queue.advanceBy(Duration.ofMinutes(5));

            assertThat(events.all()).isEmpty();
            assertThat(door().state()).isEqualTo(DoorState.LOCKED);
        }

        @Test
        void doorStillOpenAtTheThresholdAfterTheUnlockRaisesHeldOpenOnceAndRestoredOnClose() {
            // Propped doors are the most common real alarm; one report, then one when it is fixed.
            start(LockType.FAIL_SECURE);
            Instant granted = clock.instant();
            door().grant(PULSE);
            queue.advanceBy(Duration.ofSeconds(2));
            gpio.openDoor(CONTACT_PIN);

            queue.advanceTo(granted.plus(HELD_OPEN_AFTER).minusMillis(1));
            assertThat(events.all()).isEmpty();
            queue.advanceBy(Duration.ofMillis(1));
            assertThat(events.all()).singleElement().satisfies(event -> {
                assertThat(event.kind()).isEqualTo(HELD_OPEN);
                assertThat(event.at()).isEqualTo(granted.plus(HELD_OPEN_AFTER));
                assertThat(event.door()).isEqualTo(DOOR);
                assertThat(event.detail()).contains("30 s");
            });
            assertThat(door().state()).isEqualTo(DoorState.HELD_OPEN_ALARM);

            queue.advanceBy(Duration.ofMinutes(10));
            gpio.closeDoor(CONTACT_PIN);

            assertThat(events.kinds()).containsExactly(HELD_OPEN, RESTORED);
            assertThat(door().state()).isEqualTo(DoorState.LOCKED);
        }

        @Test
        void doorClosedBeforeTheThresholdRaisesNoHeldOpen() {
            start(LockType.FAIL_SECURE);
            door().grant(PULSE);
            gpio.openDoor(CONTACT_PIN);
            queue.advanceBy(HELD_OPEN_AFTER.minusSeconds(1));
            gpio.closeDoor(CONTACT_PIN);
            queue.advanceBy(Duration.ofMinutes(5));

            assertThat(events.all()).isEmpty();
        }

        @Test
        void doorOpenedWhileLockedRaisesForcedOpenAndRestoredOnClose() {
            // No grant, no REX, no release: someone pulled the door through the lock.
            start(LockType.FAIL_SAFE);
            queue.advanceBy(Duration.ofSeconds(1));
            Instant forced = clock.instant();

            gpio.openDoor(CONTACT_PIN);
            assertThat(door().state()).isEqualTo(DoorState.FORCED_OPEN_ALARM);
            queue.advanceBy(Duration.ofMinutes(5));
            gpio.closeDoor(CONTACT_PIN);

            assertThat(events.kinds()).containsExactly(FORCED_OPEN, RESTORED);
            assertThat(events.all().get(0).at()).isEqualTo(forced);
            assertThat(door().state()).isEqualTo(DoorState.LOCKED);
        }

        @Test
        void doorOpenedTheMomentThePulseEndsIsForced() {
            // After the relock the lock holds again: an opening then went through a locked door.
            start(LockType.FAIL_SECURE);
            door().grant(PULSE);
            queue.advanceBy(PULSE);

            gpio.openDoor(CONTACT_PIN);

            assertThat(events.kinds()).containsExactly(FORCED_OPEN);
        }

        @Test
        void doorOpenedAfterRexIsAnExitNotAForcedEntry() {
            start(LockType.FAIL_SECURE);
            gpio.pressRex(REX_PIN);
            gpio.releaseRex(REX_PIN);
            queue.advanceBy(Duration.ofSeconds(1));
            gpio.openDoor(CONTACT_PIN);
            gpio.closeDoor(CONTACT_PIN);

            assertThat(events.kinds()).containsExactly(REX);
        }

        @Test
        void doorAlreadyOpenAtStartIsNotCalledForcedButMustCloseWithinTheThreshold() {
            // Nobody saw it open (the agent was down): no forced-open, but it must not stay open either.
            gpio.openDoor(CONTACT_PIN);
            start(LockType.FAIL_SECURE);

            queue.advanceBy(HELD_OPEN_AFTER);

            assertThat(events.kinds()).containsExactly(HELD_OPEN);
        }

        @Test
        void theUsualNormallyClosedContactToGroundIsReadTheRightWayRound() {
            // As filed, the agent read a normally-closed contact as active-low with a pull-up: wired to
            // ground the door read open while shut, and the opening went unreported.
            start(LockType.FAIL_SECURE);
            assertThat(gpio.inputHigh(CONTACT_PIN)).isFalse();
            assertThat(door().state()).isEqualTo(DoorState.LOCKED);

            gpio.openDoor(CONTACT_PIN);

            assertThat(gpio.inputHigh(CONTACT_PIN)).isTrue();
            assertThat(events.kinds()).containsExactly(FORCED_OPEN);
        }
    }

    @Nested
    class RequestToExit {
        @ParameterizedTest
        @EnumSource(LockType.class)
        void rexUnlocksForThePulseAndIsReported(LockType type) {
            start(type);
            queue.advanceBy(Duration.ofSeconds(1));
            Instant pressed = clock.instant();

            gpio.pressRex(REX_PIN);
            queue.advanceBy(Duration.ofSeconds(1));
            gpio.releaseRex(REX_PIN);
            queue.advanceBy(Duration.ofMinutes(1));

            assertThat(transitionsSince(pressed))
                    .containsExactly(
                            new Transition(pressed, unlockedLevel(type)),
                            new Transition(pressed.plus(PULSE), lockedLevel(type)));
            assertThat(events.all()).singleElement().satisfies(event -> {
                assertThat(event.kind()).isEqualTo(REX);
                assertThat(event.at()).isEqualTo(pressed);
            });
        }

        @Test
        void rexThatDoesNotUnlockStillExcusesTheNextOpeningWithinThePulse() {
            // Doors with a mechanical exit handle: REX only tells the controller it is an exit.
            start(settings(LockType.FAIL_SECURE, List.of(), false), DoorMode.NORMAL);

            gpio.pressRex(REX_PIN);
            queue.advanceBy(Duration.ofSeconds(2));
            gpio.openDoor(CONTACT_PIN);
            gpio.closeDoor(CONTACT_PIN);
            queue.advanceBy(PULSE);
            gpio.openDoor(CONTACT_PIN);

            assertThat(gpio.relay(RELAY_PIN).transitions()).isEmpty();
            assertThat(events.kinds()).containsExactly(REX, FORCED_OPEN);
        }
    }

    @Nested
    class Lockdown {
        @Test
        void lockdownRefusesARemoteUnlockAndKeepsTheDoorLocked() {
            // A buzz-in from the dashboard must not open a door that is locked down.
            start(LockType.FAIL_SECURE);
            door().setMode(LOCKDOWN);

            CompletableFuture<Void> unlock = door().unlockOnce(PULSE);

            assertThat(unlock).isCompletedExceptionally();
            assertThatThrownBy(unlock::join)
                    .isInstanceOf(CompletionException.class)
                    .cause()
                    .isInstanceOfSatisfying(
                            DoorException.class, e -> assertThat(e.error()).isEqualTo(DoorError.LOCKDOWN_ACTIVE));
            assertThat(unlocked()).isFalse();
            assertThat(door().state()).isEqualTo(DoorState.LOCKDOWN);
        }

        @Test
        void responderGrantStillOpensDuringLockdown() {
            // During a lockdown the policy engine grants only responders (LOCKDOWN_RESPONDER);
            // ignoring that grant here would lock security staff out while the log says "granted".
            start(LockType.FAIL_SECURE);
            door().setMode(LOCKDOWN);
            Instant granted = clock.instant();

            door().grant(PULSE);
            assertThat(door().state()).isEqualTo(DoorState.UNLOCKED_PULSE);
            queue.advanceBy(Duration.ofMinutes(1));

            assertThat(gpio.relay(RELAY_PIN).transitions())
                    .containsExactly(new Transition(granted, true), new Transition(granted.plus(PULSE), false));
            assertThat(door().state()).isEqualTo(DoorState.LOCKDOWN);
        }

        @Test
        void rexStillLetsPeopleOutDuringLockdown() {
            // Egress must always work: a lockdown keeps intruders out, not occupants in.
            start(LockType.FAIL_SAFE);
            door().setMode(LOCKDOWN);
            queue.advanceBy(Duration.ofSeconds(1));
            Instant pressed = clock.instant();

            gpio.pressRex(REX_PIN);
            gpio.openDoor(CONTACT_PIN);
            gpio.closeDoor(CONTACT_PIN);
            queue.advanceBy(Duration.ofMinutes(1));

            assertThat(transitionsSince(pressed))
                    .containsExactly(new Transition(pressed, false), new Transition(pressed.plus(PULSE), true));
            assertThat(events.all()).singleElement().satisfies(event -> {
                assertThat(event.kind()).isEqualTo(REX);
                assertThat(event.detail()).contains("lockdown");
            });
        }

        @Test
        void lockdownEndsARunningUnlockAtOnce() {
            start(LockType.FAIL_SECURE);
            door().unlockOnce(Duration.ofSeconds(60));
            queue.advanceBy(Duration.ofSeconds(2));

            door().setMode(LOCKDOWN);

            assertThat(unlocked()).isFalse();
            assertThat(gpio.relay(RELAY_PIN).last().orElseThrow().at()).isEqualTo(MONDAY_MORNING.plusSeconds(2));
        }

        @Test
        void doorOpenedDuringLockdownIsForced() {
            start(LockType.FAIL_SECURE);
            door().setMode(LOCKDOWN);

            gpio.openDoor(CONTACT_PIN);

            assertThat(events.kinds()).containsExactly(FORCED_OPEN);
        }
    }

    @Nested
    class EmergencyRelease {
        @ParameterizedTest
        @EnumSource(LockType.class)
        void emergencyReleaseUnlocksAndHoldsUntilReleased(LockType type) {
            // Evacuation: the door stays open however long it takes, and an open door is no alarm.
            start(type);
            queue.advanceBy(Duration.ofSeconds(1));
            door().setMode(DoorMode.EMERGENCY_RELEASE);
            Instant released = clock.instant();

            gpio.openDoor(CONTACT_PIN);
            door().grant(PULSE);
            queue.advanceBy(Duration.ofHours(3));

            assertThat(transitionsSince(released)).containsExactly(new Transition(released, unlockedLevel(type)));
            assertThat(door().state()).isEqualTo(DoorState.EMERGENCY_RELEASED);
            assertThat(events.all()).isEmpty();
        }

        @Test
        void lockdownIsRefusedDuringEmergencyRelease() {
            // Life safety first: a lockdown must not trap people who are evacuating.
            start(LockType.FAIL_SAFE);
            door().setMode(DoorMode.EMERGENCY_RELEASE);

            CompletableFuture<Void> lockdown = door().setMode(LOCKDOWN);

            assertThatThrownBy(lockdown::join).cause().isInstanceOfSatisfying(DoorException.class, e -> {
                assertThat(e.error()).isEqualTo(DoorError.EMERGENCY_RELEASE_ACTIVE);
                assertThat(e.getMessage()).contains("release it before a lockdown");
            });
            assertThat(door().mode()).isEqualTo(DoorMode.EMERGENCY_RELEASE);
            assertThat(unlocked()).isTrue();
        }

        @Test
        void emergencyReleaseDuringLockdownTakesEffectAtOnce() {
            start(LockType.FAIL_SAFE);
            door().setMode(LOCKDOWN);

            door().setMode(DoorMode.EMERGENCY_RELEASE);

            assertThat(unlocked()).isTrue();
            assertThat(door().state()).isEqualTo(DoorState.EMERGENCY_RELEASED);
        }

        @Test
        void releaseReturnsTheDoorToNormalOperation() {
            start(LockType.FAIL_SAFE);
            door().setMode(DoorMode.EMERGENCY_RELEASE);
            queue.advanceBy(Duration.ofMinutes(20));

            door().setMode(DoorMode.NORMAL);

            assertThat(unlocked()).isFalse();
            assertThat(door().state()).isEqualTo(DoorState.LOCKED);
            door().grant(PULSE);
            assertThat(unlocked()).isTrue();
        }

        @Test
        void doorLeftOpenAfterTheReleaseMustCloseWithinTheThreshold() {
            // After an evacuation someone must close the door; the held-open alarm says if nobody did.
            start(LockType.FAIL_SECURE);
            door().setMode(DoorMode.EMERGENCY_RELEASE);
            gpio.openDoor(CONTACT_PIN);
            queue.advanceBy(Duration.ofMinutes(20));
            door().setMode(DoorMode.NORMAL);
            Instant released = clock.instant();

            queue.advanceBy(Duration.ofMinutes(5));

            assertThat(events.all()).singleElement().satisfies(event -> {
                assertThat(event.kind()).isEqualTo(HELD_OPEN);
                assertThat(event.at()).isEqualTo(released.plus(HELD_OPEN_AFTER));
            });
        }
    }

    /**
     * The door is started at 17 seconds past a minute, so the once-a-minute re-check never lands on
     * a window boundary: a transition exactly on the minute proves the boundary was computed.
     */
    @Nested
    class UnlockWindows {
        private final List<TimeWindow> weekdayOfficeHours = List.of(
                TimeWindow.of(DayOfWeek.MONDAY, "08:00", "18:00"), TimeWindow.of(DayOfWeek.TUESDAY, "08:00", "18:00"));

        @Test
        void doorUnlocksAtTheWindowsStartAndLocksAtItsEnd() {
            // Office hours: the front door is open to walk-ins exactly from 08:00 to 18:00.
            clock.set(berlin("2026-03-02T06:30:17"));
            start(settings(LockType.FAIL_SECURE, weekdayOfficeHours, true), DoorMode.NORMAL);
            assertThat(door().state()).isEqualTo(DoorState.LOCKED);

            queue.advanceTo(berlin("2026-03-02T12:00"));
            assertThat(door().state()).isEqualTo(DoorState.UNLOCKED_SCHEDULE);
            queue.advanceTo(berlin("2026-03-03T12:00"));

            assertThat(gpio.relay(RELAY_PIN).transitions())
                    .containsExactly(
                            new Transition(berlin("2026-03-02T08:00"), true),
                            new Transition(berlin("2026-03-02T18:00"), false),
                            new Transition(berlin("2026-03-03T08:00"), true));
        }

        @Test
        void doorStartedInsideAWindowStartsUnlocked() {
            clock.set(berlin("2026-03-02T09:15"));

            start(settings(LockType.FAIL_SAFE, weekdayOfficeHours, true), DoorMode.NORMAL);

            assertThat(door().state()).isEqualTo(DoorState.UNLOCKED_SCHEDULE);
            assertThat(unlocked()).isTrue();
        }

        @Test
        void aDoorClaimedBeforeTheCacheIsReadStaysLockedInItsWindowButLetsPeopleOut() {
            // The agent claims its doors first; until it has read the stored mode (a lockdown?) and
            // knows its clock, office hours must not open the door.
            clock.set(berlin("2026-03-02T09:15"));
            lockType = LockType.FAIL_SAFE;
            Context context = gpio.context();
            DoorController door = track(DoorController.startHeld(
                    settings(LockType.FAIL_SAFE, weekdayOfficeHours, true),
                    Pi4jRelay.create(context, RELAY_PIN, new LockOutput(LockType.FAIL_SAFE, false)),
                    Optional.of(Pi4jBinaryInput.create(context, CONTACT_PIN, InputWiring.contactToGround())),
                    Optional.of(Pi4jBinaryInput.create(context, REX_PIN, InputWiring.buttonToGround())),
                    clock,
                    queue,
                    events));
            assertThat(door.held()).isTrue();
            assertThat(door.state()).isEqualTo(DoorState.LOCKED);
            assertThat(unlocked()).isFalse();
            queue.advanceBy(Duration.ofMinutes(5)); // a window re-check changes nothing while held

            gpio.pressRex(REX_PIN);
            assertThat(unlocked()).isTrue();
            gpio.releaseRex(REX_PIN);
            queue.advanceBy(PULSE.plusSeconds(1));
            assertThat(unlocked()).isFalse();

            door.resume(DoorMode.NORMAL).join();
            assertThat(door.held()).isFalse();
            assertThat(door.state()).isEqualTo(DoorState.UNLOCKED_SCHEDULE);
            assertThat(unlocked()).isTrue();
        }

        @Test
        void anUntrustedClockInsideAWindowKeepsTheDoorLockedUntilTrustReturns() {
            // A Pi without a real-time clock boots after a power cut on the time it saved, inside
            // office hours: as filed, the door unlocked on that time. Now it waits for a trusted clock.
            clock.set(berlin("2026-03-02T09:15"));
            AtomicBoolean trusted = new AtomicBoolean(false);
            DoorController door = startHeldWithoutInputs(LockType.FAIL_SECURE, weekdayOfficeHours);
            door.followClockTrust(trusted::get);
            door.resume(DoorMode.NORMAL).join();

            assertThat(door.state()).isEqualTo(DoorState.LOCKED);
            queue.advanceBy(Duration.ofMinutes(5)); // the minute re-checks keep it locked too
            assertThat(unlocked()).isFalse();

            trusted.set(true);
            door.recheckSchedule().join();
            assertThat(door.state()).isEqualTo(DoorState.UNLOCKED_SCHEDULE);

            trusted.set(false); // trust lost in the window: locked again within the minute
            queue.advanceBy(Duration.ofMinutes(1));
            assertThat(door.state()).isEqualTo(DoorState.LOCKED);
            assertThat(unlocked()).isFalse();
        }

        @Test
        void aFireReleaseOpensAHeldDoorAndALockdownAndEndsWithRestored() {
            clock.set(berlin("2026-03-02T22:00"));
            DoorController door = startHeldWithoutInputs(LockType.FAIL_SAFE, weekdayOfficeHours);

            door.fireRelease("panel", true).join();
            assertThat(unlocked()).isTrue(); // a maglock let go while the agent has not read its cache
            door.resume(new DoorMode.Lockdown(Set.of())).join();
            assertThat(unlocked()).isTrue(); // a lockdown does not hold a door shut during a fire
            door.fireRelease("panel", true).join(); // the same level again changes nothing

            door.fireRelease("panel", false).join();
            assertThat(unlocked()).isFalse();
            assertThat(door.state()).isEqualTo(DoorState.LOCKDOWN);
            assertThat(events.kinds()).containsSubsequence(DoorEventKind.FIRE_RELEASE, DoorEventKind.RESTORED);
            assertThat(events.kinds())
                    .filteredOn(kind -> kind == DoorEventKind.FIRE_RELEASE)
                    .hasSize(1);
        }

        @Test
        void aHeldDoorResumesIntoTheLockdownItWasIn() {
            clock.set(berlin("2026-03-02T09:15"));
            DoorController door = startHeldWithoutInputs(LockType.FAIL_SECURE, weekdayOfficeHours);

            door.resume(new DoorMode.Lockdown(Set.of())).join();

            assertThat(door.state()).isEqualTo(DoorState.LOCKDOWN);
            assertThat(gpio.relay(RELAY_PIN).transitions()).isEmpty(); // never unlocked, not even for a moment
        }

        @Test
        void openingDuringOfficeHoursIsNoAlarmButTheDoorMustCloseAfterTheWindow() {
            clock.set(berlin("2026-03-02T17:00"));
            start(settings(LockType.FAIL_SECURE, weekdayOfficeHours, true), DoorMode.NORMAL);
            gpio.openDoor(CONTACT_PIN);

            queue.advanceTo(berlin("2026-03-02T19:00"));

            assertThat(events.all()).singleElement().satisfies(event -> {
                assertThat(event.kind()).isEqualTo(HELD_OPEN);
                assertThat(event.at()).isEqualTo(berlin("2026-03-02T18:00").plus(HELD_OPEN_AFTER));
            });
        }

        @Test
        void grantRunningWhenTheWindowEndsKeepsTheDoorUnlockedUntilItsOwnEnd() {
            clock.set(berlin("2026-03-02T17:59:58"));
            start(settings(LockType.FAIL_SECURE, weekdayOfficeHours, true), DoorMode.NORMAL);
            Instant granted = clock.instant();

            door().grant(PULSE);
            queue.advanceTo(berlin("2026-03-02T18:30"));

            assertThat(gpio.relay(RELAY_PIN).last().orElseThrow())
                    .isEqualTo(new Transition(granted.plus(PULSE), false));
        }

        @Test
        void lockdownOverridesTheWindowAndReleaseRestoresIt() {
            clock.set(berlin("2026-03-02T10:00"));
            start(settings(LockType.FAIL_SECURE, weekdayOfficeHours, true), DoorMode.NORMAL);

            door().setMode(LOCKDOWN);
            assertThat(unlocked()).isFalse();
            queue.advanceBy(Duration.ofHours(1));
            door().setMode(DoorMode.NORMAL);

            assertThat(unlocked()).isTrue();
            assertThat(door().state()).isEqualTo(DoorState.UNLOCKED_SCHEDULE);
        }

        @Test
        void windowsBackToBackAcrossMidnightDoNotRelockAtMidnight() {
            // 24:00 ends one window where 00:00 starts the next: the coil must not click in between.
            List<TimeWindow> lateShift = List.of(
                    TimeWindow.of(DayOfWeek.FRIDAY, "18:00", "24:00"),
                    TimeWindow.of(DayOfWeek.SATURDAY, "00:00", "02:00"));
            clock.set(berlin("2026-03-06T12:00:17"));
            start(settings(LockType.FAIL_SECURE, lateShift, true), DoorMode.NORMAL);

            queue.advanceTo(berlin("2026-03-07T12:00"));

            assertThat(gpio.relay(RELAY_PIN).transitions())
                    .containsExactly(
                            new Transition(berlin("2026-03-06T18:00"), true),
                            new Transition(berlin("2026-03-07T02:00"), false));
        }

        @ParameterizedTest(name = "Sunday {0}: 08:00-18:00 is {1} to {2}")
        @CsvSource({
            "2026-03-22, 2026-03-22T07:00:00Z, 2026-03-22T17:00:00Z", // winter time (UTC+1)
            "2026-03-29, 2026-03-29T06:00:00Z, 2026-03-29T16:00:00Z", // spring forward that night
            "2026-10-18, 2026-10-18T06:00:00Z, 2026-10-18T16:00:00Z", // summer time (UTC+2)
            "2026-10-25, 2026-10-25T07:00:00Z, 2026-10-25T17:00:00Z", // fall back that night
        })
        void windowFollowsTheWallClockAcrossDaylightSavingChanges(String sunday, Instant opens, Instant closes) {
            // A timer that stepped 24 h from Saturday would open an hour off on the change days.
            clock.set(berlin(
                    LocalDateTime.parse(sunday + "T00:00:17").minusHours(12).toString()));
            start(
                    settings(LockType.FAIL_SECURE, List.of(TimeWindow.of(DayOfWeek.SUNDAY, "08:00", "18:00")), true),
                    DoorMode.NORMAL);

            queue.advanceTo(berlin(sunday + "T23:00"));

            assertThat(gpio.relay(RELAY_PIN).transitions())
                    .containsExactly(new Transition(opens, true), new Transition(closes, false));
        }

        @Test
        void windowInsideTheSkippedHourNeverOpensOnTheSpringForwardDay() {
            // 02:00-03:00 does not exist in Berlin on 29 March 2026; the policy engine agrees.
            clock.set(berlin("2026-03-28T12:00:17"));
            start(
                    settings(LockType.FAIL_SECURE, List.of(TimeWindow.of(DayOfWeek.SUNDAY, "02:00", "02:30")), true),
                    DoorMode.NORMAL);

            queue.advanceTo(berlin("2026-03-29T12:00"));

            assertThat(gpio.relay(RELAY_PIN).transitions()).isEmpty();
        }

        @Test
        void windowStartingInTheSkippedHourOpensWhenTheNewHourBegins() {
            clock.set(berlin("2026-03-28T12:00:17"));
            start(
                    settings(LockType.FAIL_SECURE, List.of(TimeWindow.of(DayOfWeek.SUNDAY, "02:30", "04:00")), true),
                    DoorMode.NORMAL);

            queue.advanceTo(berlin("2026-03-29T12:00"));

            assertThat(gpio.relay(RELAY_PIN).transitions())
                    .containsExactly(
                            new Transition(Instant.parse("2026-03-29T01:00:00Z"), true), // 03:00 CEST
                            new Transition(Instant.parse("2026-03-29T02:00:00Z"), false)); // 04:00 CEST
        }

        @Test
        void windowInsideTheRepeatedHourOpensTwiceOnTheFallBackDay() {
            // 02:00-02:30 happens twice on 25 October 2026: once in summer time, once in winter time.
            clock.set(berlin("2026-10-24T12:00:17"));
            start(
                    settings(LockType.FAIL_SECURE, List.of(TimeWindow.of(DayOfWeek.SUNDAY, "02:00", "02:30")), true),
                    DoorMode.NORMAL);

            queue.advanceTo(berlin("2026-10-25T12:00"));

            assertThat(gpio.relay(RELAY_PIN).transitions())
                    .containsExactly(
                            new Transition(Instant.parse("2026-10-25T00:00:00Z"), true),
                            new Transition(Instant.parse("2026-10-25T00:30:00Z"), false),
                            new Transition(Instant.parse("2026-10-25T01:00:00Z"), true),
                            new Transition(Instant.parse("2026-10-25T01:30:00Z"), false));
        }

        @Test
        void wallClockStepIsFollowedWithinAMinute() {
            // A Pi without a real-time clock boots with a stale time and NTP steps it later.
            clock.set(berlin("2026-03-02T06:00"));
            start(settings(LockType.FAIL_SECURE, weekdayOfficeHours, true), DoorMode.NORMAL);

            clock.set(berlin("2026-03-02T09:00"));
            queue.advanceBy(Duration.ofMinutes(1));

            assertThat(door().state()).isEqualTo(DoorState.UNLOCKED_SCHEDULE);
        }
    }

    @Nested
    class ShutdownAndRestart {
        @ParameterizedTest
        @EnumSource(LockType.class)
        void closeLeavesTheDoorLockedEvenMidPulse(LockType type) {
            // The line keeps its level once the agent has gone: a stop, a restart or an upgrade never
            // opens a door (as filed, close de-energised the relay and let every maglock go).
            start(type);
            door().grant(Duration.ofSeconds(60));
            queue.advanceBy(Duration.ofSeconds(1));
            assertThat(unlocked()).isTrue();

            door().close();

            assertThat(unlocked()).isFalse();
            assertThat(gpio.relay(RELAY_PIN).energised()).isEqualTo(lockedLevel(type));
            assertThat(door().state()).isEqualTo(DoorState.CLOSED);
            int transitions = gpio.relay(RELAY_PIN).transitions().size();
            queue.advanceBy(Duration.ofMinutes(5));
            assertThat(gpio.relay(RELAY_PIN).transitions()).hasSize(transitions);
        }

        @Test
        void closedDoorRefusesFurtherCommands() {
            start(LockType.FAIL_SECURE);
            door().close();

            assertThatThrownBy(() -> door().grant(PULSE).join())
                    .cause()
                    .isInstanceOfSatisfying(
                            DoorException.class, e -> assertThat(e.error()).isEqualTo(DoorError.CLOSED));
            assertThat(unlocked()).isFalse();
        }

        @Test
        void closeStillReachesTheRelayWhenTheQueueIsAlreadyShutDown() {
            // An agent shutting down in the wrong order must still leave the door locked.
            start(LockType.FAIL_SECURE);
            door().grant(Duration.ofSeconds(60));
            assertThat(unlocked()).isTrue();
            queue.shutdownNow();

            door().close();

            assertThat(unlocked()).isFalse();
        }

        @ParameterizedTest
        @EnumSource(LockType.class)
        void doorKilledMidPulseComesBackLockedWhenTheAgentRestarts(LockType type) {
            // SIGKILL runs no shutdown: the relay keeps the unlocked level until the next agent starts.
            start(type);
            door().grant(Duration.ofSeconds(60));
            assertThat(unlocked()).isTrue();
            queue.advanceBy(Duration.ofSeconds(3));

            // Controller A is abandoned without close(); its queue is never advanced again.
            started.clear();
            Context restarted = gpio.restartAfterKill();
            assertThat(unlocked()).isTrue();
            Instant restartedAt = clock.instant();
            ManualScheduler newQueue = new ManualScheduler(clock);
            DoorController door = track(DoorController.start(
                    settings(type, List.of(), true),
                    Pi4jRelay.create(restarted, RELAY_PIN, new LockOutput(type, false)),
                    Optional.of(Pi4jBinaryInput.create(restarted, CONTACT_PIN, InputWiring.contactToGround())),
                    Optional.of(Pi4jBinaryInput.create(restarted, REX_PIN, InputWiring.buttonToGround())),
                    clock,
                    newQueue,
                    events));

            assertThat(unlocked()).isFalse();
            assertThat(door.state()).isEqualTo(DoorState.LOCKED);
            assertThat(gpio.relay(RELAY_PIN).last().orElseThrow())
                    .isEqualTo(new Transition(restartedAt, lockedLevel(type)));
            newQueue.advanceBy(Duration.ofMinutes(5));
            assertThat(unlocked()).isFalse();
            assertThat(newQueue.failures()).isEmpty();
        }
    }

    @Nested
    class PushedPolicy {
        private final List<TimeWindow> mondayMorning = List.of(TimeWindow.of(DayOfWeek.MONDAY, "08:00", "12:00"));

        @Test
        void officeHoursFromTheHubOpenTheDoorAtOnceAndTakingThemAwayRelocksIt() {
            // The front desk adds Monday-morning walk-ins from the console while it is Monday morning.
            clock.set(berlin("2026-03-02T09:15"));
            start(settings(LockType.FAIL_SECURE, List.of(), true), DoorMode.NORMAL);
            assertThat(door().state()).isEqualTo(DoorState.LOCKED);

            door().applyPolicy(Optional.empty(), Optional.of(mondayMorning)).join();
            assertThat(door().state()).isEqualTo(DoorState.UNLOCKED_SCHEDULE);
            assertThat(unlocked()).isTrue();
            assertThat(door().policy().windowsPushed()).isTrue();

            // pushed "none" wins over local windows too; absent returns to the local configuration
            door().applyPolicy(Optional.empty(), Optional.of(List.of())).join();
            assertThat(door().state()).isEqualTo(DoorState.LOCKED);
            door().applyPolicy(Optional.empty(), Optional.empty()).join();
            assertThat(door().state()).isEqualTo(DoorState.LOCKED);
            assertThat(door().policy().windowsPushed()).isFalse();
            assertThat(door().policy().unlockWindows()).isEmpty();
        }

        @Test
        void pushedOfficeHoursReplaceTheLocalOnesAndFollowTheirBoundaries() {
            clock.set(berlin("2026-03-02T07:00"));
            start(
                    settings(LockType.FAIL_SECURE, List.of(TimeWindow.of(DayOfWeek.MONDAY, "07:00", "07:30")), true),
                    DoorMode.NORMAL);
            assertThat(door().state()).isEqualTo(DoorState.UNLOCKED_SCHEDULE);

            door().applyPolicy(Optional.empty(), Optional.of(mondayMorning)).join();
            assertThat(door().state()).isEqualTo(DoorState.LOCKED);
            queue.advanceTo(berlin("2026-03-02T13:00"));
            assertThat(gpio.relay(RELAY_PIN).transitions())
                    .extracting(Transition::at)
                    .containsSubsequence(berlin("2026-03-02T08:00"), berlin("2026-03-02T12:00"));
        }

        @Test
        void aPushedHeldOpenThresholdIsTheOneTheAlarmUses() {
            start(LockType.FAIL_SECURE);
            door().applyPolicy(Optional.of(Duration.ofSeconds(10)), Optional.empty())
                    .join();
            assertThat(door().policy().heldOpenAfter()).isEqualTo(Duration.ofSeconds(10));
            Instant granted = clock.instant();
            door().grant(PULSE);
            queue.advanceBy(Duration.ofSeconds(2));
            gpio.openDoor(CONTACT_PIN);

            queue.advanceTo(granted.plus(Duration.ofSeconds(10)));
            assertThat(events.all()).singleElement().satisfies(event -> {
                assertThat(event.kind()).isEqualTo(HELD_OPEN);
                assertThat(event.detail()).contains("10 s");
            });
        }
    }

    @Nested
    class OnARealDoorQueue {
        @Test
        void doorOnItsOwnThreadRelocksReportsAndShutsDownSafely() throws Exception {
            // The production queue is a real thread and Pi4J calls back from the test's thread:
            // the hand-offs, the relock timer and close() must work across threads too.
            ScheduledExecutorService doorQueue = DoorController.newQueue(DOOR);
            try {
                Context context = gpio.context();
                DoorController door = DoorController.start(
                        settings(LockType.FAIL_SAFE, List.of(), true),
                        Pi4jRelay.create(context, RELAY_PIN, new LockOutput(LockType.FAIL_SAFE, false)),
                        Optional.of(Pi4jBinaryInput.create(context, CONTACT_PIN, InputWiring.contactToGround())),
                        Optional.of(Pi4jBinaryInput.create(context, REX_PIN, InputWiring.buttonToGround())),
                        Clock.systemUTC(),
                        doorQueue,
                        events);

                door.grant(Duration.ofMillis(200)).get(5, TimeUnit.SECONDS);
                await().atMost(Duration.ofSeconds(5)).until(() -> door.state() == DoorState.LOCKED);
                assertThat(gpio.relay(RELAY_PIN).transitions())
                        .extracting(Transition::energised)
                        .containsExactly(true, false, true);

                gpio.openDoor(CONTACT_PIN);
                await().atMost(Duration.ofSeconds(5)).until(() -> events.kinds().contains(FORCED_OPEN));

                door.close();
                assertThat(gpio.relay(RELAY_PIN).energised()).isTrue(); // a maglock stays locked
                assertThat(door.state()).isEqualTo(DoorState.CLOSED);
            } finally {
                doorQueue.shutdownNow();
            }
        }
    }

    // ---- fixture ------------------------------------------------------------------------------

    private DoorController start(LockType type) {
        return start(settings(type, List.of(), true), DoorMode.NORMAL);
    }

    private DoorController start(DoorSettings settings, DoorMode mode) {
        lockType = settings.lockType();
        Context context = gpio.context();
        return track(DoorController.start(
                settings,
                Pi4jRelay.create(context, RELAY_PIN, new LockOutput(settings.lockType(), false)),
                Optional.of(Pi4jBinaryInput.create(context, CONTACT_PIN, InputWiring.contactToGround())),
                Optional.of(Pi4jBinaryInput.create(context, REX_PIN, InputWiring.buttonToGround())),
                clock,
                queue,
                events,
                mode));
    }

    /** A door claimed before the cache is read, with a relay only. */
    private DoorController startHeldWithoutInputs(LockType type, List<TimeWindow> windows) {
        lockType = type;
        Context context = gpio.context();
        return track(DoorController.startHeld(
                settings(type, windows, true),
                Pi4jRelay.create(context, RELAY_PIN, new LockOutput(type, false)),
                Optional.empty(),
                Optional.empty(),
                clock,
                queue,
                events));
    }

    private DoorController track(DoorController door) {
        started.add(door);
        return door;
    }

    private DoorController door() {
        return started.get(started.size() - 1);
    }

    private static DoorSettings settings(LockType type, List<TimeWindow> windows, boolean rexUnlocks) {
        return new DoorSettings(DOOR, type, PULSE, HELD_OPEN_AFTER, windows, BERLIN, rexUnlocks);
    }

    /** Whether the relay is at the unlocked level for the door's lock type. */
    private boolean unlocked() {
        return gpio.relay(RELAY_PIN).energised() == unlockedLevel(lockType);
    }

    private List<Transition> transitionsSince(Instant from) {
        return gpio.relay(RELAY_PIN).transitions().stream()
                .filter(t -> !t.at().isBefore(from))
                .toList();
    }

    private static boolean unlockedLevel(LockType type) {
        return type == LockType.FAIL_SECURE;
    }

    private static boolean lockedLevel(LockType type) {
        return type == LockType.FAIL_SAFE;
    }

    private static Instant berlin(String localDateTime) {
        return LocalDateTime.parse(localDateTime).atZone(BERLIN).toInstant();
    }
}
