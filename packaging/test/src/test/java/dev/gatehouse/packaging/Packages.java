package dev.gatehouse.packaging;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

/**
 * The packages this build made (the edge and hub modules' {@code target} directories, passed in by the
 * POM), and the packages the tests make themselves: the Java stub and a package's next version.
 */
final class Packages {
    static final String EDGE = "gatehouse-edge";
    static final String HUB = "gatehouse-hub";
    /** The virtual package both depend on; Debian 13's openjdk-21-jre-headless and Temurin 21 provide it. */
    static final String JAVA = "java21-runtime-headless";

    private Packages() {}

    static Path edgeDeb() {
        return built("packages.edge-dir", EDGE + "_", "_all.deb");
    }

    static Path hubDeb() {
        return built("packages.hub-dir", HUB + "_", "_all.deb");
    }

    static Path edgeTarball() {
        return built("packages.edge-dir", EDGE + "-", ".tar.gz");
    }

    static Path hubTarball() {
        return built("packages.hub-dir", HUB + "-", ".tar.gz");
    }

    /** The one file in the module's target directory named PREFIX…SUFFIX. */
    private static Path built(String property, String prefix, String suffix) {
        String dir = System.getProperty(property);
        if (dir == null) {
            return fail("system property %s is not set: run the package tests through Maven (mvn verify)", property);
        }
        try (Stream<Path> files = Files.list(Path.of(dir))) {
            List<Path> found = files.filter(file -> {
                        String name = file.getFileName().toString();
                        return name.startsWith(prefix) && name.endsWith(suffix);
                    })
                    .toList();
            assertThat(found)
                    .as("%s*%s in %s (built by the package modules in the package phase)", prefix, suffix, dir)
                    .hasSize(1);
            return found.getFirst();
        } catch (IOException e) {
            return fail("cannot list %s: %s; build the packages first (mvn verify)", dir, e);
        }
    }

    /**
     * A package that provides {@code java21-runtime-headless} and nothing else. This Debian 12 machine has
     * no Java 21 package; the launcher finds the JDK that runs the build instead.
     */
    static Path javaStub(Path work) throws IOException, InterruptedException {
        Path dir = Files.createDirectories(work.resolve("java-stub/DEBIAN"));
        Files.writeString(dir.resolve("control"), """
                Package: gatehouse-test-java21-stub
                Version: 1
                Architecture: all
                Provides: %s
                Maintainer: Gatehouse tests <dev@gatehouse.dev>
                Description: stands in for a Java 21 runtime package in the package tests
                """.formatted(JAVA));
        Path deb = work.resolve("java-stub.deb");
        Command.of("dpkg-deb", "--root-owner-group", "--build", dir.getParent().toString(), deb.toString())
                .succeeds();
        return deb;
    }

    /** {@code deb} as it is, but with {@code version}: the next release, for an upgrade. */
    static Path withVersion(Path deb, String version, Path work) throws IOException, InterruptedException {
        Path tree = work.resolve("repack-" + version);
        Command.of("dpkg-deb", "--raw-extract", deb.toString(), tree.toString()).succeeds();
        Path control = tree.resolve("DEBIAN/control");
        String text = Files.readString(control);
        assertThat(text).containsPattern("(?m)^Version: ");
        Files.writeString(control, text.replaceFirst("(?m)^Version: .*$", "Version: " + version));
        Path repacked = work.resolve(deb.getFileName().toString().replace(".deb", "-" + version + ".deb"));
        // Not compressed again: the jars are compressed already, and xz (dpkg-deb's default) takes most
        // of a minute over the hub's 120 MB on two cores.
        Command.of("dpkg-deb", "--root-owner-group", "-Znone", "--build", tree.toString(), repacked.toString())
                .succeeds();
        return repacked;
    }

    /** A control field of a .deb, as {@code dpkg-deb --field} prints it. */
    static String field(Path deb, String name) throws IOException, InterruptedException {
        return Command.of("dpkg-deb", "--field", deb.toString(), name)
                .succeeds()
                .strip();
    }
}
