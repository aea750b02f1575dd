package dev.gatehouse.edge.av;

import static org.eclipse.milo.opcua.stack.core.types.builtin.unsigned.Unsigned.uint;

import java.time.Duration;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Consumer;
import java.util.stream.Stream;
import org.eclipse.milo.opcua.sdk.client.DiscoveryClient;
import org.eclipse.milo.opcua.sdk.client.OpcUaClient;
import org.eclipse.milo.opcua.sdk.client.OpcUaClientConfig;
import org.eclipse.milo.opcua.sdk.client.identity.AnonymousProvider;
import org.eclipse.milo.opcua.stack.core.AttributeId;
import org.eclipse.milo.opcua.stack.core.NamespaceTable;
import org.eclipse.milo.opcua.stack.core.OpcUaDataType;
import org.eclipse.milo.opcua.stack.core.UaException;
import org.eclipse.milo.opcua.stack.core.security.SecurityPolicy;
import org.eclipse.milo.opcua.stack.core.types.builtin.DataValue;
import org.eclipse.milo.opcua.stack.core.types.builtin.ExpandedNodeId;
import org.eclipse.milo.opcua.stack.core.types.builtin.LocalizedText;
import org.eclipse.milo.opcua.stack.core.types.builtin.NodeId;
import org.eclipse.milo.opcua.stack.core.types.builtin.QualifiedName;
import org.eclipse.milo.opcua.stack.core.types.enumerated.TimestampsToReturn;
import org.eclipse.milo.opcua.stack.core.types.enumerated.UserTokenType;
import org.eclipse.milo.opcua.stack.core.types.structured.EndpointDescription;
import org.eclipse.milo.opcua.stack.core.types.structured.ReadValueId;
import org.eclipse.milo.opcua.stack.core.types.structured.UserTokenPolicy;
import org.eclipse.milo.opcua.stack.core.util.EndpointUtil;
import org.eclipse.milo.opcua.stack.transport.client.tcp.OpcTcpClientTransportConfigBuilder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One room controller's OPC UA session, shared by the rooms wired to it. Connects on first use
 * (SecurityPolicy None, anonymous), and then resolves every node the rooms map: the node id (a
 * namespace URI turned into this server's index) and its data type, read from the server. Milo keeps
 * a session up once made (it reconnects by itself); a connection that fails is tried again at the
 * next use. Callers are the rooms' threads: the lock serializes connecting, never a door.
 */
final class MiloController implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(MiloController.class);

    /** A mapped node as this controller has it: its id and type, or why it cannot be used. */
    record Node(NodeId id, OpcUaDataType type, Optional<String> problem) {
        static Node unusable(String problem) {
            return new Node(NodeId.NULL_VALUE, OpcUaDataType.Variant, Optional.of(problem));
        }
    }

    /** The session to use now, or why there is none. */
    sealed interface Session {
        record Up(OpcUaClient client, Map<String, Node> nodes) implements Session {}

        record Down(String detail) implements Session {}
    }

    private final String endpoint;
    private final Set<String> nodeTexts;
    private final Duration timeout;
    private final ReentrantLock lock = new ReentrantLock();
    private OpcUaClient client;
    private Map<String, Node> nodes = Map.of();
    private boolean closed;

    MiloController(String endpoint, Set<String> nodeTexts, Duration timeout) {
        this.endpoint = endpoint;
        this.nodeTexts = new LinkedHashSet<>(nodeTexts);
        this.timeout = timeout;
    }

    String endpoint() {
        return endpoint;
    }

    /** The connected session, connecting first if there is none; blocks for at most about twice the timeout. */
    Session session() {
        lock.lock();
        try {
            if (closed) {
                return new Session.Down("the agent is stopping");
            }
            if (client == null) {
                connect();
            }
            return new Session.Up(client, nodes);
        } catch (UaException e) {
            String detail = endpoint + ": " + describe(e);
            log.info("room controller {}", detail);
            return new Session.Down(detail);
        } finally {
            lock.unlock();
        }
    }

    private void connect() throws UaException {
        Consumer<OpcTcpClientTransportConfigBuilder> transport =
                builder -> builder.setConnectTimeout(uint(timeout.toMillis()));
        List<EndpointDescription> offered = await(DiscoveryClient.getEndpoints(endpoint, transport));
        EndpointDescription chosen = offered.stream()
                .filter(MiloController::noSecurityAnonymous)
                .findFirst()
                .orElseThrow(() -> new UaException(
                        org.eclipse.milo.opcua.stack.core.StatusCodes.Bad_SecurityPolicyRejected,
                        "it offers no endpoint with SecurityPolicy None and anonymous sign-in"));
        // A controller often advertises a host name of its own that the Pi cannot resolve: keep the
        // host and port the site configured.
        chosen = EndpointUtil.updateUrl(chosen, EndpointUtil.getHost(endpoint), EndpointUtil.getPort(endpoint));
        OpcUaClientConfig config = OpcUaClientConfig.builder()
                .setEndpoint(chosen)
                .setApplicationName(LocalizedText.english("Gatehouse edge agent"))
                .setApplicationUri("urn:gatehouse:edge-agent")
                .setProductUri("urn:gatehouse:edge-agent")
                .setIdentityProvider(new AnonymousProvider())
                .setRequestTimeout(uint(timeout.toMillis()))
                .build();
        OpcUaClient connecting = OpcUaClient.create(config, transport);
        try {
            await(connecting.connectAsync());
            nodes = resolve(connecting);
        } catch (UaException | RuntimeException e) {
            connecting.disconnectAsync();
            throw e;
        }
        client = connecting;
        log.info("room controller {}: connected, {} nodes mapped", endpoint, nodes.size());
    }

    private static boolean noSecurityAnonymous(EndpointDescription description) {
        UserTokenPolicy[] tokens = description.getUserIdentityTokens();
        return SecurityPolicy.None.getUri().equals(description.getSecurityPolicyUri())
                && tokens != null
                && Stream.of(tokens).anyMatch(token -> token.getTokenType() == UserTokenType.Anonymous);
    }

    /** Every mapped node id resolved against the server's namespaces, with the data type the server gives it. */
    private Map<String, Node> resolve(OpcUaClient connected) throws UaException {
        NamespaceTable namespaces = connected.readNamespaceTable();
        Map<String, Node> out = new HashMap<>();
        Map<String, NodeId> ids = new HashMap<>();
        for (String text : nodeTexts) {
            ExpandedNodeId expanded;
            try {
                expanded = ExpandedNodeId.parse(text);
            } catch (RuntimeException e) {
                out.put(text, Node.unusable("'" + text + "' is not an OPC UA node id"));
                continue;
            }
            Optional<NodeId> id = expanded.toNodeId(namespaces);
            if (id.isEmpty()) {
                out.put(
                        text,
                        Node.unusable("the controller has no namespace " + expanded.getNamespaceUri() + " (it has "
                                + List.of(namespaces.toArray()) + ")"));
            } else {
                ids.put(text, id.get());
            }
        }
        List<String> texts = List.copyOf(ids.keySet());
        List<ReadValueId> reads = texts.stream()
                .flatMap(text -> Stream.of(
                        new ReadValueId(ids.get(text), AttributeId.DataType.uid(), null, QualifiedName.NULL_VALUE),
                        new ReadValueId(ids.get(text), AttributeId.Value.uid(), null, QualifiedName.NULL_VALUE)))
                .toList();
        DataValue[] results = reads.isEmpty()
                ? new DataValue[0]
                : connected.read(0, TimestampsToReturn.Neither, reads).getResults();
        for (int i = 0; i < texts.size(); i++) {
            String text = texts.get(i);
            DataValue dataType = results[2 * i];
            DataValue value = results[2 * i + 1];
            if (!dataType.statusCode().isGood() || !(dataType.value().value() instanceof NodeId typeId)) {
                out.put(
                        text,
                        Node.unusable("node " + text + " is not a variable on the controller ("
                                + MiloValues.statusName(dataType.statusCode().value()) + ")"));
                continue;
            }
            Optional<OpcUaDataType> type = builtinType(connected, typeId, value);
            out.put(
                    text,
                    type.map(builtin -> new Node(ids.get(text), builtin, Optional.empty()))
                            .orElseGet(() -> Node.unusable("node " + text + " has the data type " + typeId
                                    + ", which is not a built-in type or derived from one")));
        }
        return Map.copyOf(out);
    }

    /**
     * The built-in type behind a node's DataType: itself if built in, else the one it derives from
     * (an enumeration is an Int32), else — for an abstract type such as Number — that of its value.
     */
    private static Optional<OpcUaDataType> builtinType(OpcUaClient connected, NodeId typeId, DataValue value) {
        OpcUaDataType type = OpcUaDataType.isBuiltin(typeId) ? OpcUaDataType.fromNodeId(typeId) : null;
        if (type == null) {
            try {
                type = connected.getDataTypeTree().getBuiltinType(typeId);
            } catch (UaException | RuntimeException e) {
                log.debug("data type {} not found in the controller's type tree: {}", typeId, e.toString());
            }
        }
        if (type == null || type == OpcUaDataType.Variant) {
            Object raw = value.value().value();
            type = raw == null ? null : OpcUaDataType.fromBackingClass(raw.getClass());
        }
        return Optional.ofNullable(type);
    }

    private <T> T await(java.util.concurrent.CompletableFuture<T> future) throws UaException {
        try {
            return future.get(timeout.toMillis() * 2, TimeUnit.MILLISECONDS);
        } catch (ExecutionException e) {
            throw UaException.extract(e)
                    .orElse(new UaException(
                            org.eclipse.milo.opcua.stack.core.StatusCodes.Bad_CommunicationError, e.getCause()));
        } catch (TimeoutException e) {
            future.cancel(true);
            throw new UaException(
                    org.eclipse.milo.opcua.stack.core.StatusCodes.Bad_Timeout, "no answer within " + timeout);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new UaException(org.eclipse.milo.opcua.stack.core.StatusCodes.Bad_Shutdown, "interrupted");
        }
    }

    static String describe(UaException e) {
        String name = MiloValues.statusName(e.getStatusCode().value());
        String message = e.getMessage();
        return message == null || message.isBlank() || message.contains(name) && message.length() < name.length() + 10
                ? name
                : name + " (" + message + ")";
    }

    @Override
    public void close() {
        lock.lock();
        try {
            closed = true;
            if (client != null) {
                try {
                    client.disconnectAsync().get(timeout.toMillis(), TimeUnit.MILLISECONDS);
                } catch (ExecutionException | TimeoutException e) {
                    log.debug("room controller {}: disconnect: {}", endpoint, e.toString());
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                client = null;
            }
        } finally {
            lock.unlock();
        }
    }
}
