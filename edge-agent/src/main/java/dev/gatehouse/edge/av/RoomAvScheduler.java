package dev.gatehouse.edge.av;

import dev.gatehouse.protocol.message.RoomState;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.EnumSet;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One room's A/V, driven by its bookings. Given the room's upcoming bookings ({@link #bookings}), it
 * puts the room in its scene from the warm-up before each booking's start to its end (or its
 * {@link #release}), and in standby otherwise:
 *
 * <ul>
 *   <li><b>In use</b> (warm-up and booking): display on, the scene's input, the booking's join link,
 *       the scene's lights and setpoint.
 *   <li><b>Between</b> bookings less than {@link #STANDBY_HORIZON} apart: the scene stays, without a
 *       join link, so the display is not cycled off and on between back-to-back meetings.
 *   <li><b>Standby</b> when nothing is booked within {@link #STANDBY_HORIZON}: join link cleared,
 *       lights at their standby level, the standby setpoint if there is one, display off.
 * </ul>
 *
 * <p>Every write is confirmed by reading it back ({@link RoomAv}); an unconfirmed one is retried
 * ({@link RetryPolicy}), then reported as a fault to the {@link RoomAvListener} and tried again once
 * a minute and at the next change of scene; {@code restored} follows the first confirmation. An
 * {@link #override} (someone turns the display off, dims the lights) is written at once and holds
 * until the room's mode or booking changes: for the current booking only.
 *
 * <p>Everything runs on the room's own serial queue (the {@code ScheduledExecutorService} given,
 * single-threaded), so no lock is held and a controller that does not answer delays only this room:
 * never a door, never another room. Time comes from the {@link Clock}; the queue's timers wake the
 * scheduler at each warm-up and end, and at least once a minute.
 */
public final class RoomAvScheduler implements AutoCloseable {
    /** A room with nothing booked within this time is put in standby; the longest warm-up. */
    public static final Duration STANDBY_HORIZON = Duration.ofMinutes(30);
    /** The scheduler wakes at least this often: a clock set anew is followed, faults are tried again. */
    static final Duration TICK = Duration.ofMinutes(1);

    private static final Logger log = LoggerFactory.getLogger(RoomAvScheduler.class);
    /** Powering up, the display first: its input and link are refused by many displays while off. */
    private static final List<RoomFunction> UP_ORDER = List.of(
            RoomFunction.DISPLAY_POWER,
            RoomFunction.DISPLAY_INPUT,
            RoomFunction.JOIN_LINK,
            RoomFunction.LIGHTS_LEVEL,
            RoomFunction.HVAC_SETPOINT);
    /** Going to standby, the display last: the join link leaves the screen before it goes dark. */
    private static final List<RoomFunction> DOWN_ORDER = List.of(
            RoomFunction.JOIN_LINK,
            RoomFunction.DISPLAY_INPUT,
            RoomFunction.LIGHTS_LEVEL,
            RoomFunction.HVAC_SETPOINT,
            RoomFunction.DISPLAY_POWER);

    /** Where the room is; decided by {@link #phaseAt}. */
    private sealed interface Phase {
        record Standby() implements Phase {}

        record InUse(RoomBooking booking) implements Phase {}

        record Between(RoomBooking next) implements Phase {}
    }

    private final RoomSetup setup;
    private final RoomAv av;
    private final Clock clock;
    private final ScheduledExecutorService queue;
    private final RoomAvListener listener;
    private final RetryPolicy retry;

    // Confined to the queue.
    private List<RoomBooking> bookings = List.of();
    private final Set<String> released = new HashSet<>();
    private Phase phase;
    private final Map<RoomFunction, AvValue> wanted = new EnumMap<>(RoomFunction.class);
    private final Map<RoomFunction, AvValue> overrides = new EnumMap<>(RoomFunction.class);
    private final Set<RoomFunction> unconfirmed = EnumSet.noneOf(RoomFunction.class);
    private final Set<RoomFunction> misconfigured = EnumSet.noneOf(RoomFunction.class);
    private final Map<RoomFunction, Integer> failures = new EnumMap<>(RoomFunction.class);
    private final Map<RoomFunction, String> faults = new EnumMap<>(RoomFunction.class);
    private final Map<RoomFunction, AvValue> confirmedValues = new EnumMap<>(RoomFunction.class);
    private Optional<Boolean> occupied = Optional.empty();
    private ScheduledFuture<?> wake;
    private ScheduledFuture<?> retryLater;
    private boolean closed;

    private volatile RoomAvStatus status;

    /**
     * @param queue the room's serial queue: single-threaded, used by nothing that must not wait for
     *     a controller (a door's queue must never be passed here)
     */
    public RoomAvScheduler(
            RoomSetup setup,
            RoomAv av,
            Clock clock,
            ScheduledExecutorService queue,
            RoomAvListener listener,
            RetryPolicy retry) {
        this.setup = Objects.requireNonNull(setup, "setup");
        this.av = Objects.requireNonNull(av, "av");
        this.clock = Objects.requireNonNull(clock, "clock");
        this.queue = Objects.requireNonNull(queue, "queue");
        this.listener = Objects.requireNonNull(listener, "listener");
        this.retry = Objects.requireNonNull(retry, "retry");
        this.status = RoomAvStatus.starting(setup.room());
    }

    public RoomAvScheduler(
            RoomSetup setup, RoomAv av, Clock clock, ScheduledExecutorService queue, RoomAvListener listener) {
        this(setup, av, clock, queue, listener, RetryPolicy.DEFAULT);
    }

    public String room() {
        return setup.room();
    }

    /** Puts the room in the state the clock and its bookings (none yet: standby) call for. */
    public void start() {
        submit(this::replan);
    }

    /**
     * Replaces the room's bookings with {@code upcoming} (any order; past ones are ignored). A booking
     * gone from the list is over for the room: if it was in use, the room leaves its scene. Returns at
     * once; the room follows on its queue.
     */
    public void bookings(List<RoomBooking> upcoming) {
        List<RoomBooking> sorted = upcoming.stream()
                .sorted(Comparator.comparing(RoomBooking::start))
                .toList();
        submit(() -> {
            bookings = sorted;
            released.retainAll(sorted.stream().map(RoomBooking::bookingId).collect(Collectors.toSet()));
            replan();
        });
    }

    /** The booking is released (ended early, a no-show): the room leaves its scene now, or never enters it. */
    public void release(String bookingId) {
        Objects.requireNonNull(bookingId, "bookingId");
        submit(() -> {
            released.add(bookingId);
            replan();
        });
    }

    /**
     * Sets {@code function} to {@code value} now, as a technician or the member in the room asks, and
     * keeps it so for the current booking (or, outside one, until the next booking's warm-up): the
     * scene is not written over it until then.
     *
     * @throws AvException if the room has no node for the function, or it is read-only
     */
    public void override(RoomFunction function, AvValue value) {
        Objects.requireNonNull(value, "value");
        if (!function.writable()) {
            throw new AvException(AvError.READ_ONLY, "room " + room() + ": " + function.key() + " is read-only");
        }
        if (!setup.has(function)) {
            throw new AvException(
                    AvError.NOT_MAPPED,
                    "room " + room() + " has no node for " + function.key() + " (mapped: "
                            + setup.nodes().keySet().stream()
                                    .map(RoomFunction::key)
                                    .sorted()
                                    .toList() + ")");
        }
        submit(() -> {
            log.info("room {}: {} overridden to {}", room(), function.key(), value.describe());
            overrides.put(function, value);
            wanted.put(function, value);
            unconfirmed.add(function);
            misconfigured.remove(function);
            failures.remove(function);
            writeUnconfirmed();
        });
    }

    /** Where the room stands, as of the last step of its queue. Any thread. */
    public RoomAvStatus status() {
        return status;
    }

    /** Stops the room's timers; the room stays as it is (a restarted agent takes it over). */
    @Override
    public void close() {
        submit(() -> {
            closed = true;
            cancel(wake);
            cancel(retryLater);
        });
    }

    private void submit(Runnable step) {
        try {
            queue.execute(() -> {
                try {
                    step.run();
                } catch (RuntimeException e) {
                    log.error("room {}: A/V step failed: {}", room(), e.toString(), e);
                }
            });
        } catch (RejectedExecutionException e) {
            log.debug("room {}: queue stopped, step dropped", room());
        }
    }

    private void replan() {
        if (closed) {
            return;
        }
        Instant now = clock.instant();
        Phase next = phaseAt(now);
        Phase before = phase;
        if (before == null || !samePhase(before, next)) {
            enter(next);
        } else {
            phase = next;
            if (before instanceof Phase.InUse was
                    && next instanceof Phase.InUse is
                    && !was.booking().joinLink().equals(is.booking().joinLink())
                    && setup.has(RoomFunction.JOIN_LINK)
                    && !overrides.containsKey(RoomFunction.JOIN_LINK)) {
                want(RoomFunction.JOIN_LINK, link(is.booking()));
                writeUnconfirmed();
            } else if (!unconfirmed.isEmpty() && retryLater == null) {
                writeUnconfirmed(); // a fault is tried again at each wake-up
            }
        }
        readPresence();
        scheduleWake(now);
        publish();
    }

    /** Reads the presence sensor, if the room has one: at every wake-up, so at least once a minute. */
    private void readPresence() {
        if (!setup.has(RoomFunction.PRESENCE)) {
            return;
        }
        AvOutcome outcome;
        try {
            outcome = av.read(room(), RoomFunction.PRESENCE);
        } catch (RuntimeException e) {
            outcome = new AvOutcome.Unreachable(e.toString());
        }
        occupied = switch (outcome) {
            case AvOutcome.Confirmed(AvValue.Switch on) -> Optional.of(on.on());
            case AvOutcome.Confirmed(AvValue.Numeric count) -> Optional.of(count.value() > 0);
            case AvOutcome.Confirmed confirmed -> Optional.empty();
            case AvOutcome.NotConfirmed notConfirmed -> Optional.empty();
            case AvOutcome.Refused refused -> Optional.empty();
            case AvOutcome.Unreachable unreachable -> Optional.empty();
            case AvOutcome.Misconfigured misconfigured -> Optional.empty();
        };
    }

    private Phase phaseAt(Instant now) {
        Duration warmUp = setup.scene().warmUp();
        List<RoomBooking> live = bookings.stream()
                .filter(booking -> !released.contains(booking.bookingId()))
                .toList();
        Optional<RoomBooking> active = live.stream()
                .filter(booking -> !now.isBefore(booking.warmStart(warmUp)) && now.isBefore(booking.end()))
                .findFirst();
        if (active.isPresent()) {
            return new Phase.InUse(active.get());
        }
        if (phase instanceof Phase.InUse || phase instanceof Phase.Between) {
            Optional<RoomBooking> soon = live.stream()
                    .filter(booking -> booking.warmStart(warmUp).isAfter(now)
                            && !booking.start().isAfter(now.plus(STANDBY_HORIZON)))
                    .findFirst();
            if (soon.isPresent()) {
                return new Phase.Between(soon.get());
            }
        }
        return new Phase.Standby();
    }

    private static boolean samePhase(Phase a, Phase b) {
        return switch (a) {
            case Phase.Standby standby -> b instanceof Phase.Standby;
            case Phase.Between between -> b instanceof Phase.Between;
            case Phase.InUse inUse ->
                b instanceof Phase.InUse other
                        && inUse.booking().bookingId().equals(other.booking().bookingId());
        };
    }

    /** A new mode or booking: the scene for it replaces everything wanted before, overrides included. */
    private void enter(Phase next) {
        log.info("room {}: {}", room(), describe(next));
        phase = next;
        cancel(retryLater);
        retryLater = null;
        overrides.clear();
        failures.clear();
        misconfigured.clear();
        unconfirmed.clear();
        wanted.clear();
        RoomScene scene = setup.scene();
        switch (next) {
            case Phase.Standby standby -> {
                want(RoomFunction.DISPLAY_POWER, AvValue.of(false));
                want(RoomFunction.JOIN_LINK, AvValue.of(""));
                want(RoomFunction.LIGHTS_LEVEL, AvValue.of(scene.standbyLights()));
                scene.standbySetpoint().ifPresent(setpoint -> want(RoomFunction.HVAC_SETPOINT, AvValue.of(setpoint)));
            }
            case Phase.InUse inUse -> {
                wantScene(scene);
                want(RoomFunction.JOIN_LINK, link(inUse.booking()));
            }
            case Phase.Between between -> {
                wantScene(scene);
                want(RoomFunction.JOIN_LINK, AvValue.of(""));
            }
        }
        writeUnconfirmed();
    }

    private void wantScene(RoomScene scene) {
        want(RoomFunction.DISPLAY_POWER, AvValue.of(true));
        scene.input().ifPresent(input -> want(RoomFunction.DISPLAY_INPUT, input));
        want(RoomFunction.LIGHTS_LEVEL, AvValue.of(scene.lights()));
        scene.setpoint().ifPresent(setpoint -> want(RoomFunction.HVAC_SETPOINT, AvValue.of(setpoint)));
    }

    /** Wants {@code value} for {@code function}, if the room's controller has a node for it. */
    private void want(RoomFunction function, AvValue value) {
        if (setup.has(function)) {
            wanted.put(function, value);
            unconfirmed.add(function);
            failures.remove(function);
        }
    }

    private static AvValue link(RoomBooking booking) {
        return AvValue.of(booking.joinLink().orElse(""));
    }

    /** Writes every wanted value not confirmed yet in one batch, and sorts out what came of each. */
    private void writeUnconfirmed() {
        if (closed) {
            return;
        }
        cancel(retryLater);
        retryLater = null;
        boolean poweringOff = AvValue.of(false).equals(wanted.get(RoomFunction.DISPLAY_POWER));
        Map<RoomFunction, AvValue> batch = new LinkedHashMap<>();
        for (RoomFunction function : poweringOff ? DOWN_ORDER : UP_ORDER) {
            if (unconfirmed.contains(function) && !misconfigured.contains(function)) {
                batch.put(function, wanted.get(function));
            }
        }
        publish(); // what the room waits for shows while the controller is asked
        if (batch.isEmpty()) {
            return;
        }
        Map<RoomFunction, AvOutcome> outcomes;
        try {
            outcomes = av.write(room(), batch);
        } catch (RuntimeException e) {
            log.warn("room {}: the controller adapter failed: {}", room(), e.toString(), e);
            outcomes = Map.of();
        }
        int soonest = Integer.MAX_VALUE;
        for (Map.Entry<RoomFunction, AvValue> entry : batch.entrySet()) {
            RoomFunction function = entry.getKey();
            AvOutcome outcome = outcomes.getOrDefault(function, new AvOutcome.Unreachable("no answer"));
            switch (outcome) {
                case AvOutcome.Confirmed confirmed -> confirmed(function, confirmed.value());
                case AvOutcome.Misconfigured misconfiguration -> {
                    misconfigured.add(function);
                    fault(function, entry.getValue(), outcome.describe());
                }
                case AvOutcome.NotConfirmed notConfirmed ->
                    soonest = Math.min(soonest, failed(function, entry.getValue(), outcome));
                case AvOutcome.Refused refused ->
                    soonest = Math.min(soonest, failed(function, entry.getValue(), outcome));
                case AvOutcome.Unreachable unreachable ->
                    soonest = Math.min(soonest, failed(function, entry.getValue(), outcome));
            }
        }
        if (soonest < retry.attempts()) {
            retryLater = schedule(this::retry, retry.delayAfter(soonest));
        }
        publish();
    }

    private void retry() {
        retryLater = null;
        writeUnconfirmed();
    }

    private void confirmed(RoomFunction function, AvValue value) {
        unconfirmed.remove(function);
        failures.remove(function);
        confirmedValues.put(function, value);
        tell(() -> listener.confirmed(room(), function, value));
        if (faults.remove(function) != null) {
            log.info("room {}: {} works again", room(), function.key());
            publish(); // the status a listener reads (the device state it nudges) no longer has the fault
            tell(() -> listener.restored(room(), function));
        }
    }

    /** A retryable failure: counted; the last allowed try's is a fault. Returns the failures so far. */
    private int failed(RoomFunction function, AvValue value, AvOutcome outcome) {
        int failed = failures.merge(function, 1, Integer::sum);
        log.debug("room {}: {} {}: {} (try {})", room(), function.key(), value.describe(), outcome.describe(), failed);
        if (failed >= retry.attempts()) {
            fault(function, value, outcome.describe() + " (" + failed + " tries)");
        }
        return failed;
    }

    /** Reports a fault once until the function is confirmed again; the status keeps the latest detail. */
    private void fault(RoomFunction function, AvValue value, String what) {
        String detail = function.key() + " " + value.describe() + ": " + what;
        if (faults.put(function, detail) == null) {
            log.warn("room {}: {}", room(), detail);
            publish(); // the status a listener reads (the device state it nudges) has the fault
            tell(() -> listener.fault(room(), function, detail));
        }
    }

    private void tell(Runnable call) {
        try {
            call.run();
        } catch (RuntimeException e) {
            log.warn("room {}: the A/V listener failed: {}", room(), e.toString(), e);
        }
    }

    private void tick() {
        wake = null;
        replan();
    }

    /** Wakes at the next warm-up or end, and at least once a minute. */
    private void scheduleWake(Instant now) {
        Duration warmUp = setup.scene().warmUp();
        Instant next = now.plus(TICK);
        for (RoomBooking booking : bookings) {
            for (Instant at : List.of(booking.warmStart(warmUp), booking.end())) {
                if (at.isAfter(now) && at.isBefore(next)) {
                    next = at;
                }
            }
        }
        cancel(wake);
        wake = schedule(this::tick, Duration.between(now, next));
    }

    private ScheduledFuture<?> schedule(Runnable step, Duration delay) {
        try {
            return queue.schedule(
                    () -> {
                        try {
                            step.run();
                        } catch (RuntimeException e) {
                            log.error("room {}: A/V step failed: {}", room(), e.toString(), e);
                        }
                    },
                    delay.toNanos(),
                    TimeUnit.NANOSECONDS);
        } catch (RejectedExecutionException e) {
            return null;
        }
    }

    private static void cancel(ScheduledFuture<?> future) {
        if (future != null) {
            future.cancel(false);
        }
    }

    private void publish() {
        RoomState.Mode mode;
        Optional<String> booking;
        switch (phase) {
            case null -> {
                mode = RoomState.Mode.STARTING;
                booking = Optional.empty();
            }
            case Phase.Standby standby -> {
                mode = RoomState.Mode.STANDBY;
                booking = Optional.empty();
            }
            case Phase.InUse inUse -> {
                mode = RoomState.Mode.IN_USE;
                booking = Optional.of(inUse.booking().bookingId());
            }
            case Phase.Between between -> {
                mode = RoomState.Mode.BETWEEN;
                booking = Optional.empty();
            }
        }
        status = new RoomAvStatus(
                room(), mode, booking, wanted, unconfirmed, overrides.keySet(), faults, confirmedValues, occupied);
    }

    private String describe(Phase next) {
        return switch (next) {
            case Phase.Standby standby -> "standby";
            case Phase.InUse inUse ->
                "in use for booking " + inUse.booking().bookingId() + " ("
                        + inUse.booking().start() + " to " + inUse.booking().end() + ")";
            case Phase.Between between ->
                "between bookings, the next (" + between.next().bookingId() + ") at "
                        + between.next().start();
        };
    }
}
