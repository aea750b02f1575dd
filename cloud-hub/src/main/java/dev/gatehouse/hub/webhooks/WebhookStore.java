package dev.gatehouse.hub.webhooks;

import dev.gatehouse.hub.outbox.EventType;
import dev.gatehouse.hub.outbox.OutboxConsumer;
import dev.gatehouse.hub.outbox.OutboxEvent;
import dev.gatehouse.hub.store.Database;
import dev.gatehouse.hub.store.HubIds;
import dev.gatehouse.hub.store.SealedColumns;
import dev.gatehouse.hub.store.Sql;
import dev.gatehouse.hub.store.StoreResult;
import dev.gatehouse.hub.web.Times;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Set;
import java.util.function.UnaryOperator;

/**
 * Webhook endpoints and their deliveries. An endpoint's secrets are sealed under the master key
 * ({@link SealedColumns#WEBHOOK_SECRETS}) and leave this store only in {@link Created}/{@link Rotated}
 * (shown once) and in {@link Due} (to sign). Deliveries fan out from the outbox ({@link #fanOut}), are
 * claimed when due under a lease (a hub that dies mid-attempt leaves them to be tried again), and end
 * delivered, aborted by the receiver, or as dead letters that an operator can replay.
 */
public record WebhookStore(Database database, Clock clock, RetrySchedule schedule) {
    /** An endpoint failing this long without one success is disabled (Svix: 5 days). */
    public static final Duration DISABLE_AFTER = Duration.ofDays(5);
    /** How long a claimed delivery is left to its attempt before another pass may try it. */
    static final Duration LEASE = Duration.ofSeconds(60);

    private static final String COLUMNS = "id, url, description, event_types, enabled, disabled_reason, previous_until,"
            + " failing_since, failures_in_row, created_at, updated_at";
    private static final String DELIVERY_COLUMNS = "id, event_id, event_type, status, attempts, next_attempt_at,"
            + " last_attempt_at, last_status, last_error, delivered_at, created_at, endpoint_id";

    public WebhookStore(Database database, Clock clock) {
        this(database, clock, RetrySchedule.STANDARD);
    }

    /** A delivery's state; on the wire in lower case. */
    public enum Status {
        PENDING,
        DELIVERED,
        /** The receiver answered {@code webhook-delivery: abort-message}: no more attempts. */
        ABORTED,
        /** Every attempt of the schedule failed. */
        DEAD
    }

    /** An endpoint's editable fields, checked by the web layer; no event types means every type. */
    public record EndpointInput(String url, String description, Set<EventType> eventTypes, boolean enabled) {
        public EndpointInput {
            eventTypes = eventTypes.isEmpty() ? Set.of() : Set.copyOf(EnumSet.copyOf(eventTypes));
        }
    }

    /** How an endpoint has fared: for the console's health column and the API. */
    public record Health(
            String lastSuccessAt, int failuresInRow, long deadLetters, long attempts24h, Double successRate24h) {}

    /** An endpoint as the API shows it: never its secret. Nullable fields are absent values. */
    public record EndpointView(
            String id,
            String url,
            String description,
            List<String> eventTypes,
            boolean enabled,
            String disabledReason,
            String previousSecretValidUntil,
            String failingSince,
            String createdAt,
            String updatedAt,
            Health health) {
        EndpointInput input() {
            return new EndpointInput(url, description, types(String.join(",", eventTypes)), enabled);
        }
    }

    /** A new endpoint and its secret, which is shown this once. */
    public record Created(EndpointView endpoint, String secret) {}

    /** The endpoint after a rotation, its new secret (shown once) and until when the old one still signs. */
    public record Rotated(EndpointView endpoint, String secret, String previousSecretValidUntil) {}

    public record DeliveryView(
            String id,
            String endpointId,
            String eventId,
            String eventType,
            String status,
            int attempts,
            String nextAttemptAt,
            String lastAttemptAt,
            Integer lastStatus,
            String lastError,
            String deliveredAt,
            String createdAt) {}

    /** A claimed delivery: where to send what, and the secrets to sign it with (newest first). */
    public record Due(
            String deliveryId,
            String tenantId,
            String endpointId,
            String url,
            List<String> secrets,
            String eventId,
            String payload,
            int attempts,
            int step) {}

