package dev.gatehouse.hub.access;

import dev.gatehouse.hub.store.Cursor;
import dev.gatehouse.hub.store.Database;
import dev.gatehouse.hub.store.Keyset;
import dev.gatehouse.hub.store.Page;
import dev.gatehouse.hub.store.Sql;
import dev.gatehouse.hub.store.StoreError;
import dev.gatehouse.hub.store.StoreException;
import dev.gatehouse.hub.store.StoreKind;
import dev.gatehouse.hub.store.WireNames;
import dev.gatehouse.hub.web.Times;
import dev.gatehouse.protocol.ProtocolError;
import dev.gatehouse.protocol.ProtocolException;
import dev.gatehouse.protocol.message.AccessEvent;
import dev.gatehouse.protocol.message.Envelope;
import dev.gatehouse.protocol.model.CredentialId;
import dev.gatehouse.protocol.model.DenyReason;
import dev.gatehouse.protocol.model.GrantBasis;
import dev.gatehouse.protocol.model.MemberId;
import dev.gatehouse.protocol.model.PassId;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Optional;

/**
 * The access log: the decisions the edges report, stored once per event id, and read back newest
 * first with keyset paging. Ingest is idempotent: an edge that resends events after a reconnect gets
 * them acknowledged again, but each is stored, and reported as new, only once.
 */
public record AccessLogStore(Database database, Clock clock) {
    private static final String INSERT_COLUMNS = "id, tenant_id, site_id, door_id, device_id, at, granted, basis,"
            + " reason, presented, card_hash, member_id, credential_id, pass_id, clock, received_at";
    private static final int COLUMN_COUNT = 16;
    private static final String ON_CONFLICT = " ON CONFLICT (tenant_id, device_id, id) DO NOTHING";

    /** Rows per multi-row INSERT in {@link #bulkLoad}: 8,000 parameters, under both stores' limits. */
    private static final int BULK_ROWS = 500;
    /** Rows per transaction in {@link #bulkLoad}. */
    private static final int BULK_TRANSACTION = 50_000;

    /** An access event as one device of one site reported it. */
    public record Reported(String siteId, String deviceId, Envelope event) {}

    /**
     * Stores the access events one device of one site sent, in one transaction, and answers the ids
     * that were new, in the order given; an id already stored (a resend), or repeated in the batch, is
     * left out. Every event must be an {@link AccessEvent} of {@code siteId}, or nothing is stored
     * ({@link ProtocolException}); the device must be a device of that site of the tenant
     * ({@link StoreException} {@code REFERENCE}).
     */
    public List<String> ingest(String tenantId, String siteId, String deviceId, List<Envelope> events) {
        List<Row> rows = new ArrayList<>(events.size());
        long receivedAt = clock.millis();
        for (Envelope envelope : events) {
            rows.add(row(tenantId, new Reported(siteId, deviceId, envelope), receivedAt));
        }
        return database.write(c -> {
            if (!deviceOfSite(c, tenantId, siteId, deviceId)) {
                throw new StoreException(
                        StoreError.REFERENCE, "device " + deviceId + " is not a device of site " + siteId);
            }
            return insert(c, rows);
        });
    }

    /**
     * Stores, inside the caller's transaction, the access events one device reported (MQTT ingest:
     * the device and site are those of the topic, already checked); answers the ids that were new.
     */
    public static List<String> insert(
            Connection c, String tenantId, String siteId, String deviceId, List<Envelope> events, long receivedAt)
            throws SQLException {
        List<Row> rows = new ArrayList<>(events.size());
        for (Envelope event : events) {
            rows.add(row(tenantId, new Reported(siteId, deviceId, event), receivedAt));
        }
        return insert(c, rows);
    }

