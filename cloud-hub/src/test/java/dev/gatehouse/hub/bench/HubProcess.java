package dev.gatehouse.hub.bench;

import dev.gatehouse.hub.testing.HubReplica;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The hub as the product runs it ({@code HubMain}), in a JVM of its own, so that its resident memory
 * can be read apart from the benchmark's clients: SQLite under a temporary data directory, the
 * embedded broker on a free port, and a hub MQTT password the benchmark knows (for the bare
 * broker-throughput consumer).
 */
final class HubProcess implements AutoCloseable {
    final Path dataDir;
    final int httpPort;
    final int mqttPort;
    final String hubPassword;
    private final Process process;

    private HubProcess(Path dataDir, int httpPort, int mqttPort, String hubPassword, Process process) {
        this.dataDir = dataDir;
        this.httpPort = httpPort;
        this.mqttPort = mqttPort;
        this.hubPassword = hubPassword;
        this.process = process;
    }

    static HubProcess start(Path dir, List<String> jvmOptions) throws IOException, InterruptedException {
        Files.createDirectories(dir);
        int http = HubReplica.freePort();
        int mqtt = HubReplica.freePort();
        String password = "bench-" + Long.toHexString(Double.doubleToLongBits(Math.random()));
        Path passwordFile = Files.writeString(dir.resolve("hub-mqtt-password"), password + "\n");
        Path config = Files.writeString(
                dir.resolve("hub.yaml"), """
                server:
                  host: 127.0.0.1
                  port: %d
                hub:
                  data-dir: %s
                  log-format: text
                  mqtt:
                    embedded: true
                    host: 127.0.0.1
                    port: %d
                    password-file: %s
                """.formatted(http, dir.resolve("data"), mqtt, passwordFile));
        Process process = HubReplica.launch(config, dir.resolve("hub.log"), jvmOptions, "the hub");
        return new HubProcess(dir.resolve("data"), http, mqtt, password, process);
    }

    /**
     * The hub on an external broker ({@code hub.mqtt.embedded: false}) at {@code mqttUrl}, logging in
     * as {@code gatehouse-hub} with {@code password}; the broker's operator keeps the device accounts
     * ({@code manual}).
     */
    static HubProcess startExternal(Path dir, List<String> jvmOptions, String mqttUrl, String password)
            throws IOException, InterruptedException {
        Files.createDirectories(dir);
        int http = HubReplica.freePort();
        Path passwordFile = Files.writeString(dir.resolve("hub-mqtt-password"), password + "\n");
        Files.setPosixFilePermissions(
                passwordFile, java.nio.file.attribute.PosixFilePermissions.fromString("rw-------"));
        Path config = Files.writeString(
                dir.resolve("hub.yaml"), """
                server:
                  host: 127.0.0.1
                  port: %d
                hub:
                  data-dir: %s
                  log-format: text
                  mqtt:
                    embedded: false
                    url: %s
                    username: gatehouse-hub
                    password-file: %s
                """.formatted(http, dir.resolve("data"), mqttUrl, passwordFile));
        Process process = HubReplica.launch(config, dir.resolve("hub.log"), jvmOptions, "the hub");
        return new HubProcess(dir.resolve("data"), http, -1, password, process);
    }

    long pid() {
        return process.pid();
    }

    String baseUrl() {
        return "http://127.0.0.1:" + httpPort;
    }

    String mqttUrl() {
        return "tcp://127.0.0.1:" + mqttPort;
    }

    String adminToken() throws IOException {
        return Files.readString(dataDir.resolve("admin-token")).strip();
    }

    /** The JVM option that records the sync publisher's flight-recorder events (and nothing else) from the start. */
    static final String SYNC_EVENTS = "-XX:StartFlightRecording:name=gatehouse-sync,settings=none,"
            + "dev.gatehouse.hub.sync.ChangesHeard#enabled=true,dev.gatehouse.hub.sync.SitePublished#enabled=true,"
            + "dev.gatehouse.hub.sync.SiteAccepted#enabled=true";

    /**
     * Writes the hub's flight recording started by {@link #SYNC_EVENTS} so far to {@code file}, with
     * the JDK's {@code jcmd}, and returns the file.
     */
    Path dumpFlightRecording(Path file) throws IOException, InterruptedException {
        Path jcmd = Path.of(System.getProperty("java.home"), "bin", "jcmd");
        Process dump = new ProcessBuilder(
                        jcmd.toString(),
                        Long.toString(process.pid()),
                        "JFR.dump",
                        "name=gatehouse-sync",
                        "filename=" + file.toAbsolutePath())
                .redirectErrorStream(true)
                .start();
        String output = new String(dump.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        if (!dump.waitFor(60, TimeUnit.SECONDS) || dump.exitValue() != 0 || !Files.exists(file)) {
            throw new IOException("jcmd JFR.dump of the hub failed: " + output.strip());
        }
        return file;
    }

    /** CPU time (user + system) the hub's process has used, in clock ticks (Linux's USER_HZ, 100 per second). */
    long cpuTicks() throws IOException {
        String stat = Files.readString(Path.of("/proc/" + process.pid() + "/stat"));
        String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
        return Long.parseLong(fields[11]) + Long.parseLong(fields[12]);
    }

    /** The hub JVM's resident set size in bytes, from /proc. */
    long rssBytes() throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc/" + process.pid() + "/status"))) {
            if (line.startsWith("VmRSS:")) {
                String[] parts = line.split("\\s+");
                return Long.parseLong(parts[1]) * 1024;
            }
        }
        throw new IOException("no VmRSS for the hub's process " + process.pid());
    }

    @Override
    public void close() throws InterruptedException {
        process.destroy();
        if (!process.waitFor(30, TimeUnit.SECONDS)) {
            process.destroyForcibly();
        }
    }
}
