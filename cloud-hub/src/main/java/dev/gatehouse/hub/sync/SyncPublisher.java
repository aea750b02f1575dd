package dev.gatehouse.hub.sync;

import dev.gatehouse.hub.mqtt.PublishException;
import dev.gatehouse.hub.store.Database;
import dev.gatehouse.hub.store.SiteRef;
import dev.gatehouse.protocol.topic.Channel;
import dev.gatehouse.protocol.topic.Topic;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.ToLongFunction;
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
 * {@code hub.sync.log-keep}.
 *
 * <p>Per site it keeps, in memory, the seq <em>published</em> (handed to the link) and the seq
 * <em>accepted</em> (the broker acknowledged every batch up to it for every target device). The
 * accepted seq is also recorded in the store ({@code sync_published}), at most one write every
 * {@value #SAVE_INTERVAL_MILLIS} ms for all sites together, and a start resumes each site from it:
 * whatever was committed but not accepted when the hub stopped or crashed is published again (an
 * edge takes a batch it already has as a harmless repeat). A publish the link reports failed
 * (queue full, connection lost, link closed) takes the site's published seq back to its accepted
 * seq; the next sweep, or the link's next connection ({@link #linkConnected}), publishes the rest
 * again.
 *
 * <p>One worker thread publishes, so a site's batches leave in seq order.
 */
public final class SyncPublisher implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(SyncPublisher.class.getName());
    /** Entries read from the store per round. */
    private static final int READ_LIMIT = 2000;
    /** Entries deleted per compaction transaction (keeps the writer lock short). */
    private static final int COMPACT_ROWS = 5000;
    /** Least time between two writes of accepted seqs: every site accepted meanwhile goes in the next one. */
    static final long SAVE_INTERVAL_MILLIS = 250;

    private final Database database;
    private final SyncStore store;
    private final EdgeDevices devices;
    private final EdgeLink link;
    private final Clock clock;
    private final SyncSettings settings;
    private final Map<String, Progress> sites = new ConcurrentHashMap<>();
    private final Map<String, SiteRef> dirty = new ConcurrentHashMap<>();
    /** Accepted seqs not yet written to the store, by site id. */
    private final Map<String, SyncStore.Accepted> unsaved = new ConcurrentHashMap<>();

    private final Object signal = new Object();
    private final Object saveSignal = new Object();
    /** Held while writing accepted seqs: a {@link #save()} returns only after any write begun before it. */
    private final Object saveLock = new Object();

    private final Consumer<Set<SiteRef>> listener = this::changed;
    /** The worker and the sweep run. */
    private volatile boolean running;
    /** The saver runs. */
    private volatile boolean saving;
    /** The link connected again: every site behind its head is published. */
    private volatile boolean resync;

    private Thread worker;
    private Thread sweeper;
    private Thread saver;

    /** One site's progress, guarded by its own monitor. */
    private static final class Progress {
        final SiteRef site;
        /** Handed to the link, and not failed since. */
        long published;
        /** The broker accepted every batch up to here for every target device. */
        long accepted;
        /** Bumped when a failed publish takes {@code published} back; answers to older attempts are ignored. */
        long attempt;
        /** Batches handed to the link and not yet all answered, in seq order. */
        final ArrayDeque<Pending> pending = new ArrayDeque<>();

        Progress(SiteRef site, long seq) {
            this.site = site;
            this.published = seq;
            this.accepted = seq;
        }
    }

    /** Entries up to {@code toSeq} handed to the link as one batch per device, waiting for {@code waiting} answers. */
    private static final class Pending {
        final long attempt;
        final long toSeq;
        int waiting;

        Pending(long attempt, long toSeq, int waiting) {
            this.attempt = attempt;
            this.toSeq = toSeq;
            this.waiting = waiting;
        }
    }

    public SyncPublisher(Database database, EdgeDevices devices, EdgeLink link, Clock clock, SyncSettings settings) {
        this.database = database;
        this.store = new SyncStore(database);
        this.devices = devices;
        this.link = link;
        this.clock = clock;
        this.settings = settings;
    }

    /**
     * Resumes every site from its recorded accepted seq (0 for a site never recorded; at most its
     * head), marks those behind their head, and starts listening for commits, the worker, the sweep
     * and the saver.
     */
    public synchronized void start() {
        if (running) {
            return;
        }
        Map<String, Long> accepted = store.acceptedSeqs();
        for (SyncStore.SiteHead head : store.heads()) {
            SiteRef site = new SiteRef(head.tenantId(), head.siteId());
            long from = Math.min(head.head(), accepted.getOrDefault(head.siteId(), 0L));
            sites.put(head.siteId(), new Progress(site, from));
            if (head.head() > from) {
                dirty.put(head.siteId(), site);
            }
        }
        running = true;
        saving = true;
        database.onChangesCommitted(listener);
        worker = Thread.ofPlatform().daemon().name("hub-sync-publisher").start(this::work);
        sweeper = Thread.ofPlatform().daemon().name("hub-sync-sweep").start(this::sweepLoop);
        saver = Thread.ofPlatform().daemon().name("hub-sync-saver").start(this::saveLoop);
    }

    /** Called after a commit that appended to these sites' logs; returns at once. */
    public void changed(Set<SiteRef> sites) {
        for (SiteRef site : sites) {
            dirty.put(site.siteId(), site);
        }
        wake();
    }

    /**
     * Called by the MQTT link after each (re)connection: every site whose published seq is behind its
     * head (a failed publish took it back) is published again. Returns at once.
     */
    public void linkConnected() {
        resync = true;
        wake();
    }

    /** The last seq handed to the link for the site (where it resumed at start if nothing since; 0 if never seen). */
    public long publishedSeq(String siteId) {
        return read(siteId, progress -> progress.published);
    }

    /**
     * The seq up to which the broker accepted every batch of the site for every target device (in
     * memory; the store has it within {@value #SAVE_INTERVAL_MILLIS} ms). 0 if never seen.
     */
    public long acceptedSeq(String siteId) {
        return read(siteId, progress -> progress.accepted);
    }

    private long read(String siteId, ToLongFunction<Progress> seq) {
        Progress progress = sites.get(siteId);
        if (progress == null) {
            return 0;
        }
        synchronized (progress) {
            return seq.applyAsLong(progress);
        }
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

    private void wake() {
        synchronized (signal) {
            signal.notifyAll();
        }
    }

    private void work() {
        while (running) {
            try {
                synchronized (signal) {
                    while (running && dirty.isEmpty() && !resync) {
                        signal.wait(1000);
                    }
                }
                if (resync) {
                    resync = false;
                    markBehind(store.heads());
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

    private Progress progress(SiteRef site) {
        return sites.computeIfAbsent(site.siteId(), id -> new Progress(site, 0));
    }

    /**
     * Publishes everything after the site's published seq up to its head; answers the new published
     * seq. A publish that fails meanwhile stops it (the site is taken back to its accepted seq).
     */
    long publish(SiteRef site) {
        Progress progress = progress(site);
        long attempt;
        long from;
        synchronized (progress) {
            attempt = progress.attempt;
            from = progress.published;
        }
        while (true) {
            Optional<SyncStore.Range> range = store.range(site.tenantId(), site.siteId(), from, READ_LIMIT);
            if (range.isEmpty()) {
                sites.remove(site.siteId());
                return 0;
            }
            SyncStore.Range r = range.get();
            if (r.changes().isEmpty()) {
                // Nothing (left) to send; a log compacted past `from` leaves the edges to ask for a snapshot.
                long to = Math.max(from, Math.min(r.site().head(), r.site().floor()));
                if (to > from && expect(progress, attempt, to, 0) != null) {
                    handed(progress, attempt, to);
                }
                return publishedSeq(site.siteId());
            }
            long last = r.changes().getLast().seq();
            List<String> targets = devices.active(site.tenantId(), site.siteId());
            if (targets.isEmpty()) {
                // no device to tell: nothing waits for the broker
                if (expect(progress, attempt, last, 0) == null) {
                    return publishedSeq(site.siteId());
                }
            } else {
                List<SignedBatches.Signed> batches = SignedBatches.batches(
                        r.site().tenantSlug(),
                        site.siteId(),
                        r.changes(),
                        r.key(),
                        clock.instant(),
                        settings.batchMaxChanges(),
                        SyncSettings.MAX_BATCH_BYTES);
                for (SignedBatches.Signed batch : batches) {
                    Pending pending = expect(progress, attempt, batch.toSeq(), targets.size());
                    if (pending == null) {
                        // a publish failed meanwhile: the sweep or the link's next connection goes on
                        return publishedSeq(site.siteId());
                    }
                    byte[] bytes = batch.bytes();
                    for (String device : targets) {
                        try {
                            Topic topic = Topic.of(r.site().tenantSlug(), site.siteId(), device, Channel.SYNC);
                            link.publish(topic, bytes).whenComplete((ok, error) -> answered(progress, pending, error));
                        } catch (RuntimeException e) {
                            answered(progress, pending, e);
                        }
                    }
                }
            }
            if (!handed(progress, attempt, last)) {
                return publishedSeq(site.siteId());
            }
            from = last;
            if (r.changes().size() < READ_LIMIT) {
                return from;
            }
        }
    }

    /**
     * Queues a batch up to {@code toSeq} that waits for {@code answers} answers (0: none, it counts as
     * accepted once those before it are); null when a failure has started another attempt since.
     */
    private Pending expect(Progress progress, long attempt, long toSeq, int answers) {
        Pending pending = new Pending(attempt, toSeq, answers);
        long accepted;
        synchronized (progress) {
            if (progress.attempt != attempt) {
                return null;
            }
            progress.pending.addLast(pending);
            accepted = acceptFront(progress);
        }
        accepted(progress, accepted);
        return pending;
    }

    /** Raises the published seq unless a failure has started another attempt; true when raised. */
    private boolean handed(Progress progress, long attempt, long seq) {
        synchronized (progress) {
            if (progress.attempt != attempt) {
                return false;
            }
            progress.published = Math.max(progress.published, seq);
        }
        wake();
        return true;
    }

    /**
     * One device's answer for a batch: accepted ({@code error} null) or not. A refusal (the broker's
     * PUBACK said no: an ACL, a packet-size cap) or a link without MQTT counts as answered: sending
     * the same batch again would get the same answer, and would do so for every device of the site at
     * every sweep. The edge finds the gap and asks; the refusal is logged.
     */
    private void answered(Progress progress, Pending pending, Throwable error) {
        if (error instanceof CompletionException wrapped && wrapped.getCause() != null) {
            error = wrapped.getCause();
        }
        if (error instanceof PublishException refused
                && (refused.reason() == PublishException.Reason.REFUSED
                        || refused.reason() == PublishException.Reason.DISABLED)) {
            if (refused.reason() == PublishException.Reason.REFUSED) {
                LOG.warning("site " + progress.site.siteId() + ": the broker refused a sync batch up to seq "
                        + pending.toSeq + " (" + refused.getMessage() + "); not sent again");
            }
            error = null;
        }
        if (error == null) {
            long accepted;
            synchronized (progress) {
                if (pending.attempt != progress.attempt) {
                    return;
                }
                pending.waiting--;
                accepted = acceptFront(progress);
            }
            accepted(progress, accepted);
            return;
        }
        long back;
        synchronized (progress) {
            if (pending.attempt != progress.attempt) {
                return;
            }
            progress.attempt++;
            progress.pending.clear();
            progress.published = progress.accepted;
            back = progress.accepted;
        }
        LOG.fine("site " + progress.site.siteId() + ": a sync batch up to seq " + pending.toSeq
                + " was not accepted by the broker (" + error.getMessage() + "); published again from seq "
                + (back + 1) + " by the next sweep or connection");
    }

    /** Drops the fully answered batches at the front; answers the new accepted seq, or -1 if unchanged. Holds the lock. */
    private static long acceptFront(Progress progress) {
        long before = progress.accepted;
        while (!progress.pending.isEmpty() && progress.pending.peekFirst().waiting <= 0) {
            progress.accepted = Math.max(progress.accepted, progress.pending.pollFirst().toSeq);
        }
        return progress.accepted > before ? progress.accepted : -1;
    }

    /** Hands a raised accepted seq to the saver. */
    private void accepted(Progress progress, long seq) {
        if (seq < 0) {
            return;
        }
        SyncStore.Accepted accepted = new SyncStore.Accepted(progress.site.tenantId(), progress.site.siteId(), seq);
        unsaved.merge(progress.site.siteId(), accepted, SyncPublisher::later);
        synchronized (saveSignal) {
            saveSignal.notifyAll();
        }
    }

    private static SyncStore.Accepted later(SyncStore.Accepted a, SyncStore.Accepted b) {
        return a.seq() >= b.seq() ? a : b;
    }

    private void saveLoop() {
        while (saving) {
            try {
                synchronized (saveSignal) {
                    while (saving && unsaved.isEmpty()) {
                        saveSignal.wait();
                    }
                }
                if (!saving) {
                    return; // close() saves the rest
                }
                save();
                pauseSaving(SAVE_INTERVAL_MILLIS);
            } catch (InterruptedException e) {
                return;
            } catch (RuntimeException e) {
                LOG.log(Level.WARNING, "cannot record the seqs the broker accepted: " + e + "; retrying", e);
                try {
                    pauseSaving(1000);
                } catch (InterruptedException stop) {
                    return;
                }
            }
        }
    }

    /** Waits {@code millis}, or less if {@link #close()} stops the saver. */
    private void pauseSaving(long millis) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(millis);
        synchronized (saveSignal) {
            while (saving) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    return;
                }
                TimeUnit.NANOSECONDS.timedWait(saveSignal, left);
            }
        }
    }

    /** Writes every accepted seq not yet recorded, in one transaction. */
    void save() {
        synchronized (saveLock) {
            List<SyncStore.Accepted> batch = new ArrayList<>();
            for (String siteId : List.copyOf(unsaved.keySet())) {
                SyncStore.Accepted accepted = unsaved.remove(siteId);
                if (accepted != null) {
                    batch.add(accepted);
                }
            }
            try {
                store.recordAccepted(batch, clock.millis());
            } catch (RuntimeException e) {
                for (SyncStore.Accepted accepted : batch) {
                    unsaved.merge(accepted.siteId(), accepted, SyncPublisher::later);
                }
                throw e;
            }
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
        List<SyncStore.SiteHead> heads = store.heads();
        markBehind(heads);
        for (SyncStore.SiteHead head : heads) {
            if (head.head() - head.floor() > settings.logKeep()) {
                compact(head.tenantId(), head.siteId(), head.head() - settings.logKeep());
            }
        }
    }

    private void markBehind(List<SyncStore.SiteHead> heads) {
        for (SyncStore.SiteHead head : heads) {
            if (head.head() > publishedSeq(head.siteId())) {
                dirty.put(head.siteId(), new SiteRef(head.tenantId(), head.siteId()));
            }
        }
        if (!dirty.isEmpty()) {
            wake();
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

    /**
     * Stops publishing: commits are no longer heard, the worker, the sweep and the saver stop.
     * Answers to what was handed to the link still count, so the link may drain after this; {@link
     * #close()} then records them. Idempotent.
     */
    public void stopPublishing() {
        Thread[] threads;
        synchronized (this) {
            running = false;
            saving = false;
            database.removeChangesListener(listener);
            threads = new Thread[] {worker, sweeper};
        }
        wake();
        join(threads, true);
        synchronized (saveSignal) {
            saveSignal.notifyAll();
        }
        // not interrupted: a write under way finishes
        join(new Thread[] {saver}, false);
    }

    /**
     * Stops publishing, then records the accepted seqs not yet in the store. The hub calls it after
     * closing its MQTT link, so that what the broker accepted while the link drained is recorded.
     */
    @Override
    public void close() {
        stopPublishing();
        try {
            save();
        } catch (RuntimeException e) {
            LOG.log(
                    Level.WARNING,
                    "cannot record the seqs the broker accepted; the next start publishes them again",
                    e);
        }
    }

    private static void join(Thread[] threads, boolean interrupt) {
        for (Thread thread : threads) {
            if (thread != null) {
                if (interrupt) {
                    thread.interrupt();
                }
                try {
                    thread.join(5000);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
        }
    }
}
