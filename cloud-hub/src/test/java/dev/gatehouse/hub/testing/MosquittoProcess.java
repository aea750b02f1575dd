package dev.gatehouse.hub.testing;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/** A Mosquitto process of a test's own: started on a configuration file, ready once it listens. */
final class MosquittoProcess implements AutoCloseable {
    private static final List<Path> BINARIES = List.of(Path.of("/usr/sbin/mosquitto"), Path.of("/usr/bin/mosquitto"));

    private final Process process;
    private final Path log;

    private MosquittoProcess(Process process, Path log) {
        this.process = process;
        this.log = log;
    }

    /** The mosquitto binary, where installed. */
    static Optional<Path> binary() {
        return BINARIES.stream().filter(Files::isExecutable).findFirst();
    }

    /**
     * Runs mosquitto on {@code dir/mosquitto.conf} until it listens on {@code port} of loopback, its
     * output in {@code dir/mosquitto.log}: anonymous clients refused, the hub's packet size and queue,
     * no persistence, the current user, then {@code authentication} (the configuration lines that say
     * who may log in and what they may do, and any option the caller sets otherwise: the last line of an
     * option wins) (a broker started as root would switch to user
     * {@code mosquitto} and could not read files in the test's owner-only folders).
     */
    static MosquittoProcess start(Path dir, int port, String authentication) throws IOException {
        return start(dir, port, authentication, List.of());
    }

    /** As {@link #start(Path, int, String)}, listening on {@code port} of {@code alsoOn} addresses too. */
    static MosquittoProcess start(Path dir, int port, String authentication, List<String> alsoOn) throws IOException {
        Path config = dir.resolve("mosquitto.conf");
        StringBuilder listeners = new StringBuilder("listener " + port + " 127.0.0.1\n");
        alsoOn.forEach(address -> listeners
                .append("listener ")
                .append(port)
                .append(' ')
                .append(address)
                .append('\n'));
        Files.writeString(
                config,
                "per_listener_settings false\n"
                        + listeners
                        + "allow_anonymous false\n"
                        + "max_packet_size 409600\n"
                        + "persistence false\n"
                        + "max_inflight_messages 1000\n"
                        + "max_queued_messages 100000\n"
                        + "user " + System.getProperty("user.name") + "\n"
                        // Last, so that a caller's line of the same option wins (Mosquitto keeps the last).
                        + authentication);
        Path log = dir.resolve("mosquitto.log");
        Process process = new ProcessBuilder(
                        binary().orElseThrow(() -> new IllegalStateException("mosquitto is not installed"))
                                .toString(),
                        "-c",
                        config.toString())
                .redirectErrorStream(true)
                .redirectOutput(log.toFile())
                .start();
        MosquittoProcess started = new MosquittoProcess(process, log);
        started.awaitListening(port);
        return started;
    }

    long pid() {
        return process.pid();
    }

    String log() throws IOException {
        return Files.readString(log);
    }

    /** Runs a command (a Mosquitto tool) to its end; its output, or an IOException with it. */
    static String run(String... command) throws IOException {
        try {
            Process child =
                    new ProcessBuilder(command).redirectErrorStream(true).start();
            String output = new String(child.getInputStream().readAllBytes());
            if (!child.waitFor(30, TimeUnit.SECONDS) || child.exitValue() != 0) {
                throw new IOException(command[0] + " failed: " + output);
            }
            return output;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted", e);
        }
    }

    private void awaitListening(int port) throws IOException {
        long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new IOException("mosquitto exited with " + process.exitValue() + ": " + log());
            }
            try (Socket ignored = new Socket("127.0.0.1", port)) {
                return;
            } catch (IOException notYet) {
                try {
                    Thread.sleep(20);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new IOException("interrupted", e);
                }
            }
        }
        throw new IOException("mosquitto did not listen on " + port + " within 20 s");
    }

    static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }

    /** Kills the broker with SIGKILL, as a crash would, and waits for it to end. */
    void kill() throws InterruptedException {
        process.destroyForcibly();
        process.waitFor(10, TimeUnit.SECONDS);
    }

    @Override
    public void close() {
        process.destroy();
        try {
            if (!process.waitFor(10, TimeUnit.SECONDS)) {
                process.destroyForcibly();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            process.destroyForcibly();
        }
    }
}
