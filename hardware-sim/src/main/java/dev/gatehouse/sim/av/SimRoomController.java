package dev.gatehouse.sim.av;

import static org.eclipse.milo.opcua.sdk.server.OpcUaServerConfig.USER_TOKEN_POLICY_ANONYMOUS;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.eclipse.milo.opcua.sdk.server.EndpointConfig;
import org.eclipse.milo.opcua.sdk.server.OpcUaServer;
import org.eclipse.milo.opcua.sdk.server.OpcUaServerConfig;
import org.eclipse.milo.opcua.stack.core.security.SecurityPolicy;
import org.eclipse.milo.opcua.stack.core.transport.TransportProfile;
import org.eclipse.milo.opcua.stack.core.types.builtin.DateTime;
import org.eclipse.milo.opcua.stack.core.types.builtin.LocalizedText;
import org.eclipse.milo.opcua.stack.core.types.enumerated.MessageSecurityMode;
import org.eclipse.milo.opcua.stack.core.types.structured.BuildInfo;
import org.eclipse.milo.opcua.stack.transport.server.tcp.OpcTcpServerTransport;
import org.eclipse.milo.opcua.stack.transport.server.tcp.OpcTcpServerTransportConfig;

/**
 * A simulated room controller: a real OPC UA server (Eclipse Milo) on the loopback interface,
 * SecurityPolicy None with anonymous sign-in, serving one folder per room with its display, lights,
 * HVAC and presence points ({@link AvPoint}). The address space is documented in
 * {@code hardware-sim/README.md}; it is the default mapping of the edge agent's {@code rooms} config.
 *
 * <p>A test drives it as a technician at the rack would: {@link #value} reads a point, {@link #set}
 * changes one locally (the presence sensor, or someone at the wall panel), and {@link #failWrites}
 * makes a point refuse writes or ignore them, so that verified writes, retries and faults can be
 * tested against the real protocol. {@link #onWrite} reports each write a client makes as it is
 * applied, with its time.
 */
public final class SimRoomController implements AutoCloseable {
    /** The namespace the rooms' nodes live in (index 2 on this server). */
    public static final String NAMESPACE_URI = "urn:gatehouse:sim:room-controller";
    /** The endpoint's path. */
    public static final String PATH = "/rooms";

    private static final int START_ATTEMPTS = 5;

    /** Told of every write a client makes that the controller applies. */
    @FunctionalInterface
    public interface WriteListener {
        /**
         * @param value the value as written ({@link #value} types)
         * @param nanoTime {@link System#nanoTime()} when it was applied
         */
        void written(String room, AvPoint point, Object value, long nanoTime);
    }

    private final OpcUaServer server;
    private final RoomNamespace namespace;
    private final String endpointUrl;
    private final Map<String, SimRoom> rooms;
    private final List<WriteListener> listeners = new CopyOnWriteArrayList<>();

    private SimRoomController(
            OpcUaServer server, RoomNamespace namespace, String endpointUrl, Map<String, SimRoom> rooms) {
        this.server = server;
        this.namespace = namespace;
        this.endpointUrl = endpointUrl;
        this.rooms = rooms;
    }

    /** Starts a controller for {@code rooms} on a free port of 127.0.0.1. */
    public static SimRoomController start(List<SimRoom> rooms) {
        SimAvException last = null;
        for (int attempt = 0; attempt < START_ATTEMPTS; attempt++) {
            int port = freePort();
            try {
                return start("127.0.0.1", port, rooms);
            } catch (SimAvException e) {
                last = e; // another process took the port between the probe and the bind
            }
        }
        throw last;
    }

    /** Starts a controller for {@code rooms} listening on {@code host:port}. */
    public static SimRoomController start(String host, int port, List<SimRoom> rooms) {
        Map<String, SimRoom> byId = new LinkedHashMap<>();
        for (SimRoom room : rooms) {
            if (byId.put(room.id(), room) != null) {
                throw new SimAvException(SimAvError.BAD_ARGUMENT, "room id '" + room.id() + "' is used twice");
            }
        }
        EndpointConfig endpoint = EndpointConfig.newBuilder()
                .setTransportProfile(TransportProfile.TCP_UASC_UABINARY)
                .setBindAddress(host)
                .setBindPort(port)
                .setHostname(host)
                .setPath(PATH)
                .setSecurityPolicy(SecurityPolicy.None)
                .setSecurityMode(MessageSecurityMode.None)
                .addTokenPolicies(USER_TOKEN_POLICY_ANONYMOUS)
                .build();
        OpcUaServerConfig config = OpcUaServerConfig.builder()
                .setApplicationUri("urn:gatehouse:sim:room-controller:" + port)
                .setProductUri("urn:gatehouse:sim:room-controller")
                .setApplicationName(LocalizedText.english("Gatehouse simulated room controller"))
                .setBuildInfo(new BuildInfo(
                        "urn:gatehouse:sim:room-controller",
                        "gatehouse",
                        "Gatehouse simulated room controller",
                        OpcUaServer.SDK_VERSION,
                        "",
                        DateTime.now()))
                .setEndpoints(Set.of(endpoint))
                .build();
        OpcUaServer server = new OpcUaServer(
                config,
                profile -> new OpcTcpServerTransport(
                        OpcTcpServerTransportConfig.newBuilder().build()));
        RoomNamespace namespace = new RoomNamespace(server, List.copyOf(byId.values()));
        namespace.startup();
        String url = "opc.tcp://" + host + ":" + port + PATH;
        SimRoomController controller = new SimRoomController(server, namespace, url, byId);
        namespace.onWrite(controller::written);
        try {
            server.startup().get(30, TimeUnit.SECONDS);
        } catch (ExecutionException | TimeoutException e) {
            namespace.shutdown();
            server.shutdown();
            throw new SimAvException(
                    SimAvError.START_FAILED, "the OPC UA server did not start on " + url + ": " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new SimAvException(SimAvError.START_FAILED, "interrupted while starting " + url, e);
        }
        return controller;
    }

    private static int freePort() {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new SimAvException(SimAvError.START_FAILED, "no free TCP port on 127.0.0.1: " + e.getMessage(), e);
        }
    }