    /**
     * Inserts the rows one by one on one prepared statement (plain JDBC: the kit prepares a statement
     * per call, and the count of each row says whether its id was new); answers the new ids.
     */
    private static List<String> insert(Connection c, List<Row> rows) throws SQLException {
        List<String> fresh = new ArrayList<>();
        Optional<java.time.Duration> dwell = PresenceRollup.dwell(c);
        try (PreparedStatement insert = c.prepareStatement("INSERT INTO access_events (" + INSERT_COLUMNS + ") VALUES "
                + Sql.values(COLUMN_COUNT, 1) + ON_CONFLICT)) {
            for (Row row : rows) {
                row.bind(insert, 0);
                // 1 when inserted, 0 when the id was already there: both stores report it so.
                if (insert.executeUpdate() == 1) {
                    fresh.add(row.id());
                    if (dwell.isPresent() && row.granted() && row.memberId() != null) {
                        // The hourly presence, in this transaction, before the next row is stored.
                        PresenceRollup.add(
                                c,
                                dwell.get(),
                                row.tenantId(),
                                row.siteId(),
                                row.memberId(),
                                row.deviceId(),
                                row.id(),
                                row.at(),
                                row.receivedAt());
                    }
                }
            }
        }
        return fresh;
    }

    /** One event of the live feed and the cursor just after it. */
    public record Live(AccessEventView event, LiveCursor cursor) {}

    /**
     * Where the live feed stands: the (received_at, device_id, id) of the last event sent. Opaque on
     * the wire (base64url of {@code "receivedAt:deviceId:id"}), used as the SSE event id.
     */
    public record LiveCursor(long receivedAt, String deviceId, String id) {
        public String encode() {
            return java.util.Base64.getUrlEncoder()
                    .withoutPadding()
                    .encodeToString((receivedAt + ":" + deviceId + ":" + id)
                            .getBytes(java.nio.charset.StandardCharsets.US_ASCII));
        }

        /** The cursor, or empty when {@code text} is not one this feed wrote. */
        public static Optional<LiveCursor> decode(String text) {
            if (text.length() > 250) {
                return Optional.empty();
            }
            try {
                String[] parts = new String(
                                java.util.Base64.getUrlDecoder().decode(text),
                                java.nio.charset.StandardCharsets.US_ASCII)
                        .split(":", -1);
                if (parts.length != 3
                        || !(parts[1].isEmpty() || dev.gatehouse.protocol.Ids.isValid(parts[1]))
                        || !(parts[2].isEmpty() || dev.gatehouse.protocol.Ids.isValid(parts[2]))) {
                    return Optional.empty();
                }
                return Optional.of(new LiveCursor(Long.parseLong(parts[0]), parts[1], parts[2]));
            } catch (IllegalArgumentException e) {
                return Optional.empty();
            }
        }
    }

    /** The tenant's events stored after {@code after}, in the order the hub stored them. */
    public List<Live> live(String tenantId, LiveCursor after, int limit) {
        return database.read(c -> Sql.list(
                c,
                "SELECT " + AccessQuery.COLUMNS
                        + ", received_at FROM access_events WHERE tenant_id = ? AND (received_at > ?"
                        + " OR (received_at = ? AND (device_id > ? OR (device_id = ? AND id > ?))))"
                        + " ORDER BY received_at, device_id, id LIMIT ?",
                rows -> {
                    AccessEventView view = view(rows);
                    return new Live(view, new LiveCursor(rows.getLong(15), view.deviceId(), view.id()));
                },
                tenantId,
                after.receivedAt(),
                after.receivedAt(),
                after.deviceId(),
                after.deviceId(),
                after.id(),
                limit));
    }

