package dev.gatehouse.hub.sites;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import dev.gatehouse.hub.changes.ChangeLog;
import dev.gatehouse.hub.store.Database;
import dev.gatehouse.hub.store.HubIds;
import dev.gatehouse.hub.store.Sql;
import dev.gatehouse.hub.store.StoreResult;
import dev.gatehouse.hub.store.WireNames;
import dev.gatehouse.hub.web.Json;
import dev.gatehouse.hub.web.Times;
import dev.gatehouse.protocol.message.Change;
import dev.gatehouse.protocol.model.DegradedMode;
import dev.gatehouse.protocol.model.Door;
import dev.gatehouse.protocol.model.DoorId;
import dev.gatehouse.protocol.model.EntityKind;
import dev.gatehouse.protocol.model.TimeWindow;
import java.io.IOException;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.time.DayOfWeek;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
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
            + " offline_after_seconds, created_at, updated_at, held_open_seconds, office_hours";

    /**
     * A door as written; {@code heldOpenSeconds} and {@code officeHours} empty leave them to the edge's
     * own configuration, present they are pushed to the site's edges (office hours may be pushed empty).
     */
    public record DoorInput(
            String name,
            int unlockSeconds,
            DegradedMode untrustedClock,
            DegradedMode offlineMode,
            long offlineAfterSeconds,
            Optional<Integer> heldOpenSeconds,
            Optional<List<TimeWindow>> officeHours) {
        public DoorInput(
                String name,
                int unlockSeconds,
                DegradedMode untrustedClock,
                DegradedMode offlineMode,
                long offlineAfterSeconds) {
            this(
                    name,
                    unlockSeconds,
                    untrustedClock,
                    offlineMode,
                    offlineAfterSeconds,
                    Optional.empty(),
                    Optional.empty());
        }

        boolean pushesPolicy() {
            return heldOpenSeconds.isPresent() || officeHours.isPresent();
        }
    }

    public StoreResult<Views.DoorView> createDoor(String tenantId, String siteId, DoorInput input) {
        String id = HubIds.next("door");
        Instant now = clock.instant();
        StoreResult<Boolean> written = database.write(c -> {
            if (!SiteStore.siteExists(c, tenantId, siteId)) {
                return new StoreResult.NotFound<>("site", siteId);
            }
            Optional<String> refused = input.pushesPolicy() ? policyRefusal(c, tenantId, siteId) : Optional.empty();
            if (refused.isPresent()) {
                return new StoreResult.Conflict<>(refused.get());
            }
            Sql.update(
                    c,
                    "INSERT INTO doors (id, tenant_id, site_id, name, unlock_seconds, untrusted_clock, offline_mode,"
                            + " offline_after_seconds, held_open_seconds, office_hours, created_at, updated_at)"
                            + " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    id,
                    tenantId,
                    siteId,
                    input.name(),
                    input.unlockSeconds(),
                    input.untrustedClock(),
                    input.offlineMode(),
                    input.offlineAfterSeconds(),
                    input.heldOpenSeconds().map(Integer::longValue),
                    input.officeHours().map(DoorStore::officeHoursJson),
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
            Optional<String> refused =
                    input.pushesPolicy() ? policyRefusal(c, tenantId, siteId.get()) : Optional.empty();
            if (refused.isPresent()) {
                return new StoreResult.Conflict<>(refused.get());
            }
            int changed = Sql.update(
                    c,
                    "UPDATE doors SET name = ?, unlock_seconds = ?, untrusted_clock = ?, offline_mode = ?,"
                            + " offline_after_seconds = ?, held_open_seconds = ?, office_hours = ?, updated_at = ?"
                            + " WHERE id = ? AND tenant_id = ? AND updated_at = ?",
                    input.name(),
                    input.unlockSeconds(),
                    input.untrustedClock(),
                    input.offlineMode(),
                    input.offlineAfterSeconds(),
                    input.heldOpenSeconds().map(Integer::longValue),
                    input.officeHours().map(DoorStore::officeHoursJson),
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
        long held = row.getLong(10);
        Long heldOpen = row.wasNull() ? null : held;
        List<Views.OfficeHours> hours = officeHours(row.getString(11))
                .map(windows -> windows.stream()
                        .map(w -> new Views.OfficeHours(
                                w.day().name().toLowerCase(Locale.ROOT),
                                TimeWindow.format(w.startMinute()),
                                TimeWindow.format(w.endMinute())))
                        .toList())
                .orElse(null);
        return new Views.DoorView(
                row.getString(1),
                row.getString(2),
                row.getString(3),
                row.getInt(4),
                WireNames.wire(row.getString(5)),
                WireNames.wire(row.getString(6)),
                row.getLong(7),
                heldOpen,
                hours,
                Times.iso(row.getLong(8)),
                Times.iso(row.getLong(9)));
    }

    /**
     * Why the site cannot take pushed door policy now, if it cannot: one of its active devices has not
     * said (in its device state) that it reads it, so the entity would stop that edge's sync.
     */
    static Optional<String> policyRefusal(Connection c, String tenantId, String siteId) throws SQLException {
        record Device(String id, String name, String version, String features) {}
        List<String> behind = new ArrayList<>();
        for (Device device : Sql.list(
                c,
                "SELECT id, name, version, features FROM devices WHERE tenant_id = ? AND site_id = ? AND status = 'active'"
                        + " ORDER BY name, id",
                r -> new Device(r.getString(1), r.getString(2), r.getString(3), r.getString(4)),
                tenantId,
                siteId)) {
            String features = device.features() == null ? "" : device.features();
            if (!Arrays.asList(features.split(",")).contains(Door.POLICY_FEATURE)) {
                behind.add(device.name() + " (" + device.id() + ", "
                        + (device.version() == null ? "never reported" : "agent " + device.version()) + ")");
            }
        }
        if (behind.isEmpty()) {
            return Optional.empty();
        }
        return Optional.of("the held-open time and office hours are pushed to the site's edges, and "
                + String.join(", ", behind) + (behind.size() == 1 ? " does" : " do")
                + " not apply pushed door policy yet: upgrade (or start) them, or retire them, then try again;"
                + " until then each edge's own configuration decides");
    }

    private static String officeHoursJson(List<TimeWindow> windows) {
        ArrayNode array = Json.MAPPER.createArrayNode();
        for (TimeWindow window : windows) {
            array.addObject()
                    .put("day", window.day().name().toLowerCase(Locale.ROOT))
                    .put("start", TimeWindow.format(window.startMinute()))
                    .put("end", TimeWindow.format(window.endMinute()));
        }
        return array.toString();
    }

    private static Optional<List<TimeWindow>> officeHours(String json) {
        if (json == null) {
            return Optional.empty();
        }
        try {
            List<TimeWindow> windows = new ArrayList<>();
            for (JsonNode node : Json.MAPPER.readTree(json)) {
                windows.add(TimeWindow.of(
                        DayOfWeek.valueOf(node.get("day").asText().toUpperCase(Locale.ROOT)),
                        node.get("start").asText(),
                        node.get("end").asText()));
            }
            return Optional.of(List.copyOf(windows));
        } catch (IOException | RuntimeException e) {
            throw new IllegalStateException("doors.office_hours is not the JSON the hub writes: " + json, e);
        }
    }

    /** The door as the protocol sends it to the edge. */
    public static Optional<Door> doorEntity(Connection c, String tenantId, String doorId) throws SQLException {
        return Sql.one(
                c,
                "SELECT name, unlock_seconds, untrusted_clock, offline_mode, offline_after_seconds, held_open_seconds,"
                        + " office_hours FROM doors WHERE id = ? AND tenant_id = ?",
                row -> {
                    long held = row.getLong(6);
                    Optional<Duration> heldOpen =
                            row.wasNull() ? Optional.empty() : Optional.of(Duration.ofSeconds(held));
                    return new Door(
                            DoorId.of(doorId),
                            row.getString(1),
                            Duration.ofSeconds(row.getInt(2)),
                            DegradedMode.valueOf(row.getString(3)),
                            DegradedMode.valueOf(row.getString(4)),
                            Duration.ofSeconds(row.getLong(5)),
                            heldOpen,
                            officeHours(row.getString(7)));
                },
                doorId,
                tenantId);
    }
}