    /** What one attempt came to. */
    public record Outcome(boolean ok, OptionalInt status, Optional<String> error, boolean abort) {}

    /** What recording an attempt did to its endpoint: set when this failure disabled it. */
    public record Recorded(Optional<String> disabledEndpoint) {}

    // ---- endpoints

    public Created create(String tenantId, EndpointInput input) {
        String id = HubIds.next("whe");
        String secret = StandardWebhooks.newSecret();
        Instant now = clock.instant();
        return database.write(c -> {
            Sql.update(
                    c,
                    "INSERT INTO webhook_endpoints (id, tenant_id, url, description, event_types, enabled, secrets,"
                            + " failures_in_row, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, 0, ?, ?)",
                    id,
                    tenantId,
                    input.url(),
                    input.description(),
                    typesText(input.eventTypes()),
                    input.enabled(),
                    seal(id, List.of(secret)),
                    now,
                    now);
            return new Created(view(c, tenantId, id, now).orElseThrow(), secret);
        });
    }

    public Optional<EndpointView> find(String tenantId, String id) {
        Instant now = clock.instant();
        return database.read(c -> view(c, tenantId, id, now));
    }

    public List<EndpointView> list(String tenantId) {
        Instant now = clock.instant();
        return database.read(c -> {
            List<String> ids = Sql.list(
                    c,
                    "SELECT id FROM webhook_endpoints WHERE tenant_id = ? ORDER BY created_at, id",
                    Sql.STRING,
                    tenantId);
            List<EndpointView> views = new ArrayList<>();
            for (String id : ids) {
                views.add(view(c, tenantId, id, now).orElseThrow());
            }
            return views;
        });
    }

    /** Applies {@code change}; enabling an endpoint clears its failure streak and the reason it was disabled. */
    public StoreResult<EndpointView> update(String tenantId, String id, UnaryOperator<EndpointInput> change) {
        Instant now = clock.instant();
        return database.write(c -> {
            Optional<EndpointView> before = view(c, tenantId, id, now);
            if (before.isEmpty()) {
                return new StoreResult.NotFound<>("webhook endpoint", id);
            }
            EndpointInput after = change.apply(before.get().input());
            boolean enabling = after.enabled() && !before.get().enabled();
            Sql.update(
                    c,
                    "UPDATE webhook_endpoints SET url = ?, description = ?, event_types = ?, enabled = ?,"
                            + " disabled_reason = CASE WHEN ? THEN NULL ELSE disabled_reason END,"
                            + " failing_since = CASE WHEN ? THEN NULL ELSE failing_since END,"
                            + " failures_in_row = CASE WHEN ? THEN 0 ELSE failures_in_row END,"
                            + " updated_at = ? WHERE id = ? AND tenant_id = ?",
                    after.url(),
                    after.description(),
                    typesText(after.eventTypes()),
                    after.enabled(),
                    after.enabled(),
                    enabling,
                    enabling,
                    now,
                    id,
                    tenantId);
            return StoreResult.found(view(c, tenantId, id, now).orElseThrow());
        });
    }

    /** Deletes the endpoint with its deliveries and their attempts; false when the tenant has no such endpoint. */
    public boolean delete(String tenantId, String id) {
        return database.write(c -> {
            if (!Sql.exists(c, "SELECT 1 FROM webhook_endpoints WHERE id = ? AND tenant_id = ?", id, tenantId)) {
                return false;
            }
            Sql.update(c, "DELETE FROM webhook_attempts WHERE endpoint_id = ? AND tenant_id = ?", id, tenantId);
            Sql.update(c, "DELETE FROM webhook_deliveries WHERE endpoint_id = ? AND tenant_id = ?", id, tenantId);
            Sql.update(c, "DELETE FROM webhook_endpoints WHERE id = ? AND tenant_id = ?", id, tenantId);
            return true;
        });
    }

