package dev.gatehouse.edge.agent;

import dev.gatehouse.edge.door.DoorController;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * systemd's watchdog, fed only while every door can act. A process that is alive is not enough: a
 * door whose serial queue is stuck (a task that never returns, a deadlock) ignores its reader, its REX
 * button and its relock timer while the rest of the agent looks fine. So every third of systemd's
 * watchdog interval each door's queue is handed a tiny heartbeat task, and {@code WATCHDOG=1} is sent
 * only when every door ran the heartbeat it was handed the time before. One stuck queue stops the
 * pings; systemd then aborts the agent and restarts it, and the new agent claims every door locked.
 *
 * <p>Also tells systemd when the doors are claimed ({@code READY=1}), what the agent is doing
 * ({@code STATUS=}) and that it is stopping ({@code STOPPING=1}); those are sent also when systemd runs
 * no watchdog for the agent. Without systemd everything here does nothing.
 */
public final class Watchdog implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(Watchdog.class);

    private final SystemdNotifier notifier;
    private final List<Heartbeat> doors = new ArrayList<>();
    private final ScheduledExecutorService ticker;
    private final LongSupplier nanoTime;
    private final String status;
    /** Touched only by the ticker's one thread (and by tests that tick directly). */
    private boolean stalled;

    private Watchdog(
            SystemdNotifier notifier,
            Collection<DoorController> doors,
            ScheduledExecutorService ticker,
            LongSupplier nanoTime,
            String status) {
        this.notifier = notifier;
        doors.forEach(door -> this.doors.add(new Heartbeat(door)));
        this.ticker = ticker;
        this.nanoTime = nanoTime;
        this.status = status;
    }

    /**
     * Starts watching {@code doors} for systemd as its environment describes, and says the agent is
     * ready with {@code status} (one line: "running: 3 doors", or what keeps the agent from starting).
     */
    public static Watchdog start(Collection<DoorController> doors, String status) {
        ScheduledExecutorService ticker = Executors.newSingleThreadScheduledExecutor(
                task -> Thread.ofPlatform().name("watchdog").daemon(true).unstarted(task));
        return start(SystemdNotifier.fromEnvironment(), doors, ticker, System::nanoTime, status);
    }

    /** As {@link #start(Collection, String)}, with the notifier, the ticker and the clock given. */
    static Watchdog start(
            SystemdNotifier notifier,
            Collection<DoorController> doors,
            ScheduledExecutorService ticker,
            LongSupplier nanoTime,
            String status) {
        Watchdog watchdog = new Watchdog(notifier, doors, ticker, nanoTime, status);
        notifier.ready(status);
        Optional<Duration> interval = notifier.watchdogInterval();
        if (notifier.enabled() && interval.isPresent()) {
            // Three heartbeats per interval: a ping may be missed once (a heartbeat not yet run) and
            // the next one still arrives in time.
            long period = Math.max(1, interval.get().toNanos() / 3);
            ticker.scheduleAtFixedRate(watchdog::tick, 0, period, TimeUnit.NANOSECONDS);
            log.info("systemd watchdog: {} doors checked every {} ms", doors.size(), period / 1_000_000);
        }
        return watchdog;
    }

    /**
     * One beat: pings systemd if every door ran its last heartbeat, then hands each door a new one
     * (a door still busy with its last keeps it: the age of that one is how long the door has hung).
     */
    void tick() {
        try {
            long now = nanoTime.getAsLong();
            List<Heartbeat> stuck = new ArrayList<>();
            for (Heartbeat door : doors) {
                if (!door.ran()) {
                    stuck.add(door);
                }
            }
            if (stuck.isEmpty()) {
                notifier.watchdog();
                if (stalled) {
                    stalled = false;
                    log.warn("every door's queue runs again: systemd watchdog pings resumed");
                    notifier.status(status);
                }
            } else {
                report(stuck, now);
            }
            for (Heartbeat door : doors) {
                if (door.ran()) {
                    door.beat(now);
                }
            }
        } catch (RuntimeException e) {
            // A periodic task that throws is never run again: that would stop the pings for good.
            log.error("watchdog tick failed: {}", e.toString(), e);
        }
    }

    private void report(List<Heartbeat> stuck, long now) {
        List<String> lines = new ArrayList<>();
        for (Heartbeat door : stuck) {
            String line = door.problem(now);
            lines.add(line);
            if (!door.reported) {
                door.reported = true;
                log.error(
                        "{}: no systemd watchdog pings until it runs again; systemd will restart the agent, which"
                                + " claims every door locked",
                        line);
            }
        }
        if (!stalled) {
            stalled = true;
            notifier.status("stuck: " + String.join("; ", lines));
        }
    }

    /** Says the agent is stopping and stops the heartbeats; the doors are the caller's to close. */
    @Override
    public void close() {
        ticker.shutdownNow();
        notifier.stopping("stopping: driving " + doors.size() + " doors locked");
    }

    /** One door's heartbeat: the last task handed to its queue, and when. */
    private static final class Heartbeat {
        private final DoorController door;
        private CompletableFuture<Void> last = CompletableFuture.completedFuture(null);
        private long handedAt;
        /** Whether the door's current hang is logged already: once per hang. */
        private boolean reported;

        Heartbeat(DoorController door) {
            this.door = door;
        }

        /** Whether the door's queue ran the last heartbeat; a queue that refused it did not. */
        boolean ran() {
            return last.isDone() && !last.isCompletedExceptionally();
        }

        void beat(long now) {
            if (reported) {
                reported = false;
                log.warn("door {}: its queue runs again", door.id());
            }
            handedAt = now;
            last = door.onQueue(() -> null);
        }

        String problem(long now) {
            if (last.isCompletedExceptionally()) {
                String why = last.handle((value, failure) -> String.valueOf(failure.getMessage()))
                        .join();
                return "door " + door.id() + ": its queue refused the heartbeat (" + why + ")";
            }
            return "door " + door.id() + ": its queue has not run a heartbeat handed to it "
                    + Duration.ofNanos(now - handedAt).toMillis() + " ms ago";
        }
    }
}
