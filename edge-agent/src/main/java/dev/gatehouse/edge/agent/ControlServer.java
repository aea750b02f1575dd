package dev.gatehouse.edge.agent;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.gatehouse.edge.access.Decided;
import dev.gatehouse.protocol.policy.Decision;
import dev.gatehouse.sim.site.SimulatedSite;
import java.io.BufferedInputStream;
import java.io.BufferedReader;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.io.PrintStream;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.Channels;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.HexFormat;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The technician's way into a running agent: a UNIX domain socket in the data directory, readable
 * only by the agent's user (file mode 0600). One JSON request line per connection; the first answer
 * line is JSON ({@code {"ok":true,…}} or {@code {"ok":false,"error":"…"}}), and {@code watch} then
 * streams one text line per decision or door event until the client hangs up. On a simulated site
 * the {@code sim} requests drive the simulated hardware.
 */
public final class ControlServer implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(ControlServer.class);
    private static final ObjectMapper JSON = new ObjectMapper();

    private final EdgeAgent agent;
    private final Optional<SimulatedSite> site;
    private final Optional<SimClock> simClock;
    private final Path socketPath;
    private final ServerSocketChannel server;
    private final Thread acceptor;
    private volatile boolean running = true;

    /** At most this many technicians' connections at once; more are turned away. */
    static final int MAX_CLIENTS = 16;
    /** The longest request line (a signed snapshot chunk fits). */
    static final int MAX_REQUEST_BYTES = 512 * 1024;
    /** A client that sends no request line within this time is disconnected. */
    static final long REQUEST_TIMEOUT_MILLIS = 10_000;

    private final Semaphore clients = new Semaphore(MAX_CLIENTS);

    private ControlServer(EdgeAgent agent, Optional<SimulatedSite> site, Optional<SimClock> simClock, Path socketPath)
            throws IOException {
        this.agent = agent;
        this.site = site;
        this.simClock = simClock;
        this.socketPath = socketPath;
        // The socket lives in a directory only the agent's user may enter, made so before the bind:
        // there is no moment in which another user could connect and pulse relays.
        Path directory = socketPath.getParent();
        if (!Files.isDirectory(directory)) {
            Files.createDirectories(
                    directory, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
        }
        Files.setPosixFilePermissions(directory, PosixFilePermissions.fromString("rwx------"));
        if (socketPath.toString().length() > 100) {
            throw new IOException("the control socket path " + socketPath + " is "
                    + socketPath.toString().length()
                    + " characters; UNIX sockets allow about 100: use a shorter data-dir");
        }
        Files.deleteIfExists(socketPath); // left by a killed agent; the data-dir lock says none runs now
        this.server = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
        server.bind(UnixDomainSocketAddress.of(socketPath));
        Files.setPosixFilePermissions(socketPath, PosixFilePermissions.fromString("rw-------"));
        this.acceptor = Thread.ofPlatform().daemon().name("control").start(this::accept);
    }

    /** The socket of the agent whose data directory is {@code dataDir}. */
    public static Path socketIn(Path dataDir) {
        return dataDir.resolve("control").resolve("agent.sock");
    }

    public static ControlServer start(EdgeAgent agent, Optional<SimulatedSite> site) throws IOException {
        return start(agent, site, Optional.empty());
    }

    /**
     * As {@link #start(EdgeAgent, Optional)}, with the simulated run's clock, which {@code sim clock
     * OFFSET} then moves (an agent on real hardware has none, so nothing can move its clock).
     */
    public static ControlServer start(EdgeAgent agent, Optional<SimulatedSite> site, Optional<SimClock> simClock)
            throws IOException {
        return new ControlServer(agent, site, simClock, socketIn(agent.config().dataDir()));
    }

    private void accept() {
        while (running) {
            try {
                SocketChannel client = server.accept();
                if (!clients.tryAcquire()) {
                    refuse(client, "too many control clients (" + MAX_CLIENTS + "); try again");
                    continue;
                }
                Thread.ofVirtual().name("control-client").start(() -> {
                    try {
                        serve(client);
                    } finally {
                        clients.release();
                    }
                });
            } catch (IOException | RuntimeException | OutOfMemoryError e) {
                if (running) {
                    log.warn("control socket: {}", e.toString());
                }
            }
        }
    }

    private static void refuse(SocketChannel client, String message) {
        try (client) {
            Channels.newOutputStream(client).write((error(message) + "\n").getBytes(StandardCharsets.UTF_8));
        } catch (IOException e) {
            // the client is gone already
        }
    }

    /** Reads one request line of at most {@link #MAX_REQUEST_BYTES}; empty at end of input. */
    private static Optional<String> requestLine(InputStream in) throws IOException {
        ByteArrayOutputStream line = new ByteArrayOutputStream();
        int b;
        while ((b = in.read()) >= 0) {
            if (b == '\n') {
                return Optional.of(line.toString(StandardCharsets.UTF_8));
            }
            if (line.size() >= MAX_REQUEST_BYTES) {
                throw new RequestTooLarge();
            }
            line.write(b);
        }
        return line.size() == 0 ? Optional.empty() : Optional.of(line.toString(StandardCharsets.UTF_8));
    }

    private static final class RequestTooLarge extends IOException {
        RequestTooLarge() {
            super("the request is longer than " + MAX_REQUEST_BYTES + " bytes");
        }
    }

    private void serve(SocketChannel channel) {
        AtomicBoolean answered = new AtomicBoolean();
        Thread.ofVirtual().name("control-timeout").start(() -> {
            try {
                Thread.sleep(REQUEST_TIMEOUT_MILLIS);
                if (!answered.get()) {
                    channel.close(); // a client that never sends its request does not keep a slot
                }
            } catch (InterruptedException | IOException e) {
                // nothing to do
            }
        });
        try (channel;
                InputStream rawIn = new BufferedInputStream(Channels.newInputStream(channel));
                OutputStream raw = Channels.newOutputStream(channel);
                PrintStream out = new PrintStream(raw, true, StandardCharsets.UTF_8)) {
            Optional<String> line;
            try {
                line = requestLine(rawIn);
            } catch (RequestTooLarge e) {
                answered.set(true);
                out.println(error(e.getMessage()));
                return;
            }
            answered.set(true);
            if (line.isEmpty()) {
                return;
            }
            JsonNode request;
            try {
                request = JSON.readTree(line.get());
            } catch (IOException e) {
                out.println(error("the request is not JSON"));
                return;
            }
            handle(request, new BufferedReader(new InputStreamReader(rawIn, StandardCharsets.UTF_8)), out);
        } catch (IOException | RuntimeException e) {
            log.debug("control client: {}", e.toString());
        }
    }

    private void handle(JsonNode request, BufferedReader in, PrintStream out) throws IOException {
        String cmd = request.path("cmd").asText("");
        try {
            switch (cmd) {
                case "status" -> out.println(ok().set("status", JSON.valueToTree(statusJson())));
                case "test-relay" -> {
                    agent.testRelay(request.path("door").asText(""));
                    out.println(ok().put(
                                    "message",
                                    "relay of " + request.path("door").asText() + " pulsed"));
                }
                case "apply" ->
                    out.println(ok().put(
                                    "result",
                                    agent.applySigned(request.path("jws").asText(""))));
                case "watch" -> watch(in, out);
                case "sim" -> out.println(sim(request));
                default -> out.println(error("unknown command '" + cmd + "'"));
            }
        } catch (RuntimeException e) {
            out.println(error(e.getMessage() == null ? e.toString() : e.getMessage()));
        }
    }

    private void watch(BufferedReader in, PrintStream out) throws IOException {
        out.println(ok().put("message", "watching"));
        try (AutoCloseable subscription = agent.watch(line -> {
            out.println(line);
            if (out.checkError()) {
                throw new IllegalStateException("watcher gone"); // ends this watcher's sender thread
            }
        })) {
            // The client hangs up (EOF) to stop watching.
            while (in.readLine() != null) {
                // ignore anything sent
            }
        } catch (Exception e) {
            log.debug("watcher ended: {}", e.toString());
        }
    }

    private ObjectNode sim(JsonNode request) {
        SimulatedSite simulated = site.orElseThrow(
                () -> new IllegalArgumentException("this agent runs on real hardware; sim commands need --simulate"));
        String action = request.path("action").asText("");
        String target = request.path("target").asText("");
        switch (action) {
            case "tap" -> {
                byte[] uid = hexUid(request.path("uid").asText(""));
                CompletableFuture<Decided> next = new CompletableFuture<>();
                try (AutoCloseable listener = agent.onDecision(decided -> completeFor(next, decided, target))) {
                    simulated.holdCard(target, uid);
                    Decided decided = next.get(10, TimeUnit.SECONDS);
                    return ok().put("decision", describe(decided))
                            .put("eventId", decided.event().id());
                } catch (Exception e) {
                    throw new IllegalStateException("no decision within 10 s: " + e.getMessage(), e);
                } finally {
                    simulated.removeCard(target);
                }
            }
            case "scan" -> {
                CompletableFuture<Decided> next = new CompletableFuture<>();
                try (AutoCloseable listener = agent.onDecision(decided -> completeFor(next, decided, target))) {
                    simulated.scanCode(target, request.path("text").asText(""));
                    Decided decided = next.get(10, TimeUnit.SECONDS);
                    return ok().put("decision", describe(decided))
                            .put("eventId", decided.event().id());
                } catch (Exception e) {
                    throw new IllegalStateException("no decision within 10 s: " + e.getMessage(), e);
                }
            }
            case "open" -> simulated.openDoor(target);
            case "close" -> simulated.closeDoor(target);
            case "rex" -> {
                simulated.pressRex(target);
                simulated.releaseRex(target);
            }
            case "fire" -> {
                String state = request.path("state").asText("");
                if (!state.equals("on") && !state.equals("off")) {
                    throw new IllegalArgumentException("say 'on' or 'off' for the fire alarm, not '" + state + "'");
                }
                simulated.fireAlarm(target, state.equals("on"));
                return ok().put("message", "fire alarm " + state + " on input " + target);
            }
            case "av" -> {
                dev.gatehouse.sim.av.SimRoomController controller = simulated
                        .roomController(target)
                        .orElseThrow(() -> new IllegalArgumentException("room '" + target
                                + "' has no simulated controller (its rooms[].controller must be"
                                + " opc.tcp://127.0.0.1:PORT/rooms)"));
                ArrayNode points = JSON.createArrayNode();
                for (dev.gatehouse.sim.av.AvPoint point : dev.gatehouse.sim.av.AvPoint.values()) {
                    controller
                            .nodeId(target, point)
                            .ifPresent(
                                    node -> points.add(point.name()
                                                    .toLowerCase(java.util.Locale.ROOT)
                                                    .replace('_', '-') + ": " + controller.value(target, point)));
                }
                return ok().set("transitions", points);
            }
            case "clock" -> {
                SimClock clock = simClock.orElseThrow(() -> new IllegalArgumentException(
                        "this agent's clock is the host's; only an agent run with --simulate has a movable one"));
                clock.setOffset(SimClock.parseOffset(target));
                return ok().put("message", "clock offset " + clock.offset() + ": it reads " + clock.instant());
            }
            case "relay" -> {
                ArrayNode history = JSON.createArrayNode();
                dev.gatehouse.sim.gpio.RelayHistory relay = simulated.relay(target);
                relay.transitions()
                        .forEach(transition -> history.add(
                                transition.at() + " " + (transition.energised() ? "energised" : "released")));
                ObjectNode answer = ok().put("energised", relay.energised());
                relay.firstDriven().ifPresent(at -> answer.put("claimedAt", at.toString()));
                return answer.set("transitions", history);
            }
            default ->
                throw new IllegalArgumentException(
                        "unknown sim action '" + action + "' (tap, scan, open, close, rex, relay, fire, av, clock)");
        }
        return ok().put("message", action + " " + target);
    }

    private static byte[] hexUid(String text) {
        try {
            return HexFormat.of().parseHex(text.replace(":", "").replace(" ", ""));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("the UID '" + text + "' is not hex bytes, e.g. 04A22B1C5D8000");
        }
    }

    /** Completes with the decision at the reader's own door only: another door may decide meanwhile. */
    private void completeFor(CompletableFuture<Decided> next, Decided decided, String readerId) {
        boolean ours = agent.config().doors().stream()
                .anyMatch(door -> door.id().equals(decided.door().value())
                        && door.readers().contains(readerId));
        if (ours) {
            next.complete(decided);
        }
    }

    private static String describe(Decided decided) {
        return switch (decided.decision()) {
            case Decision.Granted granted ->
                "GRANTED " + granted.basis() + ": " + granted.basis().sentence();
            case Decision.Denied denied ->
                "DENIED " + denied.reason() + ": " + denied.reason().sentence();
        };
    }

    private ObjectNode statusJson() {
        AgentStatus status = agent.status();
        ObjectNode node = JSON.createObjectNode()
                .put("tenant", status.tenant())
                .put("site", status.site())
                .put("device", status.device())
                .put("hardware", status.hardware())
                .put("cacheSeq", status.cacheSeq())
                .put("credentials", status.credentials())
                .put("cacheBytes", status.cacheBytes())
                .put("clock", status.clock().name().toLowerCase())
                .put("clockReason", status.clockReason())
                .put("outboxDepth", status.outboxDepth())
                .put("hub", status.hub());
        ArrayNode doors = node.putArray("doors");
        for (AgentStatus.DoorStatus door : status.doors()) {
            ObjectNode item = doors.addObject()
                    .put("id", door.id())
                    .put("name", door.name())
                    .put("state", door.state())
                    .put("mode", door.mode())
                    .put("policy", door.policy());
            door.readers().forEach(item.putArray("readers")::add);
        }
        ArrayNode readers = node.putArray("readers");
        for (AgentStatus.ReaderStatus reader : status.readers()) {
            ObjectNode item = readers.addObject()
                    .put("id", reader.id())
                    .put("type", reader.type())
                    .put("healthy", reader.healthy());
            reader.fault().ifPresent(fault -> item.put("fault", fault));
        }
        return node;
    }

    private static ObjectNode ok() {
        return JSON.createObjectNode().put("ok", true);
    }

    private static ObjectNode error(String message) {
        return JSON.createObjectNode().put("ok", false).put("error", message);
    }

    @Override
    public void close() {
        running = false;
        try {
            server.close();
            Files.deleteIfExists(socketPath);
        } catch (IOException e) {
            log.warn("closing the control socket: {}", e.toString());
        }
        acceptor.interrupt();
    }
}
