package dev.gatehouse.hub.outbox;

import dev.gatehouse.hub.store.Database;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * A thread that runs a reader's pass over the outbox whenever a commit wrote outbox events, when asked
 * ({@link #wake}), and at least once a second (for what falls due as time passes). A failed pass is
 * logged and the next one tries again. The webhook dispatcher and the connectors each run one.
 */
public final class OutboxWorker implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(OutboxWorker.class.getName());

    private final Database database;
    private final Runnable pass;
    private final String what;
    private final Semaphore wake = new Semaphore(0);
    private final Runnable listener = this::wake;
    private final Thread thread;
    private volatile boolean closed;

    /** {@code what} names the work in the log: "a webhook delivery pass". */
    public OutboxWorker(Database database, String threadName, String what, Runnable pass) {
        this.database = database;
        this.pass = pass;
        this.what = what;
        this.thread = new Thread(this::run, threadName);
        this.thread.setDaemon(true);
    }

    public void start() {
        database.onOutboxCommitted(listener);
        thread.start();
    }

    public void wake() {
        wake.release();
    }

    public boolean closed() {
        return closed;
    }

    private void run() {
        while (!closed) {
            try {
                wake.tryAcquire(1, TimeUnit.SECONDS);
                wake.drainPermits();
            } catch (InterruptedException e) {
                return;
            }
            if (closed) {
                return;
            }
            try {
                pass.run();
            } catch (RuntimeException e) {
                LOG.log(Level.WARNING, what + " failed; the next one tries again", e);
            }
        }
    }

    /** Stops the thread (waiting up to 5 s for a pass under way). */
    @Override
    public void close() {
        closed = true;
        database.removeOutboxListener(listener);
        thread.interrupt();
        try {
            thread.join(5000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
