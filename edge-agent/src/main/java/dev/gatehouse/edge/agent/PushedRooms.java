package dev.gatehouse.edge.agent;

import dev.gatehouse.edge.av.RoomFunction;
import dev.gatehouse.edge.av.RoomScene;
import dev.gatehouse.edge.config.EdgeConfig;
import dev.gatehouse.protocol.model.DoorId;
import dev.gatehouse.protocol.model.Room;
import java.util.ArrayList;
import java.util.Collection;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The rooms this edge runs: its config's, with the rooms the hub pushed ({@code room} entities)
 * taking their place. A pushed room runs here when one of its doors is wired to this edge; it
 * replaces every configured room with its id or with a door in common, and keeps the scene and
 * standby values of the one with its id (else of the first at its doors) (a value for a function the pushed nodes lack is never written). A pushed room the
 * hub removes gives the room back to the config.
 */
final class PushedRooms {
    private PushedRooms() {}

    /** Pushed rooms first (in id order), then the configured rooms none of them replaces (in config order). */
    static List<EdgeConfig.Room> effective(
            List<EdgeConfig.Room> configured, Collection<Room> pushed, Set<String> wiredDoors) {
        List<EdgeConfig.Room> out = new ArrayList<>();
        List<EdgeConfig.Room> replaced = new ArrayList<>();
        for (Room room :
                pushed.stream().sorted(java.util.Comparator.comparing(Room::id)).toList()) {
            List<String> doors =
                    room.doors().stream().map(DoorId::value).sorted().toList();
            if (doors.stream().noneMatch(wiredDoors::contains)) {
                continue; // another edge of the site has the room's door
            }
            // Every configured room it meets goes (a door leads into one room); the one with its id,
            // else the first at its doors, lends its name and scene.
            List<EdgeConfig.Room> met = configured.stream()
                    .filter(candidate -> candidate.id().equals(room.id())
                            || candidate.doors().stream().anyMatch(doors::contains))
                    .toList();
            replaced.addAll(met);
            Optional<EdgeConfig.Room> local = met.stream()
                    .filter(candidate -> candidate.id().equals(room.id()))
                    .findFirst()
                    .or(() -> met.stream().findFirst());
            out.add(new EdgeConfig.Room(
                    room.id(),
                    local.map(EdgeConfig.Room::name).orElse(room.id()),
                    doors,
                    room.controller(),
                    nodes(room.nodes()),
                    local.map(EdgeConfig.Room::scene).orElseGet(RoomScene::defaults)));
        }
        for (EdgeConfig.Room room : configured) {
            if (replaced.stream().noneMatch(taken -> taken == room)) {
                out.add(room);
            }
        }
        return List.copyOf(out);
    }

    private static Map<RoomFunction, String> nodes(Map<String, String> nodes) {
        Map<RoomFunction, String> out = new EnumMap<>(RoomFunction.class);
        nodes.forEach((key, node) -> out.put(
                RoomFunction.ofKey(key)
                        .orElseThrow(() -> new IllegalStateException(
                                "the protocol's room function '" + key + "' has no RoomFunction")),
                node));
        return out;
    }
}
