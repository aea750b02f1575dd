package dev.gatehouse.hub.chaos;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.gatehouse.edge.agent.ControlServer;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.Channels;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * One site's edge agent as a technician runs it, {@code gatehouse-edge run --simulate}, in a JVM of
 * its own inside network namespace {@code ghc-eN} (so its link to the broker can be cut), with its
 * data directory on a small tmpfs (so its disk can fill). The harness drives it and reads it only
 * through its control socket, as {@code gatehouse-edge sim …} and {@code status} do.
 */
final class EdgeProcess implements AutoCloseable {
    private static final ObjectMapper JSON = new ObjectMapper();

    final int index;
    final String door;
    final String reader;
    final boolean failSafe;
    final Path config;
    final Path dataDir;
    private Process process;
    private Instant spawnedAt;
    private int starts;

    private final String classPath;
    private final Path archive;

    /**
     * {@code classPath} holds jars only, as the package's {@code lib/} does (see {@link AgentClassPath}):
     * the agent starts as the installed launcher starts it, from a class data archive of its own.
     */
    EdgeProcess(int index, String door, String reader, boolean failSafe, Path config, Path dataDir, String classPath) {
        this.index = index;
        this.door = door;
        this.reader = reader;
        this.failSafe = failSafe;
        this.config = config;
        this.dataDir = dataDir;
        this.classPath = classPath;
        this.archive = config.getParent().resolve("gatehouse-edge.jsa");
    }

    /**
     * Starts the agent in its namespace; returns at once (see {@link #awaitClaimed(Duration)}). The
     * first time, the agent is started and stopped cleanly once before, as a Pi's first service
     * stop does after installation, so that the JVM writes its class data archive: every start after
     * (those the faults cause included) maps the agent's classes from it, as the package's launcher
     * has the service do.
     */
    void start() throws IOException, InterruptedException {
        if (!Files.exists(archive)) {
            spawn();
            awaitClaimed(Duration.ofMinutes(2));
            process.destroy();
            if (!process.waitFor(60, TimeUnit.SECONDS) || !Files.exists(archive)) {
                throw new IOException("edge " + index + " did not write its class data archive " + archive
                        + " at a clean stop; log " + config.getParent().resolve("edge-" + starts + ".log"));
            }
        }
        spawn();
    }

    private void spawn() throws IOException {
        List<String> command = new ArrayList<>(List.of("ip", "netns", "exec", Host.namespace(index)));
        command.add(ProcessHandle.current().info().command().orElse("java"));
        command.addAll(List.of(
                "-Xmx128m",
                "-XX:+UseSerialGC",
                "-XX:TieredStopAtLevel=1",
                "-XX:SharedArchiveFile=" + archive,
                "-XX:+AutoCreateSharedArchive",
                "--enable-native-access=ALL-UNNAMED",
                "-Dorg.slf4j.simpleLogger.defaultLogLevel=info",
                "-cp",
                classPath,
                "dev.gatehouse.edge.cli.EdgeMain",
                "run",
                "--simulate",
                "--config",
                config.toString()));
        Path log = config.getParent().resolve("edge-" + (++starts) + ".log");
        spawnedAt = Instant.now();
        process = new ProcessBuilder(command)
                .redirectErrorStream(true)
                .redirectOutput(log.toFile())
                .start();
    }

    /**
     * Waits until the agent answers on its control socket with its door's relay claimed, and answers
     * the time from spawning the process to the claim (the relay driven to its locked level).
     */
    Duration awaitClaimed(Duration within) throws IOException, InterruptedException {
        long deadline = System.nanoTime() + within.toNanos();
        IOException last = null;
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new IOException("edge " + index + " exited " + process.exitValue() + "; log "
                        + config.getParent().resolve("edge-" + starts + ".log"));
            }
            try {
                JsonNode relay = relay();
                if (relay.has("claimedAt")) {
                    return Duration.between(
                            spawnedAt, Instant.parse(relay.get("claimedAt").asText()));
                }
            } catch (IOException e) {
                last = e;
            }
            Thread.sleep(20);
        }
        throw new IOException("edge " + index + " did not answer with its relay claimed within " + within, last);
    }

    /** SIGKILL, as a crash or a power cut of the JVM would, and waits for the process to end. */
    void kill() throws InterruptedException {
        process.destroyForcibly();
        process.waitFor(30, TimeUnit.SECONDS);
    }

    boolean alive() {
        return process != null && process.isAlive();
    }

    JsonNode status() throws IOException {
        return call(request("status")).get("status");
    }

    JsonNode relay() throws IOException {
        return call(sim("relay", door));
    }

    /** Taps {@code uid} at the door's reader: the agent's answer ({@code decision}, {@code eventId}). */
    JsonNode tap(String uid) throws IOException {
        return call(sim("tap", reader).put("uid", uid));
    }

    /** Sets the simulated agent's clock offset from the host's ({@code +2h}, {@code -90s}, {@code 0}). */
    void clock(String offset) throws IOException {
        call(sim("clock", offset));
    }

    private static ObjectNode request(String cmd) {
        return JSON.createObjectNode().put("cmd", cmd);
    }

    private static ObjectNode sim(String action, String target) {
        return request("sim").put("action", action).put("target", target);
    }

    /** One request on the control socket; its answer, or an IOException with the agent's error. */
    private JsonNode call(ObjectNode request) throws IOException {
        Path socket = ControlServer.socketIn(dataDir);
        try (SocketChannel channel = SocketChannel.open(StandardProtocolFamily.UNIX)) {
            channel.connect(UnixDomainSocketAddress.of(socket));
            PrintStream writer = new PrintStream(Channels.newOutputStream(channel), true, StandardCharsets.UTF_8);
            writer.println(JSON.writeValueAsString(request));
            String line = new BufferedReader(
                            new InputStreamReader(Channels.newInputStream(channel), StandardCharsets.UTF_8))
                    .readLine();
            if (line == null) {
                throw new IOException("edge " + index + " closed its control socket without answering");
            }
            JsonNode answer = JSON.readTree(line);
            if (!answer.path("ok").asBoolean()) {
                throw new IOException(
                        "edge " + index + ": " + answer.path("error").asText());
            }
            return answer;
        }
    }

    String logTail() {
        try {
            List<String> lines = Files.readAllLines(config.getParent().resolve("edge-" + starts + ".log"));
            return String.join("\n", lines.subList(Math.max(0, lines.size() - 30), lines.size()));
        } catch (IOException e) {
            return "(no log: " + e.getMessage() + ")";
        }
    }

    @Override
    public void close() throws InterruptedException {
        if (process != null && process.isAlive()) {
            process.destroy();
            if (!process.waitFor(20, TimeUnit.SECONDS)) {
                process.destroyForcibly();
            }
        }
    }
}