    /** A new secret; the current one keeps signing beside it for {@code overlap} (an earlier previous one is dropped). */
    public StoreResult<Rotated> rotate(String tenantId, String id, Duration overlap) {
        Instant now = clock.instant();
        String secret = StandardWebhooks.newSecret();
        return database.write(c -> {
            Optional<String> sealed = Sql.one(
                    c,
                    "SELECT secrets FROM webhook_endpoints WHERE id = ? AND tenant_id = ?",
                    Sql.STRING,
                    id,
                    tenantId);
            if (sealed.isEmpty()) {
                return new StoreResult.NotFound<>("webhook endpoint", id);
            }
            String current = open(id, sealed.get()).getFirst();
            Instant until = now.plus(overlap);
            Sql.update(
                    c,
                    "UPDATE webhook_endpoints SET secrets = ?, previous_until = ?, updated_at = ?"
                            + " WHERE id = ? AND tenant_id = ?",
                    seal(id, List.of(secret, current)),
                    until,
                    now,
                    id,
                    tenantId);
            return StoreResult.found(new Rotated(view(c, tenantId, id, now).orElseThrow(), secret, Times.iso(until)));
        });
    }

    private String seal(String id, List<String> secrets) {
        return database.masterKey().seal(String.join(" ", secrets), SealedColumns.WEBHOOK_SECRETS.context(id));
    }

    private List<String> open(String id, String sealed) {
        return List.of(database.masterKey()
                .open(sealed, SealedColumns.WEBHOOK_SECRETS.context(id))
                .split(" "));
    }

    private static Optional<EndpointView> view(Connection c, String tenantId, String id, Instant now)
            throws SQLException {
        Optional<EndpointView> bare = Sql.byId(c, "webhook_endpoints", COLUMNS, WebhookStore::bare, tenantId, id);
        if (bare.isEmpty()) {
            return bare;
        }
        EndpointView v = bare.get();
        return Optional.of(new EndpointView(
                v.id(),
                v.url(),
                v.description(),
                v.eventTypes(),
                v.enabled(),
                v.disabledReason(),
                v.previousSecretValidUntil(),
                v.failingSince(),
                v.createdAt(),
                v.updatedAt(),
                health(c, tenantId, id, v.health().failuresInRow(), now)));
    }

    private static EndpointView bare(ResultSet row) throws SQLException {
        Optional<Instant> until = Sql.instant(row, 7);
        return new EndpointView(
                row.getString(1),
                row.getString(2),
                row.getString(3),
                types(row.getString(4)).stream().map(EventType::wire).toList(),
                row.getBoolean(5),
                row.getString(6),
                until.map(Times::iso).orElse(null),
                Sql.instant(row, 8).map(Times::iso).orElse(null),
                Times.iso(row.getLong(10)),
                Times.iso(row.getLong(11)),
                new Health(null, row.getInt(9), 0, 0, null));
    }

    private static Health health(Connection c, String tenantId, String id, int failuresInRow, Instant now)
            throws SQLException {
        Optional<Instant> lastSuccess = Sql.one(
                        c,
                        "SELECT MAX(at) FROM webhook_attempts WHERE endpoint_id = ? AND tenant_id = ? AND ok = ?",
                        row -> Sql.instant(row, 1),
                        id,
                        tenantId,
                        true)
                .flatMap(at -> at);
        long dead = Sql.one(
                        c,
                        "SELECT COUNT(*) FROM webhook_deliveries WHERE endpoint_id = ? AND tenant_id = ? AND status = ?",
                        Sql.LONG,
                        id,
                        tenantId,
                        Status.DEAD)
                .orElse(0L);
        long[] day = Sql.one(
                        c,
                        "SELECT COUNT(*), SUM(CASE WHEN ok THEN 1 ELSE 0 END) FROM webhook_attempts"
                                + " WHERE endpoint_id = ? AND tenant_id = ? AND at > ?",
                        row -> new long[] {row.getLong(1), row.getLong(2)},
                        id,
                        tenantId,
                        now.minus(Duration.ofHours(24)))
                .orElse(new long[] {0, 0});
        return new Health(
                lastSuccess.map(Times::iso).orElse(null),
                failuresInRow,
                dead,
                day[0],
                day[0] == 0 ? null : (double) day[1] / day[0]);
    }

    private static String typesText(Set<EventType> types) {
        return String.join(",", types.stream().sorted().map(EventType::wire).toList());
    }

    private static Set<EventType> types(String text) {
        if (text == null || text.isBlank()) {
            return Set.of();
        }
        EnumSet<EventType> types = EnumSet.noneOf(EventType.class);
        Arrays.stream(text.split(","))
                .map(EventType::parse)
                .flatMap(Optional::stream)
                .forEach(types::add);
        return types;
    }

