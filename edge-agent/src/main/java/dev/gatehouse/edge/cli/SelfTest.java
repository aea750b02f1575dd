package dev.gatehouse.edge.cli;

import dev.gatehouse.edge.config.ConfigException;
import dev.gatehouse.edge.config.EdgeConfig;
import dev.gatehouse.edge.config.EdgeConfigLoader;
import dev.gatehouse.edge.config.SecretFiles;
import dev.gatehouse.edge.config.TrustedCas;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFileAttributes;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;

/**
 * {@code gatehouse-edge selftest --config FILE}: what a technician runs on a freshly installed Pi
 * before the first door. Each check prints one line — {@code ok}, {@code WARN} or {@code FAIL} — and
 * every WARN and FAIL says how to fix it. Checked: the JVM, the configuration, the GPIO character
 * devices and this user's access to them, the configured pins (listed per door), each reader's serial
 * port or camera command, the clock's synchronisation, the data directory, the secrets' owner and
 * modes, and whether the hub's broker answers (over TLS as the agent connects, with the CAs it trusts).
 * Exit 0 when nothing failed, 1 otherwise. Read-only:
 * it opens no GPIO line and no serial port, so it can run beside a running agent.
 */
public final class SelfTest {
    private final PrintStream out;
    private final Path dev;
    private int failures;
    private int warnings;

    SelfTest(PrintStream out, Path dev) {
        this.out = out;
        this.dev = dev;
    }

    public SelfTest(PrintStream out) {
        this(out, Path.of("/dev"));
    }

    private void ok(String line) {
        out.println("ok    " + line);
    }

    private void warn(String line) {
        warnings++;
        out.println("WARN  " + line);
    }

    private void fail(String line) {
        failures++;
        out.println("FAIL  " + line);
    }

    /** Runs every check; answers the exit code. */
    public int run(Path configFile) {
        java();
        EdgeConfig config;
        try {
            config = EdgeConfigLoader.load(configFile);
            ok("config " + configFile + ": " + config.doors().size() + " doors, "
                    + config.readers().size()
                    + " readers, site " + config.site().tenant() + "/"
                    + config.site().id() + ", device "
                    + config.site().device());
        } catch (ConfigException e) {
            fail("config " + configFile + ": " + e.getMessage());
            return summary();
        }
        config.warnings().forEach(this::warn);
        gpio(config);
        readers(config);
        clock();
        dataDir(config.dataDir());
        secret(config.cardKeyFile(), "card-key-file");
        secret(config.trustedKeysFile(), "trusted-keys-file");
        config.hub().ifPresentOrElse(this::hub, () -> warn("hub: none configured; the doors run on the cache alone"));
        return summary();
    }

    private int summary() {
        out.println("selftest: " + (failures == 0 ? "no problems" : failures + " problem" + (failures == 1 ? "" : "s"))
                + ", " + warnings + " warning" + (warnings == 1 ? "" : "s"));
        return failures == 0 ? 0 : 1;
    }

    private void java() {
        Runtime.Version version = Runtime.version();
        String line = "Java " + version + " (" + System.getProperty("java.vendor", "?") + ", "
                + System.getProperty("os.arch") + ")";
        if (version.feature() >= 21) {
            ok(line);
        } else {
            fail(line + ": the agent needs Java 21 or newer; install openjdk-21-jre-headless (Debian 13, Raspberry"
                    + " Pi OS) or a Temurin 21 package");
        }
    }

    private void gpio(EdgeConfig config) {
        readFirstLine(Path.of("/proc/device-tree/model")).ifPresent(model -> ok("board: " + model));
        List<Path> chips = new ArrayList<>();
        try (DirectoryStream<Path> found = Files.newDirectoryStream(dev, "gpiochip*")) {
            found.forEach(chips::add);
        } catch (IOException e) {
            // no /dev to list: reported below as no chip
        }
        String user = System.getProperty("user.name");
        if (chips.isEmpty()) {
            fail("gpio: no " + dev + "/gpiochip* on this machine: the relays cannot move. On a Raspberry Pi"
                    + " the kernel always provides them (check `ls -l /dev/gpiochip*`); elsewhere run the agent"
                    + " with --simulate");
        } else {
            chips.sort(null);
            for (Path chip : chips) {
                if (Files.isReadable(chip) && Files.isWritable(chip)) {
                    ok("gpio: " + chip + " readable and writable by " + user);
                } else {
                    fail("gpio: " + chip + " is not readable and writable by " + user + ": add the user to the gpio"
                            + " group (sudo usermod -aG gpio " + user + ", then log in again or restart the service)");
                }
            }
        }
        TreeMap<Integer, String> pins = new TreeMap<>();
        for (EdgeConfig.Door door : config.doors()) {
            pins.put(door.relayPin(), "relay of " + door.id() + (door.relayActiveLow() ? " (active low)" : ""));
            door.contactPin().ifPresent(pin -> pins.put(pin, "contact of " + door.id()));
            door.rexPin().ifPresent(pin -> pins.put(pin, "REX of " + door.id()));
        }
        for (EdgeConfig.FireRelease fire : config.fireReleases()) {
            pins.put(fire.pin(), "fire release " + fire.id());
        }
        pins.forEach((pin, role) -> ok("pin BCM " + pin + ": " + role));
    }

