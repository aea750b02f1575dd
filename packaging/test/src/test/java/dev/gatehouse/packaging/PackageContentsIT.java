package dev.gatehouse.packaging;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** What the two .deb files and the two tarballs hold, read with dpkg-deb and tar, and the launcher's Java search. */
class PackageContentsIT {
    @BeforeAll
    static void printTheSizes() throws IOException {
        // The sizes go into the release notes; printed, never asserted (a size is not a behaviour).
        for (Path file :
                List.of(Packages.edgeDeb(), Packages.edgeTarball(), Packages.hubDeb(), Packages.hubTarball())) {
            System.out.printf(
                    "package size: %-45s %,12d bytes (%.1f MB)%n",
                    file.getFileName(), Files.size(file), Files.size(file) / 1_000_000.0);
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {Packages.EDGE, Packages.HUB})
    void theControlFileDependsOnAJava21RuntimeAndRunsOnEveryArchitecture(String name) throws Exception {
        Path deb = deb(name);

        assertThat(Packages.field(deb, "Package")).isEqualTo(name);
        assertThat(Packages.field(deb, "Architecture")).isEqualTo("all");
        assertThat(Packages.field(deb, "Depends")).isEqualTo(Packages.JAVA);
        // jdeb writes a Maven SNAPSHOT as ~snapshot, which sorts before the release it leads to.
        assertThat(Packages.field(deb, "Version")).matches("\\d+\\.\\d+\\.\\d+(~snapshot)?");
        assertThat(Command.of("dpkg-deb", "--info", deb.toString(), "conffiles")
                        .succeeds()
                        .lines()
                        .toList())
                .containsExactly(
                        name.equals(Packages.EDGE)
                                ? "/etc/gatehouse/gatehouse.yaml.example"
                                : "/etc/gatehouse/hub.yaml");
        String info = Command.of("dpkg-deb", "--info", deb.toString()).succeeds();
        for (String script : List.of("postinst", "prerm", "postrm")) {
            assertThat(info).containsPattern("\\*\\s+" + script + "\\s+#!/bin/sh");
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {Packages.EDGE, Packages.HUB})
    void theFilesAreRootsWithTheLauncherExecutableAndTheRuntimeJars(String name) throws Exception {
        List<String> contents = Command.of("dpkg-deb", "--contents", deb(name).toString())
                .succeeds()
                .lines()
                .toList();

        assertThat(contents).allSatisfy(line -> assertThat(line).contains(" root/root "));
        assertThat(contents).anyMatch(line -> line.startsWith("-rwxr-xr-x ") && line.endsWith(" ./usr/bin/" + name));
        assertThat(contents)
                .anyMatch(line -> line.startsWith("-rw-r--r-- ")
                        && line.endsWith(" ./usr/lib/systemd/system/" + name + ".service"));
        List<String> jars = contents.stream()
                .filter(line -> line.contains(" ./usr/share/" + name + "/lib/"))
                .filter(line -> line.endsWith(".jar"))
                .map(line -> line.substring(line.lastIndexOf('/') + 1))
                .toList();
        String module = name.equals(Packages.EDGE) ? "gatehouse-edge-agent-" : "gatehouse-cloud-hub-";
        assertThat(jars).anyMatch(jar -> jar.startsWith(module));
        assertThat(jars).anyMatch(jar -> jar.startsWith("gatehouse-protocol-"));
        assertThat(jars).anyMatch(jar -> jar.startsWith("sqlite-jdbc-"));
        // Runtime only: no test libraries, and the hub's test-scope dependency on the edge stays out.
        assertThat(jars).noneMatch(jar -> jar.startsWith("junit-") || jar.startsWith("assertj-"));
        if (name.equals(Packages.HUB)) {
            assertThat(jars).noneMatch(jar -> jar.startsWith("gatehouse-edge-agent-"));
        } else {
            assertThat(jars).anyMatch(jar -> jar.startsWith("pi4j-plugin-gpiod-"));
        }
        // Nothing under /var: the data directory is the postinst's to make (0700, the service's user),
        // and purge, not dpkg's file list, decides when it goes.
        assertThat(contents).noneMatch(line -> line.contains(" ./var/"));
    }

    @ParameterizedTest
    @ValueSource(strings = {Packages.EDGE, Packages.HUB})
    void theTarballHoldsTheSameFilesAndItsLauncherRuns(String name, @TempDir Path work) throws Exception {
        Path tarball = name.equals(Packages.EDGE) ? Packages.edgeTarball() : Packages.hubTarball();
        Command.of("tar", "-xzf", tarball.toString(), "-C", work.toString()).succeeds();
        Path top;
        try (Stream<Path> entries = Files.list(work)) {
            top = entries.collect(java.util.stream.Collectors.toList()).getFirst();
        }
        assertThat(top.getFileName().toString()).startsWith(name + "-");

        Path launcher = top.resolve("bin/" + name);
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(launcher)))
                .isEqualTo("rwxr-xr-x");
        assertThat(top.resolve("systemd/" + name + ".service")).isRegularFile();
        assertThat(top.resolve(name.equals(Packages.EDGE) ? "etc/gatehouse.yaml.example" : "etc/hub.yaml"))
                .isRegularFile();
        try (Stream<Path> jars = Files.list(top.resolve("lib"))) {
            assertThat(jars.map(jar -> jar.getFileName().toString()))
                    .anyMatch(jar -> jar.startsWith("gatehouse-protocol-"));
        }
        if (name.equals(Packages.EDGE)) {
            // The hub has no --help (it starts); the edge's CLI proves the class path is complete enough to run.
            assertThat(Launcher.command(launcher, "", "--help").succeeds()).contains("usage: gatehouse-edge");
        }
    }

