package dev.gatehouse.edge.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.gatehouse.edge.agent.DemoSite;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code gatehouse-edge console-password}: the one way the technician console's password is set on
 * the Pi. It must never leave the password itself on disk, nor a hash others can read.
 */
class ConsolePasswordCommandTest {
    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final ByteArrayOutputStream err = new ByteArrayOutputStream();
    private InputStream stdin;

    @BeforeEach
    void keepStdin() {
        stdin = System.in;
    }

    @AfterEach
    void restoreStdin() {
        System.setIn(stdin);
    }

    private int run(String typed, String... args) {
        System.setIn(new ByteArrayInputStream(typed.getBytes(StandardCharsets.UTF_8)));
        return new EdgeMain(
                        new PrintStream(out, true, StandardCharsets.UTF_8),
                        new PrintStream(err, true, StandardCharsets.UTF_8))
                .run(args);
    }

    @Test
    void writesAnOwnerOnlyArgon2idHashAndNeverThePassword(@TempDir Path dir) throws Exception {
        DemoSite site = new DemoSite(dir);
        Files.writeString(site.configFile, "local-console:\n  listen: 127.0.0.1:8081\n", StandardOpenOption.APPEND);

        int code = run("plant-room correct horse\n", "console-password", "--config", site.configFile.toString());

        Path file = dir.resolve("console-password");
        assertThat(code).as(err.toString()).isZero();
        assertThat(Files.readString(file)).startsWith("$argon2id$").doesNotContain("plant-room");
        assertThat(Files.getPosixFilePermissions(file)).isEqualTo(PosixFilePermissions.fromString("rw-------"));
    }

    @Test
    void refusesAShortPasswordAndWritesNothing(@TempDir Path dir) throws Exception {
        DemoSite site = new DemoSite(dir);
        Files.writeString(site.configFile, "local-console:\n  listen: 127.0.0.1:8081\n", StandardOpenOption.APPEND);

        int code = run("short\n", "console-password", "--config", site.configFile.toString());

        assertThat(code).isEqualTo(1);
        assertThat(err.toString()).contains("at least 12 characters").contains("nothing was written");
        assertThat(dir.resolve("console-password")).doesNotExist();
    }

    @Test
    void needsALocalConsoleSectionFirst(@TempDir Path dir) throws Exception {
        DemoSite site = new DemoSite(dir);

        int code = run("plant-room correct horse\n", "console-password", "--config", site.configFile.toString());

        assertThat(code).isEqualTo(1);
        assertThat(err.toString()).contains("local-console: is missing");
        assertThat(dir.resolve("console-password")).doesNotExist();
    }
}
