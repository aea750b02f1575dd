package dev.gatehouse.hub.sites;

import dev.gatehouse.hub.changes.ChangeLog;
import dev.gatehouse.hub.store.Database;
import dev.gatehouse.hub.store.HubIds;
import dev.gatehouse.hub.store.Sql;
import dev.gatehouse.hub.store.StoreResult;
import dev.gatehouse.hub.tenants.TenantStore;
import dev.gatehouse.hub.web.Times;
import dev.gatehouse.protocol.message.Change;
import dev.gatehouse.protocol.model.EntityKind;
import dev.gatehouse.protocol.model.Site;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * Sites and their holidays. Every write appends the new {@link Site} to the site's change log in the
 * same transaction; a new site's log opens with the site and the tenant's signing keys. Doors and
 * door groups are {@link DoorStore} and {@link DoorGroupStore}.
 */
public record SiteStore(Database database, Clock clock) {
    public record SiteInput(String name, String address, ZoneId zone) {}

    public Views.SiteView createSite(String tenantId, SiteInput input) {
        String id = HubIds.next("site");
        Instant now = clock.instant();
        database.run(c -> {
            ChangeLog.lockTenant(c, tenantId);
            Sql.update(
                    c,
                    "INSERT INTO sites (id, tenant_id, name, address, time_zone, change_seq, created_at, updated_at)"
                            + " VALUES (?, ?, ?, ?, ?, 0, ?, ?)",
                    id,
                    tenantId,
                    input.name(),
                    input.address(),
                    input.zone().getId(),
                    now,
                    now);
            // A new site's log opens with the site itself and the tenant's signing keys; an edge
            // starting from nothing takes a snapshot of everything else.
            List<Change> opening = new ArrayList<>();
            opening.add(new Change.Upsert(siteEntity(c, tenantId, id).orElseThrow()));
            TenantStore.signingKeys(c, tenantId).forEach(key -> opening.add(new Change.Upsert(key)));
            ChangeLog.append(c, tenantId, id, opening, now);
        });
        return site(tenantId, id).orElseThrow();
    }

    public Optional<Views.SiteView> site(String tenantId, String siteId) {
        return database.read(c -> site(c, tenantId, siteId));
    }

    private static Optional<Views.SiteView> site(Connection c, String tenantId, String siteId) throws SQLException {
        return Sql.one(
                c,
                "SELECT id, name, address, time_zone, change_seq, created_at, updated_at FROM sites"
                        + " WHERE id = ? AND tenant_id = ?",
                row -> new Views.SiteView(
                        row.getString(1),
                        row.getString(2),
                        row.getString(3),
                        row.getString(4),
                        holidays(c, siteId),
                        row.getLong(5),
                        Times.iso(row.getLong(6)),
                        Times.iso(row.getLong(7))),
                siteId,
                tenantId);
    }

    /** The tenant's sites; only those of {@code siteIds} when it is not empty (a caller whose role names sites). */
    public List<Views.SiteView> sites(String tenantId, Set<String> siteIds) {
        return database.read(c -> {
            List<Views.SiteView> sites = new ArrayList<>();
            for (String id : ChangeLog.siteIds(c, tenantId)) {
                if (siteIds.isEmpty() || siteIds.contains(id)) {
                    site(c, tenantId, id).ifPresent(sites::add);
                }
            }
            return sites;
        });
    }

    /** True when the site exists and belongs to the tenant. */
    public static boolean siteExists(Connection c, String tenantId, String siteId) throws SQLException {
        return Sql.exists(c, "SELECT 1 FROM sites WHERE id = ? AND tenant_id = ?", siteId, tenantId);
    }

    /**
     * Writes the merged site only if it is still the version read at {@code readUpdatedAt}; a PATCH
     * must not put back a value another request has just changed (that is a Conflict).
     */
    public StoreResult<Views.SiteView> updateSite(String tenantId, String siteId, SiteInput input, long readUpdatedAt) {
        Instant now = clock.instant();
        StoreResult<Boolean> written = database.write(c -> {
            int changed = Sql.update(
                    c,
                    "UPDATE sites SET name = ?, address = ?, time_zone = ?, updated_at = ?"
                            + " WHERE id = ? AND tenant_id = ? AND updated_at = ?",
                    input.name(),
                    input.address(),
                    input.zone().getId(),
                    Math.max(now.toEpochMilli(), readUpdatedAt + 1),
                    siteId,
                    tenantId,
                    readUpdatedAt);
            if (changed != 1) {
                return siteExists(c, tenantId, siteId)
                        ? stale("site", siteId)
                        : new StoreResult.NotFound<>("site", siteId);
            }
            appendSite(c, tenantId, siteId, now);
            return StoreResult.found(true);
        });
        return reread(written, () -> site(tenantId, siteId));
    }

