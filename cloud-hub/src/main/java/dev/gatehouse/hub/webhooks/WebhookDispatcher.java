package dev.gatehouse.hub.webhooks;

import dev.gatehouse.hub.outbox.Outbox;
import dev.gatehouse.hub.outbox.OutboxWorker;
import dev.gatehouse.hub.store.Database;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The delivery worker: one thread that, whenever a commit wrote outbox events (and at least once a
 * second), fans new events out into deliveries, then claims the due deliveries and POSTs each to its
 * endpoint (up to {@link #IN_FLIGHT} at once, on virtual threads) with the Standard Webhooks headers.
 * A 2xx answer delivers it; anything else (or no answer within the timeout) is a failed attempt that
 * the {@link RetrySchedule} tries again. Time comes from the injected clock, so tests move it instead
 * of sleeping; everything it knows is in rows, so a restarted hub carries on where it stopped.
 */
public final class WebhookDispatcher implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(WebhookDispatcher.class.getName());
    static final int IN_FLIGHT = 32;
    /**
     * At most this many attempts in flight to one endpoint: a slow or hanging receiver (each attempt
     * waits up to the timeout) takes this share of the slots, never all of them, so the other
     * endpoints' deliveries keep flowing beside it.
     */
    static final int PER_ENDPOINT = 4;

    private static final int FAN_OUT_BATCH = 500;

    private final Database database;
    private final Outbox outbox;
    private final WebhookStore store;
    private final Clock clock;
    private final WebhookSettings settings;
    private final Consumer<String> onDisabled;
    private final HttpClient http;
    private final ExecutorService senders = Executors.newVirtualThreadPerTaskExecutor();
    private final OutboxWorker worker;
    private final Semaphore slots = new Semaphore(IN_FLIGHT);
    private final Semaphore finished = new Semaphore(0);
    private final Map<String, Integer> inFlight = new HashMap<>();
    private Optional<Instant> lastPrune = Optional.empty();
    static final Duration PRUNE_EVERY = Duration.ofHours(1);

    /** {@code onDisabled} hears the id of an endpoint this worker disabled after 5 days of failures. */
    public WebhookDispatcher(
            Database database, WebhookStore store, Clock clock, WebhookSettings settings, Consumer<String> onDisabled) {
        this.database = database;
        this.outbox = new Outbox(database);
        this.store = store;
        this.clock = clock;
        this.settings = settings;
        this.onDisabled = onDisabled;
        // HTTP/1.1, as webhook senders commonly use: each attempt its own request on a pooled connection,
        // and no h2c upgrade, whose first request to a plain-http receiver holds back the ones after it.
        this.http = HttpClient.newBuilder()
                .version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(settings.timeout())
                .followRedirects(HttpClient.Redirect.NEVER)
                .executor(senders)
                .build();
        this.worker = new OutboxWorker(database, "hub-webhooks", "a webhook delivery pass", this::pass);
    }

    public WebhookDispatcher start() {
        worker.start();
        return this;
    }

    /** Asks for a pass now (after a commit that wrote events, a replay, a test moving the clock). */
    public void wake() {
        worker.wake();
    }

    /**
     * Prunes the outbox and drops rotated secrets whose overlap ended, at most once per {@link
     * #PRUNE_EVERY}: old events go in batches, off the hot path.
     */
    private synchronized void pruneWhenDue() {
        Instant now = clock.instant();
        if (lastPrune.isPresent() && now.isBefore(lastPrune.get().plus(PRUNE_EVERY))) {
            return;
        }
        lastPrune = Optional.of(now);
        store.dropExpiredSecrets();
        WebhookStore.Pruned pruned = store.prune(settings.retention());
        if (pruned.events() > 0) {
            LOG.info("outbox: forgot " + pruned.events() + " events older than "
                    + settings.retention().toDays() + " days and " + pruned.deliveries()
                    + " of their webhook deliveries");
        }
    }

    /**
     * One pass, on the caller's thread: fan out, then send what is due until nothing is; answers the
     * attempts it made. The worker runs it; tests and tools may too (claims keep two passes apart).
     */
    public int pass() {
        store.dropExpiredSecrets();
        int attempts = 0;
        List<Future<?>> mine = new ArrayList<>();
        while (!worker.closed()) {
            // Inside the loop: a pass kept busy by a slow endpoint's backlog still prunes on time.
            pruneWhenDue();
            // New events become deliveries here too, so a pass waiting on a slow receiver does not
            // hold back the events that commit meanwhile.
            while (outbox.drain(store.fanOut(), FAN_OUT_BATCH) > 0) {
                // each tenant's next batch
            }
            mine.removeIf(Future::isDone);
            List<WebhookStore.Due> due = slots.availablePermits() == 0
                    ? List.of()
                    : store.claimDue(slots.availablePermits(), PER_ENDPOINT, inFlight());
            if (due.isEmpty()) {
                if (mine.isEmpty()) {
                    return attempts;
                }
                // Wait for one of this pass's attempts to end, then claim again: a slot or an
                // endpoint's share may be free, or a failed attempt due again.
                try {
                    finished.tryAcquire(100, TimeUnit.MILLISECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return attempts;
                }
                finished.drainPermits();
                continue;
            }
            for (WebhookStore.Due delivery : due) {
                slots.acquireUninterruptibly();
                started(delivery.endpointId());
                mine.add(senders.submit(() -> {
                    try {
                        attempt(delivery);
                    } catch (RuntimeException e) {
                        LOG.log(
                                Level.WARNING,
                                "a webhook attempt failed to record; its lease runs out and it is" + " tried again",
                                e);
                    } finally {
                        ended(delivery.endpointId());
                        slots.release();
                        finished.release();
                    }
                }));
            }
            attempts += due.size();
        }
        return attempts;
    }

    /** Attempts in flight per endpoint, for the claim's per-endpoint share. */
    private synchronized Map<String, Integer> inFlight() {
        return Map.copyOf(inFlight);
    }

    private synchronized void started(String endpointId) {
        inFlight.merge(endpointId, 1, Integer::sum);
    }

    private synchronized void ended(String endpointId) {
        inFlight.computeIfPresent(endpointId, (id, n) -> n == 1 ? null : n - 1);
    }

    private void attempt(WebhookStore.Due due) {
        WebhookStore.Outcome outcome = send(due);
        WebhookStore.Recorded recorded = store.record(due, outcome);
        recorded.disabledEndpoint().ifPresent(endpoint -> {
            LOG.warning("webhook endpoint " + endpoint + " of tenant " + due.tenantId()
                    + " was disabled: every attempt failed for " + WebhookStore.DISABLE_AFTER.toDays() + " days");
            try {
                onDisabled.accept(endpoint);
            } catch (RuntimeException e) {
                LOG.log(Level.WARNING, "could not send the notice of disabled endpoint " + endpoint, e);
            }
        });
    }

    private WebhookStore.Outcome send(WebhookStore.Due due) {
        byte[] body = due.payload().getBytes(StandardCharsets.UTF_8);
        long timestamp = clock.instant().getEpochSecond();
        HttpRequest request;
        try {
            request = HttpRequest.newBuilder(URI.create(due.url()))
                    .timeout(settings.timeout())
                    .header("content-type", "application/json")
                    .header("user-agent", "Gatehouse-Webhooks/1")
                    .header(StandardWebhooks.ID, due.eventId())
                    .header(StandardWebhooks.TIMESTAMP, Long.toString(timestamp))
                    .header(
                            StandardWebhooks.SIGNATURE,
                            StandardWebhooks.signatures(due.secrets(), due.eventId(), timestamp, body))
                    .POST(HttpRequest.BodyPublishers.ofByteArray(body))
                    .build();
        } catch (IllegalArgumentException e) {
            return new WebhookStore.Outcome(
                    false, OptionalInt.empty(), Optional.of("bad URL: " + e.getMessage()), false);
        }
        try {
            String host = request.uri().getHost();
            Optional<String> inside =
                    settings.addressProblem(host, java.util.List.of(java.net.InetAddress.getAllByName(host)));
            if (inside.isPresent()) {
                return new WebhookStore.Outcome(false, OptionalInt.empty(), inside, false);
            }
            HttpResponse<Void> response = http.send(request, HttpResponse.BodyHandlers.discarding());
            int status = response.statusCode();
            if (status >= 200 && status < 300) {
                return new WebhookStore.Outcome(true, OptionalInt.of(status), Optional.empty(), false);
            }
            boolean abort = response.headers()
                    .firstValue("webhook-delivery")
                    .filter("abort-message"::equalsIgnoreCase)
                    .isPresent();
            return new WebhookStore.Outcome(
                    false, OptionalInt.of(status), Optional.of("the endpoint answered " + status), abort);
        } catch (HttpTimeoutException e) {
            return new WebhookStore.Outcome(
                    false,
                    OptionalInt.empty(),
                    Optional.of("no answer within " + settings.timeout().toSeconds() + " s"),
                    false);
        } catch (java.net.UnknownHostException e) {
            return new WebhookStore.Outcome(
                    false, OptionalInt.empty(), Optional.of("the endpoint's host does not resolve"), false);
        } catch (IOException e) {
            // What failed, not the network's own words: a receiver's address must not become a probe.
            return new WebhookStore.Outcome(
                    false,
                    OptionalInt.empty(),
                    Optional.of("could not reach the endpoint (" + e.getClass().getSimpleName() + ")"),
                    false);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return new WebhookStore.Outcome(
                    false, OptionalInt.empty(), Optional.of("the hub stopped during the attempt"), false);
        }
    }

    @Override
    public void close() {
        worker.close();
        senders.shutdownNow();
        http.close();
    }
}
