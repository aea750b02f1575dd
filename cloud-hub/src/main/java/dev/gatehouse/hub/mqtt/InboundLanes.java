package dev.gatehouse.hub.mqtt;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Where arriving messages are handled: a few lanes, each one thread, and a key (the sending device)
 * always on the same lane, so one key's messages are handled one at a time in arrival order while
 * other lanes go on. A lane holds at most {@code capacity} waiting tasks; handing in one more waits
 * for room, which holds up the MQTT client's callback thread and so pushes back on the broker. A task
 * that throws is logged, and its lane goes on.
 */
final class InboundLanes implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(InboundLanes.class.getName());

    private record Lane(ExecutorService thread, Semaphore room) {}

    private final List<Lane> lanes = new ArrayList<>();

    /** {@code lanes} threads named {@code name-0}, {@code name-1}, …; each holds up to {@code capacity} tasks. */
    InboundLanes(int lanes, int capacity, String name) {
        for (int i = 0; i < lanes; i++) {
            String threadName = name + "-" + i;
            this.lanes.add(new Lane(
                    Executors.newSingleThreadExecutor(task ->
                            Thread.ofPlatform().daemon().name(threadName).unstarted(task)),
                    new Semaphore(capacity)));
        }
    }

    /** The lane that handles {@code key}. */
    int laneOf(String key) {
        return Math.floorMod(key.hashCode(), lanes.size());
    }

    /**
     * Runs the task after every task handed in earlier for the same lane; waits while that lane is
     * full. Throws {@link RejectedExecutionException} once closed, {@link InterruptedException} when
     * interrupted while waiting (the task is then not run).
     */
    void submit(String key, Runnable task) throws InterruptedException {
        Lane lane = lanes.get(laneOf(key));
        lane.room().acquire();
        try {
            lane.thread().execute(() -> {
                try {
                    task.run();
                } catch (RuntimeException | Error e) {
                    LOG.log(Level.WARNING, "a message handler failed: " + e, e);
                } finally {
                    lane.room().release();
                }
            });
        } catch (RejectedExecutionException e) {
            lane.room().release();
            throw e;
        }
    }

    /** Refuses new tasks and waits up to {@code wait} per lane for those handed in to run. */
    void close(Duration wait) {
        lanes.forEach(lane -> lane.thread().shutdown());
        for (Lane lane : lanes) {
            try {
                if (!lane.thread().awaitTermination(wait.toMillis(), TimeUnit.MILLISECONDS)) {
                    LOG.warning("an inbound lane still runs a message handler after " + wait + "; going on");
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    @Override
    public void close() {
        close(Duration.ofSeconds(5));
    }
}