    // ---- fan-out from the outbox

    /** The outbox consumer that turns each event into one delivery per enabled endpoint that takes its type. */
    public OutboxConsumer fanOut() {
        return new OutboxConsumer() {
            @Override
            public String name() {
                return "webhooks";
            }

            @Override
            public void accept(Connection c, List<OutboxEvent> events) throws SQLException {
                fanOut(c, events);
            }
        };
    }

    private record Target(String id, Set<EventType> types) {}

    private void fanOut(Connection c, List<OutboxEvent> events) throws SQLException {
        String tenantId = events.getFirst().tenantId();
        List<Target> targets = Sql.list(
                c,
                "SELECT id, event_types FROM webhook_endpoints WHERE tenant_id = ? AND enabled = ?",
                row -> new Target(row.getString(1), types(row.getString(2))),
                tenantId,
                true);
        if (targets.isEmpty()) {
            return;
        }
        Instant now = clock.instant();
        List<List<?>> rows = new ArrayList<>();
        for (OutboxEvent event : events) {
            Optional<EventType> type = EventType.parse(event.type());
            for (Target target : targets) {
                if (target.types().isEmpty()
                        || type.filter(target.types()::contains).isPresent()) {
                    rows.add(List.of(
                            HubIds.next("whd"),
                            tenantId,
                            target.id(),
                            event.id(),
                            event.type(),
                            Status.PENDING.name(),
                            now.toEpochMilli(),
                            now.toEpochMilli()));
                }
            }
        }
        Sql.batch(
                c,
                "INSERT INTO webhook_deliveries (id, tenant_id, endpoint_id, event_id, event_type, status, attempts,"
                        + " step, next_attempt_at, created_at) VALUES (?, ?, ?, ?, ?, ?, 0, 0, ?, ?)"
                        + " ON CONFLICT (endpoint_id, event_id) DO NOTHING",
                rows);
    }

    // ---- delivering

    private record Candidate(
            String id,
            String tenantId,
            String endpointId,
            String url,
            String secrets,
            Optional<Instant> previousUntil,
            String eventId,
            String payload,
            int attempts,
            int step,
            long nextAttemptAt) {}

    /**
     * Claims up to {@code limit} due deliveries of enabled endpoints, oldest due first, at most {@code
     * perEndpoint} per endpoint counting the attempts already {@code inFlight} to it (so one endpoint's
     * backlog cannot take every slot): each is leased for {@link #LEASE} so no other pass (or replica)
     * tries it meanwhile.
     */
    public List<Due> claimDue(int limit, int perEndpoint, Map<String, Integer> inFlight) {
        Instant now = clock.instant();
        List<Candidate> ranked = database.read(c -> Sql.list(
                c,
                "SELECT d.id, d.tenant_id, d.endpoint_id, e.url, e.secrets, e.previous_until, d.event_id, o.payload,"
                        + " d.attempts, d.step, d.next_attempt_at FROM (SELECT id, tenant_id, endpoint_id, event_id,"
                        + " attempts, step, next_attempt_at, ROW_NUMBER() OVER (PARTITION BY endpoint_id"
                        + " ORDER BY next_attempt_at, id) AS place FROM webhook_deliveries"
                        + " WHERE status = ? AND next_attempt_at <= ?) d"
                        + " JOIN webhook_endpoints e ON e.id = d.endpoint_id"
                        + " JOIN outbox_events o ON o.id = d.event_id"
                        + " WHERE d.place <= ? AND e.enabled = ?"
                        + " ORDER BY d.next_attempt_at, d.id LIMIT ?",
                row -> new Candidate(
                        row.getString(1),
                        row.getString(2),
                        row.getString(3),
                        row.getString(4),
                        row.getString(5),
                        Sql.instant(row, 6),
                        row.getString(7),
                        row.getString(8),
                        row.getInt(9),
                        row.getInt(10),
                        row.getLong(11)),
                Status.PENDING,
                now,
                perEndpoint,
                true,
                limit + perEndpoint * inFlight.size()));
        Map<String, Integer> taken = new HashMap<>(inFlight);
        List<Candidate> candidates = new ArrayList<>();
        for (Candidate candidate : ranked) {
            if (candidates.size() == limit) {
                break;
            }
            if (taken.getOrDefault(candidate.endpointId(), 0) < perEndpoint) {
                taken.merge(candidate.endpointId(), 1, Integer::sum);
                candidates.add(candidate);
            }
        }
        if (candidates.isEmpty()) {
            return List.of();
        }
        return database.write(c -> {
            List<Due> claimed = new ArrayList<>();
            for (Candidate candidate : candidates) {
                int won = Sql.update(
                        c,
                        "UPDATE webhook_deliveries SET next_attempt_at = ? WHERE id = ? AND status = ?"
                                + " AND next_attempt_at = ?",
                        now.plus(LEASE),
                        candidate.id(),
                        Status.PENDING,
                        candidate.nextAttemptAt());
                if (won != 1) {
                    continue;
                }
                List<String> secrets = open(candidate.endpointId(), candidate.secrets());
                boolean overlapOver =
                        candidate.previousUntil().filter(now::isBefore).isEmpty();
                if (secrets.size() > 1 && overlapOver) {
                    secrets = secrets.subList(0, 1);
                }
                claimed.add(new Due(
                        candidate.id(),
                        candidate.tenantId(),
                        candidate.endpointId(),
                        candidate.url(),
                        List.copyOf(secrets),
                        candidate.eventId(),
                        candidate.payload(),
                        candidate.attempts(),
                        candidate.step()));
            }
            return claimed;
        });
    }

