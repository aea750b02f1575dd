package dev.gatehouse.edge.sync;

import java.time.Duration;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The sync client's one thread: connecting, reconnecting, draining, re-publishing and the state
 * heartbeat run here, one task at a time. A task that throws is logged and the thread goes on; a task
 * handed over after {@link #close} is dropped (the client is stopping).
 */
final class SyncWorker {
    private static final Logger log = LoggerFactory.getLogger(SyncWorker.class);
    private final ScheduledExecutorService executor;

    SyncWorker(ScheduledExecutorService executor) {
        this.executor = executor;
    }

    /** A worker on a thread of its own, named {@code sync-client}. */
    static SyncWorker ownThread() {
        return new SyncWorker(java.util.concurrent.Executors.newSingleThreadScheduledExecutor(
                task -> Thread.ofPlatform().name("sync-client").daemon(true).unstarted(task)));
    }

    /** Runs {@code task} on the worker soon. */
    void execute(Runnable task) {
        try {
            executor.execute(guarded(task));
        } catch (RejectedExecutionException e) {
            log.debug("sync client closed; task dropped");
        }
    }

    /** Runs {@code task} on the worker after {@code delay}; false when the worker is closed. */
    boolean schedule(Runnable task, Duration delay) {
        try {
            executor.schedule(guarded(task), Math.max(0, delay.toNanos()), TimeUnit.NANOSECONDS);
            return true;
        } catch (RejectedExecutionException e) {
            return false;
        }
    }

    /** Runs {@code task} every {@code period}, the first time after one period. */
    void every(Duration period, Runnable task) {
        executor.scheduleWithFixedDelay(guarded(task), period.toNanos(), period.toNanos(), TimeUnit.NANOSECONDS);
    }

    /** Stops the thread, waiting up to 5 s for a running task. */
    void close() {
        executor.shutdownNow();
        try {
            executor.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static Runnable guarded(Runnable task) {
        return () -> {
            try {
                task.run();
            } catch (RuntimeException e) {
                log.error("sync client task failed: {}", e.toString(), e);
            }
        };
    }
}