    /**
     * Loads many events fast, for benchmarks and imports, in transactions of {@value #BULK_TRANSACTION}
     * rows: COPY on PostgreSQL, multi-row INSERTs of {@value #BULK_ROWS} rows on SQLite. Ids already stored are skipped, as in
     * {@link #ingest}, but neither the site nor the device is checked. Answers the rows stored.
     */
    public long bulkLoad(String tenantId, Iterator<Reported> events) {
        long receivedAt = clock.millis();
        long stored = 0;
        while (events.hasNext()) {
            List<Row> chunk = new ArrayList<>(BULK_TRANSACTION);
            while (events.hasNext() && chunk.size() < BULK_TRANSACTION) {
                chunk.add(row(tenantId, events.next(), receivedAt));
            }
            stored += database.write(c -> {
                if (database.kind() == StoreKind.POSTGRESQL) {
                    return copy(c, chunk);
                }
                long count = 0;
                for (int at = 0; at < chunk.size(); at += BULK_ROWS) {
                    count += insertValues(c, chunk.subList(at, Math.min(at + BULK_ROWS, chunk.size())));
                }
                return count;
            });
        }
        // Rows not stored one by one: the hourly presence made again from the log.
        database.write(c -> {
            PresenceRollup.rebuild(c, tenantId);
            return null;
        });
        if (database.kind() == StoreKind.POSTGRESQL) {
            // The planner's statistics, as autovacuum would soon gather them after a large load.
            database.run(c -> Sql.update(c, "ANALYZE access_events"));
            database.run(c -> Sql.update(c, "ANALYZE analytics_presence"));
        }
        return stored;
    }

    /**
     * PostgreSQL: COPY of {@code rows} into a temporary table, then one INSERT … SELECT that skips ids
     * already stored (COPY itself cannot skip them); an order of magnitude faster than multi-row INSERTs.
     */
    private static long copy(Connection c, List<Row> rows) throws SQLException {
        Sql.update(c, "CREATE TEMPORARY TABLE access_events_load (LIKE access_events) ON COMMIT DROP");
        StringBuilder csv = new StringBuilder(rows.size() * 200);
        for (Row row : rows) {
            row.csv(csv);
        }
        try {
            c.unwrap(org.postgresql.PGConnection.class)
                    .getCopyAPI()
                    .copyIn(
                            "COPY access_events_load (" + INSERT_COLUMNS + ") FROM STDIN (FORMAT csv)",
                            new java.io.StringReader(csv.toString()));
        } catch (java.io.IOException e) {
            throw new SQLException("COPY into access_events_load failed", e);
        }
        return Sql.update(
                c,
                "INSERT INTO access_events (" + INSERT_COLUMNS + ") SELECT " + INSERT_COLUMNS
                        + " FROM access_events_load" + ON_CONFLICT);
    }

    /** One multi-row INSERT of {@code rows} (plain JDBC: one statement, many rows' parameters). */
    private static int insertValues(Connection c, List<Row> rows) throws SQLException {
        try (PreparedStatement insert = c.prepareStatement("INSERT INTO access_events (" + INSERT_COLUMNS + ") VALUES "
                + Sql.values(COLUMN_COUNT, rows.size()) + ON_CONFLICT)) {
            for (int i = 0; i < rows.size(); i++) {
                rows.get(i).bind(insert, i * COLUMN_COUNT);
            }
            return insert.executeUpdate();
        }
    }

    /** One page of the tenant's log, newest first. */
    public Page<AccessEventView> query(AccessQuery query) {
        List<AccessEventView> rows = database.read(c -> Sql.list(c, query.query(), AccessLogStore::view));
        return Keyset.page(
                rows, query.limit(), view -> new Cursor(Instant.parse(view.at()).toEpochMilli(), view.id()));
    }

    /**
     * The store's plan for {@code query}, one line per step (SQLite {@code EXPLAIN QUERY PLAN},
     * PostgreSQL {@code EXPLAIN}): tests and the benchmark check which index serves a query.
     */
    public List<String> plan(AccessQuery query) {
        boolean postgres = database.kind() == StoreKind.POSTGRESQL;
        // SQLite: id, parent, notused, detail; PostgreSQL: one text column.
        return database.read(c -> Sql.list(
                c,
                (postgres ? "EXPLAIN " : "EXPLAIN QUERY PLAN ") + query.sql(),
                rows -> rows.getString(postgres ? 1 : 4),
                query.query().params().toArray()));
    }

    private static boolean deviceOfSite(Connection c, String tenantId, String siteId, String deviceId)
            throws SQLException {
        return Sql.exists(
                c, "SELECT 1 FROM devices WHERE id = ? AND tenant_id = ? AND site_id = ?", deviceId, tenantId, siteId);
    }

