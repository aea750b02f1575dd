package dev.gatehouse.hub.testing;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * A Mosquitto 2 of the test's own with the dynamic-security plugin, on a free port: its accounts file
 * made by {@code mosquitto_ctrl dynsec init} with one admin account and nothing else, anonymous
 * clients refused. Everything else (the hub's account, the devices') is made over {@code $CONTROL}.
 */
public final class DynsecMosquitto implements AutoCloseable {
    private static final List<Path> CTRL =
            List.of(Path.of("/usr/bin/mosquitto_ctrl"), Path.of("/usr/sbin/mosquitto_ctrl"));
    private static final String PLUGIN = "mosquitto_dynamic_security.so";

    private final Path dir;
    private final int port;
    private MosquittoProcess process;

    private DynsecMosquitto(Path dir, int port) {
        this.dir = dir;
        this.port = port;
    }

    /** Why a dynamic-security broker cannot run here (what to install), or empty when it can. */
    public static Optional<String> missing() {
        if (MosquittoProcess.binary().isEmpty()) {
            return Optional.of("no mosquitto binary (apt-get install mosquitto)");
        }
        if (first(CTRL).isEmpty()) {
            return Optional.of("no mosquitto_ctrl (Debian's mosquitto package ships it)");
        }
        if (plugin().isEmpty()) {
            return Optional.of("no " + PLUGIN + " under /usr/lib (Debian's mosquitto package ships it)");
        }
        return Optional.empty();
    }

    /** The plugin's shared object, where installed. */
    public static Optional<Path> plugin() {
        List<Path> candidates = new ArrayList<>(List.of(
                Path.of("/usr/lib", PLUGIN), Path.of("/usr/local/lib", PLUGIN), Path.of("/usr/lib/mosquitto", PLUGIN)));
        try (DirectoryStream<Path> arches = Files.newDirectoryStream(Path.of("/usr/lib"), "*-linux-gnu*")) {
            arches.forEach(arch -> candidates.add(arch.resolve(PLUGIN)));
        } catch (IOException e) {
            // no multiarch folders
        }
        return candidates.stream().filter(Files::isRegularFile).findFirst();
    }

    private static Optional<Path> first(List<Path> paths) {
        return paths.stream().filter(Files::isExecutable).findFirst();
    }

    /** Starts a broker whose only account is the plugin's admin {@code admin} with {@code password}. */
    public static DynsecMosquitto start(Path dir, String admin, String password) throws IOException {
        Files.createDirectories(dir);
        DynsecMosquitto broker = new DynsecMosquitto(dir, MosquittoProcess.freePort());
        Path accounts = dir.resolve("dynamic-security.json");
        Files.deleteIfExists(accounts);
        MosquittoProcess.run(
                first(CTRL).orElseThrow().toString(), "dynsec", "init", accounts.toString(), admin, password);
        if (!Files.isRegularFile(accounts)) {
            throw new IOException("mosquitto_ctrl dynsec init made no " + accounts);
        }
        broker.process = MosquittoProcess.start(
                dir,
                broker.port,
                "plugin " + plugin().orElseThrow() + "\n" + "plugin_opt_config_file " + accounts + "\n");
        return broker;
    }

    public String url() {
        return "tcp://127.0.0.1:" + port;
    }

    /** The broker's log (the plugin logs each command it ran). */
    public String log() throws IOException {
        return process.log();
    }

    /** Runs {@code mosquitto_ctrl dynsec ARGS…} against this broker as the admin: the operator's own tool. */
    public String ctrl(String admin, String password, String... args) throws IOException {
        List<String> command = new ArrayList<>(List.of(
                first(CTRL).orElseThrow().toString(),
                "-h",
                "127.0.0.1",
                "-p",
                Integer.toString(port),
                "-u",
                admin,
                "-P",
                password,
                "dynsec"));
        command.addAll(List.of(args));
        return MosquittoProcess.run(command.toArray(String[]::new));
    }

    @Override
    public void close() {
        if (process != null) {
            process.close();
        }
    }
}
