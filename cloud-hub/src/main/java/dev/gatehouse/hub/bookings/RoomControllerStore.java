package dev.gatehouse.hub.bookings;

import dev.gatehouse.hub.sites.ResourceKind;
import dev.gatehouse.hub.store.Database;
import dev.gatehouse.hub.store.FieldError;
import dev.gatehouse.hub.store.Sql;
import dev.gatehouse.hub.store.StoreResult;
import dev.gatehouse.hub.web.Json;
import dev.gatehouse.protocol.model.Room;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A bookable room's A/V controller: its OPC UA endpoint and node mapping, held on the resource and
 * synced to the site's edges ({@link RoomControllers}). Every write logs the room's change for the
 * site in the same transaction.
 */
public record RoomControllerStore(Database database, Clock clock) {
    /** The resource kinds that are rooms: a desk has no display of its own. */
    static final List<ResourceKind> ROOM_KINDS =
            List.of(ResourceKind.MEETING_ROOM, ResourceKind.PHONE_BOOTH, ResourceKind.EVENT_SPACE);

    /**
     * A room's controller as the API shows it; {@code edgesBehind} names the site's active edges that
     * do not run rooms from the hub yet (they get it once they report the feature).
     */
    public record Controller(
            String resourceId,
            String siteId,
            String endpoint,
            Map<String, String> nodes,
            List<String> edgesBehind,
            Instant createdAt,
            Instant updatedAt) {}

    public Optional<Controller> find(String tenantId, String resourceId) {
        return database.read(c -> find(c, tenantId, resourceId));
    }

    /** Sets (or replaces) the resource's controller; the room reaches the site's edges with the change. */
    public StoreResult<Controller> put(String tenantId, String resourceId, String endpoint, Map<String, String> nodes) {
        Instant now = clock.instant();
        return database.write(c -> {
            Optional<Resource> resource = ResourceStore.find(c, tenantId, resourceId);
            if (resource.isEmpty()) {
                return new StoreResult.NotFound<>("resource", resourceId);
            }
            List<FieldError> errors = problems(
                    c,
                    tenantId,
                    resourceId,
                    resource.get().kind(),
                    resource.get().doorIds(),
                    true);
            if (!errors.isEmpty()) {
                return new StoreResult.Invalid<>(errors);
            }
            String json =
                    Json.MAPPER.valueToTree(new java.util.TreeMap<>(nodes)).toString();
            if (Sql.update(
                            c,
                            "UPDATE room_controllers SET endpoint = ?, nodes = ?, updated_at = ?"
                                    + " WHERE resource_id = ? AND tenant_id = ?",
                            endpoint,
                            json,
                            now.toEpochMilli(),
                            resourceId,
                            tenantId)
                    == 0) {
                Sql.update(
                        c,
                        "INSERT INTO room_controllers (resource_id, tenant_id, endpoint, nodes, created_at, updated_at)"
                                + " VALUES (?, ?, ?, ?, ?, ?)",
                        resourceId,
                        tenantId,
                        endpoint,
                        json,
                        now.toEpochMilli(),
                        now.toEpochMilli());
            }
            RoomControllers.logChange(c, tenantId, resource.get().siteId(), resourceId, now);
            return StoreResult.found(find(c, tenantId, resourceId).orElseThrow());
        });
    }

    /** Removes the resource's controller: the edge at its door goes back to its own config for the room. */
    public StoreResult<Controller> remove(String tenantId, String resourceId) {
        Instant now = clock.instant();
        return database.write(c -> {
            Optional<Controller> current = find(c, tenantId, resourceId);
            if (current.isEmpty()) {
                return new StoreResult.NotFound<>("room controller of resource", resourceId);
            }
            Sql.update(c, "DELETE FROM room_controllers WHERE resource_id = ? AND tenant_id = ?", resourceId, tenantId);
            RoomControllers.logChange(c, tenantId, current.get().siteId(), resourceId, now);
            return StoreResult.found(current.get());
        });
    }

    /**
     * What stops the resource from having a controller with this kind and these doors: a desk, no
     * door or too many, or a door that leads into another room with a controller (an edge runs one
     * room per door). {@code setting}: the check is for a new controller, not a resource edit.
     */
    static List<FieldError> problems(
            Connection c, String tenantId, String resourceId, ResourceKind kind, List<String> doorIds, boolean setting)
            throws SQLException {
        if (!setting
                && !Sql.exists(
                        c,
                        "SELECT 1 FROM room_controllers WHERE resource_id = ? AND tenant_id = ?",
                        resourceId,
                        tenantId)) {
            return List.of();
        }
        String field = setting ? "resource" : "kind";
        String fix = setting ? "" : "; remove its room controller first";
        List<FieldError> errors = new ArrayList<>();
        if (!ROOM_KINDS.contains(kind)) {
            errors.add(new FieldError(
                    field,
                    "a " + kind.name().toLowerCase(java.util.Locale.ROOT).replace('_', ' ')
                            + " has no room controller; only meeting rooms, phone booths and event spaces do" + fix));
        }
        if (doorIds.isEmpty() || doorIds.size() > Room.MAX_DOORS) {
            errors.add(new FieldError(
                    setting ? "resource" : "doorIds",
                    "a room with a controller needs 1 to " + Room.MAX_DOORS + " doors (the edge at its door runs it),"
                            + " not " + doorIds.size()
                            + (setting ? "; give the resource the doors that lead into the room first" : fix)));
        }
        for (String door : doorIds) {
            Optional<String> other = Sql.one(
                    c,
                    "SELECT r.name FROM room_controllers rc JOIN resource_doors d ON d.resource_id = rc.resource_id"
                            + " JOIN resources r ON r.id = rc.resource_id"
                            + " WHERE rc.tenant_id = ? AND d.door_id = ? AND rc.resource_id <> ?",
                    Sql.STRING,
                    tenantId,
                    door,
                    resourceId);
            if (other.isPresent()) {
                errors.add(new FieldError(
                        setting ? "resource" : "doorIds",
                        "door '" + door + "' leads into '" + other.get()
                                + "', which has a room controller; a door leads into one room with A/V"));
            }
        }
        return errors;
    }

    private static Optional<Controller> find(Connection c, String tenantId, String resourceId) throws SQLException {
        record Row(String siteId, String endpoint, String nodes, long createdAt, long updatedAt) {}
        Optional<Row> row = Sql.one(
                c,
                "SELECT r.site_id, rc.endpoint, rc.nodes, rc.created_at, rc.updated_at FROM room_controllers rc"
                        + " JOIN resources r ON r.id = rc.resource_id WHERE rc.resource_id = ? AND rc.tenant_id = ?",
                r -> new Row(r.getString(1), r.getString(2), r.getString(3), r.getLong(4), r.getLong(5)),
                resourceId,
                tenantId);
        if (row.isEmpty()) {
            return Optional.empty();
        }
        return Optional.of(new Controller(
                resourceId,
                row.get().siteId(),
                row.get().endpoint(),
                RoomControllers.nodes(row.get().nodes()),
                RoomControllers.edgesBehind(c, tenantId, row.get().siteId()),
                Instant.ofEpochMilli(row.get().createdAt()),
                Instant.ofEpochMilli(row.get().updatedAt())));
    }
}
