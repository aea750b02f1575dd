package dev.gatehouse.edge.cache;

import dev.gatehouse.protocol.message.SnapshotChunk;
import dev.gatehouse.protocol.model.Entity;
import java.security.SecureRandom;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HexFormat;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Consumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Snapshot chunks, staged in the cache file (so a long snapshot survives a restart), and the
 * install of a complete snapshot in place of the live tables.
 *
 * <p>The install is built beside the live tables, in transactions of a few thousand rows that let
 * any other write (a door's event) in between; the write lock is fair, so an event waiting between
 * two of them goes first. The snapshot's entities are copied into {@code entity_next} in the order
 * they were staged (the hub sends each kind in id order, so the primary key fills in order), then
 * the card-hash and member lookups are sorted outside any write (on a connection of their own,
 * into temporary tables) and copied into {@code entity_card_next} and {@code entity_member_next} in
 * key order. One short transaction then swaps the tables in (renames), sets the seq and hub time,
 * and retires the old tables and the staged rows, which are deleted afterwards a few thousand rows
 * per transaction. Readers see the old cache until the swap commits and the new one after it. A
 * crash or a close before the swap leaves the old cache and the staged snapshot: the next chunk of
 * it offered (the broker redelivers the one not acknowledged) builds it again. How long an event
 * waits during an install is measured by {@code SnapshotInstallBenchmark} (figures in the module
 * README).
 */
final class SnapshotInstaller {
    private static final HexFormat HEX = HexFormat.of();
    private static final SecureRandom RANDOM = new SecureRandom();

    private final SqliteConnections connections;
    private final MetaStore metaStore;
    // Held through an offer, so that one install at a time runs in this instance.
    private final ReentrantLock installLock = new ReentrantLock();

    SnapshotInstaller(SqliteConnections connections, MetaStore metaStore) {
        this.connections = connections;
        this.metaStore = metaStore;
    }

    /** Stages a verified chunk of this cache's site and, once the snapshot is complete, installs it. */
    SnapshotResult offer(SnapshotChunk chunk, Instant time) {
        String what = "take chunk " + chunk.index() + " of snapshot " + chunk.snapshotId();
        installLock.lock();
        try {
            Staged staged = connections.write(what, session -> stage(session, chunk, time));
            return switch (staged) {
                case Staged.Kept kept -> {
                    deleteRetired(); // what a discarded or replaced snapshot left
                    yield kept.result();
                }
                case Staged.Complete complete -> {
                    try (InstallConnection builder = new InstallConnection(connections)) {
                        SnapshotResult result = install(builder, complete.snapshotId());
                        deleteRetired(builder);
                        yield result;
                    }
                }
            };
        } finally {
            installLock.unlock();
        }
    }

    /** What staging a chunk left to do. */
    private sealed interface Staged {
        /** Nothing more: the chunk was kept, ignored, or discarded the snapshot. */
        record Kept(SnapshotResult result) implements Staged {}

        /** Every chunk of snapshot {@code snapshotId} is staged: install it. */
        record Complete(String snapshotId) implements Staged {}
    }

    private Staged stage(SqliteSession session, SnapshotChunk chunk, Instant time) throws SQLException {
        long have = MetaStore.seqOf(session);
        if (chunk.seq() < have) {
            return new Staged.Kept(new SnapshotResult.Ignored("snapshot " + chunk.snapshotId() + " is at seq "
                    + chunk.seq() + ", behind this cache's seq " + have));
        }
        Optional<Staging> staging = staging(session);
        if (staging.isPresent()) {
            Staging current = staging.get();
            if (current.snapshotId().equals(chunk.snapshotId())) {
                if (current.seq() != chunk.seq() || current.count() != chunk.count()) {
                    clearStaging(session);
                    return new Staged.Kept(new SnapshotResult.Discarded("chunk " + chunk.index() + " of snapshot "
                            + chunk.snapshotId() + " says seq " + chunk.seq() + " of " + chunk.count()
                            + " chunks, but earlier chunks said seq " + current.seq() + " of " + current.count()
                            + "; request the snapshot again"));
                }
            } else if (chunk.seq() < current.seq()) {
                return new Staged.Kept(new SnapshotResult.Ignored("snapshot " + chunk.snapshotId() + " (seq "
                        + chunk.seq() + ") is older than snapshot " + current.snapshotId() + " (seq "
                        + current.seq() + ") being collected"));
            } else {
                clearStaging(session);
                staging = Optional.empty();
            }
        }
        Instant hubTime =
                staging.map(s -> s.hubTime().isAfter(time) ? s.hubTime() : time).orElse(time);
        PreparedStatement header = session.prepare("INSERT INTO snapshot_staging"
                + " (singleton, snapshot_id, seq, count, hub_time) VALUES (1, ?, ?, ?, ?)"
                + " ON CONFLICT (singleton) DO UPDATE SET hub_time = excluded.hub_time");
        header.setString(1, chunk.snapshotId());
        header.setLong(2, chunk.seq());
        header.setInt(3, chunk.count());
        header.setString(4, hubTime.toString());
        header.executeUpdate();
        PreparedStatement received = session.prepare("INSERT OR IGNORE INTO snapshot_chunk (chunk) VALUES (?)");
        received.setInt(1, chunk.index());
        if (received.executeUpdate() == 1) {
            // A chunk received again is the same (one snapshot id, signed by the hub): it is kept
            // once, so an install being built from the staged rows never sees them change.
            PreparedStatement stage = session.prepare("INSERT INTO snapshot_entity"
                    + " (chunk, position, kind, key, member, card_hash, json) VALUES (?, ?, ?, ?, ?, ?, ?)");
            List<Entity> entities = chunk.entities();
            for (int i = 0; i < entities.size(); i++) {
                SqliteEntityRows.Row row = SqliteEntityRows.Row.of(entities.get(i));
                stage.setInt(1, chunk.index());
                stage.setInt(2, i);
                row.bind(stage, 3);
                stage.addBatch();
            }
            stage.executeBatch();
        }
        int count = (int) session.queryLong("SELECT count(*) FROM snapshot_chunk");
        if (count < chunk.count()) {
            return new Staged.Kept(new SnapshotResult.Incomplete(count, chunk.count()));
        }
        return new Staged.Complete(chunk.snapshotId());
    }

    private record Staging(String snapshotId, long seq, int count, Instant hubTime) {}

    private Optional<Staging> staging(SqliteSession session) throws SQLException {
        PreparedStatement query = session.prepare("SELECT snapshot_id, seq, count, hub_time FROM snapshot_staging");
        try (ResultSet rows = query.executeQuery()) {
            if (!rows.next()) {
                return Optional.empty();
            }
            return Optional.of(new Staging(
                    rows.getString(1), rows.getLong(2), rows.getInt(3), metaStore.instant(rows.getString(4))));
        }
    }

    /**
     * Forgets the snapshot being collected, and any install of it being built, in the caller's
     * transaction: the staged rows and the tables being built are retired (renamed, so that this
     * stays short however large they are) for {@link #deleteRetired} to delete.
     */
    private static void clearStaging(SqliteSession session) throws SQLException {
        retire(session, "snapshot_entity", true);
        for (String table : INSTALLED_TABLES) {
            retire(session, table + "_next", false);
        }
        session.execute("DELETE FROM snapshot_chunk");
        session.execute("DELETE FROM snapshot_staging");
        session.execute("DELETE FROM meta WHERE name = 'install_owner'");
    }

    // ------------------------------------------------------------------ snapshot install

    /** Chunks (of at most 500 entities) copied into {@code entity_next} per transaction. */
    private static final int INSTALL_CHUNKS_PER_STEP = 2;
    /** Rows copied into a lookup table per transaction. */
    private static final int INSTALL_LOOKUP_ROWS_PER_STEP = 2_000;
    /** Rows deleted from a retired table per transaction. */
    private static final int RETIRED_ROWS_PER_STEP = 1_000;
    /** The live tables an install replaces; each is built as {@code <name>_next}. */
    private static final List<String> INSTALLED_TABLES =
            List.of("entity", "entity_card", "entity_member", "entity_check_in");

    /**
     * A lookup table built in key order: its rows are sorted from {@code entity_next} into a
     * temporary table, then copied in pages. {@code columns} are the temporary table's column
     * definitions, {@code key} its primary key (every column), {@code rows} the query of its rows
     * from {@code entity_next} (the same as the triggers and a bulk load write, see {@link Schema});
     * {@code unique}: no two rows may share the first column (a card hash).
     */
    private record Lookup(String table, String columns, String key, String rows, boolean unique) {
        int width() {
            return key.split(",").length;
        }

        String sorted() {
            return "temp.sorted_" + table;
        }
    }

    private static final List<Lookup> LOOKUPS = List.of(
            new Lookup(
                    "entity_card_next",
                    "card_hash BLOB NOT NULL, key TEXT NOT NULL",
                    "card_hash, key",
                    Schema.cardRows("main.entity_next"),
                    true),
            new Lookup(
                    "entity_member_next",
                    "member TEXT NOT NULL, kind TEXT NOT NULL, key TEXT NOT NULL",
                    "member, kind, key",
                    Schema.memberRows("main.entity_next"),
                    false),
            new Lookup(
                    "entity_check_in_next",
                    "start INTEGER NOT NULL, key TEXT NOT NULL",
                    "start, key",
                    Schema.checkInRows("main.entity_next"),
                    false));

    /** Observes the install's steps, each after its transaction committed; for tests. */
    private volatile Consumer<String> installSteps = step -> {};

    /**
     * Calls {@code listener} after each committed step of a snapshot install, outside the write
     * lock, on the installing thread: {@code "start"}, {@code "entities"} (per few chunks),
     * {@code "entity_card_next"}, {@code "entity_member_next"} and {@code "entity_check_in_next"} (per
     * page), {@code "swap"}, and
     * {@code "retired"} (per page of retired rows deleted). For tests that interleave with an install.
     */
    void onInstallStep(Consumer<String> listener) {
        installSteps = Objects.requireNonNull(listener, "listener");
    }

    /**
     * Installs the completely staged snapshot {@code snapshotId}, step by step (see the class comment).
     * Another instance on the file that starts installing takes the install over: each step checks,
     * in its transaction, that this install still owns it ({@code install_owner} in {@code meta}).
     */
    private SnapshotResult install(InstallConnection builder, String snapshotId) {
        byte[] token = new byte[8];
        RANDOM.nextBytes(token);
        String owner = HEX.formatHex(token);
        Start start = connections.write("start installing snapshot " + snapshotId, session -> {
            Optional<Staging> staging = staging(session);
            if (staging.isEmpty() || !staging.get().snapshotId().equals(snapshotId)) {
                return new Start(Optional.of(replaced(snapshotId)), 0);
            }
            long have = MetaStore.seqOf(session);
            if (staging.get().seq() < have) {
                clearStaging(session);
                return new Start(Optional.of(overtaken(snapshotId, staging.get().seq(), have)), 0);
            }
            for (String table : INSTALLED_TABLES) {
                retire(session, table + "_next", false); // left by an install that did not finish
                session.execute(definitionAs(session, table, table + "_next"));
            }
            MetaStore.setMeta(session, "install_owner", owner);
            return new Start(Optional.empty(), staging.get().count());
        });
        if (start.refused().isPresent()) {
            return start.refused().get();
        }
        installSteps.accept("start");
        for (int from = 0; from < start.chunks(); from += INSTALL_CHUNKS_PER_STEP) {
            int first = from;
            int end = Math.min(start.chunks(), from + INSTALL_CHUNKS_PER_STEP);
            boolean mine = connections.write(
                    "copy chunks " + first + ".." + (end - 1) + " of snapshot " + snapshotId, session -> {
                        if (!owns(session, owner)) {
                            return false;
                        }
                        copyChunks(session, first, end);
                        return true;
                    });
            if (!mine) {
                return replaced(snapshotId);
            }
            builder.checkpoint();
            installSteps.accept("entities");
        }
        for (Lookup lookup : LOOKUPS) {
            if (!fill(builder, lookup, owner, snapshotId)) {
                return replaced(snapshotId);
            }
        }
        SnapshotResult result =
                connections.write("swap in snapshot " + snapshotId, session -> swap(session, owner, snapshotId));
        builder.checkpoint();
        installSteps.accept("swap");
        return result;
    }

    /** How starting an install went: refused (with the result to answer), or started with {@code chunks} to copy. */
    private record Start(Optional<SnapshotResult> refused, int chunks) {}

    /** Copies staged chunks {@code [first, end)} into {@code entity_next}, later rows replacing earlier ones. */
    private static void copyChunks(SqliteSession session, int first, int end) throws SQLException {
        PreparedStatement copy = session.prepare("INSERT INTO entity_next (kind, key, member, card_hash, json)"
                + " SELECT kind, key, member, card_hash, json FROM snapshot_entity WHERE chunk >= ? AND chunk < ?"
                + " ORDER BY chunk, position ON CONFLICT (kind, key) DO UPDATE SET member = excluded.member,"
                + " card_hash = excluded.card_hash, json = excluded.json");
        copy.setInt(1, first);
        copy.setInt(2, end);
        copy.executeUpdate();
        // A cache holds one site entity: the last one staged replaces any other, as an upsert does.
        PreparedStatement site = session.prepare("SELECT key FROM snapshot_entity WHERE chunk >= ? AND chunk < ?"
                + " AND kind = 'site' ORDER BY chunk DESC, position DESC LIMIT 1");
        site.setInt(1, first);
        site.setInt(2, end);
        Optional<String> last;
        try (ResultSet rows = site.executeQuery()) {
            last = rows.next() ? Optional.of(rows.getString(1)) : Optional.empty();
        }
        if (last.isPresent()) {
            PreparedStatement others = session.prepare("DELETE FROM entity_next WHERE kind = 'site' AND key <> ?");
            others.setString(1, last.get());
            others.executeUpdate();
        }
    }

    /**
     * Fills {@code lookup} from the complete {@code entity_next}: sorts its rows on the builder's
     * connection into a temporary table (reading the file, writing only that connection's temporary
     * storage), then copies them in key order, {@value #INSTALL_LOOKUP_ROWS_PER_STEP} per write
     * transaction. The card lookup refuses a card hash held by two credentials: the snapshot is
     * discarded and nothing else changes.
     *
     * @return false if the install was taken over or its snapshot replaced meanwhile
     */
    private boolean fill(InstallConnection builder, Lookup lookup, String owner, String snapshotId) {
        SqliteSession sorter = builder.session;
        String key = lookup.key();
        String range = "(" + key + ") > (" + String.join(", ", Collections.nCopies(lookup.width(), "?")) + ")";
        String upTo = "(" + key + ") <= (" + String.join(", ", Collections.nCopies(lookup.width(), "?")) + ")";
        try {
            sorter.execute("DROP TABLE IF EXISTS " + lookup.sorted());
            sorter.execute("CREATE TABLE " + lookup.sorted() + " (" + lookup.columns() + ", PRIMARY KEY (" + key
                    + ")) WITHOUT ROWID");
            sorter.execute("INSERT INTO " + lookup.sorted() + " SELECT " + key + " FROM (" + lookup.rows()
                    + ") ORDER BY " + key);
            if (lookup.unique()) {
                Optional<String[]> twice = Optional.empty();
                try (Statement statement = sorter.connection.createStatement();
                        ResultSet pair = statement.executeQuery("SELECT min(key), max(key) FROM " + lookup.sorted()
                                + " GROUP BY card_hash HAVING count(*) > 1 LIMIT 1")) {
                    if (pair.next()) {
                        twice = Optional.of(new String[] {pair.getString(1), pair.getString(2)});
                    }
                }
                if (twice.isPresent()) {
                    connections.write("discard snapshot " + snapshotId, session -> {
                        if (owns(session, owner)) {
                            clearStaging(session);
                        }
                        return null;
                    });
                    deleteRetired(builder);
                    throw SqliteEntityRows.duplicateCard(twice.get()[1], twice.get()[0], null);
                }
            }
            Optional<Object[]> after = Optional.empty();
            while (true) {
                // The last row of this page, found in the sorted copy without the write lock.
                PreparedStatement last = sorter.prepare("SELECT " + key + " FROM " + lookup.sorted()
                        + (after.isPresent() ? " WHERE " + range : "") + " ORDER BY " + key + " LIMIT 1 OFFSET "
                        + (INSTALL_LOOKUP_ROWS_PER_STEP - 1));
                bind(last, 1, after);
                Optional<Object[]> end;
                try (ResultSet row = last.executeQuery()) {
                    end = row.next() ? Optional.of(columns(row, lookup.width())) : Optional.empty();
                }
                Optional<Object[]> from = after;
                List<String> where = new ArrayList<>();
                from.ifPresent(f -> where.add(range));
                end.ifPresent(e -> where.add(upTo));
                PreparedStatement copy = sorter.prepare("INSERT INTO main." + lookup.table() + " (" + key + ")"
                        + " SELECT " + key + " FROM " + lookup.sorted()
                        + (where.isEmpty() ? " WHERE true" : " WHERE " + String.join(" AND ", where))
                        + " ORDER BY " + key);
                boolean mine = connections.writeOn(
                        sorter, "fill " + lookup.table() + " of snapshot " + snapshotId, session -> {
                            if (!owns(session, owner)) {
                                return false;
                            }
                            bind(copy, bind(copy, 1, from), end);
                            copy.executeUpdate();
                            return true;
                        });
                if (!mine) {
                    return false;
                }
                builder.checkpoint();
                installSteps.accept(lookup.table());
                if (end.isEmpty()) {
                    return true;
                }
                after = end;
            }
        } catch (SQLException e) {
            throw SqliteConnections.translate(
                    e, "fill " + lookup.table() + " of snapshot " + snapshotId, connections.file());
        }
    }

    /** Binds {@code values}, if present, from parameter {@code index}; returns the next index. */
    private static int bind(PreparedStatement statement, int index, Optional<Object[]> values) throws SQLException {
        if (values.isEmpty()) {
            return index;
        }
        for (Object value : values.get()) {
            statement.setObject(index++, value);
        }
        return index;
    }

    private static Object[] columns(ResultSet row, int width) throws SQLException {
        Object[] values = new Object[width];
        for (int i = 0; i < width; i++) {
            values[i] = row.getObject(i + 1);
        }
        return values;
    }

    /** The install's last step, in one transaction: the built tables replace the live ones. */
    private SnapshotResult swap(SqliteSession session, String owner, String snapshotId) throws SQLException {
        if (!owns(session, owner)) {
            return replaced(snapshotId);
        }
        Staging staging = staging(session).orElseThrow();
        long have = MetaStore.seqOf(session);
        if (staging.seq() < have) {
            clearStaging(session);
            return overtaken(snapshotId, staging.seq(), have);
        }
        List<String> triggers = SqliteEntityRows.dropLookupTriggers(session);
        for (String table : INSTALLED_TABLES) {
            retire(session, table, false);
            session.execute("ALTER TABLE " + table + "_next RENAME TO " + table);
        }
        for (String trigger : triggers) {
            session.execute(trigger);
        }
        clearStaging(session);
        session.configReplaced();
        MetaStore.setMeta(session, "seq", Long.toString(staging.seq()));
        metaStore.raiseHubTime(session, staging.hubTime());
        return new SnapshotResult.Installed(staging.seq());
    }

    private static boolean owns(SqliteSession session, String owner) throws SQLException {
        return MetaStore.meta(session, "install_owner").equals(Optional.of(owner));
    }

    private static SnapshotResult replaced(String snapshotId) {
        return new SnapshotResult.Ignored("the install of snapshot " + snapshotId + " was given up: another snapshot"
                + " replaced it, or another instance on the cache file took the install over");
    }

    private static SnapshotResult overtaken(String snapshotId, long seq, long have) {
        return new SnapshotResult.Ignored("snapshot " + snapshotId + " is at seq " + seq + ", but batches took this"
                + " cache to seq " + have + " meanwhile");
    }

    /**
     * The statement that creates live table {@code table} (as the migrations left it), creating
     * {@code as} instead.
     */
    private static String definitionAs(SqliteSession session, String table, String as) throws SQLException {
        PreparedStatement query = session.prepare("SELECT sql FROM sqlite_master WHERE type = 'table' AND name = ?");
        query.setString(1, table);
        String sql;
        try (ResultSet rows = query.executeQuery()) {
            if (!rows.next()) {
                throw new SQLException("table " + table + " is missing");
            }
            sql = rows.getString(1);
        }
        // SQLite keeps the statement as written, with the name quoted once the table was renamed.
        Matcher name = Pattern.compile(
                        "^CREATE TABLE\\s+(\"?)" + Pattern.quote(table) + "\\1\\s*\\(", Pattern.CASE_INSENSITIVE)
                .matcher(sql);
        if (!name.find()) {
            throw new SQLException("cannot read the definition of table " + table + ": " + sql);
        }
        return "CREATE TABLE " + as + " (" + sql.substring(name.end());
    }

    /**
     * Renames {@code table}, if it exists, to a fresh {@code retired_*} name for {@link #deleteRetired}
     * to empty and drop; with {@code recreate}, creates {@code table} again, empty, as it was defined.
     */
    private static void retire(SqliteSession session, String table, boolean recreate) throws SQLException {
        PreparedStatement exists = session.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?");
        exists.setString(1, table);
        try (ResultSet rows = exists.executeQuery()) {
            if (!rows.next()) {
                return;
            }
        }
        String definition = recreate ? definitionAs(session, table, table) : "";
        byte[] suffix = new byte[6];
        RANDOM.nextBytes(suffix);
        session.execute("ALTER TABLE " + table + " RENAME TO retired_" + table + "_" + HEX.formatHex(suffix));
        if (recreate) {
            session.execute(definition);
        }
    }

    /** Deletes the retired tables, if any, with an {@link InstallConnection} of its own. */
    void deleteRetired() {
        boolean any = connections.read(
                "look for retired tables",
                session -> session.queryLong(
                                "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name GLOB 'retired_*'")
                        > 0);
        if (any) {
            try (InstallConnection builder = new InstallConnection(connections)) {
                deleteRetired(builder);
            }
        }
    }

    /**
     * Deletes the retired tables (the old cache after an install, staged rows, an install given
     * up), {@value #RETIRED_ROWS_PER_STEP} rows per transaction, and drops each once empty.
     */
    private void deleteRetired(InstallConnection builder) {
        while (connections.write("delete retired rows", session -> {
            Optional<String> table;
            try (Statement statement = session.connection.createStatement();
                    ResultSet rows = statement.executeQuery("SELECT name FROM sqlite_master WHERE type = 'table'"
                            + " AND name GLOB 'retired_*' ORDER BY name LIMIT 1")) {
                table = rows.next() ? Optional.of(rows.getString(1)) : Optional.empty();
            }
            if (table.isEmpty()) {
                return false;
            }
            List<String> key = new ArrayList<>();
            try (Statement statement = session.connection.createStatement();
                    ResultSet rows = statement.executeQuery(
                            "SELECT name FROM pragma_table_info('" + table.get() + "') WHERE pk > 0 ORDER BY pk")) {
                while (rows.next()) {
                    key.add(rows.getString(1));
                }
            }
            String columns = String.join(", ", key);
            int deleted;
            try (Statement statement = session.connection.createStatement()) {
                deleted = statement.executeUpdate("DELETE FROM " + table.get() + " WHERE (" + columns + ") IN (SELECT "
                        + columns + " FROM " + table.get() + " LIMIT " + RETIRED_ROWS_PER_STEP + ")");
            }
            if (deleted == 0) {
                session.execute("DROP TABLE " + table.get());
            }
            return true;
        })) {
            builder.checkpoint();
            installSteps.accept("retired");
        }
    }
}
