package dev.gatehouse.hub.members;

import dev.gatehouse.hub.store.Database;
import dev.gatehouse.hub.store.Sql;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Every {@link #INTERVAL}, each tenant's members' names follow the plans that started or ended with
 * time ({@link SiteNames#sweep}): a plan's end takes the name from the site's edges within about a
 * minute (the doors already refuse from the plan's end: the grant carries its window). A read tells
 * first whether anything is due, so a quiet tenant costs no write. Replicas running it side by side
 * are serialised by the tenant's lock; the second finds nothing due.
 */
public final class SiteNameSweep implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(SiteNameSweep.class.getName());
    static final Duration INTERVAL = Duration.ofSeconds(30);

    private final Database database;
    private final Clock clock;
    private final ScheduledExecutorService executor;

    public SiteNameSweep(Database database, Clock clock) {
        this.database = database;
        this.clock = clock;
        this.executor = Executors.newSingleThreadScheduledExecutor(
                task -> Thread.ofPlatform().daemon().name("hub-site-names").unstarted(task));
    }

    public SiteNameSweep start() {
        executor.scheduleWithFixedDelay(this::run, 1, INTERVAL.toSeconds(), TimeUnit.SECONDS);
        return this;
    }

    /** One pass over every tenant as of {@code now}; answers how many member entries it appended. */
    public int sweep(Instant now) {
        int appended = 0;
        for (String tenantId : database.read(c -> Sql.list(c, "SELECT id FROM tenants ORDER BY id", Sql.STRING))) {
            if (database.read(c -> SiteNames.isDue(c, tenantId, now))) {
                appended += database.write(c -> SiteNames.sweep(c, tenantId, now));
            }
        }
        return appended;
    }

    private void run() {
        try {
            int appended = sweep(clock.instant());
            if (appended > 0) {
                LOG.info("member names: " + appended + " site entries sent as plans started or ended");
            }
        } catch (RuntimeException e) {
            LOG.log(Level.WARNING, "the member names sweep failed; it runs again in " + INTERVAL, e);
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
