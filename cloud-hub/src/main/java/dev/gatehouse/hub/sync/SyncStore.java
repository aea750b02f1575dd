package dev.gatehouse.hub.sync;

import com.nimbusds.jose.jwk.ECKey;
import dev.gatehouse.hub.changes.ChangeLog;
import dev.gatehouse.hub.changes.LoggedChange;
import dev.gatehouse.hub.projection.SiteProjection;
import dev.gatehouse.hub.store.Database;
import dev.gatehouse.hub.tenants.TenantStore;
import dev.gatehouse.protocol.model.Entity;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** What sync reads from the store: sites' heads and floors, log ranges with the signing key, snapshots. */
public final class SyncStore {
    private final Database database;

    public SyncStore(Database database) {
        this.database = database;
    }

    /** A site's log: its last seq ({@code head}) and the last compacted-away seq ({@code floor}). */
    public record SiteHead(String tenantId, String tenantSlug, String siteId, long head, long floor) {}

    /** Entries of one site's log with what signing them needs. */
    public record Range(SiteHead site, List<LoggedChange> changes, ECKey key) {}

    /** A site's whole state as of {@code seq}, with what signing it needs. */
    public record Snapshot(SiteHead site, long seq, List<Entity> entities, ECKey key) {}

    private static final String HEAD_COLUMNS =
            "SELECT s.tenant_id, t.slug, s.id, s.change_seq, s.compacted_seq FROM sites s JOIN tenants t ON t.id = s.tenant_id";

    public List<SiteHead> heads() {
        return database.read(c -> {
            List<SiteHead> heads = new ArrayList<>();
            try (PreparedStatement statement = c.prepareStatement(HEAD_COLUMNS + " ORDER BY s.id");
                    ResultSet rows = statement.executeQuery()) {
                while (rows.next()) {
                    heads.add(head(rows));
                }
            }
            return heads;
        });
    }

    public Optional<SiteHead> head(String tenantId, String siteId) {
        return database.read(c -> head(c, tenantId, siteId));
    }

    static Optional<SiteHead> head(Connection c, String tenantId, String siteId) throws SQLException {
        try (PreparedStatement statement = c.prepareStatement(HEAD_COLUMNS + " WHERE s.id = ? AND s.tenant_id = ?")) {
            statement.setString(1, siteId);
            statement.setString(2, tenantId);
            try (ResultSet rows = statement.executeQuery()) {
                return rows.next() ? Optional.of(head(rows)) : Optional.empty();
            }
        }
    }

    private static SiteHead head(ResultSet rows) throws SQLException {
        return new SiteHead(rows.getString(1), rows.getString(2), rows.getString(3), rows.getLong(4), rows.getLong(5));
    }

    /**
     * Up to {@code limit} entries after {@code afterSeq} (and after the floor), the site's head and
     * the tenant's active signing key, read together. Empty when the tenant has no such site.
     */
    public Optional<Range> range(String tenantId, String siteId, long afterSeq, int limit) {
        return database.readConsistent(c -> {
            Optional<SiteHead> head = head(c, tenantId, siteId);
            if (head.isEmpty()) {
                return Optional.empty();
            }
            List<LoggedChange> changes = ChangeLog.read(
                    c,
                    tenantId,
                    siteId,
                    Math.max(afterSeq, head.get().floor()),
                    head.get().head(),
                    limit);
            ECKey key = changes.isEmpty() ? null : TenantStore.activeSigningKey(c, tenantId);
            return Optional.of(new Range(head.get(), changes, key));
        });
    }

    /** The site's projection and the head it corresponds to, read in one consistent transaction. */
    public Optional<Snapshot> snapshot(String tenantId, String siteId) {
        return database.readConsistent(c -> {
            Optional<SiteHead> head = head(c, tenantId, siteId);
            if (head.isEmpty()) {
                return Optional.empty();
            }
            Optional<List<Entity>> entities = SiteProjection.of(c, tenantId, siteId);
            if (entities.isEmpty()) {
                return Optional.empty();
            }
            return Optional.of(new Snapshot(
                    head.get(), head.get().head(), entities.get(), TenantStore.activeSigningKey(c, tenantId)));
        });
    }

    /**
     * Deletes the site's entries up to {@code upTo} (at most {@code maxRows} of them in this
     * transaction) and raises its floor to the last one deleted; answers the new floor.
     */
    public long compact(String tenantId, String siteId, long upTo, int maxRows) {
        return database.write(c -> {
            long floor;
            try (PreparedStatement statement =
                    c.prepareStatement("SELECT compacted_seq FROM sites WHERE id = ? AND tenant_id = ?")) {
                statement.setString(1, siteId);
                statement.setString(2, tenantId);
                try (ResultSet rows = statement.executeQuery()) {
                    if (!rows.next()) {
                        return 0L;
                    }
                    floor = rows.getLong(1);
                }
            }
            long target = Math.min(upTo, floor + maxRows);
            if (target <= floor) {
                return floor;
            }
            // Raise the floor first: the site row's lock orders this with concurrent appends, and a
            // reader that sees the new floor never asks for the rows being deleted.
            try (PreparedStatement update = c.prepareStatement(
                    "UPDATE sites SET compacted_seq = ? WHERE id = ? AND tenant_id = ? AND compacted_seq < ?")) {
                update.setLong(1, target);
                update.setString(2, siteId);
                update.setString(3, tenantId);
                update.setLong(4, target);
                update.executeUpdate();
            }
            try (PreparedStatement delete =
                    c.prepareStatement("DELETE FROM site_changes WHERE site_id = ? AND seq > ? AND seq <= ?")) {
                delete.setString(1, siteId);
                delete.setLong(2, floor);
                delete.setLong(3, target);
                delete.executeUpdate();
            }
            return target;
        });
    }
}
