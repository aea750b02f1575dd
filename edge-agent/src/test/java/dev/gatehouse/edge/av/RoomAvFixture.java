package dev.gatehouse.edge.av;

import dev.gatehouse.sim.av.AvPoint;
import dev.gatehouse.sim.av.SimRoomController;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.util.EnumMap;
import java.util.Map;

/** Room setups mapped to a simulated controller's documented node ids (hardware-sim/README.md). */
final class RoomAvFixture {
    private RoomAvFixture() {}

    /** The room's setup with every node the simulated room has, and the default scene. */
    static RoomSetup setup(SimRoomController controller, String room) {
        return setup(controller, room, RoomScene.defaults());
    }

    static RoomSetup setup(SimRoomController controller, String room, RoomScene scene) {
        Map<RoomFunction, String> nodes = new EnumMap<>(RoomFunction.class);
        for (RoomFunction function : RoomFunction.values()) {
            controller.nodeId(room, point(function)).ifPresent(node -> nodes.put(function, node));
        }
        return new RoomSetup(room, controller.endpointUrl(), nodes, scene);
    }

    static AvPoint point(RoomFunction function) {
        return switch (function) {
            case DISPLAY_POWER -> AvPoint.DISPLAY_POWER;
            case DISPLAY_INPUT -> AvPoint.DISPLAY_INPUT;
            case JOIN_LINK -> AvPoint.JOIN_LINK;
            case LIGHTS_LEVEL -> AvPoint.LIGHTS_LEVEL;
            case HVAC_SETPOINT -> AvPoint.HVAC_SETPOINT;
            case PRESENCE -> AvPoint.PRESENCE;
        };
    }

    /** A TCP port of 127.0.0.1 nothing listens on (a controller that is not there). */
    static int freePort() throws IOException {
        try (ServerSocket probe = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return probe.getLocalPort();
        }
    }
}
