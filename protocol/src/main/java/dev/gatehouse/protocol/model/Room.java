package dev.gatehouse.protocol.model;

import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A meeting room's A/V controller as the hub holds it on a bookable resource: the OPC UA endpoint
 * of the room's controller and the controller's node for each function the room has. {@code id} is
 * the resource's id; {@code doors} the doors that lead into the room (the edge that drives one of
 * them runs the room, from the bookings that open them). Wiring of doors is never part of it. Only
 * edges that report the {@link #FEATURE} feature read it, and the hub sends it only to sites whose
 * edges all do.
 */
public record Room(String id, Set<DoorId> doors, String controller, Map<String, String> nodes) implements Entity {
    /** What an edge lists in its device state's features when it runs rooms the hub pushes. */
    public static final String FEATURE = "room-config";

    public static final int MAX_DOORS = 16;
    public static final int MAX_ENDPOINT = 200;
    public static final int MAX_NODE_ID = 200;

    /** The functions a room's controller may have a node for, as the wire names them. */
    public static final List<String> FUNCTIONS =
            List.of("display-power", "display-input", "join-link", "lights-level", "hvac-setpoint", "presence");

    /** {@code opc.tcp://host:port/path}: a host name, an IPv4 address or a bracketed IPv6 one, a port, a path. */
    private static final Pattern ENDPOINT =
            Pattern.compile("opc\\.tcp://([A-Za-z0-9.\\-]+|\\[[0-9A-Fa-f:]+\\]):(\\d{1,5})(/\\S*)?");

    /** A node id in the standard text form (OPC UA Part 6, 5.3.1.10), with a namespace index or URI. */
    private static final Pattern NODE_ID = Pattern.compile(
            "(?:ns=(\\d{1,5});|nsu=[^;]+;)?(?:i=\\d{1,10}|s=.+|g=\\p{XDigit}{8}-\\p{XDigit}{4}-\\p{XDigit}{4}-\\p{XDigit}{4}"
                    + "-\\p{XDigit}{12}|b=[A-Za-z0-9+/]+={0,2})",
            Pattern.DOTALL);

    public Room {
        Checks.text(id, 64, "room id");
        if (!dev.gatehouse.protocol.Ids.isValid(id)) {
            throw Checks.bad("room id '" + dev.gatehouse.protocol.Ids.printable(id) + "' is not a valid id");
        }
        doors = Set.copyOf(Checks.present(doors, "room " + id + " doors"));
        if (doors.isEmpty() || doors.size() > MAX_DOORS) {
            throw Checks.bad("room " + id + " has " + doors.size() + " doors; it needs 1 to " + MAX_DOORS);
        }
        Checks.text(controller, MAX_ENDPOINT, "room " + id + " controller");
        endpointProblem(controller).ifPresent(problem -> {
            throw Checks.bad("room " + id + " controller: " + problem);
        });
        Checks.present(nodes, "room " + id + " nodes");
        if (nodes.isEmpty()) {
            throw Checks.bad("room " + id + " maps no function to a node; it needs at least one");
        }
        for (Map.Entry<String, String> node : nodes.entrySet()) {
            if (!FUNCTIONS.contains(node.getKey())) {
                throw Checks.bad("room " + id + " nodes: '" + dev.gatehouse.protocol.Ids.printable(node.getKey())
                        + "' is not a room function; use any of " + FUNCTIONS);
            }
            Checks.text(node.getValue(), MAX_NODE_ID, "room " + id + " node " + node.getKey());
            nodeIdProblem(node.getValue()).ifPresent(problem -> {
                throw Checks.bad("room " + id + " node " + node.getKey() + ": " + problem);
            });
        }
        nodes = java.util.Collections.unmodifiableMap(new TreeMap<>(nodes));
    }

    /**
     * What is wrong with {@code text} as an OPC UA endpoint, in words that say how to write it; empty
     * when it is one.
     */
    public static java.util.Optional<String> endpointProblem(String text) {
        Matcher url = ENDPOINT.matcher(text);
        if (!url.matches()) {
            return java.util.Optional.of("'" + dev.gatehouse.protocol.Ids.printable(text)
                    + "' is not an OPC UA endpoint; write e.g. opc.tcp://192.168.1.50:4840 (the"
                    + " controller's address, port and, if it has one, path)");
        }
        int port = Integer.parseInt(url.group(2));
        if (port < 1 || port > 65535) {
            return java.util.Optional.of("port " + port + " is outside 1-65535");
        }
        return java.util.Optional.empty();
    }

    /** What is wrong with {@code text} as an OPC UA node id, in words that say how to write it; empty when it is one. */
    public static java.util.Optional<String> nodeIdProblem(String text) {
        Matcher matcher = NODE_ID.matcher(text);
        if (!matcher.matches() || matcher.group(1) != null && Integer.parseInt(matcher.group(1)) > 65535) {
            return java.util.Optional.of("'" + dev.gatehouse.protocol.Ids.printable(text)
                    + "' is not an OPC UA node id; write it as the controller's documentation gives it,"
                    + " e.g. ns=2;s=room-1/Display/Power, or with the namespace's URI,"
                    + " nsu=urn:vendor:rooms;s=room-1/Display/Power (ns=index, nsu=URI; then i= a number,"
                    + " s= a name, g= a GUID or b= base64)");
        }
        return java.util.Optional.empty();
    }

    @Override
    public EntityKind kind() {
        return EntityKind.ROOM;
    }

    @Override
    public String key() {
        return id;
    }
}
