package dev.gatehouse.hub.privacy;

import dev.gatehouse.hub.credentials.VisitorPrivacyStore;
import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Applies every tenant's retention periods each {@link #INTERVAL}: old access events deleted, members
 * cancelled long ago erased ({@link PersonalData#sweep()}), visitors whose pass ended, kiosk sign-ins
 * and agreement signatures made longer ago than their period anonymised ({@link VisitorPrivacyStore#sweep()}). Each run is idempotent, so replicas
 * that run it side by side do the same work at most twice and never disagree.
 */
public final class RetentionSweep implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(RetentionSweep.class.getName());
    static final Duration INTERVAL = Duration.ofHours(1);

    private final PersonalData data;
    private final VisitorPrivacyStore visitors;
    private final ScheduledExecutorService executor;

    public RetentionSweep(PersonalData data, VisitorPrivacyStore visitors) {
        this.data = data;
        this.visitors = visitors;
        this.executor = Executors.newSingleThreadScheduledExecutor(
                task -> Thread.ofPlatform().daemon().name("hub-retention").unstarted(task));
    }

    public RetentionSweep start() {
        executor.scheduleWithFixedDelay(this::sweep, 60, INTERVAL.toSeconds(), TimeUnit.SECONDS);
        return this;
    }

    private void sweep() {
        try {
            PersonalData.Swept swept = data.sweep();
            if (swept.accessEventsDeleted() > 0 || swept.membersErased() > 0) {
                LOG.info("retention: deleted " + swept.accessEventsDeleted() + " access events past their tenant's"
                        + " period, erased " + swept.membersErased() + " members cancelled past theirs");
            }
        } catch (RuntimeException e) {
            LOG.log(Level.WARNING, "the retention sweep failed; it runs again in " + INTERVAL, e);
        }
        try {
            int anonymised = visitors.sweep();
            if (anonymised > 0) {
                LOG.info("retention: anonymised " + anonymised + " visitor records (passes, kiosk sign-ins, agreement"
                        + " signatures) past their tenant's period");
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
