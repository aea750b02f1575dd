package dev.gatehouse.hub.mqtt;

import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Runs the tasks handed to it one at a time, in the order they were handed in, on an executor: the
 * single writer of whatever state only its tasks touch (the serial queue of Milo's {@code
 * ExecutionQueue}, without its lock). A task handed in while another runs waits for it; one handed
 * in from inside a task runs right after that task, never nested in it. A task that throws is logged
 * and the next one runs.
 *
 * <p>Over a direct executor ({@code Runnable::run}) the tasks run on whichever handing thread finds
 * the queue idle, until it is empty; tests use that to drive a class step by step on their own
 * thread.
 */
final class SerialQueue implements Executor {
    private static final Logger LOG = Logger.getLogger(SerialQueue.class.getName());

    private final Executor executor;
    private final Queue<Runnable> tasks = new ConcurrentLinkedQueue<>();
    /** Tasks handed in and not yet run; the one that raises it from 0 starts the run. */
    private final AtomicInteger waiting = new AtomicInteger();

    SerialQueue(Executor executor) {
        this.executor = executor;
    }

    /**
     * Queues the task. Throws {@link RejectedExecutionException} when the executor refuses to run the
     * queue (it was shut down); the tasks queued then are dropped.
     */
    @Override
    public void execute(Runnable task) {
        tasks.add(task);
        if (waiting.getAndIncrement() != 0) {
            return; // the run under way takes it
        }
        try {
            executor.execute(this::run);
        } catch (RejectedExecutionException e) {
            do {
                tasks.poll();
            } while (waiting.decrementAndGet() != 0);
            throw e;
        }
    }

    private void run() {
        do {
            Runnable task = tasks.poll();
            try {
                task.run();
            } catch (RuntimeException | Error e) {
                LOG.log(Level.WARNING, "a serial task failed: " + e, e);
            }
        } while (waiting.decrementAndGet() != 0);
    }
}
