package dev.gatehouse.hub.sites;

import dev.gatehouse.hub.changes.ChangeLog;
import dev.gatehouse.hub.store.Database;
import dev.gatehouse.hub.store.HubIds;
import dev.gatehouse.hub.store.StoreError;
import dev.gatehouse.hub.store.StoreException;
import dev.gatehouse.hub.tenants.TenantStore;
import dev.gatehouse.hub.web.Times;
import dev.gatehouse.protocol.message.Change;
import dev.gatehouse.protocol.model.DegradedMode;
import dev.gatehouse.protocol.model.Door;
import dev.gatehouse.protocol.model.DoorGroup;
import dev.gatehouse.protocol.model.DoorGroupId;
import dev.gatehouse.protocol.model.DoorId;
import dev.gatehouse.protocol.model.EntityKind;
import dev.gatehouse.protocol.model.Site;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;

/**
 * Sites, their holidays, doors, door groups and devices. Every write that changes what a site's
 * doors decide appends the new protocol entity to that site's change log in the same transaction.
 */
public final class SiteStore {
    private final Database database;
    private final Clock clock;

    public SiteStore(Database database, Clock clock) {
        this.database = database;
        this.clock = clock;
    }

    // ---- sites

    public record SiteInput(String name, String address, ZoneId zone) {}

    public Views.SiteView createSite(String tenantId, SiteInput input) {
        String id = HubIds.next("site");
        Instant now = clock.instant();
        database.write(c -> {
            ChangeLog.lockTenant(c, tenantId);
            try (PreparedStatement insert = c.prepareStatement("INSERT INTO sites (id, tenant_id, name, address,"
                    + " time_zone, change_seq, created_at, updated_at) VALUES (?, ?, ?, ?, ?, 0, ?, ?)")) {
                insert.setString(1, id);
                insert.setString(2, tenantId);
                insert.setString(3, input.name());
                insert.setString(4, input.address());
                insert.setString(5, input.zone().getId());
                insert.setLong(6, now.toEpochMilli());
                insert.setLong(7, now.toEpochMilli());
                insert.executeUpdate();
            }
            // A new site's log opens with the site itself and the tenant's signing keys; an edge
            // starting from nothing takes a snapshot of everything else.
            List<Change> opening = new ArrayList<>();
            opening.add(new Change.Upsert(siteEntity(c, tenantId, id).orElseThrow()));
            TenantStore.signingKeys(c, tenantId).forEach(key -> opening.add(new Change.Upsert(key)));
            ChangeLog.append(c, tenantId, id, opening, now);
            return null;
        });
        return site(tenantId, id).orElseThrow();
    }

    public Optional<Views.SiteView> site(String tenantId, String siteId) {
        return database.read(c -> site(c, tenantId, siteId));
    }

    private static Optional<Views.SiteView> site(Connection c, String tenantId, String siteId) throws SQLException {
        try (PreparedStatement statement = c.prepareStatement("SELECT id, name, address, time_zone, change_seq,"
                + " created_at, updated_at FROM sites WHERE id = ? AND tenant_id = ?")) {
            statement.setString(1, siteId);
            statement.setString(2, tenantId);
            try (ResultSet rows = statement.executeQuery()) {
                if (!rows.next()) {
                    return Optional.empty();
                }
                return Optional.of(new Views.SiteView(
                        rows.getString(1),
                        rows.getString(2),
                        rows.getString(3),
                        rows.getString(4),
                        holidays(c, siteId),
                        rows.getLong(5),
                        Times.iso(rows.getLong(6)),
                        Times.iso(rows.getLong(7))));
            }
        }
    }

    public List<Views.SiteView> sites(String tenantId) {
        return database.read(c -> {
            List<Views.SiteView> sites = new ArrayList<>();
            for (String id : ChangeLog.siteIds(c, tenantId)) {
                site(c, tenantId, id).ifPresent(sites::add);
            }
            return sites;
        });
    }

