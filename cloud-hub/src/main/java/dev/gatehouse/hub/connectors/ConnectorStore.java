package dev.gatehouse.hub.connectors;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.gatehouse.hub.billing.InvoiceService;
import dev.gatehouse.hub.billing.InvoiceStore;
import dev.gatehouse.hub.members.MemberStore;
import dev.gatehouse.hub.outbox.OutboxConsumer;
import dev.gatehouse.hub.outbox.OutboxEvent;
import dev.gatehouse.hub.store.Database;
import dev.gatehouse.hub.store.HubIds;
import dev.gatehouse.hub.store.SealedColumns;
import dev.gatehouse.hub.store.Sql;
import dev.gatehouse.hub.web.Json;
import dev.gatehouse.hub.web.Times;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * The connectors' rows: each tenant's connector settings and sealed credentials, the jobs written from
 * the outbox and their outcomes, and the mapping table from Gatehouse ids to the services' ids. Jobs of
 * one entity are claimed in event order (a job waits while an earlier one of its entity is pending), only
 * while the connector is enabled and not paused by a 429, under a lease that names its holder: the holder
 * renews it while the job waits in its batch or runs, and a job is finished only by the holder of its
 * lease (compare-and-set), so hub replicas on one database never both carry one job to the service.
 */
public record ConnectorStore(Database database, Clock clock) {
    /** How long a claimed job is left to its holder without a renewal before another replica may take it. */
    static final Duration LEASE = Duration.ofSeconds(120);
    /** How long one replica may hold a connector's token refresh before another may take it over. */
    static final Duration REFRESH_HOLD = Duration.ofSeconds(90);
    /** The waits after failed attempts (not 429s, which wait as long as the service says); then the job fails. */
    public static final List<Duration> BACKOFF = List.of(
            Duration.ofSeconds(10),
            Duration.ofMinutes(1),
            Duration.ofMinutes(5),
            Duration.ofMinutes(30),
            Duration.ofHours(2),
            Duration.ofHours(6),
            Duration.ofHours(12));

    private static final SecureRandom RANDOM = new SecureRandom();

    /** A job's state; on the wire in lower case. */
    public enum Status {
        PENDING,
        /** Applied at the service. */
        DONE,
        /** Nothing to do: an older version than the one applied, an event sent already, or the connector said why. */
        SKIPPED,
        /** The service refused it or every attempt failed: a dead letter, retried through the API. */
        FAILED
    }

    /** A tenant's connector as stored. */
    public record Config(
            String id,
            String tenantId,
            String connector,
            boolean enabled,
            ObjectNode settings,
            Credentials credentials,
            Optional<Instant> pausedUntil,
            Optional<String> lastError,
            Instant createdAt,
            Instant updatedAt) {}

    /** Jobs by state. */
    public record Counts(long pending, long done, long skipped, long failed) {}

    /** A job as the API shows it. Nullable fields are absent values. */
    public record JobView(
            String id,
            String eventId,
            String eventType,
            String entityKind,
            String entityId,
            Long entityVersion,
            String status,
            int attempts,
            String nextAttemptAt,
            String lastError,
            String result,
            String createdAt,
            String finishedAt) {}

    private static final String JOB_COLUMNS = "id, event_id, event_type, entity_kind, entity_id, entity_version,"
            + " status, attempts, next_attempt_at, last_error, result, created_at, finished_at";
    private static final String CONFIG_COLUMNS = "id, tenant_id, connector, enabled, settings, credentials,"
            + " paused_until, last_error, created_at, updated_at";

    // ---- settings and credentials

    public Optional<Config> config(String tenantId, String connector) {
        return database.read(c -> config(c, tenantId, connector));
    }

    private Optional<Config> config(Connection c, String tenantId, String connector) throws SQLException {
        return Sql.one(
                c,
                "SELECT " + CONFIG_COLUMNS + " FROM connector_settings WHERE tenant_id = ? AND connector = ?",
                this::config,
                tenantId,
                connector);
    }