    @Test
    void systemdAcceptsBothInstalledUnitsWithoutAWord(@TempDir Path work) throws Exception {
        // A misspelt key or a bad value is only a warning to systemd, which then runs the service without
        // that setting. The units are checked as the .debs install them, beside their launchers.
        Path root = unpackWithHostUnits(work);

        String said = verify(root);

        assertThat(said).isEmpty();
    }

    @Test
    void systemdAnalyzeSpeaksUpAboutAMisspeltKey(@TempDir Path work) throws Exception {
        // The check above is worth something only if verify reports what systemd would ignore.
        Path root = unpackWithHostUnits(work);
        Path unit = root.resolve("usr/lib/systemd/system/gatehouse-hub.service");
        Files.writeString(unit, Files.readString(unit).replace("Restart=on-failure", "Restrat=on-failure"));

        assertThat(verify(root)).contains("Unknown key 'Restrat'");
    }

    @Test
    void theHubUnitRunsTheLauncherAsItsOwnUserWithItsConfigAndRestartsOnFailure(@TempDir Path work) throws Exception {
        Path root = work.resolve("root");
        Command.of("dpkg-deb", "--extract", Packages.hubDeb().toString(), root.toString())
                .succeeds();

        List<String> lines = Files.readAllLines(root.resolve("usr/lib/systemd/system/gatehouse-hub.service"));

        assertThat(lines)
                .contains(
                        "User=gatehouse-hub",
                        "ExecStart=/usr/bin/gatehouse-hub --config /etc/gatehouse/hub.yaml",
                        "Restart=on-failure",
                        "StateDirectory=gatehouse-hub",
                        "ReadWritePaths=/var/lib/gatehouse-hub",
                        "SuccessExitStatus=143");
        // The unit's state directory is the config's data-dir: the only place the hub may write.
        assertThat(Files.readAllLines(root.resolve("etc/gatehouse/hub.yaml")))
                .contains("  data-dir: /var/lib/gatehouse-hub");
    }

    @Test
    void theLauncherSkipsAJavaOlderThan21AndFindsOneUnderTheJvmDirectories(@TempDir Path work) throws Exception {
        Path root = work.resolve("root");
        Command.of("dpkg-deb", "--extract", Packages.edgeDeb().toString(), root.toString())
                .succeeds();
        Path jvms = Files.createDirectories(work.resolve("jvm"));
        Files.createSymbolicLink(jvms.resolve("some-jdk"), Path.of(Launcher.javaHome()));
        Path old = fakeJava17(work);

        Command.Result result = Command.of(
                        root.resolve("usr/bin/gatehouse-edge").toString(), "--help")
                .withEnv(java.util.Map.of("JAVA_HOME", old.toString(), "GATEHOUSE_JVM_DIRS", jvms.toString()))
                .run();

        assertThat(result.exit()).as(result.output()).isZero();
        assertThat(result.output()).contains("usage: gatehouse-edge");
        assertThat(old.resolve("ran")).as("the Java 17 never ran").doesNotExist();
    }

