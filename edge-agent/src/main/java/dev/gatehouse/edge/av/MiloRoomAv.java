package dev.gatehouse.edge.av;

import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.stream.Collectors;
import org.eclipse.milo.opcua.sdk.client.OpcUaClient;
import org.eclipse.milo.opcua.stack.core.UaException;
import org.eclipse.milo.opcua.stack.core.types.builtin.DataValue;
import org.eclipse.milo.opcua.stack.core.types.builtin.NodeId;
import org.eclipse.milo.opcua.stack.core.types.builtin.StatusCode;
import org.eclipse.milo.opcua.stack.core.types.builtin.Variant;
import org.eclipse.milo.opcua.stack.core.types.enumerated.TimestampsToReturn;

/**
 * The rooms' A/V over OPC UA, with Eclipse Milo's client. Each room's functions are the nodes of its
 * mapping; nothing else of the controller is assumed: the node ids are resolved and their data types
 * read from the server when it connects, values are converted to those types ({@link MiloValues}),
 * a batch of values is written in one Write request and read back in one Read request. One session
 * per controller endpoint, shared by its rooms. Every call blocks its caller (a room's thread) for
 * at most about twice {@code timeout}; a controller that does not answer is
 * {@link AvOutcome.Unreachable}, tried again at the next call.
 */
public final class MiloRoomAv implements RoomAv {
    /** How long a request, or connecting, may take before the controller counts as unreachable. */
    public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(2);

    private final Map<String, RoomSetup> rooms = new LinkedHashMap<>();
    private final Map<String, MiloController> controllers = new LinkedHashMap<>();

    public MiloRoomAv(List<RoomSetup> setups) {
        this(setups, DEFAULT_TIMEOUT);
    }

    public MiloRoomAv(List<RoomSetup> setups, Duration timeout) {
        Objects.requireNonNull(timeout, "timeout");
        Map<String, Set<String>> nodesByEndpoint = new LinkedHashMap<>();
        for (RoomSetup setup : setups) {
            rooms.put(setup.room(), setup);
            nodesByEndpoint
                    .computeIfAbsent(setup.controller(), endpoint -> new java.util.LinkedHashSet<>())
                    .addAll(setup.nodes().values());
        }
        nodesByEndpoint.forEach(
                (endpoint, nodes) -> controllers.put(endpoint, new MiloController(endpoint, nodes, timeout)));
    }