    /** What one {@link #prune} removed. */
    public record Pruned(int events, int deliveries) {}

    private static final int PRUNE_BATCH = 1000;

    /** An outbox event no webhook delivery still waits for (bound to {@link Status#PENDING}). */
    private static final String NOTHING_WAITS = " AND NOT EXISTS (SELECT 1 FROM webhook_deliveries w"
            + " WHERE w.event_id = outbox_events.id AND w.status = ?)";

    /**
     * Forgets the outbox events older than {@code retention} that every consumer of their tenant has
     * read and that no delivery still waits for, with their deliveries (delivered, aborted or dead; a
     * dead letter can be replayed for as long as its event is kept) and attempts. Events no consumer
     * has passed yet stay, and so does an event with a delivery still pending or retrying (also one
     * held by a disabled endpoint, which sends it when re-enabled; deleting the endpoint lets it go):
     * a receiver is never silently skipped. A thousand events per transaction, oldest first.
     */
    public Pruned prune(Duration retention) {
        Instant cutoff = clock.instant().minus(retention);
        List<String[]> tenants = database.read(c -> Sql.list(
                c,
                "SELECT h.tenant_id, (SELECT MIN(k.seq) FROM outbox_cursors k WHERE k.tenant_id = h.tenant_id)"
                        + " FROM outbox_heads h",
                row -> new String[] {row.getString(1), String.valueOf(row.getLong(2))}));
        int events = 0;
        int deliveries = 0;
        for (String[] tenant : tenants) {
            String tenantId = tenant[0];
            long readByAll = Long.parseLong(tenant[1]);
            while (true) {
                int[] removed = database.write(c -> {
                    long upTo = Sql.one(
                                    c,
                                    "SELECT MAX(seq) FROM (SELECT seq FROM outbox_events WHERE tenant_id = ? AND seq <= ?"
                                            + " AND created_at < ?" + NOTHING_WAITS + " ORDER BY seq LIMIT "
                                            + PRUNE_BATCH + ") batch",
                                    Sql.LONG,
                                    tenantId,
                                    readByAll,
                                    cutoff,
                                    Status.PENDING)
                            .orElse(0L);
                    if (upTo == 0) {
                        return new int[] {0, 0};
                    }
                    String old = "SELECT id FROM outbox_events WHERE tenant_id = ? AND seq <= ? AND created_at < ?"
                            + NOTHING_WAITS;
                    Sql.update(
                            c,
                            "DELETE FROM webhook_attempts WHERE delivery_id IN (SELECT id FROM webhook_deliveries"
                                    + " WHERE event_id IN (" + old + "))",
                            tenantId,
                            upTo,
                            cutoff,
                            Status.PENDING);
                    int gone = Sql.update(
                            c,
                            "DELETE FROM webhook_deliveries WHERE event_id IN (" + old + ")",
                            tenantId,
                            upTo,
                            cutoff,
                            Status.PENDING);
                    int pruned = Sql.update(
                            c,
                            "DELETE FROM outbox_events WHERE tenant_id = ? AND seq <= ? AND created_at < ?"
                                    + NOTHING_WAITS,
                            tenantId,
                            upTo,
                            cutoff,
                            Status.PENDING);
                    return new int[] {pruned, gone};
                });
                if (removed[0] == 0) {
                    break;
                }
                events += removed[0];
                deliveries += removed[1];
            }
        }
        return new Pruned(events, deliveries);
    }