    /** The endpoint a client connects to, e.g. {@code opc.tcp://127.0.0.1:4840/rooms}. */
    public String endpointUrl() {
        return endpointUrl;
    }

    /** The rooms this controller serves, in the order given. */
    public List<SimRoom> rooms() {
        return List.copyOf(rooms.values());
    }

    /**
     * The node id of a room's point in the standard text form with the namespace's index, e.g.
     * {@code ns=2;s=room-1/Display/Power}; empty when the room has no such point.
     */
    public Optional<String> nodeId(String room, AvPoint point) {
        return has(room, point) ? Optional.of(namespace.nodeIdText(room, point)) : Optional.empty();
    }

    /** The same node id with the namespace's URI instead of its index ({@code nsu=…;s=…}). */
    public Optional<String> expandedNodeId(String room, AvPoint point) {
        return has(room, point)
                ? Optional.of("nsu=" + NAMESPACE_URI + ";s=" + room + "/" + point.path())
                : Optional.empty();
    }

    /**
     * A point's current value: a {@code Boolean}, {@code Integer} (Int32), {@code Long} (UInt32),
     * {@code Float}, {@code Double} or {@code String}, as its type says.
     */
    public Object value(String room, AvPoint point) {
        return namespace.point(room, point).value();
    }

    /**
     * Sets a point locally, as the sensor or someone at the wall panel would: no fault applies and
     * the read-only presence sensor may be set. The value is converted to the point's type (a number
     * for a numeric point, true/false for a Boolean one, text for a String one).
     */
    public void set(String room, AvPoint point, Object value) {
        namespace.point(room, point).set(value);
    }

    /** Someone is in the room ({@code true}) or not: drives the read-only presence sensor. */
    public void setPresence(String room, boolean present) {
        set(room, AvPoint.PRESENCE, present);
    }

    /** From now on every client write of the point misbehaves as {@code fault} ({@link WriteFault#NONE} heals it). */
    public void failWrites(String room, AvPoint point, WriteFault fault) {
        namespace.point(room, point).fail(fault, Integer.MAX_VALUE);
    }

    /** The next {@code times} client writes of the point misbehave as {@code fault}; later ones are applied. */
    public void failNextWrites(String room, AvPoint point, WriteFault fault, int times) {
        if (times < 0) {
            throw new SimAvException(SimAvError.BAD_ARGUMENT, "times must be 0 or more, not " + times);
        }
        namespace.point(room, point).fail(fault, times);
    }

    /** How many writes of the point clients have made, refused and ignored ones included. */
    public int writes(String room, AvPoint point) {
        return namespace.point(room, point).writes();
    }

    /** Adds a listener told of each applied client write, on the server's thread. */
    public void onWrite(WriteListener listener) {
        listeners.add(Objects.requireNonNull(listener, "listener"));
    }

    private boolean has(String room, AvPoint point) {
        SimRoom simRoom = rooms.get(room);
        if (simRoom == null) {
            throw new SimAvException(
                    SimAvError.UNKNOWN_POINT,
                    "this controller has no room '" + room + "' (it has " + rooms.keySet() + ")");
        }
        return simRoom.points().containsKey(point);
    }

    private void written(String room, AvPoint point, Object value, long nanoTime) {
        for (WriteListener listener : listeners) {
            listener.written(room, point, value, nanoTime);
        }
    }

    /** Stops the server; clients see the connection drop. */
    @Override
    public void close() {
        namespace.shutdown();
        try {
            server.shutdown().get(10, TimeUnit.SECONDS);
        } catch (ExecutionException | TimeoutException e) {
            throw new SimAvException(SimAvError.START_FAILED, "the OPC UA server did not stop: " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