    private static Row row(String tenantId, Reported reported, long receivedAt) {
        Envelope envelope = reported.event();
        AccessEvent event = envelope.payloadAs(AccessEvent.class);
        if (!event.site().equals(reported.siteId())) {
            throw new ProtocolException(
                    ProtocolError.WRONG_AUDIENCE,
                    "access event " + envelope.id() + " names site " + event.site() + " but came from site "
                            + reported.siteId());
        }
        return new Row(
                envelope.id(),
                tenantId,
                reported.siteId(),
                event.door().value(),
                reported.deviceId(),
                envelope.time().toEpochMilli(),
                event.granted(),
                event.basis().map(Enum::name).orElse(null),
                event.reason().map(Enum::name).orElse(null),
                event.presented().name(),
                event.cardHash().orElse(null),
                event.member().map(MemberId::value).orElse(null),
                event.credential().map(CredentialId::value).orElse(null),
                event.pass().map(PassId::value).orElse(null),
                event.clock().name(),
                receivedAt);
    }

    /** An access_events row; enum values are stored by their Java names. */
    private record Row(
            String id,
            String tenantId,
            String siteId,
            String doorId,
            String deviceId,
            long at,
            boolean granted,
            String basis,
            String reason,
            String presented,
            String cardHash,
            String memberId,
            String credentialId,
            String passId,
            String clock,
            long receivedAt) {
        void bind(PreparedStatement statement, int offset) throws SQLException {
            statement.setString(offset + 1, id);
            statement.setString(offset + 2, tenantId);
            statement.setString(offset + 3, siteId);
            statement.setString(offset + 4, doorId);
            statement.setString(offset + 5, deviceId);
            statement.setLong(offset + 6, at);
            statement.setBoolean(offset + 7, granted);
            statement.setString(offset + 8, basis);
            statement.setString(offset + 9, reason);
            statement.setString(offset + 10, presented);
            statement.setString(offset + 11, cardHash);
            statement.setString(offset + 12, memberId);
            statement.setString(offset + 13, credentialId);
            statement.setString(offset + 14, passId);
            statement.setString(offset + 15, clock);
            statement.setLong(offset + 16, receivedAt);
        }

        /** The row as a line of COPY's CSV (ids, hashes and enum names hold no comma or quote; null is empty). */
        void csv(StringBuilder out) {
            Object[] values = {
                id,
                tenantId,
                siteId,
                doorId,
                deviceId,
                at,
                granted,
                basis,
                reason,
                presented,
                cardHash,
                memberId,
                credentialId,
                passId,
                clock,
                receivedAt
            };
            for (int i = 0; i < values.length; i++) {
                if (i > 0) {
                    out.append(',');
                }
                if (values[i] != null) {
                    out.append(values[i]);
                }
            }
            out.append('\n');
        }
    }

    /** Reads one row of {@link AccessQuery#COLUMNS}. */
    private static AccessEventView view(ResultSet rows) throws SQLException {
        boolean granted = rows.getBoolean(6);
        Optional<GrantBasis> basis = Optional.ofNullable(rows.getString(7)).map(GrantBasis::valueOf);
        Optional<DenyReason> reason = Optional.ofNullable(rows.getString(8)).map(DenyReason::valueOf);
        String sentence = granted
                ? basis.map(GrantBasis::sentence).orElse(null)
                : reason.map(DenyReason::sentence).orElse(null);
        // The hash of a card the site did not know: the operator enrolls it from the log. Known cards
        // are shown by their credential id instead.
        String cardHash = reason.equals(Optional.of(DenyReason.UNKNOWN_CREDENTIAL)) ? rows.getString(13) : null;
        return new AccessEventView(
                rows.getString(1),
                Times.iso(rows.getLong(2)),
                rows.getString(3),
                rows.getString(4),
                rows.getString(5),
                granted ? "granted" : "denied",
                basis.map(WireNames::wire).orElse(null),
                reason.map(WireNames::wire).orElse(null),
                sentence,
                WireNames.wire(rows.getString(9)),
                rows.getString(10),
                rows.getString(11),
                rows.getString(12),
                cardHash,
                WireNames.wire(rows.getString(14)));
    }
}
