package dev.gatehouse.edge.agent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The packaged unit, checked by systemd's own parser ({@code systemd-analyze verify}): a misspelt key
 * or a bad value is only a warning to systemd, which then runs the agent without that setting — no
 * watchdog, no restart, or no hardening — and nobody notices until a door hangs. So any word from
 * {@code verify} fails the test.
 *
 * <p>{@code verify} also checks that {@code ExecStart}'s program exists, and the build machine has no
 * {@code /usr/bin/gatehouse-edge}. It runs with {@code --root} on a scratch root instead: this
 * machine's unit directory (for {@code sysinit.target} and the other units every service depends on),
 * the unit under test in {@code /etc/systemd/system}, and a stub launcher.
 */
class SystemdUnitTest {
    private static final Path UNIT = Path.of("packaging/systemd/gatehouse-edge.service");
    private static final String NAME = "gatehouse-edge.service";

    @Test
    void systemdAcceptsTheUnitWithoutAWord(@TempDir Path root) throws Exception {
        String unit = Files.readString(UNIT);

        assertThat(verify(root, unit)).isEmpty();
    }

    @Test
    void aMisspeltKeyIsCaught(@TempDir Path root) throws Exception {
        // The check above is worth something only if verify speaks up about what systemd would ignore.
        String unit = Files.readString(UNIT).replace("WatchdogSec=10s", "WachdogSec=10s");

        assertThat(verify(root, unit)).contains("Unknown key 'WachdogSec'");
    }

    @Test
    void theUnitAsksForWhatTheAgentDoes() throws Exception {
        // The contract with the code: READY=1 and the watchdog pings come from the JVM itself, and a JVM
        // out of heap exits so that Restart= replaces it.
        List<String> lines = Files.readAllLines(UNIT);

        assertThat(lines)
                .contains(
                        "Type=notify",
                        "NotifyAccess=main",
                        "WatchdogSec=10s",
                        "Restart=always",
                        "ExecStart=/usr/bin/gatehouse-edge run --config /etc/gatehouse/gatehouse.yaml");
        assertThat(lines)
                .filteredOn(line -> line.startsWith("Environment=\"JAVA_OPTS="))
                .singleElement()
                .asString()
                .contains("-XX:+ExitOnOutOfMemoryError");
    }

    /** What {@code systemd-analyze verify} says about {@code unit} (stdout and stderr), after it exited 0. */
    private static String verify(Path root, String unit) throws Exception {
        Path analyze = systemdAnalyze();
        scratchRoot(root, unit);
        Process process = new ProcessBuilder(analyze.toString(), "verify", "--root=" + root, NAME)
                .redirectErrorStream(true)
                .start();
        process.getOutputStream().close();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(process.waitFor(60, TimeUnit.SECONDS))
                .as("systemd-analyze verify finishes")
                .isTrue();
        assertThat(process.exitValue())
                .as("systemd-analyze verify exit code; it said:%n%s", output)
                .isZero();
        return output.strip();
    }

    private static Path systemdAnalyze() {
        for (String dir : System.getenv().getOrDefault("PATH", "/usr/bin:/bin").split(":")) {
            Path candidate = Path.of(dir, "systemd-analyze");
            if (Files.isExecutable(candidate)) {
                return candidate;
            }
        }
        return fail("systemd-analyze is missing: install the 'systemd' package (apt-get install systemd) to"
                + " check the packaged unit; .ci/run installs it");
    }

    private static void scratchRoot(Path root, String unit) throws IOException {
        Path units = Stream.of(Path.of("/usr/lib/systemd/system"), Path.of("/lib/systemd/system"))
                .filter(Files::isDirectory)
                .findFirst()
                .orElseGet(() -> fail("no systemd unit directory (/usr/lib/systemd/system): install the 'systemd'"
                        + " package (apt-get install systemd)"));
        copyTree(units, root.resolve("usr/lib/systemd/system"));
        Path etc = Files.createDirectories(root.resolve("etc/systemd/system"));
        Files.writeString(etc.resolve(NAME), unit);
        Path launcher = Files.createDirectories(root.resolve("usr/bin")).resolve("gatehouse-edge");
        Files.writeString(launcher, "#!/bin/sh\nexit 0\n");
        Files.setPosixFilePermissions(launcher, PosixFilePermissions.fromString("rwxr-xr-x"));
    }

    /** Copies a unit directory as it is: links stay links (aliases and .wants entries are links). */
    private static void copyTree(Path from, Path to) throws IOException {
        try (Stream<Path> entries = Files.walk(from)) {
            for (Path source : (Iterable<Path>) entries::iterator) {
                Path target = to.resolve(from.relativize(source).toString());
                if (Files.isSymbolicLink(source)) {
                    Files.createSymbolicLink(target, Files.readSymbolicLink(source));
                } else if (Files.isDirectory(source, LinkOption.NOFOLLOW_LINKS)) {
                    Files.createDirectories(target);
                } else {
                    Files.copy(source, target);
                }
            }
        }
    }
}
