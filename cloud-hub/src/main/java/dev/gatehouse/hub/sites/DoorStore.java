package dev.gatehouse.hub.sites;

import dev.gatehouse.hub.changes.ChangeLog;
import dev.gatehouse.hub.store.Database;
import dev.gatehouse.hub.store.HubIds;
import dev.gatehouse.hub.store.Sql;
import dev.gatehouse.hub.store.StoreResult;
import dev.gatehouse.hub.store.WireNames;
import dev.gatehouse.hub.web.Times;
import dev.gatehouse.protocol.message.Change;
import dev.gatehouse.protocol.model.DegradedMode;
import dev.gatehouse.protocol.model.Door;
import dev.gatehouse.protocol.model.DoorId;
import dev.gatehouse.protocol.model.EntityKind;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * The doors of a site. Every write appends the new {@link Door} (or its removal) to the site's change
 * log in the same transaction. A door still in a door group or named by a visitor pass is not deleted.
 */
public record DoorStore(Database database, Clock clock) {
    /** Deleting a door: refused while a door group or a visitor pass names it. */
    private static final SiteStore.Deletion DELETION = new SiteStore.Deletion(
            "door",
            "doors",
            EntityKind.DOOR,
            List.of(
                    new SiteStore.Reference(
                            "SELECT group_id FROM door_group_doors WHERE door_id = ? ORDER BY group_id",
                            "is in door groups",
                            "remove it from them first"),
                    new SiteStore.Reference(
                            "SELECT pass_id FROM visitor_pass_doors WHERE door_id = ? ORDER BY pass_id",
                            "is named by visitor passes",
                            "revoke them first")));

    private static final String COLUMNS = "id, site_id, name, unlock_seconds, untrusted_clock, offline_mode,"
            + " offline_after_seconds, created_at, updated_at";

    public record DoorInput(
            String name,
            int unlockSeconds,
            DegradedMode untrustedClock,
            DegradedMode offlineMode,
            long offlineAfterSeconds) {}

    public StoreResult<Views.DoorView> createDoor(String tenantId, String siteId, DoorInput input) {
        String id = HubIds.next("door");
        Instant now = clock.instant();
        StoreResult<Boolean> written = database.write(c -> {
            if (!SiteStore.siteExists(c, tenantId, siteId)) {
                return new StoreResult.NotFound<>("site", siteId);
            }
            Sql.update(
                    c,
                    "INSERT INTO doors (id, tenant_id, site_id, name, unlock_seconds, untrusted_clock, offline_mode,"
                            + " offline_after_seconds, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    id,
                    tenantId,
                    siteId,
                    input.name(),
                    input.unlockSeconds(),
                    input.untrustedClock(),
                    input.offlineMode(),
                    input.offlineAfterSeconds(),
                    now,
                    now);
            appendDoor(c, tenantId, siteId, id, now);
            return StoreResult.found(true);
        });
        return SiteStore.reread(written, () -> door(tenantId, id));
    }

    private static void appendDoor(Connection c, String tenantId, String siteId, String doorId, Instant now)
            throws SQLException {
        ChangeLog.append(
                c,
                tenantId,
                siteId,
                List.of(new Change.Upsert(doorEntity(c, tenantId, doorId).orElseThrow())),
                now);
    }

    /** Writes the merged door only if it is still the version read at {@code readUpdatedAt} (else a Conflict). */
    public StoreResult<Views.DoorView> updateDoor(String tenantId, String doorId, DoorInput input, long readUpdatedAt) {
        Instant now = clock.instant();
        StoreResult<Boolean> written = database.write(c -> {
            Optional<String> siteId = doorSite(c, tenantId, doorId);
            if (siteId.isEmpty()) {
                return new StoreResult.NotFound<>("door", doorId);
            }
            int changed = Sql.update(
                    c,
                    "UPDATE doors SET name = ?, unlock_seconds = ?, untrusted_clock = ?, offline_mode = ?,"
                            + " offline_after_seconds = ?, updated_at = ? WHERE id = ? AND tenant_id = ? AND updated_at = ?",
                    input.name(),
                    input.unlockSeconds(),
                    input.untrustedClock(),
                    input.offlineMode(),
                    input.offlineAfterSeconds(),
                    Math.max(now.toEpochMilli(), readUpdatedAt + 1),
                    doorId,
                    tenantId,
                    readUpdatedAt);
            if (changed != 1) {
                return SiteStore.stale("door", doorId);
            }
            appendDoor(c, tenantId, siteId.get(), doorId, now);
            return StoreResult.found(true);
        });
        return SiteStore.reread(written, () -> door(tenantId, doorId));
    }

    /** Deletes the door (Found with its id), unless a door group or a visitor pass still names it (Conflict). */
    public StoreResult<String> deleteDoor(String tenantId, String doorId) {
        Instant now = clock.instant();
        return database.write(c -> DELETION.delete(c, tenantId, doorId, now));
    }

    /** The site of the tenant's door, or empty when the tenant has no such door. */
    public static Optional<String> doorSite(Connection c, String tenantId, String doorId) throws SQLException {
        return Sql.byId(c, "doors", "site_id", Sql.STRING, tenantId, doorId);
    }

    public Optional<Views.DoorView> door(String tenantId, String doorId) {
        return database.read(c -> Sql.byId(c, "doors", COLUMNS, DoorStore::view, tenantId, doorId));
    }

    /** The site's doors by name. */
    public List<Views.DoorView> doors(String tenantId, String siteId) {
        return database.read(c -> Sql.list(
                c,
                "SELECT " + COLUMNS + " FROM doors WHERE tenant_id = ? AND site_id = ? ORDER BY name, id",
                DoorStore::view,
                tenantId,
                siteId));
    }

    private static Views.DoorView view(ResultSet row) throws SQLException {
        return new Views.DoorView(
                row.getString(1),
                row.getString(2),
                row.getString(3),
                row.getInt(4),
                WireNames.wire(row.getString(5)),
                WireNames.wire(row.getString(6)),
                row.getLong(7),
                Times.iso(row.getLong(8)),
                Times.iso(row.getLong(9)));
    }

    /** The door as the protocol sends it to the edge. */
    public static Optional<Door> doorEntity(Connection c, String tenantId, String doorId) throws SQLException {
        return Sql.one(
                c,
                "SELECT name, unlock_seconds, untrusted_clock, offline_mode, offline_after_seconds FROM doors"
                        + " WHERE id = ? AND tenant_id = ?",
                row -> new Door(
                        DoorId.of(doorId),
                        row.getString(1),
                        Duration.ofSeconds(row.getInt(2)),
                        DegradedMode.valueOf(row.getString(3)),
                        DegradedMode.valueOf(row.getString(4)),
                        Duration.ofSeconds(row.getLong(5))),
                doorId,
                tenantId);
    }
}
