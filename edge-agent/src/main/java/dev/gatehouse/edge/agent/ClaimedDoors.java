package dev.gatehouse.edge.agent;

import dev.gatehouse.edge.config.EdgeConfig;
import dev.gatehouse.edge.door.BinaryInput;
import dev.gatehouse.edge.door.DoorController;
import dev.gatehouse.edge.door.DoorSettings;
import dev.gatehouse.edge.door.LockOutput;
import dev.gatehouse.edge.door.LockType;
import dev.gatehouse.edge.gpio.Pi4jBinaryInput;
import dev.gatehouse.edge.gpio.Pi4jRelay;
import dev.gatehouse.protocol.message.DoorEventKind;
import dev.gatehouse.protocol.model.DoorId;
import dev.gatehouse.protocol.model.TimeWindow;
import dev.gatehouse.protocol.policy.DoorMode;
import java.time.Clock;
import java.time.DayOfWeek;
import java.time.Instant;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Every configured door, claimed before the agent opens anything else: each relay at its locked level,
 * each contact and REX button listening, each door held locked ({@link DoorController#startHeld}) until
 * the agent has read its cache and {@link #resume resumes} it with its stored mode. Door events raised
 * before the agent can record them wait here (with their time) and are handed over by {@link #attach};
 * an agent that never gets that far logs them instead.
 */
final class ClaimedDoors implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(ClaimedDoors.class);
    /** Door events kept while nothing records them; beyond this the oldest are only logged. */
    static final int MAX_WAITING = 1_000;

    /** A door event with the time it happened. */
    record Raised(DoorId door, DoorEventKind kind, String detail, Instant at) {}

    /** Where door events go once the agent can record them. */
    interface Sink {
        void doorEvent(Raised event);
    }

    private final Clock clock;
    private final Map<String, DoorController> doors = new LinkedHashMap<>();
    private final List<Raised> waiting = new ArrayList<>();
    private Sink sink;

    private ClaimedDoors(Clock clock) {
        this.clock = clock;
    }

    /**
     * Claims every door of {@code config} on {@code hardware}'s GPIO, held locked. A door that cannot be
     * claimed (a pin in use, a GPIO chip that refuses) releases the ones claimed before it and throws.
     */
    static ClaimedDoors claim(EdgeConfig config, Hardware hardware, Clock clock) {
        ClaimedDoors claimed = new ClaimedDoors(clock);
        try {
            for (EdgeConfig.Door door : config.doors()) {
                claimed.doors.put(door.id(), claimed.start(door, config.site().zone(), hardware));
            }
            for (EdgeConfig.FireRelease input : config.fireReleases()) {
                claimed.watchFireRelease(input, hardware);
            }
        } catch (RuntimeException e) {
            claimed.close();
            throw e;
        }
        return claimed;
    }

    private DoorController start(EdgeConfig.Door door, ZoneId zone, Hardware hardware) {
        var gpio = hardware.gpio();
        LockType lockType = door.lock() == EdgeConfig.Lock.FAIL_SAFE ? LockType.FAIL_SAFE : LockType.FAIL_SECURE;
        // The relay first: the door is locked before anything else about it is set up.
        Pi4jRelay relay = Pi4jRelay.create(gpio, door.relayPin(), new LockOutput(lockType, door.relayActiveLow()));
        Optional<BinaryInput> contact = door.contactPin().map(pin -> Pi4jBinaryInput.create(gpio, pin, door.contact()));
        Optional<BinaryInput> rex = door.rexPin().map(pin -> Pi4jBinaryInput.create(gpio, pin, door.rex()));
        List<TimeWindow> windows = new ArrayList<>();
        for (EdgeConfig.UnlockWindow window : door.unlockWindows()) {
            for (DayOfWeek day : window.days()) {
                windows.add(TimeWindow.of(day, window.from(), window.to()));
            }
        }
        DoorSettings settings = new DoorSettings(
                DoorId.of(door.id()),
                lockType,
                door.unlockPulse(),
                door.heldOpenAfter(),
                windows,
                zone,
                door.rexUnlocks());
        return DoorController.startHeld(
                settings, relay, contact, rex, clock, DoorController.newQueue(settings.id()), this::raised);
    }

    /**
     * Listens to a fire-release input and releases its doors while it is active, starting with its
     * level now (an alarm already on at start releases them at once). Nothing but the input and the
     * doors' queues takes part: no cache, no hub, no decision.
     */
    private void watchFireRelease(EdgeConfig.FireRelease config, Hardware hardware) {
        BinaryInput input = Pi4jBinaryInput.create(hardware.gpio(), config.pin(), config.wiring());
        List<DoorController> released = config.doors().stream().map(doors::get).toList();
        Object order = new Object(); // the level at start and each change reach the doors in the order they were read
        input.onChange(active -> {
            synchronized (order) {
                log.warn(
                        "fire-release input {} (GPIO {}) {}: {}",
                        config.id(),
                        config.pin(),
                        active ? "active" : "ended",
                        active ? "releasing " + config.doors() : config.doors() + " back to normal");
                released.forEach(door -> door.fireRelease(config.id(), active));
            }
        });
        synchronized (order) {
            if (input.active()) {
                log.warn(
                        "fire-release input {} (GPIO {}) is active at start: releasing {}",
                        config.id(),
                        config.pin(),
                        config.doors());
                released.forEach(door -> door.fireRelease(config.id(), true));
            }
        }
    }

    /** The claimed doors by id, in configuration order. */
    Map<String, DoorController> doors() {
        return Collections.unmodifiableMap(doors);
    }

    /** The door events that the doors call in: on each door's queue thread, so this only hands off. */
    private void raised(DoorId door, DoorEventKind kind, String detail) {
        Raised event = new Raised(door, kind, detail, clock.instant());
        Sink current;
        synchronized (waiting) {
            current = sink;
            if (current == null) {
                if (waiting.size() == MAX_WAITING) {
                    Raised dropped = waiting.removeFirst();
                    log.warn(
                            "door {}: {} at {} not recorded: {} events wait already",
                            dropped.door(),
                            dropped.kind(),
                            dropped.at(),
                            MAX_WAITING);
                }
                waiting.add(event);
                log.info("door {}: {} {} (recorded once the agent can)", door, kind, detail == null ? "" : detail);
                return;
            }
        }
        current.doorEvent(event);
    }

    /** From now on door events go to {@code sink}, those raised before it first, in order. */
    void attach(Sink sink) {
        List<Raised> before;
        synchronized (waiting) {
            before = List.copyOf(waiting);
            waiting.clear();
            this.sink = sink;
        }
        before.forEach(sink::doorEvent);
    }

    /** Ends every door's hold with the mode stored for it. */
    void resume(Function<DoorId, DoorMode> storedMode) {
        doors.values().forEach(door -> door.resume(storedMode.apply(door.id())).join());
    }

    /** Drives every door to its locked level and stops it; the hardware stays open. */
    @Override
    public void close() {
        for (DoorController door : doors.values()) {
            try {
                door.close();
            } catch (RuntimeException e) {
                log.warn("closing door {}: {}", door.id(), e.toString());
            }
        }
    }
}
