package dev.gatehouse.edge.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What {@code gatehouse-edge enroll} accepts before it talks to a hub (the exchange itself runs
 * against a real hub in cloud-hub's EnrollmentPagesTest).
 */
class EnrollerTest {
    @Test
    void aHubAndACodeAsTyped() {
        Enroller.Target target = Enroller.target("https://hub.example.org/", "b8rq mzzn-kn8t", false);
        assertThat(target.hub()).isEqualTo(URI.create("https://hub.example.org"));
        assertThat(target.code()).isEqualTo("B8RQMZZNKN8T");
    }

    @Test
    void theQrCodesTextAlone() {
        Enroller.Target target =
                Enroller.target("gatehouse-enroll:https://hub.example.org:8443#B8RQ-MZZN-KN8T", null, false);
        assertThat(target.hub()).isEqualTo(URI.create("https://hub.example.org:8443"));
        assertThat(target.code()).isEqualTo("B8RQMZZNKN8T");
    }

    @Test
    void plainHttpIsForThisMachineOrATrustedNetworkOnly() {
        assertThat(Enroller.target("http://127.0.0.1:8080", "B8RQ-MZZN-KN8T", false)
                        .hub()
                        .getPort())
                .isEqualTo(8080);
        assertThatThrownBy(() -> Enroller.target("http://hub.lan:8080", "B8RQ-MZZN-KN8T", false))
                .hasMessageContaining("plain HTTP")
                .hasMessageContaining("--allow-http");
        assertThat(Enroller.target("http://hub.lan:8080", "B8RQ-MZZN-KN8T", true)
                        .hub()
                        .getHost())
                .isEqualTo("hub.lan");
    }

    @Test
    void mistakesSayWhatToFix() {
        assertThatThrownBy(() -> Enroller.target("hub.example.org", "B8RQ-MZZN-KN8T", false))
                .hasMessageContaining("https://HOST");
        assertThatThrownBy(() -> Enroller.target("https://hub.example.org/api/v1", "B8RQ-MZZN-KN8T", false))
                .hasMessageContaining("without a path");
        assertThatThrownBy(() -> Enroller.target("https://hub.example.org", null, false))
                .hasMessageContaining("give the code too");
        assertThatThrownBy(() -> Enroller.target("https://hub.example.org", "B8RQ-MZZN-KN8", false))
                .hasMessageContaining("such as K7QM-3XRA-9PLD");
        assertThatThrownBy(() -> Enroller.target("gatehouse-enroll:https://hub.example.org", null, false))
                .hasMessageContaining("HUB#CODE");
    }

    @Test
    void theCommandRefusesBeforeWritingAnything(@TempDir Path dir) throws Exception {
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int exit = new EdgeMain(
                        new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8),
                        new PrintStream(err, true, StandardCharsets.UTF_8))
                .run(new String[] {"enroll", "http://hub.lan", "B8RQ-MZZN-KN8T", dir.toString()});
        assertThat(exit).isEqualTo(2);
        assertThat(err.toString(StandardCharsets.UTF_8)).contains("plain HTTP");
        // an unreachable hub (nothing listens on port 9 here) is a clear failure, and nothing is written
        ByteArrayOutputStream err2 = new ByteArrayOutputStream();
        int unreachable = new EdgeMain(
                        new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8),
                        new PrintStream(err2, true, StandardCharsets.UTF_8))
                .run(new String[] {"enroll", "http://127.0.0.1:9", "B8RQ-MZZN-KN8T", dir.toString()});
        assertThat(unreachable).isEqualTo(1);
        assertThat(err2.toString(StandardCharsets.UTF_8)).contains("cannot reach the hub", "nothing was written");
        try (var files = Files.list(dir)) {
            assertThat(files).isEmpty();
        }
    }

    @Test
    void aCaFileThatIsNoCertificateIsRefusedBeforeTheHubIsAsked(@TempDir Path dir) throws Exception {
        // Why: the technician learns at once that the file is wrong, not from a failed TLS handshake.
        Path notACertificate = Files.writeString(dir.resolve("ca.pem"), "not a certificate\n");
        Path site = dir.resolve("site");
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int exit = new EdgeMain(
                        new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8),
                        new PrintStream(err, true, StandardCharsets.UTF_8))
                .run(new String[] {
                    "enroll",
                    "https://127.0.0.1:9",
                    "B8RQ-MZZN-KN8T",
                    site.toString(),
                    "--ca-file",
                    notACertificate.toString()
                });
        assertThat(exit).isEqualTo(2);
        assertThat(err.toString(StandardCharsets.UTF_8))
                .contains("--ca-file: " + notACertificate + " holds no PEM certificate", "nothing was written");
        assertThat(site).doesNotExist();
        // The option belongs to enroll: the agent reads hub.ca-file from its config.
        ByteArrayOutputStream usage = new ByteArrayOutputStream();
        assertThat(new EdgeMain(
                                new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8),
                                new PrintStream(usage, true, StandardCharsets.UTF_8))
                        .run(new String[] {"run", "--ca-file", notACertificate.toString()}))
                .isEqualTo(2);
        assertThat(usage.toString(StandardCharsets.UTF_8)).contains("hub.ca-file");
    }
}