    @Test
    void theLauncherSaysHowToGetAJava21WhenThereIsNone(@TempDir Path work) throws Exception {
        Path root = work.resolve("root");
        Command.of("dpkg-deb", "--extract", Packages.edgeDeb().toString(), root.toString())
                .succeeds();
        Path old = fakeJava17(work);
        Path bin = Files.createDirectories(work.resolve("bin"));
        Files.createSymbolicLink(bin.resolve("java"), old.resolve("bin/java"));

        Command.Result result = Command.of(
                        root.resolve("usr/bin/gatehouse-edge").toString(), "--help")
                .withEnv(java.util.Map.of(
                        "JAVA_HOME",
                        old.toString(),
                        "GATEHOUSE_JVM_DIRS",
                        Files.createDirectories(work.resolve("no-jvms")).toString(),
                        "PATH",
                        bin + ":/usr/bin:/bin"))
                .run();

        assertThat(result.exit()).isEqualTo(1);
        assertThat(result.output())
                .contains("gatehouse-edge: needs Java 21 or newer, and found none.")
                .contains("JAVA_HOME: " + old + " is Java 17")
                .contains("PATH: " + old + " is Java 17")
                .contains("apt install openjdk-21-jre-headless")
                .contains("temurin-21-jre")
                .doesNotContain("usage:");
    }

    /** A Java home that says it is 17 (its release file) and leaves a mark if its java is ever run. */
    private static Path fakeJava17(Path work) throws IOException {
        Path home = Files.createDirectories(work.resolve("java-17/bin")).getParent();
        Files.writeString(home.resolve("release"), "JAVA_VERSION=\"17.0.12\"\n");
        Path java = home.resolve("bin/java");
        Files.writeString(java, "#!/bin/sh\ntouch \"" + home.resolve("ran") + "\"\nexit 99\n");
        Files.setPosixFilePermissions(java, PosixFilePermissions.fromString("rwxr-xr-x"));
        return home;
    }

    private static Path deb(String name) {
        return name.equals(Packages.EDGE) ? Packages.edgeDeb() : Packages.hubDeb();
    }

    /** Both packages unpacked into one root, with this host's units (sysinit.target and the rest) beside them. */
    private static Path unpackWithHostUnits(Path work) throws Exception {
        Path root = work.resolve("root");
        for (Path deb : List.of(Packages.edgeDeb(), Packages.hubDeb())) {
            Command.of("dpkg-deb", "--extract", deb.toString(), root.toString()).succeeds();
        }
        Path host = Stream.of(Path.of("/usr/lib/systemd/system"), Path.of("/lib/systemd/system"))
                .filter(Files::isDirectory)
                .findFirst()
                .orElseThrow(() -> new AssertionError("no systemd unit directory (/usr/lib/systemd/system):"
                        + " install the 'systemd' package (apt-get install systemd); .ci/run does"));
        Path units = root.resolve("usr/lib/systemd/system");
        try (Stream<Path> entries = Files.walk(host)) {
            for (Path source : (Iterable<Path>) entries::iterator) {
                Path target = units.resolve(host.relativize(source).toString());
                if (Files.exists(target, LinkOption.NOFOLLOW_LINKS)) {
                    continue; // the directory itself, and the packages' own units
                }
                if (Files.isSymbolicLink(source)) {
                    Files.createSymbolicLink(target, Files.readSymbolicLink(source));
                } else if (Files.isDirectory(source, LinkOption.NOFOLLOW_LINKS)) {
                    Files.createDirectories(target);
                } else {
                    Files.copy(source, target);
                }
            }
        }
        return root;
    }

    /** What {@code systemd-analyze verify} says about both units, after it exited 0. */
    private static String verify(Path root) throws Exception {
        Path analyze = Command.require("systemd-analyze", "systemd");
        return Command.of(
                        analyze.toString(),
                        "verify",
                        "--root=" + root,
                        "gatehouse-edge.service",
                        "gatehouse-hub.service")
                .succeeds()
                .strip();
    }
}