    /** Drops the previous secrets whose overlap has ended (they stopped signing already). */
    public int dropExpiredSecrets() {
        Instant now = clock.instant();
        return database.write(c -> {
            List<String[]> expired = Sql.list(
                    c,
                    "SELECT id, secrets FROM webhook_endpoints WHERE previous_until IS NOT NULL AND previous_until <= ?",
                    row -> new String[] {row.getString(1), row.getString(2)},
                    now);
            for (String[] endpoint : expired) {
                Sql.update(
                        c,
                        "UPDATE webhook_endpoints SET secrets = ?, previous_until = NULL WHERE id = ?",
                        seal(endpoint[0], List.of(open(endpoint[0], endpoint[1]).getFirst())),
                        endpoint[0]);
            }
            return expired.size();
        });
    }

    /**
     * Records an attempt's outcome: delivered; aborted by the receiver; or failed, then due again per
     * the schedule or, after the last attempt, dead. An endpoint failing for {@link #DISABLE_AFTER}
     * without a success is disabled here, and the answer says so.
     */
    public Recorded record(Due due, Outcome outcome) {
        Instant now = clock.instant();
        return database.write(c -> {
            int attempt = due.attempts() + 1;
            Sql.update(
                    c,
                    "INSERT INTO webhook_attempts (delivery_id, attempt, tenant_id, endpoint_id, at, ok, status, error)"
                            + " VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                    due.deliveryId(),
                    attempt,
                    due.tenantId(),
                    due.endpointId(),
                    now,
                    outcome.ok(),
                    outcome.status().isPresent() ? outcome.status().getAsInt() : null,
                    outcome.error().map(WebhookStore::clip));
            if (outcome.ok()) {
                Sql.update(
                        c,
                        "UPDATE webhook_deliveries SET status = ?, attempts = ?, last_attempt_at = ?, last_status = ?,"
                                + " last_error = NULL, delivered_at = ? WHERE id = ?",
                        Status.DELIVERED,
                        attempt,
                        now,
                        outcome.status().isPresent() ? outcome.status().getAsInt() : null,
                        now,
                        due.deliveryId());
                Sql.update(
                        c,
                        "UPDATE webhook_endpoints SET failures_in_row = 0, failing_since = NULL WHERE id = ?",
                        due.endpointId());
                return new Recorded(Optional.empty());
            }
            Optional<Duration> wait = schedule.after(due.step());
            Status status = outcome.abort() ? Status.ABORTED : wait.isPresent() ? Status.PENDING : Status.DEAD;
            Sql.update(
                    c,
                    "UPDATE webhook_deliveries SET status = ?, attempts = ?, step = ?, next_attempt_at = ?,"
                            + " last_attempt_at = ?, last_status = ?, last_error = ? WHERE id = ?",
                    status,
                    attempt,
                    due.step() + 1,
                    now.plus(wait.orElse(Duration.ZERO)),
                    now,
                    outcome.status().isPresent() ? outcome.status().getAsInt() : null,
                    outcome.error().map(WebhookStore::clip),
                    due.deliveryId());
            Sql.update(
                    c,
                    "UPDATE webhook_endpoints SET failures_in_row = failures_in_row + 1,"
                            + " failing_since = COALESCE(failing_since, ?) WHERE id = ?",
                    now,
                    due.endpointId());
            Instant since = Sql.one(
                            c,
                            "SELECT failing_since FROM webhook_endpoints WHERE id = ?",
                            row -> Sql.instant(row, 1),
                            due.endpointId())
                    .flatMap(at -> at)
                    .orElse(now);
            if (Duration.between(since, now).compareTo(DISABLE_AFTER) >= 0) {
                int disabled = Sql.update(
                        c,
                        "UPDATE webhook_endpoints SET enabled = ?, disabled_reason = ?, updated_at = ?"
                                + " WHERE id = ? AND enabled = ?",
                        false,
                        "disabled automatically: every attempt failed since " + Times.iso(since),
                        now,
                        due.endpointId(),
                        true);
                if (disabled == 1) {
                    return new Recorded(Optional.of(due.endpointId()));
                }
            }
            return new Recorded(Optional.empty());
        });
    }