    /** The Conflict of an optimistic write whose row changed since it was read. */
    static <T> StoreResult<T> stale(String what, String id) {
        return new StoreResult.Conflict<>(
                what + " " + id + " was changed by another request meanwhile; read it again and retry");
    }

    /** Rows that still name a door or door group: {@code sql} selects their ids by the named one's id. */
    record Reference(String sql, String relation, String remedy) {}

    /**
     * Deleting a door or a door group: NotFound when the tenant has none; a Conflict while a reference
     * still names it (the first that finds rows is told, e.g. "door d1 is in door groups g1, g2; remove it
     * from them first"); else the row is deleted and its removal appended to its site's change log.
     *
     * @param what the thing's name in answers ("door")
     * @param table its table, a constant of the store
     * @param kind its kind in the change log
     */
    record Deletion(String what, String table, EntityKind kind, List<Reference> references) {
        /** Found with the id deleted, or why not. */
        StoreResult<String> delete(Connection c, String tenantId, String id, Instant now) throws SQLException {
            Optional<String> siteId = Sql.byId(c, table, "site_id", Sql.STRING, tenantId, id);
            if (siteId.isEmpty()) {
                return new StoreResult.NotFound<>(what, id);
            }
            for (Reference reference : references) {
                List<String> ids = Sql.list(c, reference.sql(), Sql.STRING, id);
                if (!ids.isEmpty()) {
                    return new StoreResult.Conflict<>(what + " " + id + " " + reference.relation() + " "
                            + String.join(", ", ids) + "; " + reference.remedy());
                }
            }
            Sql.update(c, "DELETE FROM " + table + " WHERE id = ? AND tenant_id = ?", id, tenantId);
            ChangeLog.append(c, tenantId, siteId.get(), List.of(new Change.Remove(kind, id)), now);
            return StoreResult.found(id);
        }
    }

    /** After a write that answered Found, the row as read back; otherwise the write's answer. */
    static <T> StoreResult<T> reread(StoreResult<?> written, java.util.function.Supplier<Optional<T>> read) {
        return switch (written) {
            case StoreResult.Found<?> found -> StoreResult.found(read.get().orElseThrow());
            case StoreResult.NotFound<?> missing -> new StoreResult.NotFound<>(missing.what(), missing.id());
            case StoreResult.Conflict<?> conflict -> new StoreResult.Conflict<>(conflict.reason());
            case StoreResult.Invalid<?> invalid -> new StoreResult.Invalid<>(invalid.errors());
        };
    }

    private static void appendSite(Connection c, String tenantId, String siteId, Instant now) throws SQLException {
        ChangeLog.append(
                c,
                tenantId,
                siteId,
                List.of(new Change.Upsert(siteEntity(c, tenantId, siteId).orElseThrow())),
                now);
    }

    /** Replaces the site's holidays. */
    public StoreResult<Views.SiteView> replaceHolidays(String tenantId, String siteId, List<Views.Holiday> holidays) {
        Instant now = clock.instant();
        StoreResult<Boolean> written = database.write(c -> {
            if (!siteExists(c, tenantId, siteId)) {
                return new StoreResult.NotFound<>("site", siteId);
            }
            Sql.update(c, "DELETE FROM site_holidays WHERE site_id = ?", siteId);
            Sql.batch(
                    c,
                    "INSERT INTO site_holidays (site_id, tenant_id, day, name) VALUES (?, ?, ?, ?)",
                    holidays.stream()
                            .map(h -> List.of(siteId, tenantId, h.date(), h.name()))
                            .toList());
            Sql.update(c, "UPDATE sites SET updated_at = ? WHERE id = ?", now, siteId);
            appendSite(c, tenantId, siteId, now);
            return StoreResult.found(true);
        });
        return reread(written, () -> site(tenantId, siteId));
    }

    private static List<Views.Holiday> holidays(Connection c, String siteId) throws SQLException {
        return Sql.list(
                c,
                "SELECT day, name FROM site_holidays WHERE site_id = ? ORDER BY day",
                row -> new Views.Holiday(row.getString(1), row.getString(2)),
                siteId);
    }

    /** The site as the protocol sends it to the edge. */
    public static Optional<Site> siteEntity(Connection c, String tenantId, String siteId) throws SQLException {
        Optional<String> zone = Sql.byId(c, "sites", "time_zone", Sql.STRING, tenantId, siteId);
        if (zone.isEmpty()) {
            return Optional.empty();
        }
        Set<LocalDate> days = new HashSet<>();
        for (Views.Holiday holiday : holidays(c, siteId)) {
            days.add(LocalDate.parse(holiday.date()));
        }
        return Optional.of(new Site(siteId, ZoneId.of(zone.get()), days));
    }
}
