package dev.gatehouse.hub.changes;

import dev.gatehouse.hub.store.Database;
import dev.gatehouse.hub.store.StoreError;
import dev.gatehouse.hub.store.StoreException;
import dev.gatehouse.protocol.codec.MessageCodec;
import dev.gatehouse.protocol.message.Change;
import dev.gatehouse.protocol.model.EntityKind;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * Each site's change log: every write that changes what the site's doors decide appends its changes
 * here, in the writer's own transaction, numbered 1, 2, 3… per site without gaps.
 *
 * <p>Gap-free under concurrent writers: {@code UPDATE sites SET change_seq = change_seq + n} takes the
 * site row's write lock (PostgreSQL row lock; SQLite's single writer), so a second writer waits until
 * the first commits or rolls back, and a rolled-back transaction takes its numbers with it.
 */
public final class ChangeLog {
    private final Database database;

    public ChangeLog(Database database) {
        this.database = database;
    }

    /** Appends {@code changes} to one site's log in the caller's transaction; returns the last seq. */
    public static long append(Connection c, String tenantId, String siteId, List<Change> changes, Instant at)
            throws SQLException {
        if (changes.isEmpty()) {
            return head(c, siteId);
        }
        try (PreparedStatement bump =
                c.prepareStatement("UPDATE sites SET change_seq = change_seq + ? WHERE id = ? AND tenant_id = ?")) {
            bump.setLong(1, changes.size());
            bump.setString(2, siteId);
            bump.setString(3, tenantId);
            if (bump.executeUpdate() != 1) {
                throw new StoreException(StoreError.REFERENCE, "site " + siteId + " does not exist");
            }
        }
        long last = head(c, siteId);
        long seq = last - changes.size();
        try (PreparedStatement insert =
                c.prepareStatement("INSERT INTO site_changes (site_id, seq, tenant_id, kind, entity_key, op, body, at)"
                        + " VALUES (?, ?, ?, ?, ?, ?, ?, ?)")) {
            for (Change change : changes) {
                insert.setString(1, siteId);
                insert.setLong(2, ++seq);
                insert.setString(3, tenantId);
                insert.setString(4, change.kind().name());
                insert.setString(5, change.key());
                switch (change) {
                    case Change.Upsert upsert -> {
                        insert.setString(6, "upsert");
                        insert.setString(7, MessageCodec.encodeEntity(upsert.entity()));
                    }
                    case Change.Remove remove -> {
                        insert.setString(6, "remove");
                        insert.setString(7, null);
                    }
                }
                insert.setLong(8, at.toEpochMilli());
                insert.addBatch();
            }
            insert.executeBatch();
        }
        Database.noteChange(c, tenantId, siteId);
        return last;
    }

    /** Appends the same changes to every site of the tenant (members, credentials and keys go to all sites). */
    public static void appendToAllSites(Connection c, String tenantId, List<Change> changes, Instant at)
            throws SQLException {
        lockTenant(c, tenantId);
        for (String siteId : siteIds(c, tenantId)) {
            append(c, tenantId, siteId, changes, at);
        }
    }

    /**
     * Takes the tenant row's write lock until the transaction ends. Site creation and every
     * tenant-wide append take it first, so on PostgreSQL (READ COMMITTED) a member written while a
     * site is being created either sees the new site and appends to it, or commits before the site
     * exists and is in its snapshot; it can never miss both. On SQLite the single writer already
     * serialises them.
     */
    public static void lockTenant(Connection c, String tenantId) throws SQLException {
        try (PreparedStatement lock = c.prepareStatement("UPDATE tenants SET updated_at = updated_at WHERE id = ?")) {
            lock.setString(1, tenantId);
            lock.executeUpdate();
        }
    }

    public static List<String> siteIds(Connection c, String tenantId) throws SQLException {
        List<String> ids = new ArrayList<>();
        try (PreparedStatement statement = c.prepareStatement("SELECT id FROM sites WHERE tenant_id = ? ORDER BY id")) {
            statement.setString(1, tenantId);
            try (ResultSet rows = statement.executeQuery()) {
                while (rows.next()) {
                    ids.add(rows.getString(1));
                }
            }
        }
        return ids;
    }

    static long head(Connection c, String siteId) throws SQLException {
        try (PreparedStatement statement = c.prepareStatement("SELECT change_seq FROM sites WHERE id = ?")) {
            statement.setString(1, siteId);
            try (ResultSet rows = statement.executeQuery()) {
                if (!rows.next()) {
                    throw new StoreException(StoreError.REFERENCE, "site " + siteId + " does not exist");
                }
                return rows.getLong(1);
            }
        }
    }

    /** The last seq of a site's log (0 when empty). */
    public long head(String tenantId, String siteId) {
        return database.read(c -> {
            try (PreparedStatement statement =
                    c.prepareStatement("SELECT change_seq FROM sites WHERE id = ? AND tenant_id = ?")) {
                statement.setString(1, siteId);
                statement.setString(2, tenantId);
                try (ResultSet rows = statement.executeQuery()) {
                    return rows.next() ? rows.getLong(1) : 0L;
                }
            }
        });
    }

    /** Up to {@code limit} entries after {@code afterSeq}, in order. */
    public List<LoggedChange> read(String tenantId, String siteId, long afterSeq, int limit) {
        return database.read(c -> read(c, tenantId, siteId, afterSeq, Long.MAX_VALUE, limit));
    }

    /** Up to {@code limit} entries after {@code afterSeq} and up to {@code upToSeq}, in order, on {@code c}. */
    public static List<LoggedChange> read(
            Connection c, String tenantId, String siteId, long afterSeq, long upToSeq, int limit) throws SQLException {
        List<LoggedChange> changes = new ArrayList<>();
        try (PreparedStatement statement =
                c.prepareStatement("SELECT seq, kind, entity_key, op, body, at FROM site_changes"
                        + " WHERE site_id = ? AND tenant_id = ? AND seq > ? AND seq <= ? ORDER BY seq LIMIT ?")) {
            statement.setString(1, siteId);
            statement.setString(2, tenantId);
            statement.setLong(3, afterSeq);
            statement.setLong(4, upToSeq);
            statement.setInt(5, limit);
            try (ResultSet rows = statement.executeQuery()) {
                while (rows.next()) {
                    Change change = "upsert".equals(rows.getString(4))
                            ? new Change.Upsert(MessageCodec.decodeEntity(rows.getString(5)))
                            : new Change.Remove(EntityKind.valueOf(rows.getString(2)), rows.getString(3));
                    changes.add(
                            new LoggedChange(siteId, rows.getLong(1), change, Instant.ofEpochMilli(rows.getLong(6))));
                }
            }
        }
        return changes;
    }
}
