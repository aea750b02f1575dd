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

/**
 * A Mosquitto 2 broker of the test's own, on a free port, with a password file and the ACL the hub's
 * README documents: the hub anywhere under {@code gh/v1/#} (and its shared subscriptions), each
 * device only under {@code gh/v1/+/+/<its user name>/#}, anonymous clients refused.
 */
public final class MosquittoBroker implements AutoCloseable {
    private static final List<Path> BINARIES = List.of(Path.of("/usr/sbin/mosquitto"), Path.of("/usr/bin/mosquitto"));
    private static final List<Path> PASSWD =
            List.of(Path.of("/usr/bin/mosquitto_passwd"), Path.of("/usr/sbin/mosquitto_passwd"));

    private final Path dir;
    private final int port;
    private final Path passwords;
    private Process process;

    private MosquittoBroker(Path dir, int port) {
        this.dir = dir;
        this.port = port;
        this.passwords = dir.resolve("passwd");
    }

    /** The mosquitto binary, where installed. */
    public static Optional<Path> binary() {
        return BINARIES.stream().filter(Files::isExecutable).findFirst();
    }

    /** Starts a broker that knows {@code hubUser} with {@code hubPassword}; devices are added later. */
    public static MosquittoBroker start(Path dir, String hubUser, String hubPassword) throws IOException {
        Path binary = binary().orElseThrow(() -> new IllegalStateException("mosquitto is not installed"));
        Files.createDirectories(dir);
        MosquittoBroker broker = new MosquittoBroker(dir, freePort());
        Files.writeString(broker.passwords, "");
        broker.addUser(hubUser, hubPassword, false);
        Files.writeString(
                dir.resolve("acl"),
                "user " + hubUser + "\n" + "topic readwrite gh/v1/#\n" + "\n" + "pattern readwrite gh/v1/+/+/%u/#\n");
        Files.writeString(
                dir.resolve("mosquitto.conf"),
                "per_listener_settings false\n"
                        + "listener " + broker.port + " 127.0.0.1\n"
                        + "allow_anonymous false\n"
                        + "password_file " + broker.passwords + "\n"
                        + "acl_file " + dir.resolve("acl") + "\n"
                        + "max_packet_size 409600\n"
                        + "persistence false\n"
                        + "max_inflight_messages 1000\n"
                        + "max_queued_messages 100000\n"
                        + "user " + System.getProperty("user.name") + "\n");
        broker.process = new ProcessBuilder(
                        binary.toString(), "-c", dir.resolve("mosquitto.conf").toString())
                .redirectErrorStream(true)
                .redirectOutput(dir.resolve("mosquitto.log").toFile())
                .start();
        broker.awaitListening();
        return broker;
    }

    public int port() {
        return port;
    }

    public String url() {
        return "tcp://127.0.0.1:" + port;
    }

    /** Adds (or changes) a user in the password file and, when running, makes the broker reload it. */
    public void addUser(String user, String password) throws IOException {
        addUser(user, password, true);
    }

    private void addUser(String user, String password, boolean reload) throws IOException {
        Path tool = PASSWD.stream()
                .filter(Files::isExecutable)
                .findFirst()
                .orElseThrow(() -> new IllegalStateException("mosquitto_passwd is not installed"));
        run(tool.toString(), "-b", passwords.toString(), user, password);
        if (reload && process != null) {
            run("kill", "-HUP", Long.toString(process.pid()));
        }
    }

    private static void run(String... command) throws IOException {
        try {
            Process child =
                    new ProcessBuilder(command).redirectErrorStream(true).start();
            String output = new String(child.getInputStream().readAllBytes());
            if (!child.waitFor(30, TimeUnit.SECONDS) || child.exitValue() != 0) {
                throw new IOException(String.join(" ", command) + " failed: " + output);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted", e);
        }
    }

    private void awaitListening() throws IOException {
        long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new IOException("mosquitto exited with " + process.exitValue() + ": "
                        + Files.readString(dir.resolve("mosquitto.log")));
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

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }

    @Override
    public void close() {
        if (process != null) {
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
}
