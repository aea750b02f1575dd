package dev.gatehouse.hub.testing;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * A Mosquitto 2 broker of the test's own, on a free port, with a password file and the ACL the hub's
 * README documents: the hub anywhere under {@code gh/v1/#} (and its shared subscriptions), each
 * device only under {@code gh/v1/+/+/<its user name>/#}, anonymous clients refused.
 */
public final class MosquittoBroker implements AutoCloseable {
    private static final List<Path> PASSWD =
            List.of(Path.of("/usr/bin/mosquitto_passwd"), Path.of("/usr/sbin/mosquitto_passwd"));

    private final Path dir;
    private final int port;
    private final Path passwords;
    private final String extra;
    private final List<String> alsoOn;
    private MosquittoProcess process;

    private MosquittoBroker(Path dir, int port, String extra, List<String> alsoOn) {
        this.dir = dir;
        this.port = port;
        this.passwords = dir.resolve("passwd");
        this.extra = extra;
        this.alsoOn = List.copyOf(alsoOn);
    }

    /** The mosquitto binary, where installed. */
    public static Optional<Path> binary() {
        return MosquittoProcess.binary();
    }

    /** Starts a broker that knows {@code hubUser} with {@code hubPassword}; devices are added later. */
    public static MosquittoBroker start(Path dir, String hubUser, String hubPassword) throws IOException {
        return start(dir, hubUser, hubPassword, "", List.of());
    }

    /**
     * As {@link #start(Path, String, String)}, with more configuration lines after the usual ones (a
     * later line of the same option wins), e.g. a larger queue for the fleet benchmark.
     */
    public static MosquittoBroker start(Path dir, String hubUser, String hubPassword, String extra) throws IOException {
        return start(dir, hubUser, hubPassword, extra, List.of());
    }

    /**
     * As {@link #start(Path, String, String)}, listening on the same port of {@code alsoOn} addresses
     * too (the chaos harness's veth addresses, which edges in network namespaces reach).
     */
    public static MosquittoBroker start(Path dir, String hubUser, String hubPassword, List<String> alsoOn)
            throws IOException {
        return start(dir, hubUser, hubPassword, "", alsoOn);
    }

    private static MosquittoBroker start(
            Path dir, String hubUser, String hubPassword, String extra, List<String> alsoOn) throws IOException {
        Files.createDirectories(dir);
        MosquittoBroker broker = new MosquittoBroker(dir, MosquittoProcess.freePort(), extra, alsoOn);
        Files.writeString(broker.passwords, "");
        broker.addUser(hubUser, hubPassword, false);
        Files.writeString(
                dir.resolve("acl"),
                "user " + hubUser + "\n" + "topic readwrite gh/v1/#\n" + "\n" + "pattern readwrite gh/v1/+/+/%u/#\n");
        broker.process = broker.startProcess();
        return broker;
    }

    private MosquittoProcess startProcess() throws IOException {
        return MosquittoProcess.start(
                dir,
                port,
                "password_file " + passwords + "\n" + "acl_file " + dir.resolve("acl") + "\n" + extra,
                alsoOn);
    }

    /** Kills the broker with SIGKILL (no persistence: sessions and queued messages are lost, as in a crash). */
    public void kill() throws InterruptedException {
        process.kill();
    }

    /** Starts the broker again on the same port, users and ACL after {@link #kill()}; returns once it listens. */
    public void startAgain() throws IOException {
        process = startProcess();
    }

    public int port() {
        return port;
    }

    public String url() {
        return "tcp://127.0.0.1:" + port;
    }

    /** The broker's process id (for its CPU time in /proc). */
    public long pid() {
        return process.pid();
    }

    /**
     * Adds many new users at once: their lines hashed by one {@code mosquitto_passwd -U} over a file of
     * their own, appended to the password file, and one reload (a run per user would take minutes for
     * thousands of devices).
     */
    public void addUsers(java.util.Map<String, String> users) throws IOException {
        Path plain = Files.createTempFile(dir, "users", ".txt");
        try {
            StringBuilder lines = new StringBuilder();
            users.forEach((user, password) ->
                    lines.append(user).append(':').append(password).append('\n'));
            Files.writeString(plain, lines);
            MosquittoProcess.run(passwd().toString(), "-U", plain.toString());
            Files.writeString(passwords, Files.readString(plain), java.nio.file.StandardOpenOption.APPEND);
        } finally {
            Files.deleteIfExists(plain);
        }
        MosquittoProcess.run("kill", "-HUP", Long.toString(process.pid()));
    }

    private static Path passwd() {
        return PASSWD.stream()
                .filter(Files::isExecutable)
                .findFirst()
                .orElseThrow(() -> new IllegalStateException("mosquitto_passwd is not installed"));
    }

    /** Adds (or changes) a user in the password file and, when running, makes the broker reload it. */
    public void addUser(String user, String password) throws IOException {
        addUser(user, password, true);
    }

    private void addUser(String user, String password, boolean reload) throws IOException {
        MosquittoProcess.run(passwd().toString(), "-b", passwords.toString(), user, password);
        if (reload && process != null) {
            MosquittoProcess.run("kill", "-HUP", Long.toString(process.pid()));
        }
    }

    @Override
    public void close() {
        if (process != null) {
            process.close();
        }
    }
}
