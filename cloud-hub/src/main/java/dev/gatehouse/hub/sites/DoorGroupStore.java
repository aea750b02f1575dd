package dev.gatehouse.hub.sites;

import dev.gatehouse.hub.changes.ChangeLog;
import dev.gatehouse.hub.store.Database;
import dev.gatehouse.hub.store.HubIds;
import dev.gatehouse.hub.store.Sql;
import dev.gatehouse.hub.store.StoreResult;
import dev.gatehouse.hub.web.Times;
import dev.gatehouse.protocol.message.Change;
import dev.gatehouse.protocol.model.DoorGroup;
import dev.gatehouse.protocol.model.DoorGroupId;
import dev.gatehouse.protocol.model.DoorId;
import dev.gatehouse.protocol.model.EntityKind;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * Door groups: named sets of one site's doors. Every write appends the new {@link DoorGroup} (or its
 * removal) to the site's change log in the same transaction. A group a plan or a visitor pass still
 * uses is not deleted.
 */
public record DoorGroupStore(Database database, Clock clock) {
    /** Deleting a door group: refused while a plan or a visitor pass names it. */
    private static final SiteStore.Deletion DELETION = new SiteStore.Deletion(
            "door group",
            "door_groups",
            EntityKind.DOOR_GROUP,
            List.of(
                    new SiteStore.Reference(
                            "SELECT plan_id FROM plan_door_groups WHERE door_group_id = ? ORDER BY plan_id",
                            "is used by plans",
                            "remove it from them first"),
                    new SiteStore.Reference(
                            "SELECT pass_id FROM visitor_pass_door_groups WHERE door_group_id = ? ORDER BY pass_id",
                            "is named by visitor passes",
                            "revoke them first")));
    /** A new group of the site's doors; Invalid naming doorIds when a door is not one of this site's. */
    public StoreResult<Views.DoorGroupView> createGroup(
            String tenantId, String siteId, String name, List<String> doorIds) {
        String id = HubIds.next("dg");
        Instant now = clock.instant();
        StoreResult<Boolean> written = database.write(c -> {
            if (!SiteStore.siteExists(c, tenantId, siteId)) {
                return new StoreResult.NotFound<>("site", siteId);
            }
            Optional<StoreResult<Boolean>> unknown = unknownDoors(c, tenantId, siteId, doorIds);
            if (unknown.isPresent()) {
                return unknown.get();
            }
            Sql.update(
                    c,
                    "INSERT INTO door_groups (id, tenant_id, site_id, name, created_at, updated_at)"
                            + " VALUES (?, ?, ?, ?, ?, ?)",
                    id,
                    tenantId,
                    siteId,
                    name,
                    now,
                    now);
            setGroupDoors(c, id, doorIds);
            appendGroup(c, tenantId, siteId, id, now);
            return StoreResult.found(true);
        });
        return SiteStore.reread(written, () -> group(tenantId, id));
    }

    /** Renames the group and/or replaces its doors (each only when given). */
    public StoreResult<Views.DoorGroupView> updateGroup(
            String tenantId, String groupId, Optional<String> name, Optional<List<String>> doorIds) {
        return updateGroup(tenantId, groupId, name, doorIds, Optional.empty());
    }

    /**
     * Renames the group, replaces its doors, and/or marks it for visitors (the doors members'
     * invitations open at its site), each only when given.
     */
    public StoreResult<Views.DoorGroupView> updateGroup(
            String tenantId,
            String groupId,
            Optional<String> name,
            Optional<List<String>> doorIds,
            Optional<Boolean> forVisitors) {
        Instant now = clock.instant();
        StoreResult<Boolean> written = database.write(c -> {
            Optional<String> siteId = groupSite(c, tenantId, groupId);
            if (siteId.isEmpty()) {
                return new StoreResult.NotFound<>("door group", groupId);
            }
            if (doorIds.isPresent()) {
                Optional<StoreResult<Boolean>> unknown = unknownDoors(c, tenantId, siteId.get(), doorIds.get());
                if (unknown.isPresent()) {
                    return unknown.get();
                }
                Sql.update(c, "DELETE FROM door_group_doors WHERE group_id = ?", groupId);
                setGroupDoors(c, groupId, doorIds.get());
            }
            Sql.update(
                    c,
                    "UPDATE door_groups SET name = COALESCE(?, name), updated_at = ? WHERE id = ?",
                    name,
                    now,
                    groupId);
            if (forVisitors.isPresent()) {
                Sql.update(c, "UPDATE door_groups SET for_visitors = ? WHERE id = ?", forVisitors.get(), groupId);
            }
            appendGroup(c, tenantId, siteId.get(), groupId, now);
            return StoreResult.found(true);
        });
        return SiteStore.reread(written, () -> group(tenantId, groupId));
    }

