package dev.gatehouse.edge.cache;

import dev.gatehouse.protocol.ProtocolException;
import dev.gatehouse.protocol.codec.MessageCodec;
import dev.gatehouse.protocol.model.Booking;
import dev.gatehouse.protocol.model.Credential;
import dev.gatehouse.protocol.model.Entity;
import dev.gatehouse.protocol.model.EntityKind;
import dev.gatehouse.protocol.model.Grant;
import java.nio.file.Path;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.sqlite.SQLiteErrorCode;
import org.sqlite.SQLiteException;

/**
 * Protocol entities as rows of the {@code entity} table: each as the protocol's entity JSON
 * ({@link MessageCodec#encodeEntity}) beside its lookup columns ({@code member}, {@code card_hash};
 * see {@link Schema}), written in the caller's transaction and decoded when read.
 */
final class SqliteEntityRows {
    static final String SQL_ALL_OF_KIND = "SELECT json FROM entity WHERE kind = ? ORDER BY key";

    private static final String SQL_UPSERT = "INSERT INTO entity (kind, key, member, card_hash, json)"
            + " VALUES (?, ?, ?, ?, ?) ON CONFLICT (kind, key) DO UPDATE SET member = excluded.member,"
            + " card_hash = excluded.card_hash, json = excluded.json";
    private static final String SQL_DELETE = "DELETE FROM entity WHERE kind = ? AND key = ?";
    private static final String SQL_DELETE_OTHER_SITES = "DELETE FROM entity WHERE kind = 'site' AND key <> ?";
    private static final String SQL_CARD_HOLDER = "SELECT key FROM entity_card WHERE card_hash = ?";
    private static final HexFormat HEX = HexFormat.of();

    private final Path file;

    SqliteEntityRows(Path file) {
        this.file = file;
    }

    <T extends Entity> Optional<T> single(PreparedStatement query, Class<T> type) throws SQLException {
        try (ResultSet rows = query.executeQuery()) {
            return rows.next() ? Optional.of(decode(rows.getString(1), type)) : Optional.empty();
        }
    }

    static List<String> jsonsOfKind(SqliteSession session, EntityKind kind) throws SQLException {
        PreparedStatement query = session.prepare(SQL_ALL_OF_KIND);
        query.setString(1, kindName(kind));
        List<String> jsons = new ArrayList<>();
        try (ResultSet rows = query.executeQuery()) {
            while (rows.next()) {
                jsons.add(rows.getString(1));
            }
        }
        return List.copyOf(jsons);
    }

    <T extends Entity> T decode(String json, Class<T> type) {
        try {
            Entity entity = MessageCodec.decodeEntity(json);
            if (!type.isInstance(entity)) {
                throw new CacheException(
                        CacheError.CORRUPT,
                        "the entitlement cache " + file + " holds a " + entity.kind() + " where a "
                                + type.getSimpleName() + " belongs; move the file aside to rebuild it from a snapshot");
            }
            return type.cast(entity);
        } catch (ProtocolException e) {
            throw new CacheException(
                    CacheError.CORRUPT,
                    "the entitlement cache " + file + " holds an entry that cannot be read (" + e.getMessage()
                            + "); move the file aside to rebuild it from a snapshot",
                    e);
        }
    }

    /** An entity as stored: its lookup columns beside its JSON. {@code member} and {@code cardHash} may be null. */
    record Row(String kind, String key, String member, byte[] cardHash, String json) {
        static Row of(Entity entity) {
            String member =
                    switch (entity) {
                        case Grant grant -> grant.member().value();
                        case Booking booking -> booking.member().value();
                        default -> null;
                    };
            // A visitor pass's PIN hash shares the card lookup: its own domain ("gh-pin-v1:") keeps the
            // two apart, and each lookup joins to its own kind.
            byte[] cardHash =
                    switch (entity) {
                        case Credential credential ->
                            credential.cardHash().map(HEX::parseHex).orElse(null);
                        case dev.gatehouse.protocol.model.VisitorPass pass ->
                            pass.pinHash().map(HEX::parseHex).orElse(null);
                        default -> null;
                    };
            return new Row(kindName(entity.kind()), entity.key(), member, cardHash, MessageCodec.encodeEntity(entity));
        }

