package dev.gatehouse.hub.audit;

import dev.gatehouse.hub.store.Cursor;
import dev.gatehouse.hub.store.Database;
import dev.gatehouse.hub.store.HubIds;
import dev.gatehouse.hub.store.Keyset;
import dev.gatehouse.hub.store.Page;
import dev.gatehouse.hub.store.Query;
import dev.gatehouse.hub.store.Sql;
import dev.gatehouse.hub.tenants.Actor;
import dev.gatehouse.hub.web.Times;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Instant;
import java.util.Collections;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * The audit log: one row per administrative action, page or API (who, what, which resource, the
 * resource before and after as JSON, when, from which address), read back newest first with filters
 * and keyset paging. Rows are only ever added.
 */
public record AuditStore(Database database, Clock clock) {
    private static final String COLUMNS = "id, at, actor_kind, actor_id, actor_label, action, resource_type,"
            + " resource_id, site_id, before_json, after_json, address";
    private static final Keyset NEWEST_FIRST = Keyset.descending("at", "id");

    /**
     * An action to record. {@code before} and {@code after} are JSON text already cleared of secrets
     * (absent: a creation has no before, a deletion no after).
     */
    public record NewEntry(
            String tenantId,
            Actor actor,
            String action,
            String resourceType,
            String resourceId,
            Optional<String> siteId,
            Optional<String> before,
            Optional<String> after,
            String address) {}

    /** A recorded action; {@code at} is ISO-8601 UTC. */
    public record Entry(
            String id,
            String at,
            Actor actor,
            String action,
            String resourceType,
            String resourceId,
            Optional<String> siteId,
            Optional<String> before,
            Optional<String> after,
            String address) {}

    /**
     * Which entries of a tenant to list: each present filter must match; {@code siteIds} not empty
     * keeps only entries of those sites (a caller whose role names sites); {@code from} inclusive,
     * {@code to} exclusive.
     */
    public record Filter(
            String tenantId,
            Optional<String> actorId,
            Optional<String> action,
            Optional<String> resourceType,
            Optional<String> resourceId,
            Optional<String> siteId,
            Set<String> siteIds,
            Optional<Instant> from,
            Optional<Instant> to) {
        public Filter {
            siteIds = Set.copyOf(siteIds);
        }
    }

    /** Records an action now; answers its id. */
    public String append(NewEntry entry) {
        Instant at = clock.instant();
        return database.write(c -> append(c, entry, at));
    }

    /** Records an action in the caller's transaction, so that it commits with what it records. */
    public static String append(java.sql.Connection c, NewEntry entry, Instant at) throws java.sql.SQLException {
        String id = HubIds.next("aud");
        Sql.update(
                c,
                "INSERT INTO audit_log (id, tenant_id, at, actor_kind, actor_id, actor_label, action, resource_type,"
                        + " resource_id, site_id, before_json, after_json, address)"
                        + " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                id,
                entry.tenantId(),
                at,
                entry.actor().kind(),
                entry.actor().id(),
                entry.actor().label(),
                entry.action(),
                entry.resourceType(),
                entry.resourceId(),
                entry.siteId(),
                entry.before(),
                entry.after(),
                entry.address());
        return id;
    }

    /** One page of the tenant's entries that match, newest first. */
    public Page<Entry> list(Filter filter, Optional<Cursor> after, int limit) {
        Query query = new Query("SELECT " + COLUMNS + " FROM audit_log WHERE tenant_id = ?", filter.tenantId())
                .andIf(filter.actorId(), "actor_id = ?")
                .andIf(filter.action(), "action = ?")
                .andIf(filter.resourceType(), "resource_type = ?")
                .andIf(filter.resourceId(), "resource_id = ?")
                .andIf(filter.siteId(), "site_id = ?")
                .andIf(filter.from(), "at >= ?")
                .andIf(filter.to(), "at < ?");
        if (!filter.siteIds().isEmpty()) {
            query.and(
                    "site_id IN ("
                            + String.join(
                                    ", ", Collections.nCopies(filter.siteIds().size(), "?")) + ")",
                    filter.siteIds().stream().sorted().toArray());
        }
        NEWEST_FIRST.page(query, after, limit);
        List<Entry> rows = database.read(c -> Sql.list(c, query, AuditStore::entry));
        return Keyset.page(
                rows, limit, row -> new Cursor(Instant.parse(row.at()).toEpochMilli(), row.id()));
    }

    private static Entry entry(ResultSet row) throws SQLException {
        return new Entry(
                row.getString(1),
                Times.iso(row.getLong(2)),
                new Actor(Actor.Kind.valueOf(row.getString(3)), row.getString(4), row.getString(5)),
                row.getString(6),
                row.getString(7),
                row.getString(8),
                Optional.ofNullable(row.getString(9)),
                Optional.ofNullable(row.getString(10)),
                Optional.ofNullable(row.getString(11)),
                row.getString(12));
    }
}
