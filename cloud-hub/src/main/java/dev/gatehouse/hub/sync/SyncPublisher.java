package dev.gatehouse.hub.sync;

import dev.gatehouse.hub.store.Database;
import dev.gatehouse.hub.store.SiteRef;
import dev.gatehouse.protocol.topic.Channel;
import dev.gatehouse.protocol.topic.Topic;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Publishes each site's new change-log entries, as signed {@code sync.batch} messages, to every
 * active device of the site ({@code gh/v1/{slug}/{site}/{device}/sync}).
 *
 * <p>It is told by {@link Database#onChangesCommitted} right after a transaction that appended to a
 * log commits (so it never publishes uncommitted entries), and a sweep every
 * {@code hub.sync.sweep-interval} re-reads every site's head, which catches what it was not told
 * (another replica's writes, a publish that failed) and compacts logs longer than
 * {@code hub.sync.log-keep}. What it has published is remembered per site, in memory only, starting
 * from the head when the hub starts: an edge that missed something asks ({@code sync.request}).
 *
 * <p>One worker thread publishes, so a site's batches leave in seq order.
 */
public final class SyncPublisher implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(SyncPublisher.class.getName());
    /** Entries read from the store per round. */
    private static final int READ_LIMIT = 2000;
    /** Entries deleted per compaction transaction (keeps the writer lock short). */
    private static final int COMPACT_ROWS = 5000;

    private final Database database;
    private final SyncStore store;
    private final EdgeDevices devices;
    private final EdgeLink link;
    private final Clock clock;
    private final SyncSettings settings;
    private final Map<String, Long> published = new ConcurrentHashMap<>();
    private final Map<String, SiteRef> dirty = new ConcurrentHashMap<>();
    private final Object signal = new Object();
    private final Consumer<Set<SiteRef>> listener = this::changed;
    private volatile boolean running;
    private Thread worker;
    private Thread sweeper;

    public SyncPublisher(Database database, EdgeDevices devices, EdgeLink link, Clock clock, SyncSettings settings) {
        this.database = database;
        this.store = new SyncStore(database);
        this.devices = devices;
        this.link = link;
        this.clock = clock;
        this.settings = settings;
    }

    /** Takes every site's head as already published, starts listening for commits, the worker and the sweep. */
    public synchronized void start() {
        if (running) {
            return;
        }
        for (SyncStore.SiteHead head : store.heads()) {
            published.put(head.siteId(), head.head());
        }
        running = true;
        database.onChangesCommitted(listener);
        worker = Thread.ofPlatform().daemon().name("hub-sync-publisher").start(this::work);
        sweeper = Thread.ofPlatform().daemon().name("hub-sync-sweep").start(this::sweepLoop);
    }

    /** Called after a commit that appended to these sites' logs; returns at once. */
    public void changed(Set<SiteRef> sites) {
        for (SiteRef site : sites) {
            dirty.put(site.siteId(), site);
        }
        synchronized (signal) {
            signal.notifyAll();
        }
    }

    /** The last seq published for the site (its head at start if nothing since; 0 if never seen). */
    public long publishedSeq(String siteId) {
        return published.getOrDefault(siteId, 0L);
    }

    /**
     * Waits until the site's entries up to {@code seq} have been handed to the MQTT link (for tests,
     * end-to-end tests and benchmarks); false on timeout.
     */
    public boolean awaitPublished(String siteId, long seq, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        synchronized (signal) {
            while (publishedSeq(siteId) < seq) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    return false;
                }
                TimeUnit.NANOSECONDS.timedWait(signal, left);
            }
            return true;
        }
    }

    private void work() {
        while (running) {
            try {
                synchronized (signal) {
                    while (running && dirty.isEmpty()) {
                        signal.wait(1000);
                    }
                }
                for (String siteId : List.copyOf(dirty.keySet())) {
                    SiteRef site = dirty.remove(siteId);
                    if (site != null) {
                        publish(site);
                    }
                }
            } catch (InterruptedException e) {
                return;
            } catch (RuntimeException e) {
                // The store may be down: the sweep marks the site again once it answers.
                LOG.log(Level.WARNING, "sync publish failed: " + e, e);
                sleepQuietly(Duration.ofMillis(200));
            }
        }
    }

    /** Publishes everything after the site's published seq up to its head; answers the new published seq. */
    long publish(SiteRef site) {
        long from = publishedSeq(site.siteId());
        while (true) {
            Optional<SyncStore.Range> range = store.range(site.tenantId(), site.siteId(), from, READ_LIMIT);
            if (range.isEmpty()) {
                published.remove(site.siteId());
                return 0;
            }
            SyncStore.Range r = range.get();
            if (r.changes().isEmpty()) {
                // Nothing (left) to send; a log compacted past `from` leaves the edges to ask for a snapshot.
                advance(
                        site.siteId(),
                        Math.max(from, Math.min(r.site().head(), r.site().floor())));
                return publishedSeq(site.siteId());
            }
            List<String> targets = devices.active(site.tenantId(), site.siteId());
            if (!targets.isEmpty()) {
                List<SignedBatches.Signed> batches = SignedBatches.batches(
                        r.site().tenantSlug(),
                        site.siteId(),
                        r.changes(),
                        r.key(),
                        clock.instant(),
                        settings.batchMaxChanges(),
                        SyncSettings.MAX_BATCH_BYTES);
                for (SignedBatches.Signed batch : batches) {
                    byte[] bytes = batch.bytes();
                    for (String device : targets) {
                        link.publish(Topic.of(r.site().tenantSlug(), site.siteId(), device, Channel.SYNC), bytes);
                    }
                }
            }
            from = r.changes().getLast().seq();
            advance(site.siteId(), from);
            if (r.changes().size() < READ_LIMIT) {
                return from;
            }
        }
    }

    private void advance(String siteId, long seq) {
        published.merge(siteId, seq, Math::max);
        synchronized (signal) {
            signal.notifyAll();
        }
    }

    private void sweepLoop() {
        while (running) {
            sleepQuietly(settings.sweepInterval());
            if (!running) {
                return;
            }
            try {
                sweep();
            } catch (RuntimeException e) {
                LOG.log(Level.WARNING, "sync sweep failed: " + e, e);
            }
        }
    }

    /** Marks every site whose head is past its published seq, and compacts long logs. */
    public void sweep() {
        for (SyncStore.SiteHead head : store.heads()) {
            if (head.head() > publishedSeq(head.siteId())) {
                dirty.put(head.siteId(), new SiteRef(head.tenantId(), head.siteId()));
            }
            if (head.head() - head.floor() > settings.logKeep()) {
                compact(head.tenantId(), head.siteId(), head.head() - settings.logKeep());
            }
        }
        if (!dirty.isEmpty()) {
            synchronized (signal) {
                signal.notifyAll();
            }
        }
    }

    /** Deletes the site's log entries up to {@code upTo}; answers the new floor. */
    public long compact(String tenantId, String siteId, long upTo) {
        long floor = -1;
        while (running || worker == null) {
            long next = store.compact(tenantId, siteId, upTo, COMPACT_ROWS);
            if (next == floor || next >= upTo) {
                floor = next;
                break;
            }
            floor = next;
        }
        LOG.fine("site " + siteId + " change log compacted up to " + floor);
        return floor;
    }

    private static void sleepQuietly(Duration duration) {
        try {
            Thread.sleep(duration);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public synchronized void close() {
        running = false;
        database.removeChangesListener(listener);
        synchronized (signal) {
            signal.notifyAll();
        }
        for (Thread thread : new Thread[] {worker, sweeper}) {
            if (thread != null) {
                thread.interrupt();
                try {
                    thread.join(5000);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
        }
    }
}