    private Config config(ResultSet row) throws SQLException {
        String id = row.getString(1);
        return new Config(
                id,
                row.getString(2),
                row.getString(3),
                row.getBoolean(4),
                (ObjectNode) Json.parseObject(row.getString(5).getBytes(StandardCharsets.UTF_8)),
                Credentials.parse(
                        database.masterKey().open(row.getString(6), SealedColumns.CONNECTOR_CREDENTIALS.context(id))),
                Sql.instant(row, 7),
                Optional.ofNullable(row.getString(8)),
                Instant.ofEpochMilli(row.getLong(9)),
                Instant.ofEpochMilli(row.getLong(10)));
    }

    /** Writes the settings and applies {@code secretChanges} to the credentials (an empty value removes one). */
    public Config save(String tenantId, String connector, ObjectNode settings, Map<String, String> secretChanges) {
        Instant now = clock.instant();
        return database.write(c -> {
            Optional<Config> before = config(c, tenantId, connector);
            if (before.isEmpty()) {
                String id = HubIds.next("con");
                Credentials credentials = Credentials.none().with(secretChanges);
                Sql.update(
                        c,
                        "INSERT INTO connector_settings (id, tenant_id, connector, enabled, settings, credentials,"
                                + " created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                        id,
                        tenantId,
                        connector,
                        false,
                        settings.toString(),
                        seal(id, credentials),
                        now,
                        now);
            } else {
                Credentials credentials = before.get().credentials().with(secretChanges);
                Sql.update(
                        c,
                        "UPDATE connector_settings SET settings = ?, credentials = ?, updated_at = ? WHERE id = ?",
                        settings.toString(),
                        seal(before.get().id(), credentials),
                        now,
                        before.get().id());
            }
            return config(c, tenantId, connector).orElseThrow();
        });
    }

    void saveCredentials(String tenantId, String connector, Credentials credentials) {
        Instant now = clock.instant();
        database.run(c -> {
            Optional<String> id = Sql.one(
                    c,
                    "SELECT id FROM connector_settings WHERE tenant_id = ? AND connector = ?",
                    Sql.STRING,
                    tenantId,
                    connector);
            if (id.isPresent()) {
                Sql.update(
                        c,
                        "UPDATE connector_settings SET credentials = ?, updated_at = ? WHERE id = ?",
                        seal(id.get(), credentials),
                        now,
                        id.get());
            }
        });
    }

    /** Merges {@code changes} into the stored settings (the OAuth2 callback's realm id). */
    void mergeSettings(String tenantId, String connector, ObjectNode changes) {
        Instant now = clock.instant();
        database.run(c -> {
            Optional<Config> config = config(c, tenantId, connector);
            if (config.isPresent()) {
                ObjectNode settings = config.get().settings().deepCopy();
                settings.setAll(changes);
                Sql.update(
                        c,
                        "UPDATE connector_settings SET settings = ?, updated_at = ? WHERE id = ?",
                        settings.toString(),
                        now,
                        config.get().id());
            }
        });
    }

    private String seal(String id, Credentials credentials) {
        return database.masterKey().seal(credentials.json(), SealedColumns.CONNECTOR_CREDENTIALS.context(id));
    }

    public void setEnabled(String tenantId, String connector, boolean enabled) {
        Instant now = clock.instant();
        database.run(c -> Sql.update(
                c,
                "UPDATE connector_settings SET enabled = ?, paused_until = NULL, updated_at = ?"
                        + " WHERE tenant_id = ? AND connector = ?",
                enabled,
                now,
                tenantId,
                connector));
    }

    /** A new OAuth2 state for the connect flow, valid for {@code validity}; only its hash is stored. */
    String startOAuth(String tenantId, String connector, Duration validity) {
        byte[] bytes = new byte[24];
        RANDOM.nextBytes(bytes);
        String state = Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
        Instant now = clock.instant();
        database.run(c -> Sql.update(
                c,
                "UPDATE connector_settings SET oauth_state = ?, oauth_state_until = ? WHERE tenant_id = ? AND connector = ?",
                hash(state),
                now.plus(validity),
                tenantId,
                connector));
        return state;
    }

