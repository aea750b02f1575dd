package dev.gatehouse.hub.rooms;

import dev.gatehouse.hub.sites.ResourceKind;
import dev.gatehouse.hub.store.Sql;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

/**
 * Which bookable resource an edge's room is. The edge names its rooms in its own config, which a
 * technician may have written before the rooms were made bookable at the hub, so the id alone is not
 * enough: a room is
 *
 * <ol>
 *   <li>the site's resource whose id is the room's id; else
 *   <li>the site's room-like resource (meeting room, phone booth, event space — never a desk, whose
 *       doors are the site's entrances) whose doors share one with the room's doors; when several do,
 *       the one whose doors are exactly the room's, then the only one that is not a part of another;
 *   <li>none, when that still leaves more than one: the room is shown under its own id only.
 * </ol>
 */
final class RoomResources {
    private record Candidate(String id, boolean part, Set<String> doors) {}

    private final Set<String> ids;
    private final List<Candidate> rooms;

    private RoomResources(Set<String> ids, List<Candidate> rooms) {
        this.ids = ids;
        this.rooms = rooms;
    }

    /** The site's resources and their doors, read once per answer. */
    static RoomResources load(Connection c, String tenantId, String siteId) throws SQLException {
        Set<String> ids = new TreeSet<>(Sql.list(
                c, "SELECT id FROM resources WHERE tenant_id = ? AND site_id = ?", Sql.STRING, tenantId, siteId));
        Map<String, Candidate> rooms = new LinkedHashMap<>();
        List<String> kinds = List.of(
                ResourceKind.MEETING_ROOM.name(), ResourceKind.PHONE_BOOTH.name(), ResourceKind.EVENT_SPACE.name());
        Sql.list(
                        c,
                        "SELECT r.id, r.parent_id, rd.door_id FROM resources r"
                                + " JOIN resource_doors rd ON rd.resource_id = r.id"
                                + " WHERE r.tenant_id = ? AND r.site_id = ? AND r.kind IN (?, ?, ?) ORDER BY r.id",
                        row -> new String[] {row.getString(1), row.getString(2), row.getString(3)},
                        tenantId,
                        siteId,
                        kinds.get(0),
                        kinds.get(1),
                        kinds.get(2))
                .forEach(row -> rooms.computeIfAbsent(row[0], id -> new Candidate(id, row[1] != null, new TreeSet<>()))
                        .doors()
                        .add(row[2]));
        return new RoomResources(ids, List.copyOf(rooms.values()));
    }

    /** The resource the room {@code roomId} behind {@code doors} is, if exactly one. */
    Optional<String> of(String roomId, Collection<String> doors) {
        if (ids.contains(roomId)) {
            return Optional.of(roomId);
        }
        Set<String> own = new TreeSet<>(doors);
        List<Candidate> sharing = rooms.stream()
                .filter(room -> room.doors().stream().anyMatch(own::contains))
                .toList();
        List<Candidate> exact =
                sharing.stream().filter(room -> room.doors().equals(own)).toList();
        List<Candidate> pick = exact.isEmpty() ? sharing : exact;
        if (pick.size() > 1) {
            pick = pick.stream().filter(room -> !room.part()).toList();
        }
        return pick.size() == 1 ? Optional.of(pick.getFirst().id()) : Optional.empty();
    }
}
