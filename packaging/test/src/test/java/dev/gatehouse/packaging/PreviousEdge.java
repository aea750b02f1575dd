package dev.gatehouse.packaging;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.junit.jupiter.api.Assumptions;

/**
 * The edge agent of the previous release, built from its commit in this repository's history with the
 * Maven that runs this build: what sites still run while the hub is upgraded first. The build is kept
 * under {@code target/previous-edge/COMMIT} and reused.
 */
record PreviousEdge(String commit, String name, Path home) {
    private static final String MAIN = "dev.gatehouse.edge.cli.EdgeMain";

    /** The previous release named in {@code previous-edge.properties}, built if it is not yet. */
    static PreviousEdge build() throws IOException, InterruptedException {
        Properties release = new Properties();
        try (InputStream in = PreviousEdge.class.getResourceAsStream("/previous-edge.properties")) {
            assertThat(in).as("previous-edge.properties on the test class path").isNotNull();
            release.load(in);
        }
        String commit = release.getProperty("commit");
        Path repo = Path.of(property("packages.repo-root")).toAbsolutePath().normalize();
        Path home = Path.of(property("packages.previous-edge-dir")).resolve(commit);
        PreviousEdge edge = new PreviousEdge(commit, release.getProperty("name"), home);
        if (Files.isRegularFile(edge.jar())) {
            return edge;
        }
        Command.Result known = Command.of("git", "-C", repo.toString(), "cat-file", "-e", commit + "^{commit}")
                .run();
        // A source tarball or a shallow clone has no history to build the previous release from.
        Assumptions.assumeTrue(
                known.exit() == 0,
                "commit " + commit + " is not in " + repo + " (not a git clone with its history: " + known.output()
                        + "); the previous edge cannot be built here");
        Path source = home.resolveSibling(commit + ".src");
        deleteTree(source);
        Files.createDirectories(source);
        Command.of(
                        "sh",
                        "-c",
                        "git -C \"$1\" archive --format=tar \"$2\" | tar -x -C \"$3\"",
                        "archive",
                        repo.toString(),
                        commit,
                        source.toString())
                .succeeds();
        String maven = Path.of(property("packages.maven-home"), "bin", "mvn").toString();
        Command.of(
                        maven,
                        "-q",
                        "-B",
                        "-f",
                        source.resolve("pom.xml").toString(),
                        "-Dmaven.repo.local=" + property("packages.maven-repo"),
                        "-pl",
                        "edge-agent",
                        "-am",
                        "package",
                        "dependency:copy-dependencies",
                        "-DincludeScope=runtime",
                        "-DskipTests",
                        "-Dspotless.check.skip=true",
                        "-Dmaven.javadoc.skip=true")
                .withEnv(Map.of("JAVA_HOME", Launcher.javaHome()))
                .succeeds();
        Path built = source.resolve("edge-agent/target");
        Files.createDirectories(home.resolve("lib"));
        try (var jars = Files.list(built.resolve("dependency"))) {
            for (Path jar : jars.toList()) {
                Files.copy(jar, home.resolve("lib").resolve(jar.getFileName()));
            }
        }
        try (var jars = Files.list(built)) {
            Path agent = jars.filter(f -> f.getFileName().toString().matches("gatehouse-edge-agent-.*\\.jar"))
                    .findFirst()
                    .orElseGet(() -> fail("the previous edge's build made no gatehouse-edge-agent jar in %s", built));
            // Written last: its presence means the build is whole.
            Files.copy(agent, edge.jar());
        }
        deleteTree(source);
        return edge;
    }

    private Path jar() {
        return home.resolve("gatehouse-edge-agent.jar");
    }

    /** {@code java -cp … EdgeMain ARGS}: the previous agent or its technician CLI. */
    List<String> argv(String... args) {
        List<String> argv = new ArrayList<>();
        argv.add(Path.of(Launcher.javaHome(), "bin", "java").toString());
        argv.add("-Xmx128m");
        argv.add("-Dorg.slf4j.simpleLogger.defaultLogLevel=info");
        argv.add("-cp");
        argv.add(jar() + ":" + home.resolve("lib") + "/*");
        argv.add(MAIN);
        argv.addAll(List.of(args));
        return argv;
    }

    /** Runs a CLI command of the previous edge to its end. */
    Command.Result cli(String... args) throws IOException, InterruptedException {
        return new Command(argv(args), Map.of(), java.util.Optional.empty()).run();
    }

    private static String property(String name) {
        String value = System.getProperty(name);
        if (value == null) {
            return fail("system property %s is not set: run the package tests through Maven (mvn verify)", name);
        }
        return value;
    }

    private static void deleteTree(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return;
        }
        try (var paths = Files.walk(dir)) {
            for (Path path : paths.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.delete(path);
            }
        }
    }
}
