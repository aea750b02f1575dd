package dev.gatehouse.edge.av;

import java.util.EnumMap;
import java.util.Map;
import java.util.Objects;

/**
 * One room's A/V: its id, the endpoint of its controller ({@code opc.tcp://host:port/path}), the
 * controller's node for each function it has (in the standard text form, {@code ns=2;s=…} or
 * {@code nsu=URI;s=…}), and its scene. Rooms may share a controller.
 */
public record RoomSetup(String room, String controller, Map<RoomFunction, String> nodes, RoomScene scene) {
    public RoomSetup {
        Objects.requireNonNull(room, "room");
        Objects.requireNonNull(controller, "controller");
        Objects.requireNonNull(scene, "scene");
        nodes = nodes.isEmpty() ? Map.of() : Map.copyOf(new EnumMap<>(nodes));
    }

    /** Whether the room's controller has a node for {@code function}. */
    public boolean has(RoomFunction function) {
        return nodes.containsKey(function);
    }
}