    /** True when the site exists and belongs to the tenant. */
    public static boolean siteExists(Connection c, String tenantId, String siteId) throws SQLException {
        try (PreparedStatement statement = c.prepareStatement("SELECT 1 FROM sites WHERE id = ? AND tenant_id = ?")) {
            statement.setString(1, siteId);
            statement.setString(2, tenantId);
            try (ResultSet rows = statement.executeQuery()) {
                return rows.next();
            }
        }
    }

    /**
     * Writes the merged site only if it is still the version read at {@code readUpdatedAt}; a PATCH
     * must not put back a value another request has just changed.
     */
    public Optional<Views.SiteView> updateSite(String tenantId, String siteId, SiteInput input, long readUpdatedAt) {
        Instant now = clock.instant();
        boolean found = database.write(c -> {
            try (PreparedStatement update = c.prepareStatement("UPDATE sites SET name = ?, address = ?, time_zone = ?,"
                    + " updated_at = ? WHERE id = ? AND tenant_id = ? AND updated_at = ?")) {
                update.setString(1, input.name());
                update.setString(2, input.address());
                update.setString(3, input.zone().getId());
                update.setLong(4, Math.max(now.toEpochMilli(), readUpdatedAt + 1));
                update.setString(5, siteId);
                update.setString(6, tenantId);
                update.setLong(7, readUpdatedAt);
                if (update.executeUpdate() != 1) {
                    if (siteExists(c, tenantId, siteId)) {
                        throw stale("site", siteId);
                    }
                    return false;
                }
            }
            appendSite(c, tenantId, siteId, now);
            return true;
        });
        return found ? site(tenantId, siteId) : Optional.empty();
    }