        /** Binds the row's five columns, in table order, from parameter {@code first}. */
        void bind(PreparedStatement statement, int first) throws SQLException {
            statement.setString(first, kind);
            statement.setString(first + 1, key);
            statement.setString(first + 2, member);
            statement.setBytes(first + 3, cardHash);
            statement.setString(first + 4, json);
        }
    }

    /** The kind as stored: the protocol's wire name, so that the file reads well in {@code sqlite3}. */
    static String kindName(EntityKind kind) {
        return switch (kind) {
            case SITE -> "site";
            case MEMBER -> "member";
            case CREDENTIAL -> "credential";
            case DOOR -> "door";
            case DOOR_GROUP -> "door-group";
            case SCHEDULE -> "schedule";
            case GRANT -> "grant";
            case BOOKING -> "booking";
            case VISITOR_PASS -> "visitor-pass";
            case SIGNING_KEY -> "signing-key";
            case ROOM -> "room";
            case AGREEMENT -> "agreement";
            case WIFI_VOUCHER -> "wifi-voucher";
        };
    }

    void upsert(SqliteSession session, Row row) throws SQLException {
        session.entityWritten(row.kind());
        if (row.kind().equals("site")) {
            // A cache holds one site entity: an upsert replaces it whatever its id, as InMemoryEntitlements does.
            PreparedStatement others = session.prepare(SQL_DELETE_OTHER_SITES);
            others.setString(1, row.key());
            others.executeUpdate();
        }
        PreparedStatement upsert = session.prepare(SQL_UPSERT);
        row.bind(upsert, 1);
        try {
            upsert.executeUpdate();
        } catch (SQLiteException e) {
            if (row.cardHash() != null && SqliteConnections.primary(e) == SQLiteErrorCode.SQLITE_CONSTRAINT.code) {
                throw duplicateCard(
                        row.key(), cardHolder(session, row.cardHash()).orElse("?"), e);
            }
            throw e;
        }
    }

    /** Upserts {@code loaded} with {@link #bulkUpsert}; returns how many there were. */
    long bulkLoad(SqliteSession session, Iterable<? extends Entity> loaded) throws SQLException {
        long[] count = {0};
        bulkUpsert(session, batch -> {
            for (Entity entity : loaded) {
                batch.add(Row.of(entity));
                count[0]++;
            }
        });
        return count[0];
    }

    /** Rows fed to a bulk upsert. */
    @FunctionalInterface
    interface BulkRows {
        void feed(BatchUpsert batch) throws SQLException;
    }

    /**
     * Upserts many rows (a bulk load) inside the caller's transaction. Inserting card hashes into
     * their lookup in random order dominates the cost at a million cards (the lookup outgrows
     * SQLite's page cache), so the triggers that keep the lookups are dropped, the rows written in
     * JDBC batches, and the lookups filled again in key order ({@code CacheLoadBenchmark}; figures in
     * the module README). The final state must hold each card hash once; as for a snapshot, only the
     * result counts, not the order.
     */
    void bulkUpsert(SqliteSession session, BulkRows rows) throws SQLException {
        List<String> triggers = dropLookupTriggers(session);
        BatchUpsert batch = new BatchUpsert(session);
        rows.feed(batch);
        batch.flush();
        session.execute("DELETE FROM entity_card");
        try {
            session.execute(
                    "INSERT INTO entity_card (card_hash, key) " + Schema.cardRows("entity") + " ORDER BY card_hash");
        } catch (SQLiteException e) {
            if (SqliteConnections.primary(e) != SQLiteErrorCode.SQLITE_CONSTRAINT.code) {
                throw e;
            }
            try (Statement statement = session.connection.createStatement();
                    ResultSet pair = statement.executeQuery("SELECT min(key), max(key) FROM entity"
                            + " WHERE card_hash IS NOT NULL GROUP BY card_hash HAVING count(*) > 1 LIMIT 1")) {
                if (pair.next()) {
                    throw duplicateCard(pair.getString(2), pair.getString(1), e);
                }
            }
            throw e;
        }
        session.execute("DELETE FROM entity_member");
        session.execute("INSERT INTO entity_member (member, kind, key) SELECT member, kind, key FROM ("
                + Schema.memberRows("entity") + ") ORDER BY member, kind, key");
        session.execute("DELETE FROM entity_check_in");
        session.execute("INSERT INTO entity_check_in (start, key) " + Schema.checkInRows("entity"));
        for (String trigger : triggers) {
            session.execute(trigger);
        }
    }

