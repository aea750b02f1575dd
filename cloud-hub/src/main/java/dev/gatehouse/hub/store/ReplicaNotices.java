package dev.gatehouse.hub.store;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;
import java.util.logging.Level;
import java.util.logging.Logger;
import org.postgresql.PGConnection;
import org.postgresql.PGNotification;

/**
 * What one hub replica tells the others through PostgreSQL LISTEN/NOTIFY: a site's change log grew
 * ({@value #CHANGES}, so the replica holding its lease publishes at once rather than at its next
 * sweep) and events were stored ({@value #INGEST}, so every replica's live feeds read them at once
 * rather than at their next poll). A notice carries ids only; the listener reads the rows. Notices
 * are sent by {@link Database#notifyReplicas} inside the writing transaction, so only what
 * committed is told.
 *
 * <p>One connection of its own listens, on a daemon thread; a replica's own notices are skipped.
 * After the connection is lost it reconnects every second, and then tells its reconnect listeners,
 * since notices sent meanwhile are gone (the sync sweep and the feeds' polls would catch up anyway;
 * this is only sooner). On SQLite there is one hub: nothing is listened to, and {@link #start} does
 * nothing.
 */
public final class ReplicaNotices implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(ReplicaNotices.class.getName());
    /** Channel of change-log growth; detail {@code "<tenantId> <siteId>"}. */
    public static final String CHANGES = "gh_changes";
    /** Channel of stored events; detail the tenant id. */
    public static final String INGEST = "gh_ingest";

    private static final int WAIT_MILLIS = 500;
    private static final long RECONNECT_MILLIS = 1000;

    private final Database database;
    private final List<Consumer<Set<SiteRef>>> changeListeners = new CopyOnWriteArrayList<>();
    private final List<Runnable> ingestListeners = new CopyOnWriteArrayList<>();
    private final List<Runnable> reconnectListeners = new CopyOnWriteArrayList<>();
    private volatile boolean closed;
    private volatile Thread thread;

    public ReplicaNotices(Database database) {
        this.database = database;
    }

    /** Heard when another replica's commit appended to these sites' change logs. */
    public ReplicaNotices onChanges(Consumer<Set<SiteRef>> listener) {
        changeListeners.add(listener);
        return this;
    }

    /** Heard when another replica stored events. */
    public ReplicaNotices onIngest(Runnable listener) {
        ingestListeners.add(listener);
        return this;
    }

    /** Heard after the listening connection was lost and is back (notices sent meanwhile are lost). */
    public ReplicaNotices onReconnect(Runnable listener) {
        reconnectListeners.add(listener);
        return this;
    }

    /**
     * Starts listening (PostgreSQL only); returns once the first LISTEN is in place, or once the
     * first attempt failed (the thread keeps trying).
     */
    public ReplicaNotices start() {
        if (database.kind() != StoreKind.POSTGRESQL || thread != null) {
            return this;
        }
        java.util.concurrent.CountDownLatch first = new java.util.concurrent.CountDownLatch(1);
        thread = Thread.ofPlatform().daemon().name("hub-replica-notices").start(() -> run(first));
        try {
            first.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return this;
    }

    /** Whether a listening thread runs (PostgreSQL, started, not closed). */
    public boolean listening() {
        return thread != null && !closed;
    }

    private void run(java.util.concurrent.CountDownLatch first) {
        boolean reconnecting = false;
        while (!closed) {
            try (Connection c = database.dedicatedConnection()) {
                try (Statement statement = c.createStatement()) {
                    statement.execute("LISTEN " + CHANGES);
                    statement.execute("LISTEN " + INGEST);
                }
                first.countDown();
                if (reconnecting) {
                    LOG.info("replica notices: listening again");
                    reconnectListeners.forEach(ReplicaNotices::quietly);
                }
                PGConnection pg = c.unwrap(PGConnection.class);
                while (!closed) {
                    PGNotification[] notices = pg.getNotifications(WAIT_MILLIS);
                    if (notices != null && notices.length > 0) {
                        deliver(notices);
                    }
                }
            } catch (SQLException | RuntimeException e) {
                first.countDown();
                if (closed) {
                    return;
                }
                reconnecting = true;
                LOG.log(
                        Level.WARNING,
                        "replica notices: listening connection lost (" + e.getMessage() + "); trying again in "
                                + RECONNECT_MILLIS + " ms");
                try {
                    Thread.sleep(RECONNECT_MILLIS);
                } catch (InterruptedException interrupted) {
                    return;
                }
            }
        }
    }

    private void deliver(PGNotification[] notices) {
        String self = database.replicaId() + " ";
        Set<SiteRef> changed = new HashSet<>();
        boolean ingested = false;
        for (PGNotification notice : notices) {
            String payload = notice.getParameter();
            if (payload == null || payload.startsWith(self)) {
                continue;
            }
            String[] parts = payload.split(" ");
            if (CHANGES.equals(notice.getName()) && parts.length == 3) {
                changed.add(new SiteRef(parts[1], parts[2]));
            } else if (INGEST.equals(notice.getName())) {
                ingested = true;
            }
        }
        if (!changed.isEmpty()) {
            Set<SiteRef> sites = Set.copyOf(changed);
            changeListeners.forEach(listener -> quietly(() -> listener.accept(sites)));
        }
        if (ingested) {
            ingestListeners.forEach(ReplicaNotices::quietly);
        }
    }

    private static void quietly(Runnable listener) {
        try {
            listener.run();
        } catch (RuntimeException e) {
            LOG.log(Level.WARNING, "a replica notice listener failed: " + e, e);
        }
    }

    @Override
    public void close() {
        closed = true;
        Thread running = thread;
        if (running != null) {
            try {
                running.join(WAIT_MILLIS * 4L);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