    static StoreException stale(String what, String id) {
        return new StoreException(
                StoreError.STALE,
                what + " " + id + " was changed by another request meanwhile; read it again and retry");
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
    public Optional<Views.SiteView> replaceHolidays(String tenantId, String siteId, List<Views.Holiday> holidays) {
        Instant now = clock.instant();
        boolean found = database.write(c -> {
            if (!siteExists(c, tenantId, siteId)) {
                return false;
            }
            try (PreparedStatement delete = c.prepareStatement("DELETE FROM site_holidays WHERE site_id = ?")) {
                delete.setString(1, siteId);
                delete.executeUpdate();
            }
            try (PreparedStatement insert = c.prepareStatement(
                    "INSERT INTO site_holidays (site_id, tenant_id, day, name) VALUES (?, ?, ?, ?)")) {
                for (Views.Holiday holiday : holidays) {
                    insert.setString(1, siteId);
                    insert.setString(2, tenantId);
                    insert.setString(3, holiday.date());
                    insert.setString(4, holiday.name());
                    insert.addBatch();
                }
                insert.executeBatch();
            }
            try (PreparedStatement touch = c.prepareStatement("UPDATE sites SET updated_at = ? WHERE id = ?")) {
                touch.setLong(1, now.toEpochMilli());
                touch.setString(2, siteId);
                touch.executeUpdate();
            }
            appendSite(c, tenantId, siteId, now);
            return true;
        });
        return found ? site(tenantId, siteId) : Optional.empty();
    }

    private static List<Views.Holiday> holidays(Connection c, String siteId) throws SQLException {
        List<Views.Holiday> holidays = new ArrayList<>();
        try (PreparedStatement statement =
                c.prepareStatement("SELECT day, name FROM site_holidays WHERE site_id = ? ORDER BY day")) {
            statement.setString(1, siteId);
            try (ResultSet rows = statement.executeQuery()) {
                while (rows.next()) {
                    holidays.add(new Views.Holiday(rows.getString(1), rows.getString(2)));
                }
            }
        }
        return holidays;
    }

    /** The site as the protocol sends it to the edge. */
    public static Optional<Site> siteEntity(Connection c, String tenantId, String siteId) throws SQLException {
        try (PreparedStatement statement =
                c.prepareStatement("SELECT time_zone FROM sites WHERE id = ? AND tenant_id = ?")) {
            statement.setString(1, siteId);
            statement.setString(2, tenantId);
            try (ResultSet rows = statement.executeQuery()) {
                if (!rows.next()) {
                    return Optional.empty();
                }
                Set<LocalDate> days = new HashSet<>();
                for (Views.Holiday holiday : holidays(c, siteId)) {
                    days.add(LocalDate.parse(holiday.date()));
                }
                return Optional.of(new Site(siteId, ZoneId.of(rows.getString(1)), days));
            }
        }
    }

    // ---- doors

    public record DoorInput(
            String name,
            int unlockSeconds,
            DegradedMode untrustedClock,
            DegradedMode offlineMode,
            long offlineAfterSeconds) {}

    public Optional<Views.DoorView> createDoor(String tenantId, String siteId, DoorInput input) {
        String id = HubIds.next("door");
        Instant now = clock.instant();
        boolean found = database.write(c -> {
            if (!siteExists(c, tenantId, siteId)) {
                return false;
            }
            try (PreparedStatement insert = c.prepareStatement("INSERT INTO doors (id, tenant_id, site_id, name,"
                    + " unlock_seconds, untrusted_clock, offline_mode, offline_after_seconds, created_at, updated_at)"
                    + " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)")) {
                insert.setString(1, id);
                insert.setString(2, tenantId);
                insert.setString(3, siteId);
                bindDoor(insert, 4, input);
                insert.setLong(9, now.toEpochMilli());
                insert.setLong(10, now.toEpochMilli());
                insert.executeUpdate();
            }
            ChangeLog.append(
                    c,
                    tenantId,
                    siteId,
                    List.of(new Change.Upsert(doorEntity(c, tenantId, id).orElseThrow())),
                    now);
            return true;
        });
        return found ? door(tenantId, id) : Optional.empty();
    }

    private static void bindDoor(PreparedStatement statement, int first, DoorInput input) throws SQLException {
        statement.setString(first, input.name());
        statement.setInt(first + 1, input.unlockSeconds());
        statement.setString(first + 2, input.untrustedClock().name());
        statement.setString(first + 3, input.offlineMode().name());
        statement.setLong(first + 4, input.offlineAfterSeconds());
    }

    /** Writes the merged door only if it is still the version read at {@code readUpdatedAt}. */
    public Optional<Views.DoorView> updateDoor(String tenantId, String doorId, DoorInput input, long readUpdatedAt) {
        Instant now = clock.instant();
        boolean found = database.write(c -> {
            Optional<String> siteId = doorSite(c, tenantId, doorId);
            if (siteId.isEmpty()) {
                return false;
            }
            try (PreparedStatement update = c.prepareStatement("UPDATE doors SET name = ?, unlock_seconds = ?,"
                    + " untrusted_clock = ?, offline_mode = ?, offline_after_seconds = ?, updated_at = ?"
                    + " WHERE id = ? AND tenant_id = ? AND updated_at = ?")) {
                bindDoor(update, 1, input);
                update.setLong(6, Math.max(now.toEpochMilli(), readUpdatedAt + 1));
                update.setString(7, doorId);
                update.setString(8, tenantId);
                update.setLong(9, readUpdatedAt);
                if (update.executeUpdate() != 1) {
                    throw stale("door", doorId);
                }
            }
            ChangeLog.append(
                    c,
                    tenantId,
                    siteId.get(),
                    List.of(new Change.Upsert(doorEntity(c, tenantId, doorId).orElseThrow())),
                    now);
            return true;
        });
        return found ? door(tenantId, doorId) : Optional.empty();
    }

    /** Why a door cannot be deleted, if it cannot; empty when it was deleted; throws 404 upstream when absent. */
    public sealed interface DeleteResult permits Deleted, Missing, InUse {}

    public record Deleted() implements DeleteResult {}

    public record Missing() implements DeleteResult {}

    public record InUse(String reason) implements DeleteResult {}

    public DeleteResult deleteDoor(String tenantId, String doorId) {
        Instant now = clock.instant();
        return database.write(c -> {
            Optional<String> siteId = doorSite(c, tenantId, doorId);
            if (siteId.isEmpty()) {
                return new Missing();
            }
            List<String> groups =
                    strings(c, "SELECT group_id FROM door_group_doors WHERE door_id = ? ORDER BY group_id", doorId);
            if (!groups.isEmpty()) {
                return new InUse("door " + doorId + " is in door groups " + String.join(", ", groups)
                        + "; remove it from them first");
            }
            List<String> passes =
                    strings(c, "SELECT pass_id FROM visitor_pass_doors WHERE door_id = ? ORDER BY pass_id", doorId);
            if (!passes.isEmpty()) {
                return new InUse("door " + doorId + " is named by visitor passes " + String.join(", ", passes)
                        + "; revoke them first");
            }
            try (PreparedStatement delete = c.prepareStatement("DELETE FROM doors WHERE id = ? AND tenant_id = ?")) {
                delete.setString(1, doorId);
                delete.setString(2, tenantId);
                delete.executeUpdate();
            }
            ChangeLog.append(c, tenantId, siteId.get(), List.of(new Change.Remove(EntityKind.DOOR, doorId)), now);
            return new Deleted();
        });
    }

    /** The first column of every row {@code sql} selects with one string parameter. */
    public static List<String> strings(Connection c, String sql, String parameter) throws SQLException {
        List<String> values = new ArrayList<>();
        try (PreparedStatement statement = c.prepareStatement(sql)) {
            statement.setString(1, parameter);
            try (ResultSet rows = statement.executeQuery()) {
                while (rows.next()) {
                    values.add(rows.getString(1));
                }
            }
        }
        return values;
    }

    public static Optional<String> doorSite(Connection c, String tenantId, String doorId) throws SQLException {
        try (PreparedStatement statement =
                c.prepareStatement("SELECT site_id FROM doors WHERE id = ? AND tenant_id = ?")) {
            statement.setString(1, doorId);
            statement.setString(2, tenantId);
            try (ResultSet rows = statement.executeQuery()) {
                return rows.next() ? Optional.of(rows.getString(1)) : Optional.empty();
            }
        }
    }

    private static final String DOOR_COLUMNS = "id, site_id, name, unlock_seconds, untrusted_clock, offline_mode,"
            + " offline_after_seconds, created_at, updated_at";

    public Optional<Views.DoorView> door(String tenantId, String doorId) {
        return database.read(c -> {
            try (PreparedStatement statement =
                    c.prepareStatement("SELECT " + DOOR_COLUMNS + " FROM doors WHERE id = ? AND tenant_id = ?")) {
                statement.setString(1, doorId);
                statement.setString(2, tenantId);
                try (ResultSet rows = statement.executeQuery()) {
                    return rows.next() ? Optional.of(doorView(rows)) : Optional.empty();
                }
            }
        });
    }

    public List<Views.DoorView> doors(String tenantId, String siteId) {
        return database.read(c -> {
            List<Views.DoorView> doors = new ArrayList<>();
            try (PreparedStatement statement = c.prepareStatement(
                    "SELECT " + DOOR_COLUMNS + " FROM doors WHERE tenant_id = ? AND site_id = ? ORDER BY name, id")) {
                statement.setString(1, tenantId);
                statement.setString(2, siteId);
                try (ResultSet rows = statement.executeQuery()) {
                    while (rows.next()) {
                        doors.add(doorView(rows));
                    }
                }
            }
            return doors;
        });
    }

    private static Views.DoorView doorView(ResultSet rows) throws SQLException {
        return new Views.DoorView(
                rows.getString(1),
                rows.getString(2),
                rows.getString(3),
                rows.getInt(4),
                wire(rows.getString(5)),
                wire(rows.getString(6)),
                rows.getLong(7),
                Times.iso(rows.getLong(8)),
                Times.iso(rows.getLong(9)));
    }

    /** KEEP_GRANTING → keep-granting: enum values on the API are lower-case with dashes. */
    public static String wire(String enumName) {
        return enumName.toLowerCase(Locale.ROOT).replace('_', '-');
    }

    public static Optional<Door> doorEntity(Connection c, String tenantId, String doorId) throws SQLException {
        try (PreparedStatement statement = c.prepareStatement("SELECT name, unlock_seconds, untrusted_clock,"
                + " offline_mode, offline_after_seconds FROM doors WHERE id = ? AND tenant_id = ?")) {
            statement.setString(1, doorId);
            statement.setString(2, tenantId);
            try (ResultSet rows = statement.executeQuery()) {
                if (!rows.next()) {
                    return Optional.empty();
                }
                return Optional.of(new Door(
                        DoorId.of(doorId),
                        rows.getString(1),
                        Duration.ofSeconds(rows.getInt(2)),
                        DegradedMode.valueOf(rows.getString(3)),
                        DegradedMode.valueOf(rows.getString(4)),
                        Duration.ofSeconds(rows.getLong(5))));
            }
        }
    }

    // ---- door groups

    public sealed interface GroupResult permits GroupSaved, GroupMissing, UnknownDoors {}

    public record GroupSaved(Views.DoorGroupView group) implements GroupResult {}

    public record GroupMissing() implements GroupResult {}

    /** Doors named that are not doors of this site (another site's, another tenant's, or none). */
    public record UnknownDoors(List<String> doorIds) implements GroupResult {}

    public GroupResult createGroup(String tenantId, String siteId, String name, List<String> doorIds) {
        String id = HubIds.next("dg");
        Instant now = clock.instant();
        GroupResult result = database.write(c -> {
            if (!siteExists(c, tenantId, siteId)) {
                return new GroupMissing();
            }
            List<String> unknown = unknownDoors(c, tenantId, siteId, doorIds);
            if (!unknown.isEmpty()) {
                return new UnknownDoors(unknown);
            }
            try (PreparedStatement insert = c.prepareStatement("INSERT INTO door_groups (id, tenant_id, site_id, name,"
                    + " created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?)")) {
                insert.setString(1, id);
                insert.setString(2, tenantId);
                insert.setString(3, siteId);
                insert.setString(4, name);
                insert.setLong(5, now.toEpochMilli());
                insert.setLong(6, now.toEpochMilli());
                insert.executeUpdate();
            }
            setGroupDoors(c, id, doorIds);
            ChangeLog.append(
                    c,
                    tenantId,
                    siteId,
                    List.of(new Change.Upsert(groupEntity(c, tenantId, id).orElseThrow())),
                    now);
            return new GroupSaved(null);
        });
        return result instanceof GroupSaved ? new GroupSaved(group(tenantId, id).orElseThrow()) : result;
    }

    public GroupResult updateGroup(
            String tenantId, String groupId, Optional<String> name, Optional<List<String>> doorIds) {
        Instant now = clock.instant();
        GroupResult result = database.write(c -> {
            Optional<String> siteId = groupSite(c, tenantId, groupId);
            if (siteId.isEmpty()) {
                return new GroupMissing();
            }
            if (doorIds.isPresent()) {
                List<String> unknown = unknownDoors(c, tenantId, siteId.get(), doorIds.get());
                if (!unknown.isEmpty()) {
                    return new UnknownDoors(unknown);
                }
                try (PreparedStatement delete = c.prepareStatement("DELETE FROM door_group_doors WHERE group_id = ?")) {
                    delete.setString(1, groupId);
                    delete.executeUpdate();
                }
                setGroupDoors(c, groupId, doorIds.get());
            }
            try (PreparedStatement update = c.prepareStatement(
                    "UPDATE door_groups SET name = COALESCE(?, name), updated_at = ? WHERE id = ?")) {
                update.setString(1, name.orElse(null));
                update.setLong(2, now.toEpochMilli());
                update.setString(3, groupId);
                update.executeUpdate();
            }
            ChangeLog.append(
                    c,
                    tenantId,
                    siteId.get(),
                    List.of(new Change.Upsert(groupEntity(c, tenantId, groupId).orElseThrow())),
                    now);
            return new GroupSaved(null);
        });
        return result instanceof GroupSaved
                ? new GroupSaved(group(tenantId, groupId).orElseThrow())
                : result;
    }

    public DeleteResult deleteGroup(String tenantId, String groupId) {
        Instant now = clock.instant();
        return database.write(c -> {
            Optional<String> siteId = groupSite(c, tenantId, groupId);
            if (siteId.isEmpty()) {
                return new Missing();
            }
            List<String> plans = strings(
                    c, "SELECT plan_id FROM plan_door_groups WHERE door_group_id = ? ORDER BY plan_id", groupId);
            if (!plans.isEmpty()) {
                return new InUse("door group " + groupId + " is used by plans " + String.join(", ", plans)
                        + "; remove it from them first");
            }
            List<String> passes = strings(
                    c,
                    "SELECT pass_id FROM visitor_pass_door_groups WHERE door_group_id = ? ORDER BY pass_id",
                    groupId);
            if (!passes.isEmpty()) {
                return new InUse("door group " + groupId + " is named by visitor passes " + String.join(", ", passes)
                        + "; revoke them first");
            }
            try (PreparedStatement delete =
                    c.prepareStatement("DELETE FROM door_groups WHERE id = ? AND tenant_id = ?")) {
                delete.setString(1, groupId);
                delete.setString(2, tenantId);
                delete.executeUpdate();
            }
            ChangeLog.append(
                    c, tenantId, siteId.get(), List.of(new Change.Remove(EntityKind.DOOR_GROUP, groupId)), now);
            return new Deleted();
        });
    }

    private static void setGroupDoors(Connection c, String groupId, List<String> doorIds) throws SQLException {
        try (PreparedStatement insert =
                c.prepareStatement("INSERT INTO door_group_doors (group_id, door_id) VALUES (?, ?)")) {
            for (String doorId : doorIds) {
                insert.setString(1, groupId);
                insert.setString(2, doorId);
                insert.addBatch();
            }
            insert.executeBatch();
        }
    }

    private static List<String> unknownDoors(Connection c, String tenantId, String siteId, List<String> doorIds)
            throws SQLException {
        List<String> unknown = new ArrayList<>();
        for (String doorId : doorIds) {
            Optional<String> site = doorSite(c, tenantId, doorId);
            if (site.isEmpty() || !site.get().equals(siteId)) {
                unknown.add(doorId);
            }
        }
        return unknown;
    }

    public static Optional<String> groupSite(Connection c, String tenantId, String groupId) throws SQLException {
        try (PreparedStatement statement =
                c.prepareStatement("SELECT site_id FROM door_groups WHERE id = ? AND tenant_id = ?")) {
            statement.setString(1, groupId);
            statement.setString(2, tenantId);
            try (ResultSet rows = statement.executeQuery()) {
                return rows.next() ? Optional.of(rows.getString(1)) : Optional.empty();
            }
        }
    }

    public Optional<Views.DoorGroupView> group(String tenantId, String groupId) {
        return database.read(c -> group(c, tenantId, groupId));
    }

    private static Optional<Views.DoorGroupView> group(Connection c, String tenantId, String groupId)
            throws SQLException {
        try (PreparedStatement statement = c.prepareStatement("SELECT id, site_id, name, created_at, updated_at"
                + " FROM door_groups WHERE id = ? AND tenant_id = ?")) {
            statement.setString(1, groupId);
            statement.setString(2, tenantId);
            try (ResultSet rows = statement.executeQuery()) {
                if (!rows.next()) {
                    return Optional.empty();
                }
                return Optional.of(new Views.DoorGroupView(
                        rows.getString(1),
                        rows.getString(2),
                        rows.getString(3),
                        groupDoors(c, groupId),
                        Times.iso(rows.getLong(4)),
                        Times.iso(rows.getLong(5))));
            }
        }
    }

    public List<Views.DoorGroupView> groups(String tenantId, String siteId) {
        return database.read(c -> {
            List<Views.DoorGroupView> groups = new ArrayList<>();
            for (String id : strings(c, "SELECT id FROM door_groups WHERE site_id = ? ORDER BY name, id", siteId)) {
                group(c, tenantId, id).ifPresent(groups::add);
            }
            return groups;
        });
    }

    private static List<String> groupDoors(Connection c, String groupId) throws SQLException {
        return strings(c, "SELECT door_id FROM door_group_doors WHERE group_id = ? ORDER BY door_id", groupId);
    }

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

    // ---- devices

    public Optional<Views.DeviceView> createDevice(String tenantId, String siteId, String name) {
        String id = HubIds.next("dev");
        long now = clock.millis();
        boolean found = database.write(c -> {
            if (!siteExists(c, tenantId, siteId)) {
                return false;
            }
            try (PreparedStatement insert = c.prepareStatement("INSERT INTO devices (id, tenant_id, site_id, name,"
                    + " status, created_at, updated_at) VALUES (?, ?, ?, ?, 'pending', ?, ?)")) {
                insert.setString(1, id);
                insert.setString(2, tenantId);
                insert.setString(3, siteId);
                insert.setString(4, name);
                insert.setLong(5, now);
                insert.setLong(6, now);
                insert.executeUpdate();
            }
            return true;
        });
        return found ? device(tenantId, id) : Optional.empty();
    }

    public Optional<Views.DeviceView> updateDevice(
            String tenantId, String deviceId, Optional<String> name, Optional<String> status) {
        boolean found = database.write(c -> {
            try (PreparedStatement update = c.prepareStatement("UPDATE devices SET name = COALESCE(?, name),"
                    + " status = COALESCE(?, status), updated_at = ? WHERE id = ? AND tenant_id = ?")) {
                update.setString(1, name.orElse(null));
                update.setString(2, status.orElse(null));
                update.setLong(3, clock.millis());
                update.setString(4, deviceId);
                update.setString(5, tenantId);
                return update.executeUpdate() == 1;
            }
        });
        return found ? device(tenantId, deviceId) : Optional.empty();
    }

    private static final String DEVICE_COLUMNS =
            "id, site_id, name, status, version, last_seen_at, acked_seq, created_at, updated_at";

    public Optional<Views.DeviceView> device(String tenantId, String deviceId) {
        return database.read(c -> {
            try (PreparedStatement statement =
                    c.prepareStatement("SELECT " + DEVICE_COLUMNS + " FROM devices WHERE id = ? AND tenant_id = ?")) {
                statement.setString(1, deviceId);
                statement.setString(2, tenantId);
                try (ResultSet rows = statement.executeQuery()) {
                    return rows.next() ? Optional.of(deviceView(rows)) : Optional.empty();
                }
            }
        });
    }

    public List<Views.DeviceView> devices(String tenantId, String siteId) {
        return database.read(c -> {
            List<Views.DeviceView> devices = new ArrayList<>();
            try (PreparedStatement statement = c.prepareStatement("SELECT " + DEVICE_COLUMNS
                    + " FROM devices WHERE tenant_id = ? AND site_id = ? ORDER BY name, id")) {
                statement.setString(1, tenantId);
                statement.setString(2, siteId);
                try (ResultSet rows = statement.executeQuery()) {
                    while (rows.next()) {
                        devices.add(deviceView(rows));
                    }
                }
            }
            return devices;
        });
    }

    private static Views.DeviceView deviceView(ResultSet rows) throws SQLException {
        long lastSeen = rows.getLong(6);
        boolean seen = !rows.wasNull();
        long acked = rows.getLong(7);
        boolean hasAcked = !rows.wasNull();
        return new Views.DeviceView(
                rows.getString(1),
                rows.getString(2),
                rows.getString(3),
                rows.getString(4),
                rows.getString(5),
                seen ? Times.iso(lastSeen) : null,
                hasAcked ? acked : null,
                Times.iso(rows.getLong(8)),
                Times.iso(rows.getLong(9)));
    }
}