    private void readers(EdgeConfig config) {
        String user = System.getProperty("user.name");
        for (EdgeConfig.Reader reader : config.readers()) {
            String name = "reader " + reader.id() + " ("
                    + reader.type().name().toLowerCase().replace('_', '-') + ")";
            if (reader.type() == EdgeConfig.ReaderType.CAMERA_QR) {
                Optional<String> command =
                        reader.captureCommand().map(c -> c.strip().split("\\s+")[0]);
                if (command.isEmpty()) {
                    ok(name + ": frames from the configured source");
                } else if (onPath(command.get())) {
                    ok(name + ": capture command " + command.get() + " found");
                } else {
                    fail(name + ": capture command " + command.get() + " is not installed or not on the PATH"
                            + " (on Raspberry Pi OS: sudo apt install rpicam-apps)");
                }
                continue;
            }
            Optional<String> port = reader.port();
            if (port.isEmpty()) {
                fail(name + ": no port configured");
                continue;
            }
            Path path = Path.of(port.get());
            if (!Files.exists(path)) {
                fail(name + ": " + path + " does not exist: is the reader plugged in and powered? `ls -l"
                        + " /dev/serial/by-id/` lists the serial devices present");
            } else if (!Files.isReadable(path) || !Files.isWritable(path)) {
                fail(name + ": " + path + " is not readable and writable by " + user + ": add the user to the dialout"
                        + " group (sudo usermod -aG dialout " + user + ")");
            } else {
                String real;
                try {
                    real = path.toRealPath().toString();
                } catch (IOException e) {
                    real = path.toString();
                }
                ok(name + ": " + path + (real.equals(path.toString()) ? "" : " → " + real) + " present and usable");
            }
        }
    }

    private void clock() {
        Optional<String> synced = command("timedatectl", "show", "-p", "NTPSynchronized", "--value");
        if (synced.isPresent() && synced.get().equals("yes")) {
            ok("clock: synchronised (timedatectl)");
        } else if (synced.isPresent() && synced.get().equals("no")) {
            warn("clock: not synchronised: office-hours unlocks wait until the clock is trusted (the hub's signed"
                    + " time or NTP); check `timedatectl timesync-status` and that the Pi reaches an NTP server");
        } else if (Files.exists(Path.of("/run/systemd/timesync/synchronized"))) {
            ok("clock: synchronised (systemd-timesyncd)");
        } else {
            warn("clock: cannot tell whether it is synchronised (no timedatectl here); a Pi without a real-time"
                    + " clock needs NTP or the hub's signed time before office-hours unlocks apply");
        }
    }

    private void dataDir(Path dir) {
        String user = System.getProperty("user.name");
        if (!Files.exists(dir)) {
            Path parent = dir.toAbsolutePath().getParent();
            if (parent != null && Files.isWritable(parent)) {
                ok("data-dir " + dir + ": absent; the agent creates it (0700) at its first start");
            } else {
                fail("data-dir " + dir + ": absent, and " + parent + " is not writable by " + user + ": create it"
                        + " (sudo install -d -m 700 -o " + user + " " + dir + ")");
            }
            return;
        }
        try {
            PosixFileAttributes attributes = Files.readAttributes(dir, PosixFileAttributes.class);
            String mode = PosixFilePermissions.toString(attributes.permissions());
            if (!attributes.owner().getName().equals(user)) {
                fail("data-dir " + dir + ": belongs to " + attributes.owner().getName() + ", not " + user
                        + " (sudo chown -R " + user + " " + dir + ")");
            } else if (!Files.isWritable(dir)) {
                fail("data-dir " + dir + ": not writable by " + user + " (chmod 700 " + dir + ")");
            } else if (!mode.equals("rwx------")) {
                warn("data-dir " + dir + ": is " + mode + "; it holds the cache and the outbox, and the agent makes"
                        + " it rwx------ at start (or: chmod 700 " + dir + ")");
            } else {
                ok("data-dir " + dir + ": " + user + ", rwx------");
            }
        } catch (UnsupportedOperationException | IOException e) {
            warn("data-dir " + dir + ": cannot read its owner and mode (" + e.getMessage() + ")");
        }
    }

