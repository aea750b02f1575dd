package dev.gatehouse.hub.testing;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * One hub replica as the product runs it ({@code HubMain}) in a JVM of its own: PostgreSQL at the
 * given JDBC URL, the given external broker, its own MQTT client id and data directory. It can be
 * killed as a crash would (SIGKILL), which nothing in-process can imitate.
 */
public final class HubReplica implements AutoCloseable {
    private final Path dir;
    private final int port;
    private final Process process;

    private HubReplica(Path dir, int port, Process process) {
        this.dir = dir;
        this.port = port;
        this.process = process;
    }

    /**
     * Starts a replica and returns once it serves HTTP; fails with the tail of its log when it does
     * not. Every replica must open the store's sealed columns with one master key: {@code keyFile}
     * (the first replica's {@code master.key}), or empty for the first, which makes it.
     */
    public static HubReplica start(
            Path dir, String name, String jdbcUrl, String brokerUrl, Path hubPasswordFile, Optional<Path> keyFile)
            throws IOException {
        return start(dir, name, jdbcUrl, brokerUrl, hubPasswordFile, keyFile, freePort(), List.of());
    }

    /** As above, serving HTTP on {@code port} (a replica started again where a load balancer expects it). */
    public static HubReplica start(
            Path dir,
            String name,
            String jdbcUrl,
            String brokerUrl,
            Path hubPasswordFile,
            Optional<Path> keyFile,
            int port)
            throws IOException {
        return start(dir, name, jdbcUrl, brokerUrl, hubPasswordFile, keyFile, port, List.of());
    }

    /**
     * Starts a replica as {@link #start(Path, String, String, String, Path, Optional)} does, on the
     * given HTTP port, with {@code classPathBefore} ahead of this JVM's class path: what a newer
     * release's jar would bring, such as migrations of its own (RollingUpgradeIT).
     */
    public static HubReplica start(
            Path dir,
            String name,
            String jdbcUrl,
            String brokerUrl,
            Path hubPasswordFile,
            Optional<Path> keyFile,
            int port,
            List<Path> classPathBefore)
            throws IOException {
        Files.createDirectories(dir);
        Path config = Files.writeString(dir.resolve("hub.yaml"), """
                server:
                  host: 127.0.0.1
                  port: %d
                hub:
                  data-dir: %s
                  log-format: text
                  key-file: %s
                  trusted-proxies: [127.0.0.1]
                  store:
                    jdbc-url: "%s"
                  sync:
                    lease-term: 3s
                  mqtt:
                    embedded: false
                    url: %s
                    public-url: %s
                    password-file: %s
                    client-id: %s
                """.formatted(
                        port,
                        dir.resolve("data"),
                        keyFile.orElse(dir.resolve("data").resolve("master.key")),
                        jdbcUrl,
                        brokerUrl,
                        brokerUrl,
                        hubPasswordFile,
                        name));
        Process process =
                launch(config, dir.resolve("hub.log"), List.of("-Xmx256m"), classPathBefore, "hub replica " + name);
        return new HubReplica(dir, port, process);
    }

    /**
     * Runs {@code HubMain} with {@code config} in a JVM of its own (this test JVM's class path, the
     * given JVM options), its log to {@code log}, and returns once it says it is ready; fails with the
     * tail of the log when it does not within three minutes.
     */
    public static Process launch(Path config, Path log, List<String> jvmOptions, String what) throws IOException {
        return launch(config, log, jvmOptions, List.of(), what);
    }

    private static Process launch(
            Path config, Path log, List<String> jvmOptions, List<Path> classPathBefore, String what)
            throws IOException {
        List<String> classPath = new java.util.ArrayList<>();
        classPathBefore.forEach(p -> classPath.add(p.toString()));
        classPath.add(System.getProperty("java.class.path"));
        List<String> command = new java.util.ArrayList<>();
        command.add(ProcessHandle.current().info().command().orElse("java"));
        command.addAll(jvmOptions);
        command.addAll(List.of(
                "--enable-native-access=ALL-UNNAMED",
                "-cp",
                String.join(java.io.File.pathSeparator, classPath),
                "dev.gatehouse.hub.HubMain",
                "--config",
                config.toString()));
        Process process =
                new ProcessBuilder(command).redirectError(log.toFile()).start();
        CompletableFuture<Boolean> ready = new CompletableFuture<>();
        Thread.ofPlatform().daemon(true).start(() -> {
            try (BufferedReader out =
                    new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
                String line;
                while ((line = out.readLine()) != null) {
                    if (line.contains("gatehouse hub ready")) {
                        ready.complete(true);
                    }
                }
            } catch (IOException e) {
                // the process ended
            }
            ready.complete(false);
        });
        boolean up;
        try {
            up = ready.get(180, TimeUnit.SECONDS);
        } catch (Exception e) {
            up = false;
        }
        if (!up) {
            process.destroyForcibly();
            throw new IOException(what + " did not start; its log " + log + ":\n" + tail(log));
        }
        return process;
    }

    public int port() {
        return port;
    }

    public long pid() {
        return process.pid();
    }

    /** The master key this replica made (when started without one). */
    public Path keyFile() {
        return dataDir().resolve("master.key");
    }

    /** The data directory (the first replica to start writes {@code admin-token} there). */
    public Path dataDir() {
        return dir.resolve("data");
    }

    /** Kills the process with SIGKILL, as a crash or an OOM killer would, and waits for it to end. */
    public void kill() throws InterruptedException {
        process.destroyForcibly();
        process.waitFor(30, TimeUnit.SECONDS);
    }

    public boolean alive() {
        return process.isAlive();
    }

    public String logTail() {
        return tail(dir.resolve("hub.log"));
    }

    private static String tail(Path log) {
        try {
            List<String> lines = Files.readAllLines(log);
            return String.join("\n", lines.subList(Math.max(0, lines.size() - 40), lines.size()));
        } catch (IOException e) {
            return "(no log: " + e.getMessage() + ")";
        }
    }

    public static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }

    /** Stops the process (SIGTERM: the hub's shutdown hook closes it cleanly). */
    @Override
    public void close() throws InterruptedException {
        if (process.isAlive()) {
            process.destroy();
            if (!process.waitFor(30, TimeUnit.SECONDS)) {
                process.destroyForcibly();
            }
        }
    }
}
