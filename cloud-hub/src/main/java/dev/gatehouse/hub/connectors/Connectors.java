package dev.gatehouse.hub.connectors;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.gatehouse.hub.outbox.Outbox;
import dev.gatehouse.hub.outbox.OutboxWorker;
import dev.gatehouse.hub.store.Database;
import dev.gatehouse.hub.store.HubIds;
import java.net.URI;
import java.net.http.HttpClient;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The connectors at work: one thread that, whenever a commit wrote outbox events (and at least once a
 * second), lets each connector's consumer turn new events into jobs, then claims the due jobs and carries
 * them out, one tenant's connector at a time in claim order (which keeps each entity's jobs in event
 * order and a service's calls for one tenant sequential), different tenants' connectors side by side on
 * virtual threads. It also serves the API's pre-flight and the OAuth2 connect flow. All it knows is in
 * rows, so a restarted hub carries on where it stopped, and several replicas may share one database: each
 * holds the jobs it claimed under a lease in its own name, renewed every {@link #RENEW_EVERY} while it
 * has any (a job waiting in the batch included), checked before each job runs and compared when it is
 * recorded; a replica that stops lets its leases run out and another takes the jobs over. Finished jobs
 * are pruned after {@code hub.connectors.job-retention}.
 */
public final class Connectors implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(Connectors.class.getName());
    private static final int BATCH = 200;
    private static final Duration STATE_VALIDITY = Duration.ofMinutes(15);
    /** How often (in real time) the leases of the jobs this replica holds are renewed while it holds any. */
    static final Duration RENEW_EVERY = Duration.ofSeconds(1);
    /** How often finished jobs past their retention are pruned (by the hub's clock). */
    static final Duration PRUNE_EVERY = Duration.ofHours(1);

    private final ConnectorStore store;
    private final Outbox outbox;
    private final Map<String, Connector> connectors = new LinkedHashMap<>();
    private final ConnectorSettings settings;
    private final Clock clock;
    private final ExecutorService runners = Executors.newVirtualThreadPerTaskExecutor();
    private final HttpClient http;
    private final OAuth2 oauth;
    private final OutboxWorker worker;
    /** This replica's name on its leases and token refreshes. */
    private final String owner = HubIds.next("lease");
    /** Jobs claimed and not yet recorded: while any are, the heartbeat renews their leases. */
    private final java.util.concurrent.atomic.AtomicInteger held = new java.util.concurrent.atomic.AtomicInteger();

    private final java.util.concurrent.ScheduledExecutorService heartbeat =
            java.util.concurrent.Executors.newSingleThreadScheduledExecutor(task ->
                    Thread.ofPlatform().daemon().name("hub-connector-leases").unstarted(task));
    private Optional<java.time.Instant> lastPrune = Optional.empty();
    /** One lock per tenant's connector: its token refreshes take turns. */
    private final java.util.concurrent.ConcurrentHashMap<String, Object> refreshLocks =
            new java.util.concurrent.ConcurrentHashMap<>();

    public Connectors(Database database, Clock clock, ConnectorSettings settings, List<Connector> connectors) {
        this.store = new ConnectorStore(database, clock);
        this.outbox = new Outbox(database);
        connectors.forEach(connector -> this.connectors.put(connector.name(), connector));
        this.settings = settings;
        this.clock = clock;
        this.http = HttpClient.newBuilder()
                .connectTimeout(settings.timeout())
                .followRedirects(HttpClient.Redirect.NEVER)
                .executor(runners)
                .build();
        this.oauth = new OAuth2(http, settings.timeout(), clock);
        this.worker = new OutboxWorker(database, "hub-connectors", "a connector pass", this::pass);
    }

    public Connectors start() {
        worker.start();
        heartbeat.scheduleWithFixedDelay(
                this::renewLeases,
                RENEW_EVERY.toMillis(),
                RENEW_EVERY.toMillis(),
                java.util.concurrent.TimeUnit.MILLISECONDS);
        return this;
    }

    /** Renews the leases of the jobs this replica holds, if any; what the heartbeat runs. */
    void renewLeases() {
        if (held.get() == 0) {
            return;
        }
        try {
            store.renew(owner);
        } catch (RuntimeException e) {
            LOG.log(Level.WARNING, "renewing the connector jobs' leases failed; the next beat tries again", e);
        }
    }

    /** This replica's name on its leases (for tests that look at the rows). */
    String owner() {
        return owner;
    }

    private synchronized void pruneWhenDue() {
        java.time.Instant now = clock.instant();
        if (lastPrune.isPresent() && now.isBefore(lastPrune.get().plus(PRUNE_EVERY))) {
            return;
        }
        lastPrune = Optional.of(now);
        int pruned = store.prune(settings.jobRetention());
        if (pruned > 0) {
            LOG.info("connectors: pruned " + pruned + " jobs finished more than "
                    + settings.jobRetention().toDays() + " days ago");
        }
    }

    public ConnectorStore store() {
        return store;
    }

    public List<Connector> all() {
        return List.copyOf(connectors.values());
    }

    public Optional<Connector> find(String name) {
        return Optional.ofNullable(connectors.get(name));
    }

    /** Asks for a pass now (after a commit that wrote events, a retry, a test moving the clock). */
    public void wake() {
        worker.wake();
    }

    /** One pass on the caller's thread: jobs from the outbox, then every due job until none is; answers the attempts. */
    public int pass() {
        pruneWhenDue();
        for (Connector connector : connectors.values()) {
            while (outbox.drain(store.consumer(connector), BATCH) > 0) {
                // each tenant's next batch
            }
        }
        int attempts = 0;
        while (!worker.closed()) {
            List<Job> due = claim();
            if (due.isEmpty()) {
                return attempts;
            }
            Map<String, List<Job>> byConnection = new LinkedHashMap<>();
            due.forEach(job -> byConnection
                    .computeIfAbsent(job.tenantId() + "/" + job.connector(), key -> new ArrayList<>())
                    .add(job));
            List<Future<?>> running = new ArrayList<>();
            for (List<Job> jobs : byConnection.values()) {
                running.add(runners.submit(() -> perform(jobs)));
            }
            for (Future<?> future : running) {
                try {
                    future.get();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return attempts;
                } catch (ExecutionException e) {
                    LOG.log(Level.WARNING, "a connector job failed to record", e.getCause());
                }
            }
            attempts += due.size();
        }
        return attempts;
    }

    /** Claims due jobs in this replica's name; counted as held (the heartbeat renews them) until recorded. */
    private List<Job> claim() {
        held.incrementAndGet(); // renewing from before the claim commits: a slow first job keeps its batch
        try {
            List<Job> due = store.claim(BATCH, owner);
            held.addAndGet(due.size());
            return due;
        } finally {
            held.decrementAndGet();
        }
    }

    /**
     * One tenant's connector's jobs, in order; a 429 leaves the rest for after the wait. A job whose lease
     * another replica took over (this one's ran out) is neither carried nor recorded here.
     */
    private void perform(List<Job> jobs) {
        try {
            performHeld(jobs);
        } finally {
            held.addAndGet(-jobs.size());
        }
    }

    private void performHeld(List<Job> jobs) {
        Job first = jobs.getFirst();
        Connector connector = connectors.get(first.connector());
        Optional<ConnectorStore.Config> config = store.config(first.tenantId(), first.connector());
        if (connector == null || config.isEmpty()) {
            return;
        }
        Session session = session(config.get(), connector);
        for (int i = 0; i < jobs.size(); i++) {
            Job job = jobs.get(i);
            if (!store.hold(job, owner)) {
                LOG.info("connector job " + job.id() + " was taken over by another replica; not carried here");
                continue;
            }
            boolean recorded;
            try {
                recorded = store.finish(job, apply(connector, session, job), owner);
            } catch (ConnectorException e) {
                recorded = store.failed(job, e, owner);
                if (e.kind() == ConnectorException.Kind.RATE_LIMITED) {
                    for (Job later : jobs.subList(i + 1, jobs.size())) {
                        store.failed(later, e, owner);
                    }
                    return;
                }
            } catch (RuntimeException e) {
                LOG.log(Level.WARNING, "connector " + connector.name() + " failed on job " + job.id(), e);
                recorded = store.failed(
                        job,
                        new ConnectorException(
                                ConnectorException.Kind.UNAVAILABLE,
                                "the hub failed carrying the job ("
                                        + e.getClass().getSimpleName() + ")"),
                        owner);
            }
            if (!recorded) {
                LOG.warning("connector job " + job.id() + " lost its lease while it ran; another replica records it");
            }
        }
    }

    /** Applies forward only: a version at or below the mapped one, or an unversioned entity sent before, is skipped. */
    private static Connector.Result apply(Connector connector, Session session, Job job) {
        Optional<Mapping> mapped = session.mappings().find(job.entityKind(), job.entityId());
        if (mapped.isPresent()) {
            if (job.entityVersion().isEmpty()) {
                return new Connector.Skipped("sent already as " + mapped.get().externalId());
            }
            if (job.entityVersion().getAsLong() <= mapped.get().lastVersion()) {
                return new Connector.Skipped("version " + job.entityVersion().getAsLong()
                        + " is not newer than version " + mapped.get().lastVersion() + " applied already");
            }
        }
        return connector.apply(session, job);
    }

    Session session(ConnectorStore.Config config, Connector connector) {
        ConnectorSettings.Endpoints endpoints = settings.of(connector.name());
        TokenSource tokens = new TokenSource(
                store,
                connector,
                config.tenantId(),
                config.credentials(),
                oauth,
                endpoints,
                clock,
                refreshLocks.computeIfAbsent(config.tenantId() + "/" + connector.name(), key -> new Object()),
                owner,
                settings.timeout());
        RemoteApi api =
                new RemoteApi(http, settings.timeout(), tokens, clock, connector.title(), connector::rateLimitWait);
        return new Session(
                config.tenantId(),
                config.settings(),
                api,
                store.mappings(config.tenantId(), connector.name()),
                store.records(config.tenantId()),
                endpoints,
                clock);
    }

    /** The pre-flight's mismatches for the tenant's connector (calls the service; never inside a transaction). */
    public List<Connector.Mismatch> preflight(Connector connector, ConnectorStore.Config config) {
        try {
            return connector.preflight(session(config, connector));
        } catch (ConnectorException e) {
            return List.of(new Connector.Mismatch(
                    "service-"
                            + e.kind().name().toLowerCase(java.util.Locale.ROOT).replace('_', '-'),
                    connector.name(),
                    e.getMessage()));
        }
    }

    /** Starts the OAuth2 connect flow: the authorization page to send the operator to. */
    public URI connect(Connector connector, ConnectorStore.Config config, URI redirect) {
        String clientId = config.credentials()
                .get(Credentials.CLIENT_ID)
                .orElseThrow(() -> new IllegalStateException("clientId is checked by the caller"));
        String state = store.startOAuth(config.tenantId(), connector.name(), STATE_VALIDITY);
        return OAuth2.authorizationUrl(
                settings.of(connector.name()).authorize(),
                clientId,
                connector.oauthScopes().orElseThrow(),
                redirect,
                state);
    }

    /** The service's OAuth2 authorization page (where the connect flow sends the owner's browser). */
    public URI authorizePage(Connector connector) {
        return settings.of(connector.name()).authorize();
    }

    /** What the callback did. */
    public record Connected(String tenantId, String connector) {}

    /**
     * The connect flow's callback: the state must be one this hub issued and not used or expired; the code
     * is exchanged for tokens, sealed with the tenant's credentials, and extra answers the service gives
     * (QuickBooks' {@code realmId}) go into the settings.
     */
    public Optional<Connected> callback(String state, String code, URI redirect, ObjectNode settingsFromCallback) {
        Optional<ConnectorStore.Config> config = store.takeOAuthState(state);
        if (config.isEmpty()) {
            return Optional.empty();
        }
        Connector connector = connectors.get(config.get().connector());
        Credentials tokens = oauth.exchange(
                connector, settings.of(connector.name()).token(), config.get().credentials(), code, redirect);
        store.saveCredentials(config.get().tenantId(), connector.name(), tokens);
        if (!settingsFromCallback.isEmpty()) {
            store.mergeSettings(config.get().tenantId(), connector.name(), settingsFromCallback);
        }
        return Optional.of(new Connected(config.get().tenantId(), connector.name()));
    }

    @Override
    public void close() {
        worker.close();
        heartbeat.shutdownNow();
        // Jobs under way finish (their rows written) before the store closes; then anything left is stopped.
        runners.shutdown();
        try {
            runners.awaitTermination(5, java.util.concurrent.TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        runners.shutdownNow();
        http.close();
    }
}