    /** Drops the triggers on {@code entity} (the lookups' keepers) and returns their definitions. */
    static List<String> dropLookupTriggers(SqliteSession session) throws SQLException {
        Map<String, String> triggers = new LinkedHashMap<>();
        try (Statement statement = session.connection.createStatement();
                ResultSet rows = statement.executeQuery("SELECT name, sql FROM sqlite_master"
                        + " WHERE type = 'trigger' AND tbl_name = 'entity' ORDER BY name")) {
            while (rows.next()) {
                triggers.put(rows.getString(1), rows.getString(2));
            }
        }
        for (String name : triggers.keySet()) {
            session.execute("DROP TRIGGER \"" + name + "\"");
        }
        return List.copyOf(triggers.values());
    }

    /**
     * Upserts through JDBC batches of {@value #BATCH_ROWS} rows: with sqlite-jdbc, much faster per row
     * than one {@code executeUpdate} each.
     */
    final class BatchUpsert {
        private static final int BATCH_ROWS = 1_000;
        private final SqliteSession session;
        private final List<Row> pending = new ArrayList<>(BATCH_ROWS);

        BatchUpsert(SqliteSession session) {
            this.session = session;
        }

        void add(Row row) throws SQLException {
            if (row.kind().equals("site")) {
                flush();
                upsert(session, row); // replaces any other site entity
                return;
            }
            session.entityWritten(row.kind());
            PreparedStatement upsert = session.prepare(SQL_UPSERT);
            row.bind(upsert, 1);
            upsert.addBatch();
            pending.add(row);
            if (pending.size() == BATCH_ROWS) {
                flush();
            }
        }

        void flush() throws SQLException {
            if (pending.isEmpty()) {
                return;
            }
            PreparedStatement upsert = session.prepare(SQL_UPSERT);
            try {
                upsert.executeBatch(); // no lookup is kept meanwhile: duplicates show when they are filled
            } catch (SQLException e) {
                upsert.clearBatch();
                throw e;
            } finally {
                pending.clear();
            }
        }
    }

    private static Optional<String> cardHolder(SqliteSession session, byte[] cardHash) throws SQLException {
        PreparedStatement holder = session.prepare(SQL_CARD_HOLDER);
        holder.setBytes(1, cardHash);
        try (ResultSet rows = holder.executeQuery()) {
            return rows.next() ? Optional.of(rows.getString(1)) : Optional.empty();
        }
    }

    static CacheException duplicateCard(String credential, String holder, SQLException cause) {
        return new CacheException(
                CacheError.DUPLICATE_CARD_HASH,
                "credential " + credential + " has the card hash of credential " + holder
                        + "; a card is enrolled once per site, so nothing of this batch or snapshot was applied."
                        + " Correct the enrollment at the hub",
                cause);
    }

    void delete(SqliteSession session, EntityKind kind, String key) throws SQLException {
        session.entityWritten(kindName(kind));
        PreparedStatement delete = session.prepare(SQL_DELETE);
        delete.setString(1, kindName(kind));
        delete.setString(2, key);
        delete.executeUpdate();
    }
}
