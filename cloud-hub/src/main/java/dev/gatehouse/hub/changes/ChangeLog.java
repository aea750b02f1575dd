package dev.gatehouse.hub.changes;

import dev.gatehouse.hub.store.Database;
import dev.gatehouse.hub.store.Sql;
import dev.gatehouse.hub.store.StoreError;
import dev.gatehouse.hub.store.StoreException;
import dev.gatehouse.protocol.codec.MessageCodec;
import dev.gatehouse.protocol.message.Change;
import dev.gatehouse.protocol.model.EntityKind;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Each site's change log: every write that changes what the site's doors decide appends its changes
 * here, in the writer's own transaction, numbered 1, 2, 3… per site without gaps.
 *
 * <p>Gap-free under concurrent writers: {@code UPDATE sites SET change_seq = change_seq + n} takes the
 * site row's write lock (PostgreSQL row lock; SQLite's single writer), so a second writer waits until
 * the first commits or rolls back, and a rolled-back transaction takes its numbers with it.
 */
public record ChangeLog(Database database) {
    /** Appends {@code changes} to one site's log in the caller's transaction; returns the last seq. */
    public static long append(Connection c, String tenantId, String siteId, List<Change> changes, Instant at)
            throws SQLException {
        if (changes.isEmpty()) {
            return head(c, siteId);
        }
        if (Sql.update(
                        c,
                        "UPDATE sites SET change_seq = change_seq + ? WHERE id = ? AND tenant_id = ?",
                        (long) changes.size(),
                        siteId,
                        tenantId)
                != 1) {
            throw new StoreException(StoreError.REFERENCE, "site " + siteId + " does not exist");
        }
        long last = head(c, siteId);
        long seq = last - changes.size();
        List<List<Object>> rows = new ArrayList<>(changes.size());
        for (Change change : changes) {
            String body =
                    switch (change) {
                        case Change.Upsert upsert -> MessageCodec.encodeEntity(upsert.entity());
                        case Change.Remove remove -> null;
                    };
            rows.add(Arrays.asList(
                    siteId,
                    ++seq,
                    tenantId,
                    change.kind(),
                    change.key(),
                    change instanceof Change.Upsert ? "upsert" : "remove",
                    body,
                    at));
        }
        Sql.batch(
                c,
                "INSERT INTO site_changes (site_id, seq, tenant_id, kind, entity_key, op, body, at)"
                        + " VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                rows);
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
        Sql.update(c, "UPDATE tenants SET updated_at = updated_at WHERE id = ?", tenantId);
    }

    public static List<String> siteIds(Connection c, String tenantId) throws SQLException {
        return Sql.list(c, "SELECT id FROM sites WHERE tenant_id = ? ORDER BY id", Sql.STRING, tenantId);
    }

    static long head(Connection c, String siteId) throws SQLException {
        return Sql.one(c, "SELECT change_seq FROM sites WHERE id = ?", Sql.LONG, siteId)
                .orElseThrow(() -> new StoreException(StoreError.REFERENCE, "site " + siteId + " does not exist"));
    }

    /** The last seq of a site's log (0 when empty). */
    public long head(String tenantId, String siteId) {
        return database.read(c ->
                Sql.byId(c, "sites", "change_seq", Sql.LONG, tenantId, siteId).orElse(0L));
    }

    /** Up to {@code limit} entries after {@code afterSeq}, in order. */
    public List<LoggedChange> read(String tenantId, String siteId, long afterSeq, int limit) {
        return database.read(c -> read(c, tenantId, siteId, afterSeq, Long.MAX_VALUE, limit));
    }

    /** Up to {@code limit} entries after {@code afterSeq} and up to {@code upToSeq}, in order, on {@code c}. */
    public static List<LoggedChange> read(
            Connection c, String tenantId, String siteId, long afterSeq, long upToSeq, int limit) throws SQLException {
        return Sql.list(
                c,
                "SELECT seq, kind, entity_key, op, body, at FROM site_changes"
                        + " WHERE site_id = ? AND tenant_id = ? AND seq > ? AND seq <= ? ORDER BY seq LIMIT ?",
                row -> new LoggedChange(siteId, row.getLong(1), change(row), Instant.ofEpochMilli(row.getLong(6))),
                siteId,
                tenantId,
                afterSeq,
                upToSeq,
                limit);
    }

    private static Change change(ResultSet row) throws SQLException {
        return "upsert".equals(row.getString(4))
                ? new Change.Upsert(MessageCodec.decodeEntity(row.getString(5)))
                : new Change.Remove(EntityKind.valueOf(row.getString(2)), row.getString(3));
    }
}
