package dev.gatehouse.hub.credentials;

import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The daily sweep that anonymises visitors whose pass ended longer ago than their tenant's retention
 * period ({@link VisitorPrivacyStore#sweep}); first a minute after the hub starts. Several replicas
 * may sweep: anonymising is idempotent.
 */
public final class VisitorRetention implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(VisitorRetention.class.getName());
    static final Duration INTERVAL = Duration.ofDays(1);

    private final VisitorPrivacyStore store;
    private final ScheduledExecutorService executor;

    public VisitorRetention(VisitorPrivacyStore store) {
        this.store = store;
        this.executor = Executors.newSingleThreadScheduledExecutor(task ->
                Thread.ofPlatform().daemon().name("hub-visitor-retention").unstarted(task));
    }

    public VisitorRetention start() {
        executor.scheduleWithFixedDelay(
                this::sweep, Duration.ofMinutes(1).toMillis(), INTERVAL.toMillis(), TimeUnit.MILLISECONDS);
        return this;
    }

    private void sweep() {
        try {
            int anonymised = store.sweep();
            if (anonymised > 0) {
                LOG.info("anonymised " + anonymised + " visitors past their tenant's retention period");
            }
        } catch (RuntimeException e) {
            LOG.log(Level.WARNING, "the visitor retention sweep failed; it runs again in " + INTERVAL, e);
        }
    }

    @Override
    public void close() {
        executor.shutdownNow();
        try {
            executor.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