    /** The connector whose connect flow {@code state} belongs to, if still valid; the state is used up. */
    Optional<Config> takeOAuthState(String state) {
        Instant now = clock.instant();
        return database.write(c -> {
            Optional<String[]> found = Sql.one(
                    c,
                    "SELECT tenant_id, connector FROM connector_settings WHERE oauth_state = ? AND oauth_state_until > ?",
                    row -> new String[] {row.getString(1), row.getString(2)},
                    hash(state),
                    now);
            Sql.update(
                    c,
                    "UPDATE connector_settings SET oauth_state = NULL, oauth_state_until = NULL WHERE oauth_state = ?",
                    hash(state));
            if (found.isEmpty()) {
                return Optional.<Config>empty();
            }
            return config(c, found.get()[0], found.get()[1]);
        });
    }

    private static String hash(String state) {
        try {
            return HexFormat.of()
                    .formatHex(MessageDigest.getInstance("SHA-256").digest(state.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    // ---- from the outbox to jobs

    /**
     * The outbox consumer of {@code connector}: in the drain's transaction it writes one job per event the
     * connector takes, for tenants that have it enabled (a disabled connector's events pass by).
     */
    public OutboxConsumer consumer(Connector connector) {
        return new OutboxConsumer() {
            @Override
            public String name() {
                return "connector-" + connector.name();
            }

            @Override
            public void accept(Connection c, List<OutboxEvent> events) throws SQLException {
                String tenantId = events.getFirst().tenantId();
                Optional<JsonNode> settings = Sql.one(
                        c,
                        "SELECT settings FROM connector_settings WHERE tenant_id = ? AND connector = ? AND enabled = ?",
                        row -> (JsonNode) Json.parseObject(row.getString(1).getBytes(StandardCharsets.UTF_8)),
                        tenantId,
                        connector.name(),
                        true);
                if (settings.isEmpty()) {
                    return;
                }
                long now = clock.instant().toEpochMilli();
                List<List<?>> rows = new ArrayList<>();
                for (OutboxEvent event : events) {
                    Optional<Connector.Work> work = connector.work(event, settings.get());
                    if (work.isEmpty()) {
                        continue;
                    }
                    List<Object> row = new ArrayList<>();
                    row.add(HubIds.next("cjb"));
                    row.add(tenantId);
                    row.add(connector.name());
                    row.add(event.id());
                    row.add(event.seq());
                    row.add(event.type());
                    row.add(work.get().entityKind());
                    row.add(work.get().entityId());
                    row.add(
                            work.get().version().isPresent()
                                    ? work.get().version().getAsLong()
                                    : null);
                    row.add(RemoteApi.parse(event.payload().getBytes(StandardCharsets.UTF_8))
                            .path("data")
                            .toString());
                    row.add(Status.PENDING.name());
                    row.add(now);
                    row.add(now);
                    rows.add(row);
                }
                if (!rows.isEmpty()) {
                    Sql.batch(
                            c,
                            "INSERT INTO connector_jobs (id, tenant_id, connector, event_id, event_seq, event_type,"
                                    + " entity_kind, entity_id, entity_version, data, status, attempts, next_attempt_at,"
                                    + " created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 0, ?, ?)"
                                    + " ON CONFLICT (connector, event_id) DO NOTHING",
                            rows);
                }
            }
        };
    }

    // ---- claiming and finishing jobs

    private record Candidate(Job job, long nextAttemptAt) {}

    /**
     * Claims up to {@code limit} due jobs of enabled, unpaused connectors, leaving any whose entity has an
     * earlier job still pending (or leased), so an entity's jobs run in event order.
     */
    public List<Job> claim(int limit, String owner) {
        Instant now = clock.instant();
        List<Candidate> candidates = database.read(c -> Sql.list(
                c,
                "SELECT j.id, j.tenant_id, j.connector, j.event_id, j.event_seq, j.event_type, j.entity_kind,"
                        + " j.entity_id, j.entity_version, j.data, j.attempts, j.next_attempt_at, j.retries,"
                        + " j.unsure_since FROM connector_jobs j"
                        + " JOIN connector_settings s ON s.tenant_id = j.tenant_id AND s.connector = j.connector"
                        + " WHERE j.status = ? AND j.next_attempt_at <= ? AND s.enabled = ?"
                        + " AND (s.paused_until IS NULL OR s.paused_until <= ?)"
                        + " AND NOT EXISTS (SELECT 1 FROM connector_jobs e WHERE e.tenant_id = j.tenant_id"
                        + " AND e.connector = j.connector AND e.entity_kind = j.entity_kind"
                        + " AND e.entity_id = j.entity_id AND e.status = ? AND e.event_seq < j.event_seq)"
                        + " ORDER BY j.next_attempt_at, j.event_seq LIMIT ?",
                row -> {
                    long version = row.getLong(9);
                    OptionalLong entityVersion = row.wasNull() ? OptionalLong.empty() : OptionalLong.of(version);
                    JsonNode data = RemoteApi.parse(row.getString(10).getBytes(StandardCharsets.UTF_8));
                    return new Candidate(
                            new Job(
                                    row.getString(1),
                                    row.getString(2),
                                    row.getString(3),
                                    row.getString(4),
                                    row.getLong(5),
                                    row.getString(6),
                                    row.getString(7),
                                    row.getString(8),
                                    entityVersion,
                                    data,
                                    row.getInt(11),
                                    row.getInt(13),
                                    Sql.instant(row, 14)),
                            row.getLong(12));
                },
                Status.PENDING,
                now,
                true,
                now,
                Status.PENDING,
                limit));
        if (candidates.isEmpty()) {
            return List.of();
        }
        return database.write(c -> {
            List<Job> claimed = new ArrayList<>();
            for (Candidate candidate : candidates) {
                int won = Sql.update(
                        c,
                        // Unsure from this attempt on unless it ends for certain (failed() puts it back).
                        "UPDATE connector_jobs SET next_attempt_at = ?, lease_owner = ?,"
                                + " unsure_since = COALESCE(unsure_since, ?) WHERE id = ? AND status = ?"
                                + " AND next_attempt_at = ?",
                        now.plus(LEASE),
                        owner,
                        now,
                        candidate.job().id(),
                        Status.PENDING,
                        candidate.nextAttemptAt());
                if (won == 1) {
                    claimed.add(candidate.job());
                }
            }
            return claimed;
        });
    }

    /**
     * Renews the leases {@code owner} holds on pending jobs (those waiting in its batch and the one it
     * runs); answers how many. A lease taken over by another replica is not {@code owner}'s any more.
     */
    int renew(String owner) {
        Instant until = clock.instant().plus(LEASE);
        return database.write(c -> Sql.update(
                c,
                "UPDATE connector_jobs SET next_attempt_at = ? WHERE lease_owner = ? AND status = ?",
                until,
                owner,
                Status.PENDING));
    }

    /**
     * Renews {@code owner}'s lease on the job just before it is carried out; false when the lease was
     * taken over (by a replica that found it run out), and the job is not this replica's to run.
     */
    boolean hold(Job job, String owner) {
        Instant until = clock.instant().plus(LEASE);
        return database.write(c -> Sql.update(
                        c,
                        "UPDATE connector_jobs SET next_attempt_at = ? WHERE id = ? AND lease_owner = ? AND status = ?",
                        until,
                        job.id(),
                        owner,
                        Status.PENDING))
                == 1;
    }

    /**
     * Records the job done (or skipped) and, when applied, its mapping, which never moves back a version;
     * only while {@code owner} still holds the job's lease (false, and nothing written, when it does not).
     */
    boolean finish(Job job, Connector.Result result, String owner) {
        Instant now = clock.instant();
        return database.write(c -> {
            switch (result) {
                case Connector.Applied applied -> {
                    if (!close(c, job, Status.DONE, "applied as " + applied.externalId(), now, owner)) {
                        return false;
                    }
                    saveMapping(
                            c,
                            job.tenantId(),
                            job.connector(),
                            job.entityKind(),
                            job.entityId(),
                            applied.externalId(),
                            job.entityVersion().orElse(0),
                            applied.syncToken(),
                            now);
                }
                case Connector.Skipped skipped -> {
                    if (!close(c, job, Status.SKIPPED, skipped.reason(), now, owner)) {
                        return false;
                    }
                }
            }
            Sql.update(
                    c,
                    "UPDATE connector_settings SET last_error = NULL WHERE tenant_id = ? AND connector = ?",
                    job.tenantId(),
                    job.connector());
            return true;
        });
    }

    private static boolean close(Connection c, Job job, Status status, String result, Instant now, String owner)
            throws SQLException {
        return Sql.update(
                        c,
                        "UPDATE connector_jobs SET status = ?, attempts = ?, result = ?, last_error = NULL,"
                                + " finished_at = ?, lease_owner = NULL WHERE id = ? AND lease_owner = ? AND status = ?",
                        status,
                        job.attempts() + 1,
                        clip(result),
                        now,
                        job.id(),
                        owner,
                        Status.PENDING)
                == 1;
    }

    /**
     * Records a failed attempt: after a 429 the job and its connector wait as long as the service said
     * (not counted against the backoff); a refusal fails the job at once; anything else waits per
     * {@link #BACKOFF} and fails after the last wait. Only while {@code owner} holds the job's lease (false,
     * and nothing written, when it does not); the lease ends with it.
     */
    boolean failed(Job job, ConnectorException failure, String owner) {
        Instant now = clock.instant();
        return database.write(c -> {
            String error = clip(failure.getMessage());
            // An attempt that failed for certain did nothing at the service: the job is as unsure as before
            // it; one whose outcome is unknown keeps the time its claim set.
            String unsure = failure.outcomeUnknown() ? "unsure_since" : "?";
            if (failure.kind() == ConnectorException.Kind.RATE_LIMITED) {
                Instant until = now.plus(failure.retryAfter().orElse(RemoteApi.DEFAULT_WAIT));
                int held = Sql.update(
                        c,
                        "UPDATE connector_jobs SET next_attempt_at = ?, last_error = ?, lease_owner = NULL,"
                                + " unsure_since = ? WHERE id = ? AND lease_owner = ? AND status = ?",
                        until,
                        error,
                        job.unsureSince(),
                        job.id(),
                        owner,
                        Status.PENDING);
                if (held != 1) {
                    return false;
                }
                Sql.update(
                        c,
                        "UPDATE connector_settings SET paused_until = ?, last_error = ? WHERE tenant_id = ? AND connector = ?",
                        until,
                        error,
                        job.tenantId(),
                        job.connector());
                return true;
            }
            int attempts = job.attempts() + 1;
            boolean last = failure.kind() == ConnectorException.Kind.REJECTED || attempts > BACKOFF.size();
            List<Object> params = new ArrayList<>(java.util.Arrays.asList(
                    last ? Status.FAILED : Status.PENDING,
                    attempts,
                    last ? now : now.plus(BACKOFF.get(attempts - 1)),
                    error,
                    last ? now : null));
            if (!failure.outcomeUnknown()) {
                params.add(job.unsureSince());
            }
            params.addAll(List.of(job.id(), owner, Status.PENDING));
            int held = Sql.update(
                    c,
                    "UPDATE connector_jobs SET status = ?, attempts = ?, next_attempt_at = ?, last_error = ?,"
                            + " finished_at = ?, lease_owner = NULL, unsure_since = " + unsure
                            + " WHERE id = ? AND lease_owner = ? AND status = ?",
                    params.toArray());
            if (held != 1) {
                return false;
            }
            Sql.update(
                    c,
                    "UPDATE connector_settings SET last_error = ? WHERE tenant_id = ? AND connector = ?",
                    error,
                    job.tenantId(),
                    job.connector());
            return true;
        });
    }

    private static String clip(String text) {
        return text.length() <= 500 ? text : text.substring(0, 500) + "…";
    }

    // ---- mappings and records

    Session.Mappings mappings(String tenantId, String connector) {
        return new Session.Mappings() {
            @Override
            public Optional<Mapping> find(String entityKind, String entityId) {
                return database.read(c -> mapping(c, tenantId, connector, entityKind, entityId));
            }

            @Override
            public void save(
                    String entityKind, String entityId, String externalId, long version, Optional<String> syncToken) {
                Instant now = clock.instant();
                database.run(c ->
                        saveMapping(c, tenantId, connector, entityKind, entityId, externalId, version, syncToken, now));
            }
        };
    }

    public Optional<Mapping> mapping(String tenantId, String connector, String entityKind, String entityId) {
        return database.read(c -> mapping(c, tenantId, connector, entityKind, entityId));
    }

    private static Optional<Mapping> mapping(
            Connection c, String tenantId, String connector, String entityKind, String entityId) throws SQLException {
        return Sql.one(
                c,
                "SELECT entity_kind, entity_id, external_id, last_version, sync_token FROM connector_mappings"
                        + " WHERE tenant_id = ? AND connector = ? AND entity_kind = ? AND entity_id = ?",
                row -> new Mapping(
                        row.getString(1),
                        row.getString(2),
                        row.getString(3),
                        row.getLong(4),
                        Optional.ofNullable(row.getString(5))),
                tenantId,
                connector,
                entityKind,
                entityId);
    }

    private static void saveMapping(
            Connection c,
            String tenantId,
            String connector,
            String entityKind,
            String entityId,
            String externalId,
            long version,
            Optional<String> syncToken,
            Instant now)
            throws SQLException {
        Sql.update(
                c,
                "INSERT INTO connector_mappings (tenant_id, connector, entity_kind, entity_id, external_id,"
                        + " last_version, sync_token, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)"
                        + " ON CONFLICT (tenant_id, connector, entity_kind, entity_id) DO UPDATE SET"
                        + " external_id = excluded.external_id, last_version = excluded.last_version,"
                        + " sync_token = excluded.sync_token, updated_at = excluded.updated_at"
                        + " WHERE connector_mappings.last_version <= excluded.last_version",
                tenantId,
                connector,
                entityKind,
                entityId,
                externalId,
                version,
                syncToken,
                now);
    }

    /**
     * The hub's entities as they are now, read from their own stores (never from the outbox, whose
     * events of other types, such as a member's plan events, carry other shapes, and whose retention
     * prunes old events): a member with its version, an issued invoice or credit note.
     */
    Session.Records records(String tenantId) {
        MemberStore members = new MemberStore(database, clock);
        InvoiceStore invoices = new InvoiceStore(database, clock);
        return new Session.Records() {
            @Override
            public Optional<Session.Latest> member(String memberId) {
                // The version first: a change committing between the two reads then makes the state newer
                // than the version recorded (the change's own job sends it again), never older.
                OptionalLong version = database.read(c -> Sql.one(
                                c,
                                "SELECT MAX(seq) FROM member_history WHERE tenant_id = ? AND member_id = ?",
                                Sql.LONG,
                                tenantId,
                                memberId))
                        .map(OptionalLong::of)
                        .orElse(OptionalLong.empty());
                return members.find(tenantId, memberId)
                        .map(member -> new Session.Latest(Json.MAPPER.valueToTree(member), version));
            }

            @Override
            public Optional<Session.Latest> invoice(String invoiceId) {
                return invoices.find(tenantId, invoiceId)
                        .map(invoice -> new Session.Latest(InvoiceService.json(invoice), OptionalLong.empty()));
            }
        };
    }

    // ---- token refreshes across replicas

    /**
     * Takes the tenant's connector's token refresh for {@code owner} until {@code REFRESH_HOLD} from now,
     * unless another holds it still (a conditional update, so of two replicas exactly one wins); false
     * when another does.
     */
    boolean claimRefresh(String tenantId, String connector, String owner) {
        Instant now = clock.instant();
        return database.write(c -> Sql.update(
                        c,
                        "UPDATE connector_settings SET refresh_owner = ?, refresh_until = ? WHERE tenant_id = ?"
                                + " AND connector = ? AND (refresh_owner IS NULL OR refresh_owner = ? OR refresh_until <= ?)",
                        owner,
                        now.plus(REFRESH_HOLD),
                        tenantId,
                        connector,
                        owner,
                        now))
                == 1;
    }

    /** Gives the refresh up, when {@code owner} still holds it. */
    void releaseRefresh(String tenantId, String connector, String owner) {
        database.run(c -> Sql.update(
                c,
                "UPDATE connector_settings SET refresh_owner = NULL, refresh_until = NULL WHERE tenant_id = ?"
                        + " AND connector = ? AND refresh_owner = ?",
                tenantId,
                connector,
                owner));
    }

    // ---- retention

    /** Deletes the jobs that finished (done, skipped or failed) before {@code retention} ago; answers how many. */
    public int prune(Duration retention) {
        Instant cutoff = clock.instant().minus(retention);
        int total = 0;
        while (true) {
            int removed = database.write(c -> Sql.update(
                    c,
                    "DELETE FROM connector_jobs WHERE id IN (SELECT id FROM connector_jobs WHERE status <> ?"
                            + " AND finished_at IS NOT NULL AND finished_at < ? LIMIT 1000)",
                    Status.PENDING,
                    cutoff));
            total += removed;
            if (removed == 0) {
                return total;
            }
        }
    }

    // ---- reading and retrying jobs

    public Counts counts(String tenantId, String connector) {
        return database.read(c -> {
            long[] counts = new long[4];
            Sql.list(
                            c,
                            "SELECT status, COUNT(*) FROM connector_jobs WHERE tenant_id = ? AND connector = ?"
                                    + " GROUP BY status",
                            row -> new Object[] {row.getString(1), row.getLong(2)},
                            tenantId,
                            connector)
                    .forEach(row -> counts[Status.valueOf((String) row[0]).ordinal()] = (Long) row[1]);
            return new Counts(counts[0], counts[1], counts[2], counts[3]);
        });
    }

    public List<JobView> jobs(String tenantId, String connector, Optional<Status> status, int limit) {
        return database.read(c -> Sql.list(
                c,
                "SELECT " + JOB_COLUMNS + " FROM connector_jobs"
                        + " WHERE tenant_id = ? AND connector = ?"
                        + (status.isPresent() ? " AND status = ?" : " AND status <> ?")
                        + " ORDER BY created_at DESC, event_seq DESC LIMIT ?",
                ConnectorStore::jobView,
                tenantId,
                connector,
                status.map(Status::name).orElse("-"),
                limit));
    }

    private static JobView jobView(ResultSet row) throws SQLException {
        long version = row.getLong(6);
        Long entityVersion = row.wasNull() ? null : version;
        String status = row.getString(7);
        return new JobView(
                row.getString(1),
                row.getString(2),
                row.getString(3),
                row.getString(4),
                row.getString(5),
                entityVersion,
                status.toLowerCase(Locale.ROOT),
                row.getInt(8),
                Status.PENDING.name().equals(status) ? Times.iso(row.getLong(9)) : null,
                row.getString(10),
                row.getString(11),
                Times.iso(row.getLong(12)),
                Sql.instant(row, 13).map(Times::iso).orElse(null));
    }

    /** Puts a failed job back to pending, due now; empty when the tenant's connector has no such failed job. */
    public Optional<JobView> retry(String tenantId, String connector, String jobId) {
        Instant now = clock.instant();
        return database.write(c -> {
            int changed = Sql.update(
                    c,
                    "UPDATE connector_jobs SET status = ?, attempts = 0, retries = retries + 1, next_attempt_at = ?,"
                            + " finished_at = NULL, lease_owner = NULL"
                            + " WHERE id = ? AND tenant_id = ? AND connector = ? AND status = ?",
                    Status.PENDING,
                    now,
                    jobId,
                    tenantId,
                    connector,
                    Status.FAILED);
            if (changed != 1) {
                return Optional.<JobView>empty();
            }
            Database.noteOutbox(c);
            return Sql.one(
                    c,
                    "SELECT " + JOB_COLUMNS + " FROM connector_jobs" + " WHERE id = ?",
                    ConnectorStore::jobView,
                    jobId);
        });
    }
}
