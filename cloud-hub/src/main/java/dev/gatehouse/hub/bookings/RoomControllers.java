package dev.gatehouse.hub.bookings;

import com.fasterxml.jackson.core.type.TypeReference;
import dev.gatehouse.hub.changes.ChangeLog;
import dev.gatehouse.hub.sites.EdgeFeatures;
import dev.gatehouse.hub.store.Sql;
import dev.gatehouse.hub.web.Json;
import dev.gatehouse.protocol.message.Change;
import dev.gatehouse.protocol.model.DoorId;
import dev.gatehouse.protocol.model.Entity;
import dev.gatehouse.protocol.model.EntityKind;
import dev.gatehouse.protocol.model.Room;
import java.io.IOException;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;

/**
 * Rooms' A/V controllers as the site's edges get them: a resource with a controller and at least one
 * door is a {@code room} entity (protocol feature {@link Room#FEATURE}). Edges that predate the
 * entity refuse a batch that carries it, so a site gets rooms only while every active edge of it
 * reports the feature, and gets them all again when its last edge without it does.
 */
public final class RoomControllers {
    private RoomControllers() {}

    private static final TypeReference<TreeMap<String, String>> NODES = new TypeReference<>() {};

    /** The resource's room as its site's edges get it; empty when it has no controller or no door. */
    static Optional<Room> entity(Connection c, String tenantId, String resourceId) throws SQLException {
        Optional<String[]> row = Sql.one(
                c,
                "SELECT endpoint, nodes FROM room_controllers WHERE resource_id = ? AND tenant_id = ?",
                r -> new String[] {r.getString(1), r.getString(2)},
                resourceId,
                tenantId);
        if (row.isEmpty()) {
            return Optional.empty();
        }
        Set<DoorId> doors = new LinkedHashSet<>();
        for (String door : Sql.list(
                c,
                "SELECT door_id FROM resource_doors WHERE resource_id = ? ORDER BY door_id",
                Sql.STRING,
                resourceId)) {
            doors.add(DoorId.of(door));
        }
        if (doors.isEmpty() || doors.size() > Room.MAX_DOORS) {
            return Optional.empty();
        }
        return Optional.of(new Room(resourceId, doors, row.get()[0], nodes(row.get()[1])));
    }

    /** Every room of the site, in resource id order: what a snapshot carries. */
    public static List<Room> live(Connection c, String tenantId, String siteId) throws SQLException {
        List<Room> rooms = new ArrayList<>();
        for (String resourceId : Sql.list(
                c,
                "SELECT rc.resource_id FROM room_controllers rc JOIN resources r ON r.id = rc.resource_id"
                        + " WHERE rc.tenant_id = ? AND r.site_id = ? ORDER BY rc.resource_id",
                Sql.STRING,
                tenantId,
                siteId)) {
            entity(c, tenantId, resourceId).ifPresent(rooms::add);
        }
        return rooms;
    }

    /** Tells the resource's site what its room now is: an upsert, or a removal when it has none. */
    static void logChange(Connection c, String tenantId, String siteId, String resourceId, Instant now)
            throws SQLException {
        Change change = entity(c, tenantId, resourceId)
                .<Change>map(Change.Upsert::new)
                .orElseGet(() -> new Change.Remove(EntityKind.ROOM, resourceId));
        ChangeLog.append(c, tenantId, siteId, List.of(change), now);
    }

    /**
     * Whether every active edge of the site reads {@code room} entities (a site with no edge does:
     * nothing there would misread them). A device that has not reported its features yet does not.
     */
    public static boolean siteReads(Connection c, String tenantId, String siteId) throws SQLException {
        return EdgeFeatures.siteReads(c, tenantId, siteId, Room.FEATURE);
    }

    /** The site's active edges that have not reported {@link Room#FEATURE}: "Front desk Pi (dev-1, agent 0.9.0)". */
    static List<String> edgesBehind(Connection c, String tenantId, String siteId) throws SQLException {
        return EdgeFeatures.edgesBehind(c, tenantId, siteId, Room.FEATURE);
    }

    /** The entities as a site reads them: without rooms unless it reads them. */
    public static List<Entity> forSite(List<Entity> entities, boolean reads) {
        return reads
                ? entities
                : entities.stream().filter(entity -> !(entity instanceof Room)).toList();
    }

    /** Whether a change is about a room (an upsert or a removal): what a site that cannot read rooms is not sent. */
    public static boolean isRoom(Change change) {
        return change.kind() == EntityKind.ROOM;
    }

    static Map<String, String> nodes(String json) {
        try {
            return Json.MAPPER.readValue(json, NODES);
        } catch (IOException e) {
            throw new IllegalStateException("room_controllers.nodes is not the JSON the hub writes: " + json, e);
        }
    }
}
