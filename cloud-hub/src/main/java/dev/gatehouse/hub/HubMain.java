package dev.gatehouse.hub;

import dev.gatehouse.hub.demo.DemoMode;
import dev.gatehouse.hub.store.Backups;
import dev.gatehouse.hub.store.StoreException;
import io.helidon.config.Config;
import io.helidon.config.ConfigSources;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.logging.ConsoleHandler;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogManager;
import java.util.logging.Logger;
import java.util.logging.SimpleFormatter;

/**
 * {@code gatehouse-hub [--config FILE]}: starts the hub with {@code FILE} (or the built-in
 * {@code application.yaml}), system properties overriding either ({@code -Dserver.port=9090}).
 * {@code gatehouse-hub backup FILE [--config FILE]} and {@code restore FILE [--force] [--config FILE]}
 * back up and restore its SQLite store ({@link Backups}).
 */
public final class HubMain {
    private HubMain() {}

    public static void main(String[] args) throws InterruptedException {
        if (args.length > 0 && (args[0].equals("backup") || args[0].equals("restore"))) {
            System.exit(backupOrRestore(args));
            return;
        }
        Config config;
        Optional<Path> demo;
        try {
            demo = demoDir(args);
            config = load(withoutDemo(args));
        } catch (IllegalArgumentException e) {
            System.err.println("gatehouse-hub: " + e.getMessage());
            System.err.println("usage: gatehouse-hub [--config FILE] [--demo DIR]");
            System.exit(2);
            return;
        }
        HubConfig settings;
        try {
            settings = HubConfig.from(config);
        } catch (HubConfig.HubConfigException e) {
            System.err.println("gatehouse-hub: configuration: " + e.getMessage());
            System.exit(1);
            return;
        }
        configureLogging(settings.logFormat());
        Hub hub;
        try {
            hub = Hub.start(settings, Clock.systemUTC());
        } catch (StoreException e) {
            System.err.println("gatehouse-hub: store: " + e.getMessage());
            System.exit(1);
            return;
        } catch (RuntimeException e) {
            System.err.println("gatehouse-hub: cannot start: " + e.getMessage());
            System.exit(1);
            return;
        }
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime()
                .addShutdownHook(new Thread(
                        () -> {
                            hub.close();
                            stopped.countDown();
                        },
                        "hub-shutdown"));
        System.out.println("gatehouse hub ready on " + (settings.tls().enabled() ? "https://" : "http://")
                + settings.host() + ":" + hub.port() + " (store: "
                + hub.database().description() + ")");
        if (demo.isPresent()) {
            try {
                String adminToken = hub.stores().tenants().createToken(Optional.empty(), "demo seed");
                DemoMode.run(
                        "http://" + settings.host() + ":" + hub.port(),
                        adminToken,
                        demo.get(),
                        settings.mail().folder());
            } catch (IOException | RuntimeException e) {
                System.err.println("gatehouse-hub: the demo could not be set up: " + e);
                System.exit(1); // the shutdown hook stops the hub
            }
        }
        stopped.await();
    }

    /** {@code backup FILE} or {@code restore FILE [--force]}, each with {@code [--config FILE]}; the exit code. */
    static int backupOrRestore(String[] args) {
        String command = args[0];
        List<String> rest = new ArrayList<>(List.of(args).subList(1, args.length));
        boolean force = rest.remove("--force") && command.equals("restore");
        if (rest.isEmpty() || rest.getFirst().startsWith("--")) {
            System.err.println("usage: gatehouse-hub backup FILE [--config FILE]");
            System.err.println("       gatehouse-hub restore FILE [--force] [--config FILE]");
            return 2;
        }
        Path file = Path.of(rest.removeFirst());
        HubConfig settings;
        try {
            settings = HubConfig.from(load(rest.toArray(String[]::new)));
        } catch (IllegalArgumentException | HubConfig.HubConfigException e) {
            System.err.println("gatehouse-hub: " + e.getMessage());
            return 2;
        }
        try {
            if (command.equals("backup")) {
                long bytes = Backups.backup(settings.store(), file);
                System.out.println("gatehouse-hub: backed up the store to " + file.toAbsolutePath() + " (" + bytes
                        + " bytes). Its tenant keys are sealed under the master key in "
                        + settings.keys().keyFile().toAbsolutePath()
                        + ", which the backup does not contain: keep a copy of that key apart from the backups");
            } else {
                Backups.Restored restored = Backups.restore(settings.store(), file, force);
                System.out.println("gatehouse-hub: restored " + restored.tenants() + " tenant(s) from "
                        + file.toAbsolutePath() + " into " + restored.database().toAbsolutePath()
                        + ". Start the hub with the master key the backup was sealed under (hub.key-file)");
            }
            return 0;
        } catch (StoreException e) {
            System.err.println("gatehouse-hub: " + command + ": " + e.getMessage());
            return 1;
        }
    }

    /** {@code --demo DIR}: seed the demo tenant and write its simulated site under DIR. */
    static Optional<Path> demoDir(String[] args) {
        for (int i = 0; i < args.length; i++) {
            if (args[i].equals("--demo")) {
                if (i + 1 >= args.length) {
                    throw new IllegalArgumentException("--demo needs a directory");
                }
                return Optional.of(Path.of(args[i + 1]));
            }
        }
        return Optional.empty();
    }

    static String[] withoutDemo(String[] args) {
        List<String> rest = new ArrayList<>();
        for (int i = 0; i < args.length; i++) {
            if (args[i].equals("--demo")) {
                i++;
            } else {
                rest.add(args[i]);
            }
        }
        return rest.toArray(String[]::new);
    }

    static Config load(String[] args) {
        Path file = null;
        for (int i = 0; i < args.length; i++) {
            if (args[i].equals("--config") && i + 1 < args.length) {
                file = Path.of(args[++i]);
            } else {
                throw new IllegalArgumentException("unknown argument '" + args[i] + "'");
            }
        }
        if (file != null && !Files.isReadable(file)) {
            throw new IllegalArgumentException("cannot read config file " + file.toAbsolutePath());
        }
        Config.Builder builder = Config.builder().disableEnvironmentVariablesSource();
        if (file != null) {
            builder.sources(
                    ConfigSources.systemProperties(),
                    ConfigSources.file(file),
                    ConfigSources.classpath("application.yaml"));
        } else {
            builder.sources(ConfigSources.systemProperties(), ConfigSources.classpath("application.yaml"));
        }
        return builder.build();
    }

    /** JSON lines (or plain text) on stderr for every logger, Helidon's included. */
    static void configureLogging(String format) {
        LogManager.getLogManager().reset();
        Logger root = Logger.getLogger("");
        Handler handler = new ConsoleHandler();
        handler.setLevel(Level.INFO);
        handler.setFormatter(format.equals("json") ? new JsonLogFormatter() : new SimpleFormatter());
        root.addHandler(handler);
        root.setLevel(Level.INFO);
        Logger.getLogger("com.zaxxer.hikari").setLevel(Level.WARNING);
        Logger.getLogger("org.flywaydb").setLevel(Level.WARNING);
    }
}
