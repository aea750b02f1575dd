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
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;
import java.util.function.Supplier;
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
 * <p>One thread, {@code hub-sync-publisher}, owns all of this state and is its only writer: commits,
 * the link's connections and the broker's answers are handed to it as tasks, and the sweep and the
 * write of accepted seqs are scheduled on it; a compaction runs as a chain of short tasks so that
 * publishes and answers go on in between. So a site's batches leave in seq order, and nothing here
 * takes a lock. Only a round's reading of the logs and signing of the batches runs ahead on the
 * {@code hub-sync-signer} threads, one per core, which touch none of it. Readers ({@link #publishedSeq}, {@link #awaitPublished}, {@link #save}) go through
 * the same thread and so see every answer handed in before they asked.
 *
 * <p>Hub replicas: it publishes only the sites whose {@linkplain SiteLeases lease} it holds (every
 * site for a single hub). The leases are renewed on the same thread every {@link
 * SiteLeases#renewEveryMillis}; a site gained is resumed from the accepted seq its last holder
 * recorded, a site lost is forgotten, and a site whose lease term passed without a renewal (the store
 * unreachable) is not published until a renewal succeeds.
 */
public final class SyncPublisher implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(SyncPublisher.class.getName());
    /** Entries read from the store per round. */
    private static final int READ_LIMIT = 2000;
    /** Entries deleted per compaction transaction (keeps the writer lock short). */
    private static final int COMPACT_ROWS = 5000;
    /** Least time between two writes of accepted seqs: every site accepted meanwhile goes in the next one. */
    static final long SAVE_INTERVAL_MILLIS = 250;
    /** After a failed write of accepted seqs, the next try. */
    private static final long SAVE_RETRY_MILLIS = 1000;
    /** After a publish round failed (the store may be down), the next round for the sites still marked. */
    private static final long ROUND_RETRY_MILLIS = 200;
    /** How long stopping and closing wait for the task under way. */
    private static final long STOP_WAIT_MILLIS = 5000;

    private final Database database;
    private final SyncStore store;
    private final EdgeDevices devices;
    private final EdgeLink link;
    private final Clock clock;
    private final SyncSettings settings;
    private final SiteLeases leases;
    private final ScheduledThreadPoolExecutor executor;
    /** Read and sign the sites of a round ahead of the publisher's thread: one per core. */
    private final java.util.concurrent.ExecutorService signers;
    /** The executor's one thread, to run a task at once when already on it. */
    private volatile Thread thread;

    private final Consumer<Set<SiteRef>> listener = this::changed;
    private final AtomicBoolean started = new AtomicBoolean();
    private final AtomicBoolean stopped = new AtomicBoolean();
    private final AtomicBoolean closed = new AtomicBoolean();
    /** Set by {@link #stopPublishing}: a round under way ends after its current site, a compaction after its step. */
    private volatile boolean stopping;

    // Owned by the executor's thread: read and written only by its tasks.
    private final Map<String, Progress> sites = new HashMap<>();
    /** Sites to publish in the next round, in the order they were marked. */
    private final Map<String, SiteRef> dirty = new LinkedHashMap<>();
    /** Accepted seqs not yet written to the store, by site id. */
    private final Map<String, SyncStore.Accepted> unsaved = new HashMap<>();
    /** Callers of {@link #awaitPublished}, by site id. */
    private final Map<String, List<Waiter>> waiters = new HashMap<>();
    /** Sites whose log a sweep is compacting. */
    private final Set<String> compacting = new HashSet<>();
    /** Resumed and not stopped: rounds, sweeps and writes of accepted seqs run. */
    private boolean running;
    /** A round is queued. */
    private boolean roundQueued;
    /** The sites held at the last renewal, and until when. */
    private SiteLeases.Held held;
    /** Sites another replica held when this one tried to claim them since the last renewal. */
    private final Set<String> heldElsewhere = new HashSet<>();

    private ScheduledFuture<?> renewals;

    private ScheduledFuture<?> sweeps;
    /** The next write of accepted seqs, when one is scheduled. */
    private ScheduledFuture<?> checkpoint;
    /** When the last write of accepted seqs ended ({@link System#nanoTime}). */
    private long lastSaveNanos = System.nanoTime() - TimeUnit.MILLISECONDS.toNanos(SAVE_INTERVAL_MILLIS);

    /** One site's progress. */
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
        /** Timed while a recording runs: from handed to the last answer. */
        private FanoutEvents.SiteAccepted acceptance;

        Pending(long attempt, long toSeq, int waiting) {
            this.attempt = attempt;
            this.toSeq = toSeq;
            this.waiting = waiting;
        }

        void timeAcceptance(String siteId) {
            FanoutEvents.SiteAccepted event = new FanoutEvents.SiteAccepted();
            if (event.isEnabled()) {
                event.site = siteId;
                event.toSeq = toSeq;
                event.begin();
                acceptance = event;
            }
        }

        void acceptedByAll() {
            if (acceptance != null) {
                acceptance.commit();
                acceptance = null;
            }
        }
    }

    /** A caller of {@link #awaitPublished} waiting for the site's published seq to reach {@code seq}. */
    private record Waiter(long seq, CompletableFuture<Void> reached) {}

    /** A single hub's publisher: every site, always. */
    public SyncPublisher(Database database, EdgeDevices devices, EdgeLink link, Clock clock, SyncSettings settings) {
        this(database, devices, link, clock, settings, SiteLeases.everySite());
    }

    /** A replica's publisher: the sites whose lease it holds. */
    public SyncPublisher(
            Database database,
            EdgeDevices devices,
            EdgeLink link,
            Clock clock,
            SyncSettings settings,
            SiteLeases leases) {
        this.database = database;
        this.leases = leases;
        this.held = leases.unrenewed();
        this.store = new SyncStore(database, clock);
        this.devices = devices;
        this.link = link;
        this.clock = clock;
        this.settings = settings;
        this.executor = new ScheduledThreadPoolExecutor(1, task -> {
            Thread made =
                    Thread.ofPlatform().daemon().name("hub-sync-publisher").unstarted(task);
            thread = made;
            return made;
        });
        java.util.concurrent.atomic.AtomicInteger signer = new java.util.concurrent.atomic.AtomicInteger();
        this.signers = java.util.concurrent.Executors.newFixedThreadPool(
                Math.max(1, Runtime.getRuntime().availableProcessors()), task -> Thread.ofPlatform()
                        .daemon()
                        .name("hub-sync-signer-" + signer.incrementAndGet())
                        .unstarted(task));
        // After close nothing waits for a timer: a pending round or write is dropped, close() writes.
        executor.setExecuteExistingDelayedTasksAfterShutdownPolicy(false);
        executor.setRemoveOnCancelPolicy(true);
    }

    /**
     * Resumes every site from its recorded accepted seq (0 for a site never recorded; at most its
     * head), marks those behind their head, and starts listening for commits, the rounds, the sweep
     * and the writes of accepted seqs. Returns once resumed; a store that cannot be read fails it.
     */
    public void start() {
        if (!started.compareAndSet(false, true)) {
            return;
        }
        // Listening first: a commit from now on is either in the heads read below or heard after them.
        database.onChangesCommitted(listener);
        try {
            call(() -> {
                resume();
                return null;
            });
        } catch (RuntimeException e) {
            database.removeChangesListener(listener);
            throw e;
        }
    }

    private void resume() {
        held = leases.renew(clock.millis());
        Map<String, Long> accepted = store.acceptedSeqs();
        for (SyncStore.SiteHead head : store.heads()) {
            if (!held.covers(head.siteId(), clock.millis())) {
                continue;
            }
            SiteRef site = new SiteRef(head.tenantId(), head.siteId());
            long from = Math.min(head.head(), accepted.getOrDefault(head.siteId(), 0L));
            sites.put(head.siteId(), new Progress(site, from));
            reached(head.siteId(), from);
            if (head.head() > from) {
                dirty.put(head.siteId(), site);
            }
        }
        running = true;
        long interval = settings.sweepInterval().toMillis();
        sweeps = executor.scheduleWithFixedDelay(
                guarded("sync sweep failed", this::scheduledSweep), interval, interval, TimeUnit.MILLISECONDS);
        long renewEvery = leases.renewEveryMillis();
        renewals = executor.scheduleWithFixedDelay(
                guarded("cannot renew the sites' publish leases", this::renewLeases),
                renewEvery,
                renewEvery,
                TimeUnit.MILLISECONDS);
        queueRound();
    }

    /**
     * Renews the leases: a site gained is resumed from the accepted seq its last holder recorded and
     * published; a site lost is forgotten (answers still on their way only raise the recorded accepted
     * seq, which never goes back). A renewal that fails leaves the leases to run out at their term.
     */
    private void renewLeases() {
        if (!running) {
            return;
        }
        SiteLeases.Held before = held;
        long now = clock.millis();
        SiteLeases.Held after;
        try {
            after = leases.renew(now);
        } catch (RuntimeException e) {
            LOG.log(
                    Level.WARNING,
                    "cannot renew the sites' publish leases (held until " + before.untilMillis() + "): " + e,
                    e);
            return;
        }
        held = after;
        heldElsewhere.clear();
        if (before.untilMillis() <= now) {
            // The term had run out (renewals failed): what was not published meanwhile goes now.
            markBehind(store.heads());
        }
        if (after.everySite()) {
            return;
        }
        for (String siteId : List.copyOf(sites.keySet())) {
            if (!after.siteIds().contains(siteId)) {
                sites.remove(siteId);
                dirty.remove(siteId);
                LOG.info("replica " + leases.holder() + " no longer publishes site " + siteId);
            }
        }
        List<String> gained =
                after.siteIds().stream().filter(id -> !sites.containsKey(id)).toList();
        if (gained.isEmpty()) {
            return;
        }
        Map<String, Long> accepted = store.acceptedSeqs();
        int resumed = 0;
        for (SyncStore.SiteHead head : store.heads()) {
            if (gained.contains(head.siteId())) {
                long from = Math.min(head.head(), accepted.getOrDefault(head.siteId(), 0L));
                SiteRef site = new SiteRef(head.tenantId(), head.siteId());
                sites.put(head.siteId(), new Progress(site, from));
                reached(head.siteId(), from);
                dirty.put(head.siteId(), site);
                resumed++;
            }
        }
        if (resumed > 0) {
            LOG.info("replica " + leases.holder() + " now publishes " + resumed + " more site(s)");
            queueRound();
        }
    }

    /** Renews the leases now and returns when done (tests; otherwise every {@link SiteLeases#renewEveryMillis}). */
    void renew() {
        call(() -> {
            renewLeases();
            return null;
        });
    }

    /**
     * Takes the lease of a site that changed and that nobody holds yet (made since the last renewal),
     * while this replica's own leases are in their term; true when taken. A site taken so resumes
     * from the accepted seq recorded for it (a replica that stopped cleanly gave it up).
     */
    private boolean claimed(SiteRef site) {
        String siteId = site.siteId();
        long now = clock.millis();
        if (now >= held.untilMillis() || heldElsewhere.contains(siteId)) {
            return false;
        }
        if (leases.claim(siteId, held.untilMillis())) {
            held = held.with(siteId);
            if (!sites.containsKey(siteId)) {
                long from = store.acceptedSeq(site.tenantId(), siteId).orElse(0L);
                sites.put(siteId, new Progress(site, from));
                reached(siteId, from);
            }
            return true;
        }
        heldElsewhere.add(siteId);
        return false;
    }

    /** Whether this replica publishes the site now. */
    private boolean holds(String siteId) {
        return held.covers(siteId, clock.millis());
    }

    /** The id this publisher holds its site leases under. */
    public String replica() {
        return leases.holder();
    }

    /** Called after a commit that appended to these sites' logs; returns at once. */
    public void changed(Set<SiteRef> sites) {
        FanoutEvents.ChangesHeard heard = new FanoutEvents.ChangesHeard();
        if (heard.isEnabled()) {
            heard.sites = sites.size();
            heard.commit();
        }
        List<SiteRef> marked = List.copyOf(sites);
        submit(() -> {
            for (SiteRef site : marked) {
                dirty.put(site.siteId(), site);
            }
            queueRound();
        });
    }

    /**
     * Called by the MQTT link after each (re)connection: every site whose published seq is behind its
     * head (a failed publish took it back) is published again. Returns at once.
     */
    public void linkConnected() {
        submit(() -> markBehind(store.heads()));
    }

    /** The last seq handed to the link for the site (where it resumed at start if nothing since; 0 if never seen). */
    public long publishedSeq(String siteId) {
        return call(() -> published(siteId));
    }

    /**
     * The seq up to which the broker accepted every batch of the site for every target device (in
     * memory; the store has it within {@value #SAVE_INTERVAL_MILLIS} ms). 0 if never seen.
     */
    public long acceptedSeq(String siteId) {
        return call(() -> {
            Progress progress = sites.get(siteId);
            return progress == null ? 0L : progress.accepted;
        });
    }

    private long published(String siteId) {
        Progress progress = sites.get(siteId);
        return progress == null ? 0 : progress.published;
    }

    /**
     * Waits until the site's entries up to {@code seq} have been handed to the MQTT link (for tests,
     * end-to-end tests and benchmarks); false on timeout.
     */
    public boolean awaitPublished(String siteId, long seq, Duration timeout) throws InterruptedException {
        CompletableFuture<Void> reached = call(() -> whenPublished(siteId, seq));
        try {
            reached.get(timeout.toNanos(), TimeUnit.NANOSECONDS);
            return true;
        } catch (TimeoutException e) {
            reached.cancel(false);
            submit(() -> reached(siteId, published(siteId)));
            return false;
        } catch (ExecutionException e) {
            throw new IllegalStateException("waiting for site " + siteId + " to be published failed", e.getCause());
        }
    }

    private CompletableFuture<Void> whenPublished(String siteId, long seq) {
        if (published(siteId) >= seq) {
            return CompletableFuture.completedFuture(null);
        }
        CompletableFuture<Void> reached = new CompletableFuture<>();
        waiters.computeIfAbsent(siteId, id -> new ArrayList<>()).add(new Waiter(seq, reached));
        return reached;
    }

    /** Completes the site's waiters up to {@code published}, and forgets those that gave up. */
    private void reached(String siteId, long published) {
        List<Waiter> waiting = waiters.get(siteId);
        if (waiting == null) {
            return;
        }
        for (Iterator<Waiter> it = waiting.iterator(); it.hasNext(); ) {
            Waiter waiter = it.next();
            if (waiter.seq() <= published) {
                waiter.reached().complete(null);
            }
            if (waiter.reached().isDone()) {
                it.remove();
            }
        }
        if (waiting.isEmpty()) {
            waiters.remove(siteId);
        }
    }

    /** Queues a round for the marked sites, unless one is queued already (so marks made meanwhile share it). */
    private void queueRound() {
        if (running && !roundQueued && !dirty.isEmpty()) {
            roundQueued = true;
            submit(this::round);
        }
    }

    /**
     * Publishes every marked site. Each site's log is read and its batches signed on the {@link #signers}
     * (one per core: signing is most of a round's work, so a change reaching many sites uses every
     * core), ahead of the publisher's thread, which hands the batches to the link site after site in
     * the order the sites were marked and keeps all the bookkeeping.
     */
    private void round() {
        roundQueued = false;
        if (!running) {
            return;
        }
        List<SiteRef> toPublish = new ArrayList<>();
        for (String siteId : List.copyOf(dirty.keySet())) {
            if (stopping) {
                return;
            }
            SiteRef site = dirty.remove(siteId);
            if (holds(siteId) || claimed(site)) {
                toPublish.add(site);
            } // else another replica publishes it (or the lease ran out: the next renewal says)
        }
        List<CompletableFuture<Prepared>> prepared = new ArrayList<>(toPublish.size());
        for (SiteRef site : toPublish) {
            long from = progress(site).published;
            prepared.add(toPublish.size() == 1 ? CompletableFuture.completedFuture(null) : ahead(site, from));
        }
        for (int i = 0; i < toPublish.size(); i++) {
            SiteRef site = toPublish.get(i);
            if (stopping) {
                return;
            }
            try {
                Prepared first = prepared.get(i).join();
                publish(site, first);
            } catch (RuntimeException e) {
                // The store may be down: the sweep marks this site again once it answers; the sites
                // not reached yet stay marked for the next round.
                Throwable cause = e instanceof CompletionException && e.getCause() != null ? e.getCause() : e;
                LOG.log(Level.WARNING, "sync publish failed: " + cause, cause);
                for (SiteRef rest : toPublish.subList(i + 1, toPublish.size())) {
                    dirty.putIfAbsent(rest.siteId(), rest);
                }
                if (!dirty.isEmpty()) {
                    roundQueued = true;
                    schedule(this::round, ROUND_RETRY_MILLIS);
                }
                return;
            }
        }
    }

    /** {@code site}'s first read and signing on the signers; null (done on this thread) once they are shut. */
    private CompletableFuture<Prepared> ahead(SiteRef site, long from) {
        try {
            return CompletableFuture.supplyAsync(() -> prepare(site, from), signers);
        } catch (RejectedExecutionException e) {
            return CompletableFuture.completedFuture(null);
        }
    }

    private Progress progress(SiteRef site) {
        return sites.computeIfAbsent(site.siteId(), id -> new Progress(site, 0));
    }

    /**
     * One read of a site's log after {@code from} (empty: the site is gone), its devices, and its
     * batches signed. Touches no progress: any thread.
     */
    private record Prepared(
            long from,
            Optional<SyncStore.Range> range,
            List<String> targets,
            List<SignedBatches.Signed> batches,
            FanoutEvents.SitePublished event,
            long readNanos,
            long signNanos,
            long preparedAt) {}

    private Prepared prepare(SiteRef site, long from) {
        // Begun here, committed once handed to the link: its stages are this read, this signing, and
        // the wait for the publisher's thread with the handing over.
        FanoutEvents.SitePublished event = new FanoutEvents.SitePublished();
        event.begin();
        long began = System.nanoTime();
        Optional<SyncStore.Range> range = store.range(site.tenantId(), site.siteId(), from, READ_LIMIT);
        long read = System.nanoTime();
        if (range.isEmpty() || range.get().changes().isEmpty()) {
            return new Prepared(from, range, List.of(), List.of(), event, read - began, 0, read);
        }
        SyncStore.Range r = range.get();
        List<String> targets = devices.active(site.tenantId(), site.siteId());
        if (targets.isEmpty()) {
            return new Prepared(from, range, targets, List.of(), event, read - began, 0, System.nanoTime());
        }
        long signing = System.nanoTime();
        List<SignedBatches.Signed> batches = SignedBatches.batches(
                r.site().tenantSlug(),
                site.siteId(),
                r.changes(),
                r.key(),
                clock.instant(),
                settings.batchMaxChanges(),
                SyncSettings.MAX_BATCH_BYTES);
        long signed = System.nanoTime();
        return new Prepared(from, range, targets, batches, event, read - began, signed - signing, signed);
    }

    /**
     * Publishes everything after the site's published seq up to its head; answers the new published
     * seq. A publish that fails meanwhile stops it (the site is taken back to its accepted seq).
     * {@code first}: the first read, prepared ahead for the published seq it was read after (null:
     * read here); a read made for another seq than the site's published one now is made again.
     */
    private long publish(SiteRef site, Prepared first) {
        Progress progress = progress(site);
        long attempt = progress.attempt;
        long from = progress.published;
        Prepared next = first != null && first.from() == from ? first : null;
        while (true) {
            Prepared p = next != null ? next : prepare(site, from);
            next = null;
            FanoutEvents.SitePublished event = p.event();
            if (p.range().isEmpty()) {
                sites.remove(site.siteId());
                return 0;
            }
            SyncStore.Range r = p.range().get();
            if (r.changes().isEmpty()) {
                // Nothing (left) to send; a log compacted past `from` leaves the edges to ask for a snapshot.
                long to = Math.max(from, Math.min(r.site().head(), r.site().floor()));
                if (to > from && expect(progress, attempt, to, 0) != null) {
                    handed(progress, attempt, to);
                }
                return progress.published;
            }
            long last = r.changes().getLast().seq();
            List<String> targets = p.targets();
            if (targets.isEmpty()) {
                // no device to tell: nothing waits for the broker
                if (expect(progress, attempt, last, 0) == null) {
                    return progress.published;
                }
            } else {
                for (SignedBatches.Signed batch : p.batches()) {
                    Pending pending = expect(progress, attempt, batch.toSeq(), targets.size());
                    if (pending == null) {
                        // a publish failed meanwhile: the sweep or the link's next connection goes on
                        return progress.published;
                    }
                    pending.timeAcceptance(site.siteId());
                    byte[] bytes = batch.bytes();
                    for (String device : targets) {
                        try {
                            Topic topic = Topic.of(r.site().tenantSlug(), site.siteId(), device, Channel.SYNC);
                            link.publish(topic, bytes)
                                    .whenComplete((ok, error) -> inOrder(() -> answered(progress, pending, error)));
                        } catch (RuntimeException e) {
                            answered(progress, pending, e);
                        }
                    }
                }
                if (event.shouldCommit()) {
                    event.site = site.siteId();
                    event.toSeq = last;
                    event.batches = p.batches().size();
                    event.devices = targets.size();
                    event.readNanos = p.readNanos();
                    event.signNanos = p.signNanos();
                    event.handNanos = System.nanoTime() - p.preparedAt();
                    event.commit();
                }
            }
            if (!handed(progress, attempt, last)) {
                return progress.published;
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
        if (progress.attempt != attempt) {
            return null;
        }
        Pending pending = new Pending(attempt, toSeq, answers);
        progress.pending.addLast(pending);
        acceptFront(progress);
        return pending;
    }

    /** Raises the published seq unless a failure has started another attempt; true when raised. */
    private boolean handed(Progress progress, long attempt, long seq) {
        if (progress.attempt != attempt) {
            return false;
        }
        progress.published = Math.max(progress.published, seq);
        reached(progress.site.siteId(), progress.published);
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
        if (pending.attempt != progress.attempt) {
            return;
        }
        if (error == null) {
            if (--pending.waiting == 0) {
                pending.acceptedByAll();
            }
            acceptFront(progress);
            return;
        }
        progress.attempt++;
        progress.pending.clear();
        progress.published = progress.accepted;
        LOG.fine("site " + progress.site.siteId() + ": a sync batch up to seq " + pending.toSeq
                + " was not accepted by the broker (" + error.getMessage() + "); published again from seq "
                + (progress.accepted + 1) + " by the next sweep or connection");
    }

    /** Drops the fully answered batches at the front; a raised accepted seq goes to the next write. */
    private void acceptFront(Progress progress) {
        long before = progress.accepted;
        while (!progress.pending.isEmpty() && progress.pending.peekFirst().waiting <= 0) {
            progress.accepted = Math.max(progress.accepted, progress.pending.pollFirst().toSeq);
        }
        if (progress.accepted > before) {
            SyncStore.Accepted accepted =
                    new SyncStore.Accepted(progress.site.tenantId(), progress.site.siteId(), progress.accepted);
            unsaved.merge(progress.site.siteId(), accepted, SyncPublisher::later);
            scheduleCheckpoint(0);
        }
    }

    private static SyncStore.Accepted later(SyncStore.Accepted a, SyncStore.Accepted b) {
        return a.seq() >= b.seq() ? a : b;
    }

    /**
     * Schedules the next write of accepted seqs, unless one is scheduled: at least {@code
     * SAVE_INTERVAL_MILLIS} after the last one ended (and {@code atLeastMillis} from now).
     */
    private void scheduleCheckpoint(long atLeastMillis) {
        if (!running || checkpoint != null) {
            return;
        }
        long interval = TimeUnit.MILLISECONDS.toNanos(SAVE_INTERVAL_MILLIS);
        long delay =
                Math.max(TimeUnit.MILLISECONDS.toNanos(atLeastMillis), lastSaveNanos + interval - System.nanoTime());
        checkpoint = executor.schedule(
                guarded("cannot record the seqs the broker accepted", this::checkpoint),
                Math.max(0, delay),
                TimeUnit.NANOSECONDS);
    }

    private void checkpoint() {
        checkpoint = null;
        if (!running) {
            return; // close() saves the rest
        }
        try {
            saveNow();
            lastSaveNanos = System.nanoTime();
        } catch (RuntimeException e) {
            LOG.log(Level.WARNING, "cannot record the seqs the broker accepted: " + e + "; retrying", e);
            scheduleCheckpoint(SAVE_RETRY_MILLIS);
        }
    }

    /** Writes every accepted seq not yet recorded, in one transaction; returns after any write begun before it. */
    void save() {
        call(() -> {
            saveNow();
            return null;
        });
    }

    private void saveNow() {
        List<SyncStore.Accepted> batch = List.copyOf(unsaved.values());
        unsaved.clear();
        try {
            store.recordAccepted(batch, clock.millis());
        } catch (RuntimeException e) {
            for (SyncStore.Accepted accepted : batch) {
                unsaved.merge(accepted.siteId(), accepted, SyncPublisher::later);
            }
            throw e;
        }
    }

    /** Marks every site whose head is past its published seq, and compacts long logs; returns when done. */
    public void sweep() {
        join(call(this::sweepOnce));
    }

    private void scheduledSweep() {
        sweepOnce().whenComplete((done, error) -> {
            if (error != null) {
                LOG.log(Level.WARNING, "sync sweep failed: " + error, error);
            }
        });
    }

    /** Marks the sites behind and starts the compactions; the answer completes when they end. */
    private CompletableFuture<Void> sweepOnce() {
        List<SyncStore.SiteHead> heads = store.heads();
        markBehind(heads);
        List<CompletableFuture<Long>> compactions = new ArrayList<>();
        for (SyncStore.SiteHead head : heads) {
            String siteId = head.siteId();
            if (head.head() - head.floor() > settings.logKeep() && holds(siteId) && compacting.add(siteId)) {
                compactions.add(compaction(head.tenantId(), siteId, head.head() - settings.logKeep())
                        .whenComplete((floor, error) -> compacting.remove(siteId)));
            }
        }
        return CompletableFuture.allOf(compactions.toArray(CompletableFuture[]::new));
    }

    private void markBehind(List<SyncStore.SiteHead> heads) {
        for (SyncStore.SiteHead head : heads) {
            if (head.head() > published(head.siteId()) && holds(head.siteId())) {
                dirty.put(head.siteId(), new SiteRef(head.tenantId(), head.siteId()));
            }
        }
        queueRound();
    }

    /** Deletes the site's log entries up to {@code upTo}; answers the new floor. */
    public long compact(String tenantId, String siteId, long upTo) {
        return join(call(() -> compaction(tenantId, siteId, upTo)));
    }

    /**
     * Deletes the site's log entries up to {@code upTo}, {@value #COMPACT_ROWS} per task, so that
     * publishes and answers run between two steps; the answer completes with the new floor.
     */
    private CompletableFuture<Long> compaction(String tenantId, String siteId, long upTo) {
        CompletableFuture<Long> floor = new CompletableFuture<>();
        compactStep(tenantId, siteId, upTo, -1, floor);
        return floor;
    }

    private void compactStep(String tenantId, String siteId, long upTo, long floor, CompletableFuture<Long> done) {
        if (stopping) {
            done.complete(floor);
            return;
        }
        long next;
        try {
            next = store.compact(tenantId, siteId, upTo, COMPACT_ROWS);
        } catch (RuntimeException e) {
            done.completeExceptionally(e);
            return;
        }
        if (next == floor || next >= upTo) {
            LOG.fine("site " + siteId + " change log compacted up to " + next);
            done.complete(next);
        } else if (!submit(() -> compactStep(tenantId, siteId, upTo, next, done))) {
            done.complete(next);
        }
    }

    /**
     * Stops publishing: commits are no longer heard, the rounds, the sweep and the writes of accepted
     * seqs stop, after the task under way. Answers to what was handed to the link still count, so the
     * link may drain after this; {@link #close()} then records them. Idempotent.
     */
    public void stopPublishing() {
        if (!stopped.compareAndSet(false, true)) {
            return;
        }
        stopping = true;
        database.removeChangesListener(listener);
        CompletableFuture<Void> halted = new CompletableFuture<>();
        boolean queued = submit(() -> {
            running = false;
            if (sweeps != null) {
                sweeps.cancel(false);
            }
            if (renewals != null) {
                renewals.cancel(false);
            }
            if (checkpoint != null) {
                checkpoint.cancel(false);
                checkpoint = null;
            }
            halted.complete(null);
        });
        if (queued) {
            awaitQuietly(halted, "stop publishing");
        }
    }

    /**
     * Stops publishing, then records the accepted seqs not yet in the store, and ends the publisher's
     * thread. The hub calls it after closing its MQTT link, so that what the broker accepted while the
     * link drained is recorded. Idempotent.
     */
    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        stopPublishing();
        try {
            save();
        } catch (RuntimeException e) {
            LOG.log(
                    Level.WARNING,
                    "cannot record the seqs the broker accepted; the next start publishes them again",
                    e);
        }
        executor.shutdown();
        awaitTermination();
        signers.shutdownNow();
        try {
            leases.release();
        } catch (RuntimeException e) {
            LOG.log(
                    Level.WARNING,
                    "cannot give up the sites' publish leases; other replicas take them when they expire",
                    e);
        }
    }

    /** Runs {@code task} on the publisher's thread; false when the publisher is closed. */
    private boolean submit(Runnable task) {
        try {
            executor.execute(guarded("sync publisher task failed", task));
            return true;
        } catch (RejectedExecutionException e) {
            return false;
        }
    }

    /** Runs {@code task} at once when on the publisher's thread (a link that answers at once), else queues it. */
    private void inOrder(Runnable task) {
        if (Thread.currentThread() == thread) {
            task.run();
        } else {
            submit(task); // refused once closed: an answer after close is published again at the next start
        }
    }

    private void schedule(Runnable task, long delayMillis) {
        try {
            executor.schedule(guarded("sync publisher task failed", task), delayMillis, TimeUnit.MILLISECONDS);
        } catch (RejectedExecutionException e) {
            // closed meanwhile: nothing more to do
        }
    }

    /**
     * Runs {@code work} on the publisher's thread and returns its answer (at once when already on
     * it); once the publisher is closed, on the caller's thread over the state it left.
     */
    private <T> T call(Supplier<T> work) {
        if (Thread.currentThread() == thread) {
            return work.get();
        }
        CompletableFuture<T> answer;
        try {
            answer = CompletableFuture.supplyAsync(work, executor);
        } catch (RejectedExecutionException e) {
            awaitTermination();
            return work.get();
        }
        return join(answer);
    }

    /** The future's value; what failed it is thrown as it was. */
    private static <T> T join(CompletableFuture<T> future) {
        try {
            return future.join();
        } catch (CompletionException e) {
            if (e.getCause() instanceof RuntimeException cause) {
                throw cause;
            }
            if (e.getCause() instanceof Error cause) {
                throw cause;
            }
            throw e;
        }
    }

    /** The task, with anything it throws logged: the executor would keep it in a future nobody reads. */
    private static Runnable guarded(String what, Runnable task) {
        return () -> {
            try {
                task.run();
            } catch (RuntimeException e) {
                LOG.log(Level.WARNING, what + ": " + e, e);
            }
        };
    }

    private static void awaitQuietly(CompletableFuture<Void> done, String what) {
        try {
            done.get(STOP_WAIT_MILLIS, TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            LOG.warning("sync publisher: " + what + " still waits for the task under way after " + STOP_WAIT_MILLIS
                    + " ms; going on");
        } catch (ExecutionException e) {
            LOG.log(Level.WARNING, "sync publisher: " + what + " failed", e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void awaitTermination() {
        try {
            if (!executor.awaitTermination(STOP_WAIT_MILLIS, TimeUnit.MILLISECONDS)) {
                LOG.warning("the sync publisher's thread is still busy " + STOP_WAIT_MILLIS + " ms after close");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
