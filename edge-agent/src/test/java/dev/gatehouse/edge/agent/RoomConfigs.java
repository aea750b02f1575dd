package dev.gatehouse.edge.agent;

import java.util.Map;
import java.util.TreeMap;

/** The {@code rooms} section of a test config: the room {@code huddle} at the demo door. */
public final class RoomConfigs {
    private RoomConfigs() {}

    /** YAML to append to the demo site's config; {@code nodes} maps a function's key to its node id. */
    public static String huddle(String controller, Map<String, String> nodes) {
        StringBuilder yaml = new StringBuilder("""
                rooms:
                  - id: huddle
                    doors: [main-entrance]
                    controller: %s
                    nodes:
                """.formatted(controller));
        new TreeMap<>(nodes).forEach((function, node) -> yaml.append("      ")
                .append(function)
                .append(": ")
                .append(node)
                .append('\n'));
        return yaml.toString();
    }
}
