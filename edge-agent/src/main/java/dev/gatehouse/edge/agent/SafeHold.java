package dev.gatehouse.edge.agent;

import dev.gatehouse.edge.config.EdgeConfig;
import dev.gatehouse.edge.door.DoorController;
import dev.gatehouse.edge.reader.Presentation;
import dev.gatehouse.edge.reader.Reader;
import dev.gatehouse.edge.reader.ReaderListener;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The doors of an agent that could not start — its data directory, cache, trusted keys or card key
 * cannot be used — kept in their safe state instead of left to whatever the lines did: every door held
 * locked with its contact and REX working (REX unlocks for egress), every card and code refused with
 * the reason in the log, door events logged (nothing can record them), and {@link #problem()} — what
 * to fix — logged at once and every minute. The process stays up so that systemd does not restart it
 * into the same failure in a loop; fix the problem and restart the agent.
 */
public final class SafeHold implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(SafeHold.class);
    /** How often the problem is logged again while the doors are held. */
    static final long REMIND_SECONDS = 60;

    private final ClaimedDoors doors;
    private final String problem;
    private final List<Reader> readers = new ArrayList<>();
    private final Map<String, String> doorOfReader = new LinkedHashMap<>();
    private final AtomicLong refused = new AtomicLong();
    private final List<Consumer<String>> watchers = new CopyOnWriteArrayList<>();
    private final ScheduledExecutorService reminders = Executors.newSingleThreadScheduledExecutor(
            task -> Thread.ofPlatform().name("safe-hold").daemon(true).unstarted(task));

    private SafeHold(ClaimedDoors doors, String problem) {
        this.doors = doors;
        this.problem = problem;
    }

    static SafeHold start(EdgeConfig config, Hardware hardware, ClaimedDoors doors, RuntimeException cause) {
        String problem = Optional.ofNullable(cause.getMessage()).orElse(cause.toString());
        SafeHold hold = new SafeHold(doors, problem);
        log.error(
                "the agent cannot start: {}. Its {} doors are held locked with REX working, and every card and code"
                        + " is refused until this is fixed and the agent restarted",
                problem,
                config.doors().size(),
                cause);
        doors.attach(event -> hold.say("door " + event.door() + ": " + event.kind()
                + (event.detail() == null ? "" : " " + event.detail()) + " at " + event.at()
                + " (not recorded: the agent cannot start)"));
        for (EdgeConfig.Door door : config.doors()) {
            door.readers().forEach(reader -> hold.doorOfReader.put(reader, door.id()));
        }
        for (EdgeConfig.Reader readerConfig : config.readers()) {
            try {
                Reader reader = hardware.reader(readerConfig);
                hold.readers.add(reader);
                reader.start(hold.new Refusing());
            } catch (RuntimeException e) {
                log.warn("reader {} not started while the doors are held: {}", readerConfig.id(), e.toString());
            }
        }
        hold.reminders.scheduleWithFixedDelay(
                () -> log.error("still holding the doors locked: {}", problem),
                REMIND_SECONDS,
                REMIND_SECONDS,
                TimeUnit.SECONDS);
        return hold;
    }

    /** What keeps the agent from starting, and how to fix it: the start error's message. */
    public String problem() {
        return problem;
    }

    /** How many cards and codes were refused while the doors were held. */
    public long refused() {
        return refused.get();
    }

    /** The held doors by id. */
    public Map<String, DoorController> doors() {
        return doors.doors();
    }

    /** Lines as they happen (refusals, door events), as {@code gatehouse-edge watch} shows them. */
    public AutoCloseable watch(Consumer<String> consumer) {
        watchers.add(consumer);
        return () -> watchers.remove(consumer);
    }

    private void say(String line) {
        log.warn(line);
        watchers.forEach(watcher -> watcher.accept(line));
    }

    /** Every presentation refused, with the reason. */
    private final class Refusing implements ReaderListener {
        @Override
        public void presented(String readerId, Presentation presentation) {
            refused.incrementAndGet();
            String what = presentation instanceof Presentation.CardUid ? "card" : "code";
            say("door " + doorOfReader.getOrDefault(readerId, "?") + ": " + what + " at reader " + readerId
                    + " refused: the agent cannot read its access list (" + problem + ")");
        }

        @Override
        public void fault(String readerId, String detail) {
            log.warn("reader {}: {}", readerId, detail);
        }

        @Override
        public void restored(String readerId) {
            log.info("reader {} works again", readerId);
        }
    }

    /** Stops the readers and leaves every door locked; the hardware stays open. */
    @Override
    public void close() {
        reminders.shutdownNow();
        for (Reader reader : readers) {
            try {
                reader.close();
            } catch (RuntimeException e) {
                log.warn("closing reader {}: {}", reader.id(), e.toString());
            }
        }
        doors.close();
    }
}
