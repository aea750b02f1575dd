package dev.gatehouse.packaging;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** Runs an installed launcher the way a technician or systemd would, on the JDK running these tests. */
final class Launcher {
    private Launcher() {}

    /** The JDK 21+ that runs the build (Maven's enforcer requires it): what the stub package stands for. */
    static String javaHome() {
        return System.getProperty("packages.java-home", System.getProperty("java.home"));
    }

    static Command command(Path launcher, String javaOpts, String... args) {
        List<String> argv = new ArrayList<>();
        argv.add(launcher.toString());
        argv.addAll(List.of(args));
        return new Command(argv, Map.of("JAVA_HOME", javaHome(), "JAVA_OPTS", javaOpts), Optional.empty());
    }

    static Background start(Path launcher, String javaOpts, String... args) throws java.io.IOException {
        return Background.start(
                command(launcher, javaOpts, args).argv(),
                command(launcher, javaOpts).env());
    }
}