    @Override
    public Map<RoomFunction, AvOutcome> write(String room, Map<RoomFunction, AvValue> values) {
        Map<RoomFunction, AvOutcome> out = new EnumMap<>(RoomFunction.class);
        RoomSetup setup = rooms.get(room);
        if (setup == null) {
            values.keySet().forEach(function -> out.put(function, unknownRoom(room)));
            return out;
        }
        MiloController controller = controllers.get(setup.controller());
        MiloController.Session session = controller.session();
        if (!(session instanceof MiloController.Session.Up up)) {
            String detail = ((MiloController.Session.Down) session).detail();
            values.keySet().forEach(function -> out.put(function, new AvOutcome.Unreachable(detail)));
            return out;
        }
        List<RoomFunction> functions = new ArrayList<>();
        List<NodeId> ids = new ArrayList<>();
        List<DataValue> written = new ArrayList<>();
        List<Object> expected = new ArrayList<>();
        for (Map.Entry<RoomFunction, AvValue> entry : values.entrySet()) {
            RoomFunction function = entry.getKey();
            String text = setup.nodes().get(function);
            MiloController.Node node = text == null ? null : up.nodes().get(text);
            if (node == null) {
                out.put(function, new AvOutcome.Misconfigured("no node is mapped for " + function.key()));
            } else if (node.problem().isPresent()) {
                out.put(function, new AvOutcome.Misconfigured(node.problem().get()));
            } else {
                try {
                    Object value = MiloValues.toOpcUa(entry.getValue(), node.type());
                    functions.add(function);
                    ids.add(node.id());
                    written.add(DataValue.valueOnly(new Variant(value)));
                    expected.add(value);
                } catch (MiloValues.Unfit e) {
                    out.put(function, new AvOutcome.Misconfigured(text + ": " + e.getMessage()));
                }
            }
        }
        if (functions.isEmpty()) {
            return out;
        }
        OpcUaClient client = up.client();
        List<StatusCode> statuses;
        try {
            statuses = client.writeValues(ids, written);
        } catch (UaException e) {
            functions.forEach(f -> out.put(f, new AvOutcome.Unreachable(unreachable(controller, e))));
            return out;
        }
        List<Integer> good = new ArrayList<>();
        for (int i = 0; i < functions.size(); i++) {
            StatusCode status = statuses.get(i);
            if (status.isGood()) {
                good.add(i);
            } else {
                out.put(functions.get(i), new AvOutcome.Refused(MiloValues.statusName(status.value())));
            }
        }
        if (good.isEmpty()) {
            return out;
        }
        List<DataValue> readBack;
        try {
            readBack = client.readValues(
                    0, TimestampsToReturn.Neither, good.stream().map(ids::get).toList());
        } catch (UaException e) {
            good.forEach(i -> out.put(
                    functions.get(i),
                    new AvOutcome.NotConfirmed("written, but the read-back failed: " + unreachable(controller, e))));
            return out;
        }
        for (int k = 0; k < good.size(); k++) {
            int i = good.get(k);
            DataValue back = readBack.get(k);
            Object raw = back.value().value();
            if (!back.statusCode().isGood()) {
                out.put(
                        functions.get(i),
                        new AvOutcome.NotConfirmed("written, but the read-back was "
                                + MiloValues.statusName(back.statusCode().value())));
            } else if (MiloValues.same(expected.get(i), raw)) {
                out.put(
                        functions.get(i),
                        new AvOutcome.Confirmed(MiloValues.fromOpcUa(raw).orElse(values.get(functions.get(i)))));
            } else {
                out.put(
                        functions.get(i),
                        new AvOutcome.NotConfirmed(
                                "wrote " + MiloValues.show(expected.get(i)) + ", read back " + MiloValues.show(raw)));
            }
        }
        return out;
    }

    @Override
    public AvOutcome read(String room, RoomFunction function) {
        RoomSetup setup = rooms.get(room);
        if (setup == null) {
            return unknownRoom(room);
        }
        String text = setup.nodes().get(function);
        if (text == null) {
            return new AvOutcome.Misconfigured("no node is mapped for " + function.key());
        }
        MiloController controller = controllers.get(setup.controller());
        return switch (controller.session()) {
            case MiloController.Session.Down down -> new AvOutcome.Unreachable(down.detail());
            case MiloController.Session.Up up -> {
                MiloController.Node node = up.nodes().get(text);
                if (node.problem().isPresent()) {
                    yield new AvOutcome.Misconfigured(node.problem().get());
                }
                try {
                    DataValue value = up.client().readValue(0, TimestampsToReturn.Neither, node.id());
                    if (!value.statusCode().isGood()) {
                        yield new AvOutcome.Refused(
                                MiloValues.statusName(value.statusCode().value()));
                    }
                    yield MiloValues.fromOpcUa(value.value().value())
                            .<AvOutcome>map(AvOutcome.Confirmed::new)
                            .orElseGet(() -> new AvOutcome.Misconfigured(text + " holds "
                                    + MiloValues.show(value.value().value()) + ", not a Boolean, number or text"));
                } catch (UaException e) {
                    yield new AvOutcome.Unreachable(unreachable(controller, e));
                }
            }
        };
    }

    private static String unreachable(MiloController controller, UaException e) {
        return controller.endpoint() + ": " + MiloController.describe(e);
    }

    private AvOutcome unknownRoom(String room) {
        return new AvOutcome.Misconfigured("no room '" + room + "' is set up (rooms: "
                + rooms.keySet().stream().collect(Collectors.joining(", ")) + ")");
    }

    @Override
    public void close() {
        controllers.values().forEach(MiloController::close);
    }
}
