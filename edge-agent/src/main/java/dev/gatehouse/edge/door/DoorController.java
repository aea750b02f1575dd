package dev.gatehouse.edge.door;

import dev.gatehouse.protocol.message.DoorEventKind;
import dev.gatehouse.protocol.model.DoorId;
import dev.gatehouse.protocol.model.TimeWindow;
import dev.gatehouse.protocol.policy.DoorMode;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The state machine of one door: it drives the door's {@link Relay} and listens to its contact and
 * request-to-exit (REX) inputs.
 *
 * <h2>One writer</h2>
 * Everything that changes the door runs on the door's serial queue, the single-threaded
 * {@link ScheduledExecutorService} given at {@link #start}: commands, grants, relock and alarm
 * timers, schedule boundaries, and input changes (the hardware library's callbacks only submit).
 * The controller therefore holds no locks. {@link #onQueue} runs the caller's work (a decision) on
 * the same queue, and a command given from inside it takes effect at once, inside that task, so
 * nothing can slip in between a decision and its unlock. The returned futures complete once the change has
 * been applied (the relay driven), not when an unlock ends. The caller owns the queue and shuts it
 * down after {@link #close()}.
 *
 * <h2>Behaviour</h2>
 * <ul>
 *   <li><b>Start</b> drives the relay to the lock type's locked level, whatever it was before (after
 *       a crash too), or unlocked when a scheduled unlock window is open or the door starts in
 *       emergency release.
 *   <li><b>Grant / unlock-once</b> unlock for the given time, then relock; a new one during an unlock
 *       extends it. In emergency release they do nothing (the door is open). In lockdown a
 *       {@link #grant} still unlocks, because during a lockdown the policy engine only grants
 *       responders ({@code LOCKDOWN_RESPONDER}); a remote {@link #unlockOnce} is refused
 *       ({@link DoorError#LOCKDOWN_ACTIVE}).
 *   <li><b>REX</b> unlocks for the unlock pulse and reports {@code REX}, in lockdown too: egress must
 *       always work. With {@code rexUnlocks} off (mechanical free egress) it only marks the next
 *       opening within the pulse as an exit. In emergency release it is only reported.
 *   <li><b>Held open:</b> a door opened by an unlock may stand open until {@code heldOpenAfter} after
 *       the unlock started (and at least until the unlock ends); if it is still open then, and the
 *       door is locked, {@code HELD_OPEN} is reported once, and {@code RESTORED} when it closes. A
 *       door still open when a window, a release or a lockdown relocks it gets the same grace.
 *   <li><b>Forced open:</b> the contact opening while the relay holds the door locked, with no REX
 *       just before it, reports {@code FORCED_OPEN} once, and {@code RESTORED} when it closes. A
 *       door already open when the controller starts is not called forced (nobody saw it open); it
 *       gets the held-open grace.
 *   <li><b>Scheduled unlock windows</b> (office hours, wall-clock times in the site zone) unlock the
 *       door inside a window and lock it outside, and only while the agent trusts its clock
 *       ({@link #followClockTrust}): an untrusted clock inside a window keeps the door locked. They are evaluated at start and at each window
 *       boundary, computed from local date-times so DST changes move them with the wall clock, and
 *       re-checked at least every minute so that a step of the wall clock (NTP on a Pi without a
 *       real-time clock) is followed within a minute.
 *   <li><b>Fire release</b> ({@link #fireRelease}, from a hard-wired input) holds the door unlocked
 *       over everything below, a hold before the cache is read included.
 *   <li><b>Modes</b> (precedence, life safety first): emergency release holds the door unlocked over
 *       everything; a lockdown requested during an emergency release is refused
 *       ({@link DoorError#EMERGENCY_RELEASE_ACTIVE}); lockdown holds it locked over the schedule and
 *       ends a running unlock at once; {@code NORMAL} (release) returns to the schedule.
 *   <li><b>Close</b> drives the relay to the locked level ({@link LockOutput.Phase#SHUTDOWN}) and
 *       leaves it there: the GPIO line keeps its level once the process lets go of it, so a clean
 *       stop, a restart or an upgrade never opens a door — a maglock stays powered, a strike stays
 *       unpowered. Egress while the agent is down is the hard-wired REX and fire release's job (the
 *       edge README's wiring section). After a crash nothing runs at all and the line keeps the last
 *       level; the next {@link #start} puts the door back to locked.
 * </ul>
 *
 * <p>Every relay change goes through one method ({@code setRelay}), which logs it; every report goes
 * to {@link DoorEvents} on the queue thread.
 */
public final class DoorController implements AutoCloseable {
    /** How long {@link #start} waits for the queue to apply the initial state. */
    static final Duration START_TIMEOUT = Duration.ofSeconds(5);
    /** How long {@link #close} waits for the queue before it drives the relay itself. */
    static final Duration CLOSE_TIMEOUT = Duration.ofSeconds(5);
    /** The schedule is re-checked at least this often, to follow steps of the wall clock. */
    static final Duration SCHEDULE_RECHECK = Duration.ofMinutes(1);
    /** The protocol's limit for an event's detail text. */
    private static final int MAX_DETAIL = 200;

    private static final Logger log = LoggerFactory.getLogger(DoorController.class);

    private enum Alarm {
        NONE,
        HELD_OPEN,
        FORCED_OPEN
    }

    private final DoorSettings settings;
    private final Relay relay;
    private final Optional<BinaryInput> contact;
    private final Optional<BinaryInput> rex;
    private final Clock clock;
    private final ScheduledExecutorService queue;
    private final DoorEvents events;
    private final AtomicBoolean closing = new AtomicBoolean();
    /**
     * The unlock windows and held-open threshold in force: the local configuration's, or what the hub
     * pushed ({@link #applyPolicy}). Read from any thread, written on the queue only.
     */
    private volatile UnlockSchedule schedule;

    private volatile Duration heldOpenAfter;
    private volatile Policy policy;

    // Read from any thread, written on the queue only.
    private volatile DoorMode mode;
    /**
     * Held locked until {@link #resume}: the door was claimed before the agent read its access list,
     * so neither an unlock window nor a stored mode is known to apply yet. REX still unlocks.
     */
    private volatile boolean held;
    /**
     * Whether the wall clock may be believed: unlock windows open only while it says so, since a Pi
     * without a real-time clock can boot on a saved time that lies inside office hours.
     */
    private volatile BooleanSupplier clockTrusted = () -> true;
    /** Released by a fire-release input: unlocked over everything else while it lasts. */
    private volatile boolean fireReleased;

    private volatile DoorState state = DoorState.LOCKED;
    private volatile Thread queueThread;

    // Confined to the queue.
    private boolean closed;
    private Boolean relayUnlocked; // null until the first drive
    private boolean doorOpen;
    private boolean inWindow;
    private boolean windowSuspended; // an open window kept shut by an untrusted clock, logged once
    private Alarm alarm = Alarm.NONE;
    private Instant pulseUntil; // null when no unlock pulse runs
    private Instant rexShuntUntil; // null unless a non-unlocking REX was pressed
    private Instant heldOpenSince; // start of the unlock the held-open grace belongs to
    private ScheduledFuture<?> relockTimer;
    private ScheduledFuture<?> heldOpenTimer;
    private ScheduledFuture<?> scheduleTimer;
    private long relockGeneration;
    private long heldOpenGeneration;
    private long scheduleGeneration;

    private DoorController(
            DoorSettings settings,
            Relay relay,
            Optional<BinaryInput> contact,
            Optional<BinaryInput> rex,
            Clock clock,
            ScheduledExecutorService queue,
            DoorEvents events,
            DoorMode initialMode) {
        this.settings = Objects.requireNonNull(settings, "settings");
        this.relay = Objects.requireNonNull(relay, "relay");
        this.contact = Objects.requireNonNull(contact, "contact");
        this.rex = Objects.requireNonNull(rex, "rex");
        this.clock = Objects.requireNonNull(clock, "clock");
        this.queue = Objects.requireNonNull(queue, "queue");
        this.events = Objects.requireNonNull(events, "events");
        this.mode = Objects.requireNonNull(initialMode, "initialMode");
        this.schedule = new UnlockSchedule(settings.unlockWindows(), settings.zone());
        this.heldOpenAfter = settings.heldOpenAfter();
        this.policy = new Policy(settings.heldOpenAfter(), settings.unlockWindows(), false, false);
    }

    /**
     * The door policy in force: the held-open threshold and the unlock windows (office hours), each
     * with whether the hub pushed it (else it is the local configuration's).
     */
    public record Policy(
            Duration heldOpenAfter, List<TimeWindow> unlockWindows, boolean heldOpenPushed, boolean windowsPushed) {}

    /** The door policy in force now. */
    public Policy policy() {
        return policy;
    }

    /**
     * Applies the hub's door policy at once: a pushed held-open threshold or set of office hours wins
     * over the local configuration; an absent one returns to it. The windows are re-evaluated now, so
     * a door unlocked by a window that no longer exists relocks, and one inside a new window unlocks
     * (while the clock is trusted). A held-open alarm already armed keeps its time.
     */
    public CompletableFuture<Void> applyPolicy(
            Optional<Duration> pushedHeldOpen, Optional<List<TimeWindow>> pushedWindows) {
        Policy next = new Policy(
                pushedHeldOpen.orElse(settings.heldOpenAfter()),
                pushedWindows.map(List::copyOf).orElse(settings.unlockWindows()),
                pushedHeldOpen.isPresent(),
                pushedWindows.isPresent());
        return apply(() -> {
            if (next.equals(policy)) {
                return;
            }
            Policy before = policy;
            policy = next;
            heldOpenAfter = next.heldOpenAfter();
            if (!next.unlockWindows().equals(before.unlockWindows())) {
                schedule = new UnlockSchedule(next.unlockWindows(), settings.zone());
                cancel(scheduleTimer);
                scheduleGeneration++;
                Instant now = clock.instant();
                boolean open = windowOpen(now);
                if (open != inWindow) {
                    inWindow = open;
                    applyRelay(
                            open
                                    ? "unlock window began (office hours from the hub)"
                                    : "unlock window ended (office hours changed)");
                }
                scheduleNextBoundary(now);
            }
            log.info(
                    "door {}: policy now held-open after {} ({}), {} unlock windows ({})",
                    id(),
                    next.heldOpenAfter(),
                    next.heldOpenPushed() ? "from the hub" : "local",
                    next.unlockWindows().size(),
                    next.windowsPushed() ? "from the hub" : "local");
        });
    }

    /** Starts a door in normal mode; see {@link #start(DoorSettings, Relay, Optional, Optional, Clock, ScheduledExecutorService, DoorEvents, DoorMode)}. */
    public static DoorController start(
            DoorSettings settings,
            Relay relay,
            Optional<BinaryInput> contact,
            Optional<BinaryInput> rex,
            Clock clock,
            ScheduledExecutorService queue,
            DoorEvents events) {
        return start(settings, relay, contact, rex, clock, queue, events, DoorMode.NORMAL);
    }

    /**
     * Starts a door in {@code initialMode} (a lockdown or emergency release persisted across a
     * restart), and returns once the relay has been driven to the starting state.
     *
     * @param queue the door's serial queue: single-threaded, used for nothing that blocks
     * @throws DoorException {@link DoorError#RELAY_FAILED} when the relay cannot be driven,
     *     {@link DoorError#QUEUE_UNAVAILABLE} when the queue does not run the start in time
     */
    public static DoorController start(
            DoorSettings settings,
            Relay relay,
            Optional<BinaryInput> contact,
            Optional<BinaryInput> rex,
            Clock clock,
            ScheduledExecutorService queue,
            DoorEvents events,
            DoorMode initialMode) {
        return launch(new DoorController(settings, relay, contact, rex, clock, queue, events, initialMode), false);
    }

    private static DoorController launch(DoorController controller, boolean held) {
        controller.held = held;
        CompletableFuture<Void> started = controller.apply(controller::startOnQueue);
        await(started, START_TIMEOUT, controller.id(), "start");
        return controller;
    }

    /**
     * Starts a door held locked, before the agent has read its cache: the relay is claimed at the
     * locked level and the contact and REX work (REX unlocks for egress), but unlock windows and the
     * stored mode wait for {@link #resume}. What a door does while its agent cannot read its access
     * list: it stays locked and lets people out.
     */
    public static DoorController startHeld(
            DoorSettings settings,
            Relay relay,
            Optional<BinaryInput> contact,
            Optional<BinaryInput> rex,
            Clock clock,
            ScheduledExecutorService queue,
            DoorEvents events) {
        return launch(new DoorController(settings, relay, contact, rex, clock, queue, events, DoorMode.NORMAL), true);
    }

    /**
     * Ends the hold of {@link #startHeld}: the door takes {@code storedMode} (a lockdown or an
     * emergency release persisted across a restart) and follows its unlock windows from now on.
     */
    public CompletableFuture<Void> resume(DoorMode storedMode) {
        Objects.requireNonNull(storedMode, "storedMode");
        return apply(() -> {
            held = false;
            mode = storedMode;
            inWindow = windowOpen(clock.instant()); // the clock's trust is known by now
            applyRelay("access list read");
        });
    }

    /**
     * A fire-release input named {@code input} became {@code active} (or not): while any is active the
     * door is unlocked over every mode, a hold and the schedule, and a {@code FIRE_RELEASE} event is
     * reported; when it ends, {@code RESTORED}. It needs nothing but the door's queue, so it works
     * while the agent cannot read its cache and while the hub is away.
     */
    public CompletableFuture<Void> fireRelease(String input, boolean active) {
        Objects.requireNonNull(input, "input");
        return apply(() -> {
            if (fireReleased == active) {
                return;
            }
            fireReleased = active;
            applyRelay(active ? "fire release " + input + " active" : "fire release " + input + " ended");
            emit(
                    active ? DoorEventKind.FIRE_RELEASE : DoorEventKind.RESTORED,
                    active
                            ? "fire-release input " + input + " active: door released"
                            : "fire-release input " + input + " ended: door back to normal");
        });
    }

    /**
     * From now on unlock windows apply only while {@code trusted} says the wall clock is right (the
     * agent's clock trust); until this is called the clock is believed, as in a test on the host. Call
     * {@link #recheckSchedule} when the verdict may have changed; the schedule also re-checks it every
     * minute.
     */
    public void followClockTrust(BooleanSupplier trusted) {
        clockTrusted = Objects.requireNonNull(trusted, "trusted");
    }

    /** Re-evaluates the unlock windows now (the clock's trust or the time itself changed). */
    public CompletableFuture<Void> recheckSchedule() {
        return apply(() -> {
            if (!schedule.isEmpty()) {
                scheduleBoundary(scheduleGeneration);
            }
        });
    }

    /** Whether a fire-release input holds the door unlocked. */
    public boolean fireReleased() {
        return fireReleased;
    }

    /** Whether the door is held locked until {@link #resume}. */
    public boolean held() {
        return held;
    }

    /** A serial queue for one door: one daemon thread named {@code door-<id>}. */
    public static ScheduledExecutorService newQueue(DoorId door) {
        ScheduledThreadPoolExecutor executor = new ScheduledThreadPoolExecutor(1, task -> {
            Thread thread = new Thread(task, "door-" + door.value());
            thread.setDaemon(true);
            return thread;
        });
        executor.setRemoveOnCancelPolicy(true);
        return executor;
    }

    /** The door this controller drives. */
    public DoorId id() {
        return settings.id();
    }

    /** The door's settings. */
    public DoorSettings settings() {
        return settings;
    }

    /** Unlocks for {@code unlockFor} after a granted decision, then relocks. */
    public CompletableFuture<Void> grant(Duration unlockFor) {
        requirePositive(unlockFor);
        return apply(() -> unlock(unlockFor, false));
    }

    /** A remote "buzz in": unlocks for {@code unlockFor}, then relocks. Refused in lockdown. */
    public CompletableFuture<Void> unlockOnce(Duration unlockFor) {
        requirePositive(unlockFor);
        return apply(() -> unlock(unlockFor, true));
    }

    /**
     * Switches to {@code newMode}: {@link DoorMode.Normal} releases a lockdown or an emergency
     * release. A lockdown during an emergency release completes exceptionally with
     * {@link DoorError#EMERGENCY_RELEASE_ACTIVE} and changes nothing.
     */
    public CompletableFuture<Void> setMode(DoorMode newMode) {
        Objects.requireNonNull(newMode, "mode");
        return apply(() -> changeMode(newMode));
    }

    /** The door's mode now. */
    public DoorMode mode() {
        return mode;
    }

    /** What the door is doing now (see {@link DoorState} for the precedence). */
    public DoorState state() {
        return state;
    }

    /**
     * Runs {@code work} on the door's queue and completes with its result. Calls to
     * {@link #grant}, {@link #unlockOnce} and {@link #setMode} made inside {@code work} take effect
     * at once, within the same task: run a decision through here ({@link #mode()} read, policy
     * decided, {@link #grant} called) and no command can change the door in between. Runs at once
     * when already on the queue. Completes exceptionally with what {@code work} threw, or with
     * {@link DoorError#CLOSED} / {@link DoorError#QUEUE_UNAVAILABLE}.
     */
    public <T> CompletableFuture<T> onQueue(Supplier<T> work) {
        Objects.requireNonNull(work, "work");
        CompletableFuture<T> result = new CompletableFuture<>();
        Runnable task = serial(() -> {
            if (closed) {
                result.completeExceptionally(new DoorException(DoorError.CLOSED, "door " + id() + " was shut down"));
                return;
            }
            T value;
            try {
                value = work.get();
            } catch (RuntimeException e) {
                state = computeState(); // published before the caller hears back
                result.completeExceptionally(e);
                if (!(e instanceof DoorException refused) || isFault(refused.error())) {
                    log.error("door {}: {}", id(), e.toString(), e);
                }
                return;
            }
            state = computeState();
            result.complete(value);
        });
        if (onQueueThread()) {
            task.run();
            return result;
        }
        try {
            queue.execute(task);
        } catch (RejectedExecutionException e) {
            result.completeExceptionally(new DoorException(
                    DoorError.QUEUE_UNAVAILABLE, "door " + id() + ": its queue is shut down, nothing was changed", e));
        }
        return result;
    }

    /**
     * Shuts the door down: cancels its timers, stops listening, and drives the relay to the locked
     * level, where it stays after the process exits. Waits for the queue up to {@link #CLOSE_TIMEOUT};
     * if the queue is shut down or stuck, drives the relay from the calling thread as a last resort.
     */
    @Override
    public void close() {
        if (!closing.compareAndSet(false, true)) {
            return;
        }
        if (onQueueThread()) {
            shutdownOnQueue();
            return;
        }
        CompletableFuture<Void> done = new CompletableFuture<>();
        try {
            queue.execute(serial(() -> {
                try {
                    shutdownOnQueue();
                } finally {
                    done.complete(null);
                }
            }));
            done.get(CLOSE_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (RejectedExecutionException | ExecutionException | TimeoutException e) {
            log.warn(
                    "door {}: its queue did not run the shutdown ({}); driving the relay directly", id(), e.toString());
            forceLocked();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            forceLocked();
        }
    }

    @Override
    public String toString() {
        return "DoorController[" + id() + ", " + state + ", " + mode + "]";
    }

    // ---- on the queue -------------------------------------------------------------------------

    private void startOnQueue() {
        try {
            // Listen first, then read: a change in between arrives as a queued repeat and is ignored.
            contact.ifPresent(input -> input.onChange(open -> handOff(() -> contactChanged(open))));
            rex.ifPresent(input -> input.onChange(pressed -> handOff(() -> rexChanged(pressed))));
            Instant now = clock.instant();
            doorOpen = contact.map(BinaryInput::active).orElse(false);
            inWindow = windowOpen(now);
            scheduleNextBoundary(now);
            applyRelay("start");
            if (doorOpen && !unlockedNow()) {
                armHeldOpen(now, now.plus(heldOpenAfter));
            }
        } catch (RuntimeException e) {
            closed = true; // a door that could not start takes no input and no command
            throw e;
        }
        log.info("door {}: started {} ({}, relay {})", id(), computeState(), settings.lockType(), relay.energised());
    }

    private void unlock(Duration unlockFor, boolean remote) {
        switch (mode) {
            case DoorMode.EmergencyRelease release -> {
                // already held open
            }
            case DoorMode.Lockdown lockdown -> {
                if (remote) {
                    throw new DoorException(
                            DoorError.LOCKDOWN_ACTIVE,
                            "door " + id()
                                    + " is in lockdown: a remote unlock is refused until the lockdown is released");
                }
                startPulse(unlockFor, "responder grant during lockdown");
            }
            case DoorMode.Normal normal -> startPulse(unlockFor, remote ? "remote unlock-once" : "grant");
        }
    }

    private void changeMode(DoorMode newMode) {
        switch (newMode) {
            case DoorMode.EmergencyRelease release -> {
                mode = release;
                applyRelay("emergency release");
            }
            case DoorMode.Lockdown lockdown -> {
                if (mode instanceof DoorMode.EmergencyRelease) {
                    throw new DoorException(
                            DoorError.EMERGENCY_RELEASE_ACTIVE,
                            "door " + id() + " is held open by an emergency release, which takes precedence (life"
                                    + " safety first): release it before a lockdown");
                }
                mode = lockdown;
                endPulse();
                applyRelay("lockdown");
            }
            case DoorMode.Normal normal -> {
                mode = normal;
                applyRelay("release");
            }
        }
    }

    private void contactChanged(boolean open) {
        if (open == doorOpen) {
            return; // a repeat, e.g. a change seen both by the listener and at start
        }
        doorOpen = open;
        if (open) {
            Instant now = clock.instant();
            boolean egress = rexShuntUntil != null && now.isBefore(rexShuntUntil);
            if (!unlockedNow() && !egress && alarm == Alarm.NONE) {
                alarm = Alarm.FORCED_OPEN;
                emit(DoorEventKind.FORCED_OPEN, "door opened while locked, without a grant or request-to-exit");
            }
        } else if (alarm != Alarm.NONE) {
            String ended = alarm == Alarm.HELD_OPEN ? "held open" : "forced open";
            alarm = Alarm.NONE;
            emit(DoorEventKind.RESTORED, "door closed again after it was " + ended);
        }
    }

    private void rexChanged(boolean pressed) {
        if (!pressed) {
            return; // the unlock is timed from the press
        }
        Duration pulse = settings.unlockPulse();
        if (mode instanceof DoorMode.EmergencyRelease) {
            emit(DoorEventKind.REX, "request-to-exit pressed; the door is already held open by emergency release");
        } else if (settings.rexUnlocks()) {
            startPulse(pulse, "request-to-exit");
            emit(
                    DoorEventKind.REX,
                    "request-to-exit: unlocked for " + seconds(pulse)
                            + (mode instanceof DoorMode.Lockdown ? " (egress during lockdown)" : ""));
        } else {
            Instant now = clock.instant();
            rexShuntUntil = now.plus(pulse);
            armHeldOpen(now, now.plus(max(heldOpenAfter, pulse)));
            emit(DoorEventKind.REX, "request-to-exit: the door may open for egress for " + seconds(pulse));
        }
    }

    private void startPulse(Duration unlockFor, String cause) {
        Instant now = clock.instant();
        Instant until = now.plus(unlockFor);
        if (pulseUntil == null || until.isAfter(pulseUntil)) {
            long generation = ++relockGeneration;
            // Scheduled before unlocking: a door whose relock cannot be scheduled must not unlock.
            ScheduledFuture<?> timer = scheduleOnQueue(() -> pulseEnded(generation), unlockFor);
            cancel(relockTimer);
            relockTimer = timer;
            pulseUntil = until;
        }
        armHeldOpen(now, max(now.plus(heldOpenAfter), pulseUntil));
        applyRelay(cause);
    }

    private void pulseEnded(long generation) {
        if (generation != relockGeneration) {
            return; // superseded by a longer unlock
        }
        relockTimer = null;
        pulseUntil = null;
        applyRelay("unlock ended");
    }

    private void endPulse() {
        relockGeneration++;
        cancel(relockTimer);
        relockTimer = null;
        pulseUntil = null;
    }

    private void armHeldOpen(Instant unlockStart, Instant deadline) {
        long generation = ++heldOpenGeneration;
        cancel(heldOpenTimer);
        heldOpenSince = unlockStart;
        heldOpenTimer = scheduleOnQueue(
                () -> heldOpenCheck(generation), max(Duration.ZERO, Duration.between(clock.instant(), deadline)));
    }

    private void heldOpenCheck(long generation) {
        if (generation != heldOpenGeneration) {
            return;
        }
        heldOpenTimer = null;
        if (!doorOpen || alarm != Alarm.NONE || unlockedNow()) {
            return; // closed in time, already alarmed, or unlocked again (window, release)
        }
        alarm = Alarm.HELD_OPEN;
        emit(
                DoorEventKind.HELD_OPEN,
                "door still open " + seconds(Duration.between(heldOpenSince, clock.instant()))
                        + " after it was unlocked");
    }

    private void scheduleNextBoundary(Instant now) {
        if (schedule.isEmpty()) {
            return;
        }
        Instant recheck = now.plus(SCHEDULE_RECHECK);
        Instant next =
                schedule.nextBoundaryAfter(now).filter(b -> b.isBefore(recheck)).orElse(recheck);
        long generation = ++scheduleGeneration;
        cancel(scheduleTimer);
        scheduleTimer = scheduleOnQueue(() -> scheduleBoundary(generation), Duration.between(now, next));
    }

    private void scheduleBoundary(long generation) {
        if (generation != scheduleGeneration) {
            return;
        }
        Instant now = clock.instant();
        boolean open = windowOpen(now);
        if (open != inWindow) {
            inWindow = open;
            applyRelay(open ? "unlock window began" : "unlock window ended");
        }
        scheduleNextBoundary(now);
    }

    /**
     * Whether an unlock window is open at {@code now} and the clock that says so is trusted. A window
     * that the wall clock puts open while the clock is untrusted keeps the door locked (logged when
     * that starts); cards are then decided by the door's untrusted-clock policy.
     */
    private boolean windowOpen(Instant now) {
        if (!schedule.isOpen(now)) {
            windowSuspended = false;
            return false;
        }
        if (clockTrusted.getAsBoolean()) {
            windowSuspended = false;
            return true;
        }
        if (!windowSuspended) {
            windowSuspended = true;
            log.warn(
                    "door {}: the clock reads {} inside an unlock window, but it is not trusted: the door stays"
                            + " locked until the clock is trusted",
                    id(),
                    now);
        }
        return false;
    }

    /** Drives the relay to what the mode, the pulse and the schedule call for, if it is not there yet. */
    private void applyRelay(String cause) {
        boolean unlock = fireReleased
                || switch (mode) {
                    case DoorMode.EmergencyRelease release -> true;
                    case DoorMode.Lockdown lockdown -> pulseUntil != null;
                    case DoorMode.Normal normal -> pulseUntil != null || (inWindow && !held);
                };
        if (relayUnlocked != null && relayUnlocked == unlock) {
            return;
        }
        boolean wasUnlocked = unlockedNow();
        setRelay(settings.lockType().energisedFor(!unlock), (unlock ? "unlock: " : "lock: ") + cause);
        relayUnlocked = unlock;
        if (wasUnlocked && !unlock && doorOpen && heldOpenTimer == null) {
            Instant now = clock.instant();
            armHeldOpen(now, now.plus(heldOpenAfter));
        }
    }

    /** Whether the relay was last driven to unlocked. */
    private boolean unlockedNow() {
        return Boolean.TRUE.equals(relayUnlocked);
    }

    /** The one place the relay is driven. */
    private void setRelay(boolean energised, String cause) {
        relay.set(energised);
        log.debug("door {}: relay {} ({})", id(), energised ? "energised" : "de-energised", cause);
    }

    private void shutdownOnQueue() {
        if (closed) {
            return;
        }
        closed = true;
        endPulse();
        heldOpenGeneration++;
        cancel(heldOpenTimer);
        scheduleGeneration++;
        cancel(scheduleTimer);
        try {
            setRelay(settings.lockType().energisedWhenLocked(), "shutdown: locked, and the line keeps it");
            relayUnlocked = false;
        } catch (RuntimeException e) {
            log.error("door {}: could not drive the relay to the locked level at shutdown", id(), e);
        }
        state = DoorState.CLOSED;
        log.info("door {}: closed, relay left at the locked level ({})", id(), settings.lockType());
    }

    private void forceLocked() {
        try {
            setRelay(settings.lockType().energisedWhenLocked(), "shutdown without the queue: locked");
        } catch (RuntimeException e) {
            log.error("door {}: could not drive the relay to the locked level at shutdown", id(), e);
        }
        state = DoorState.CLOSED;
    }

    private void emit(DoorEventKind kind, String detail) {
        String text = detail.length() > MAX_DETAIL ? detail.substring(0, MAX_DETAIL) : detail;
        try {
            events.doorEvent(id(), kind, text);
        } catch (RuntimeException e) {
            log.error("door {}: the event sink failed on {} ({})", id(), kind, text, e);
        }
    }

    private DoorState computeState() {
        if (closed) {
            return DoorState.CLOSED;
        }
        if (fireReleased) {
            return DoorState.FIRE_RELEASED;
        }
        return switch (mode) {
            case DoorMode.EmergencyRelease release -> DoorState.EMERGENCY_RELEASED;
            case DoorMode.Lockdown lockdown ->
                alarmOr(pulseUntil != null ? DoorState.UNLOCKED_PULSE : DoorState.LOCKDOWN);
            case DoorMode.Normal normal ->
                alarmOr(
                        pulseUntil != null
                                ? DoorState.UNLOCKED_PULSE
                                : inWindow && !held ? DoorState.UNLOCKED_SCHEDULE : DoorState.LOCKED);
        };
    }

    private DoorState alarmOr(DoorState otherwise) {
        return switch (alarm) {
            case FORCED_OPEN -> DoorState.FORCED_OPEN_ALARM;
            case HELD_OPEN -> DoorState.HELD_OPEN_ALARM;
            case NONE -> otherwise;
        };
    }

    // ---- queue plumbing -----------------------------------------------------------------------

    private CompletableFuture<Void> apply(Runnable work) {
        return onQueue(() -> {
            work.run();
            return null;
        });
    }

    /** Hands an input change over to the queue; called on the hardware library's thread. */
    private void handOff(Runnable change) {
        try {
            queue.execute(serial(() -> {
                if (!closed) {
                    change.run();
                }
            }));
        } catch (RejectedExecutionException e) {
            log.warn("door {}: an input change was dropped because the door's queue is shut down", id());
        }
    }

    private ScheduledFuture<?> scheduleOnQueue(Runnable timer, Duration delay) {
        try {
            return queue.schedule(serial(timer), delay.toNanos(), TimeUnit.NANOSECONDS);
        } catch (RejectedExecutionException e) {
            throw new DoorException(
                    DoorError.QUEUE_UNAVAILABLE,
                    "door " + id() + ": its queue is shut down, so no timer can be set",
                    e);
        }
    }

    /** Wraps queue work: marks the queue thread, keeps a failure from escaping, publishes the state. */
    private Runnable serial(Runnable work) {
        return () -> {
            Thread previous = queueThread;
            queueThread = Thread.currentThread();
            try {
                work.run();
            } catch (RuntimeException e) {
                log.error("door {}: {}", id(), e.toString(), e);
            } finally {
                queueThread = previous;
                state = computeState();
            }
        };
    }

    private boolean onQueueThread() {
        return Thread.currentThread() == queueThread;
    }

    private static boolean isFault(DoorError error) {
        return switch (error) {
            case EMERGENCY_RELEASE_ACTIVE, LOCKDOWN_ACTIVE, CLOSED, BAD_ARGUMENT -> false;
            case QUEUE_UNAVAILABLE, RELAY_FAILED, INPUT_FAILED, PIN_IN_USE -> true;
        };
    }

    private static void cancel(ScheduledFuture<?> timer) {
        if (timer != null) {
            timer.cancel(false);
        }
    }

    private static void await(CompletableFuture<Void> future, Duration timeout, DoorId door, String what) {
        try {
            future.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof DoorException doorException) {
                throw doorException;
            }
            throw new DoorException(
                    DoorError.RELAY_FAILED, "door " + door + ": " + what + " failed: " + e.getCause(), e);
        } catch (TimeoutException e) {
            throw new DoorException(
                    DoorError.QUEUE_UNAVAILABLE,
                    "door " + door + ": its queue did not run the " + what + " within " + seconds(timeout)
                            + "; is the queue shut down or blocked?",
                    e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new DoorException(DoorError.QUEUE_UNAVAILABLE, "door " + door + ": interrupted during " + what, e);
        }
    }

    private static void requirePositive(Duration unlockFor) {
        if (unlockFor == null || unlockFor.isNegative() || unlockFor.isZero()) {
            throw new DoorException(DoorError.BAD_ARGUMENT, "an unlock must last a positive time, not " + unlockFor);
        }
    }

    private static Instant max(Instant a, Instant b) {
        return a.isAfter(b) ? a : b;
    }

    private static Duration max(Duration a, Duration b) {
        return a.compareTo(b) >= 0 ? a : b;
    }

    private static String seconds(Duration duration) {
        long millis = duration.toMillis();
        return millis % 1000 == 0
                ? millis / 1000 + " s"
                : String.format(java.util.Locale.ROOT, "%.1f s", millis / 1000.0);
    }
}