    private void secret(Path file, String key) {
        if (!Files.exists(file)) {
            fail(key + ": " + file + " does not exist; enroll the device (gatehouse-edge enroll HUB CODE)");
            return;
        }
        try {
            SecretFiles.requireOwnerOnly(file, key);
            ok(key + ": " + file + " is its owner's only");
        } catch (ConfigException e) {
            fail(e.getMessage());
        }
    }

    private void hub(EdgeConfig.Hub hub) {
        URI url = URI.create(hub.mqttUrl());
        InetSocketAddress broker = new InetSocketAddress(url.getHost(), url.getPort());
        try {
            if (!"ssl".equalsIgnoreCase(url.getScheme())) {
                try (Socket socket = new Socket()) {
                    socket.connect(broker, 3000);
                }
                ok("hub: the broker at " + hub.mqttUrl() + " answers");
                return;
            }
            // As the agent connects: the CAs of hub.ca-file (else the JVM's), and the host name checked.
            SSLContext context = hub.caFile().isPresent()
                    ? TrustedCas.read(hub.caFile().get(), "hub.ca-file").sslContext()
                    : SSLContext.getDefault();
            try (SSLSocket socket = (SSLSocket) context.getSocketFactory().createSocket()) {
                socket.connect(broker, 3000);
                socket.setSoTimeout(5000);
                SSLParameters parameters = socket.getSSLParameters();
                parameters.setEndpointIdentificationAlgorithm("HTTPS");
                socket.setSSLParameters(parameters);
                socket.startHandshake();
            }
            ok("hub: the broker at " + hub.mqttUrl() + " answers with a certificate this device trusts"
                    + hub.caFile()
                            .map(file -> " (from hub.ca-file " + file + ")")
                            .orElse(""));
        } catch (IOException | GeneralSecurityException | ConfigException e) {
            Optional<String> advice = TrustedCas.advice(e, hub.mqttUrl(), hub.caFile(), "hub.ca-file");
            if (advice.isPresent()) {
                fail("hub: " + advice.get());
            } else if (e instanceof ConfigException) {
                fail(e.getMessage());
            } else {
                warn("hub: cannot reach the broker at " + hub.mqttUrl() + " (" + e.getMessage() + "): the doors"
                        + " keep working on the cache; check the network, DNS and firewall");
            }
        }
    }

    private static Optional<String> readFirstLine(Path file) {
        try {
            String text = Files.readString(file, StandardCharsets.UTF_8)
                    .replace("\0", "")
                    .strip();
            return text.isEmpty() ? Optional.empty() : Optional.of(text);
        } catch (IOException | RuntimeException e) {
            return Optional.empty();
        }
    }

    private static boolean onPath(String command) {
        if (command.contains("/")) {
            return Files.isExecutable(Path.of(command));
        }
        String path = System.getenv().getOrDefault("PATH", "/usr/bin:/bin");
        for (String dir : path.split(":")) {
            if (!dir.isEmpty() && Files.isExecutable(Path.of(dir, command))) {
                return true;
            }
        }
        return false;
    }

    private static Optional<String> command(String... argv) {
        if (!onPath(argv[0])) {
            return Optional.empty();
        }
        try {
            Process process = new ProcessBuilder(argv).redirectErrorStream(true).start();
            try (InputStream in = process.getInputStream()) {
                String text = new String(in.readNBytes(4096), StandardCharsets.UTF_8).strip();
                if (!process.waitFor(5, TimeUnit.SECONDS) || process.exitValue() != 0) {
                    process.destroyForcibly();
                    return Optional.empty();
                }
                return Optional.of(text);
            }
        } catch (IOException e) {
            return Optional.empty();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Optional.empty();
        }
    }
}