    /** Deletes the group (Found with its id), unless a plan or a visitor pass still names it (Conflict). */
    public StoreResult<String> deleteGroup(String tenantId, String groupId) {
        Instant now = clock.instant();
        return database.write(c -> DELETION.delete(c, tenantId, groupId, now));
    }

    private static void appendGroup(Connection c, String tenantId, String siteId, String groupId, Instant now)
            throws SQLException {
        ChangeLog.append(
                c,
                tenantId,
                siteId,
                List.of(new Change.Upsert(groupEntity(c, tenantId, groupId).orElseThrow())),
                now);
    }

    private static void setGroupDoors(Connection c, String groupId, List<String> doorIds) throws SQLException {
        Sql.batch(
                c,
                "INSERT INTO door_group_doors (group_id, door_id) VALUES (?, ?)",
                doorIds.stream().map(doorId -> List.of(groupId, doorId)).toList());
    }

    /** Invalid naming doorIds when a door named is not a door of this site (another site's, another tenant's, none). */
    private static <T> Optional<StoreResult<T>> unknownDoors(
            Connection c, String tenantId, String siteId, List<String> doorIds) throws SQLException {
        List<String> unknown = new ArrayList<>();
        for (String doorId : doorIds) {
            if (!DoorStore.doorSite(c, tenantId, doorId).equals(Optional.of(siteId))) {
                unknown.add(doorId);
            }
        }
        if (unknown.isEmpty()) {
            return Optional.empty();
        }
        return Optional.of(StoreResult.invalid(
                "doorIds",
                "no door " + String.join(", ", unknown)
                        + " at this site; list the site's doors with GET /api/v1/sites/{siteId}/doors"));
    }

    /** The site of the tenant's door group, or empty when the tenant has no such group. */
    public static Optional<String> groupSite(Connection c, String tenantId, String groupId) throws SQLException {
        return Sql.byId(c, "door_groups", "site_id", Sql.STRING, tenantId, groupId);
    }

    public Optional<Views.DoorGroupView> group(String tenantId, String groupId) {
        return database.read(c -> group(c, tenantId, groupId));
    }

    private static Optional<Views.DoorGroupView> group(Connection c, String tenantId, String groupId)
            throws SQLException {
        return Sql.byId(
                c,
                "door_groups",
                "id, site_id, name, created_at, updated_at, for_visitors",
                row -> new Views.DoorGroupView(
                        row.getString(1),
                        row.getString(2),
                        row.getString(3),
                        groupDoors(c, groupId),
                        row.getBoolean(6),
                        Times.iso(row.getLong(4)),
                        Times.iso(row.getLong(5))),
                tenantId,
                groupId);
    }

    /** The site's door groups marked for visitors, by id: the doors members' invitations open there. */
    public static List<String> visitorGroups(Connection c, String tenantId, String siteId) throws SQLException {
        return Sql.list(
                c,
                "SELECT id FROM door_groups WHERE tenant_id = ? AND site_id = ? AND for_visitors ORDER BY id",
                Sql.STRING,
                tenantId,
                siteId);
    }

    /** The site's door groups by name. */
    public List<Views.DoorGroupView> groups(String tenantId, String siteId) {
        return database.read(c -> {
            List<Views.DoorGroupView> groups = new ArrayList<>();
            for (String id :
                    Sql.list(c, "SELECT id FROM door_groups WHERE site_id = ? ORDER BY name, id", Sql.STRING, siteId)) {
                group(c, tenantId, id).ifPresent(groups::add);
            }
            return groups;
        });
    }

    private static List<String> groupDoors(Connection c, String groupId) throws SQLException {
        return Sql.list(
                c, "SELECT door_id FROM door_group_doors WHERE group_id = ? ORDER BY door_id", Sql.STRING, groupId);
    }

    /** The door group as the protocol sends it to the edge. */
    public static Optional<DoorGroup> groupEntity(Connection c, String tenantId, String groupId) throws SQLException {
        if (groupSite(c, tenantId, groupId).isEmpty()) {
            return Optional.empty();
        }
        Set<DoorId> doors = new HashSet<>();
        for (String doorId : groupDoors(c, groupId)) {
            doors.add(DoorId.of(doorId));
        }
        return Optional.of(new DoorGroup(DoorGroupId.of(groupId), doors));
    }
}