    private static String clip(String text) {
        return text.length() <= 300 ? text : text.substring(0, 300) + "…";
    }

    // ---- reading and replaying deliveries

    public List<DeliveryView> deliveries(String tenantId, String endpointId, Optional<Status> status, int limit) {
        return database.read(c -> Sql.list(
                c,
                "SELECT " + DELIVERY_COLUMNS + " FROM webhook_deliveries WHERE tenant_id = ? AND endpoint_id = ?"
                        + (status.isPresent() ? " AND status = ?" : " AND status <> ?")
                        + " ORDER BY created_at DESC, id DESC LIMIT ?",
                WebhookStore::delivery,
                tenantId,
                endpointId,
                status.map(Status::name).orElse("-"),
                limit));
    }

    private static DeliveryView delivery(ResultSet row) throws SQLException {
        String status = row.getString(4);
        int lastStatus = row.getInt(8);
        boolean noStatus = row.wasNull();
        return new DeliveryView(
                row.getString(1),
                row.getString(12),
                row.getString(2),
                row.getString(3),
                status.toLowerCase(Locale.ROOT),
                row.getInt(5),
                Status.PENDING.name().equals(status) ? Times.iso(row.getLong(6)) : null,
                Sql.instant(row, 7).map(Times::iso).orElse(null),
                noStatus ? null : lastStatus,
                row.getString(9),
                Sql.instant(row, 10).map(Times::iso).orElse(null),
                Times.iso(row.getLong(11)));
    }

    /**
     * Sends a dead, aborted or delivered delivery again, at once and with a fresh retry schedule;
     * NotFound when the tenant's endpoint has no such delivery, Conflict while it is still pending.
     */
    public StoreResult<DeliveryView> replay(String tenantId, String endpointId, String deliveryId) {
        Instant now = clock.instant();
        return database.write(c -> {
            Optional<DeliveryView> found = Sql.one(
                    c,
                    "SELECT " + DELIVERY_COLUMNS + " FROM webhook_deliveries WHERE id = ? AND tenant_id = ?"
                            + " AND endpoint_id = ?",
                    WebhookStore::delivery,
                    deliveryId,
                    tenantId,
                    endpointId);
            if (found.isEmpty()) {
                return new StoreResult.NotFound<>("delivery", deliveryId);
            }
            if (found.get().status().equals("pending")) {
                return new StoreResult.Conflict<>("delivery " + deliveryId + " is still pending (next attempt at "
                        + found.get().nextAttemptAt() + "); replay it once it is delivered or dead");
            }
            Sql.update(
                    c,
                    "UPDATE webhook_deliveries SET status = ?, step = 0, next_attempt_at = ? WHERE id = ?",
                    Status.PENDING,
                    now,
                    deliveryId);
            Database.noteOutbox(c);
            return StoreResult.found(Sql.one(
                            c,
                            "SELECT " + DELIVERY_COLUMNS + " FROM webhook_deliveries WHERE id = ?",
                            WebhookStore::delivery,
                            deliveryId)
                    .orElseThrow());
        });
    }

    /** Replays every dead letter of the endpoint; answers how many. */
    public StoreResult<Integer> replayDead(String tenantId, String endpointId) {
        Instant now = clock.instant();
        return database.write(c -> {
            if (!Sql.exists(
                    c, "SELECT 1 FROM webhook_endpoints WHERE id = ? AND tenant_id = ?", endpointId, tenantId)) {
                return new StoreResult.NotFound<>("webhook endpoint", endpointId);
            }
            int replayed = Sql.update(
                    c,
                    "UPDATE webhook_deliveries SET status = ?, step = 0, next_attempt_at = ?"
                            + " WHERE endpoint_id = ? AND tenant_id = ? AND status = ?",
                    Status.PENDING,
                    now,
                    endpointId,
                    tenantId,
                    Status.DEAD);
            if (replayed > 0) {
                Database.noteOutbox(c);
            }
            return StoreResult.found(replayed);
        });
    }
}
