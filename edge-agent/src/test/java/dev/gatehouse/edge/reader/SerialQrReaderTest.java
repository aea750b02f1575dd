package dev.gatehouse.edge.reader;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.gatehouse.protocol.retry.Backoff;
import dev.gatehouse.sim.serial.PseudoTerminal;
import dev.gatehouse.sim.serial.QrScannerEmulator;
import dev.gatehouse.sim.serial.QrScannerEmulator.LineEnding;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The serial QR adapter, unchanged from production, against the emulated scanner over a real
 * pseudo-terminal. A code must arrive whole and exactly once whatever line ending the scanner was set
 * to; anything that is not a whole, clean line is a fault and never glued onto the next code.
 */
class SerialQrReaderTest {
    private static final Duration WAIT = Duration.ofSeconds(15);
    private static final String TOKEN = "eyJhbGciOiJFUzI1NiIsImtpZCI6ImsxIn0.eyJzdWIiOiJ2aXNpdG9yIn0.c2lnbmF0dXJl";

    @TempDir
    Path links;

    private final RecordingListener listener = new RecordingListener();
    private QrScannerEmulator scanner;
    private SerialQrReader reader;

    @BeforeEach
    void start() {
        scanner = QrScannerEmulator.start(PseudoTerminal.open(links.resolve("ttyQR0")), LineEnding.CRLF);
        startReader(settings(), scanner.devicePath());
    }

    /** Starts the reader and waits until a scan gets through; returns with nothing recorded. */
    private void startReader(SerialQrReader.Settings settings, Path device) {
        reader = SerialQrReader.create("lobby-qr", device, settings);
        reader.start(listener);
        // The reader flushes what arrived before it opened the port (stale scans must not open a door
        // late), and a scanner only talks when it scans: probe until a code gets through, then send a
        // marker so that every probe still in flight has arrived before the test starts from a clean slate.
        await().atMost(WAIT).until(() -> {
            scanner.scan("probe");
            return listener.texts().contains("probe");
        });
        scanner.scan("ready");
        await().atMost(WAIT).until(() -> listener.texts().contains("ready"));
        listener.clear();
    }

    private void restartReader(SerialQrReader.Settings settings, Path device) {
        reader.close();
        startReader(settings, device);
    }

    @AfterEach
    void stop() {
        reader.close();
        scanner.close();
    }

    private static SerialQrReader.Settings settings() {
        return SerialQrReader.Settings.defaults()
                .withLineEnding(dev.gatehouse.edge.reader.LineEnding.CRLF)
                .withMaxLineLength(2048)
                .withPartialLineTimeout(Duration.ofMillis(300))
                .withReconnect(new Backoff(Duration.ofMillis(50), Duration.ofMillis(400)));
    }

    @ParameterizedTest
    @EnumSource(LineEnding.class)
    void aScannedCodeArrivesWholeWithAnyLineEnding(LineEnding ending) {
        // Why: scanners ship set to CR, LF or CR LF; a CR LF must not become a code plus an empty code.
        scanner.setLineEnding(ending);
        restartReader(settings().withLineEnding(readerEnding(ending)), scanner.devicePath());

        scanner.scan(TOKEN);
        scanner.scan("second");

        await().atMost(WAIT).until(() -> listener.texts().size() == 2);
        assertThat(listener.texts()).containsExactly(TOKEN, "second");
        assertThat(listener.faults()).isEmpty();
    }

    private static dev.gatehouse.edge.reader.LineEnding readerEnding(LineEnding ending) {
        return dev.gatehouse.edge.reader.LineEnding.valueOf(ending.name());
    }

    @Test
    void aVCardWithLoneLineFeedsArrivesAsOneCode() {
        // Why: a code's own line breaks are content when the scanner ends codes with CR LF.
        String vcard = "BEGIN:VCARD\nVERSION:3.0\nFN:Ada Lovelace\nEND:VCARD";

        scanner.scan(vcard);

        await().atMost(WAIT).until(() -> listener.texts().size() == 1);
        assertThat(listener.texts()).containsExactly(vcard);
        assertThat(listener.faults()).isEmpty();
    }

    @Test
    void aScannerSetToAnotherEndingIsAFaultThatNamesBothEndings() {
        // Why: a scanner reset to its factory LF never ends a line here; the technician must learn why.
        scanner.setLineEnding(LineEnding.LF);

        scanner.scan(TOKEN);

        await().atMost(WAIT).until(() -> listener.faults().size() == 1);
        assertThat(listener.faults().getFirst())
                .contains("no CR LF line ending")
                .contains("saw LF line ends")
                .contains("`line-ending` (crlf) is set wrong");
        assertThat(listener.texts()).isEmpty();
    }

    @Nested
    class Faults {
        @Test
        void anOverlongLineIsAFaultAndTheNextLineReads() {
            // Why: a line without a sane end must neither fill memory nor be cut into a shorter "code".
            scanner.scan("x".repeat(2049));
            scanner.scan(TOKEN);

            await().atMost(WAIT).until(() -> listener.texts().size() == 1);
            assertThat(listener.texts()).containsExactly(TOKEN);
            assertThat(listener.faults()).singleElement().asString().contains("longer than 2048");
        }

        @Test
        void aLineOfExactlyTheMaximumLengthIsAccepted() {
            // Why: the limit is a bound, not an off-by-one trap for the longest legitimate token.
            scanner.scan("y".repeat(2048));

            await().atMost(WAIT).until(() -> listener.texts().size() == 1);
            assertThat(listener.texts().getFirst()).hasSize(2048);
            assertThat(listener.faults()).isEmpty();
        }

        @Test
        void aPartialLineIsDiscardedAsAFaultAndNeverGluedToTheNextCode() {
            // Why: "eyJhb" + the next scan would be a forged-looking token; the agent must see two events.
            scanner.sendPartialLine("eyJhb");

            await().atMost(WAIT).until(() -> listener.faults().size() == 1);
            scanner.scan(TOKEN);

            await().atMost(WAIT).until(() -> listener.texts().size() == 1);
            assertThat(listener.texts()).containsExactly(TOKEN);
            assertThat(listener.faults().getFirst())
                    .contains("no CR LF line ending")
                    .contains("a code cut short");
        }

        @Test
        void aLineWithControlBytesIsAFaultAndTheNextLineReads() {
            // Why: noise on the line must not reach the token parser as part of a code.
            scanner.sendGarbage(new byte[] {0x1B, 0x07, 0x41, '\r', '\n'});
            scanner.scan(TOKEN);

            await().atMost(WAIT).until(() -> listener.texts().size() == 1);
            assertThat(listener.texts()).containsExactly(TOKEN);
            assertThat(listener.faults()).singleElement().asString().contains("control bytes");
            assertThat(listener.restoredAfterFault("control bytes")).isTrue();
        }

        @Test
        void aLineThatIsNotUtf8IsAFault() {
            // Why: a scanner in the wrong code page sends bytes the token parser cannot judge.
            scanner.sendGarbage(new byte[] {(byte) 0xC3, (byte) 0x28, 0x41, '\r', '\n'});

            await().atMost(WAIT).until(() -> listener.faults().size() == 1);
            assertThat(listener.faults().getFirst()).contains("not UTF-8");
            assertThat(listener.texts()).isEmpty();
        }
    }

    @Nested
    class Liveness {
        @Test
        void aScannerWhoseDevicePathVanishesIsReportedGoneAndReadsAgainWhenItIsBack() throws Exception {
            // Why: an unplugged USB scanner's by-id link disappears while the open port may stay quiet;
            // a silent scanner must not look like an idle one. The pty stays up: only the path goes.
            Path byId = Files.createDirectory(links.resolve("by-id")).resolve("usb-Scanner_QR-if00");
            Files.createSymbolicLink(byId, scanner.devicePath());
            restartReader(settings().withPresenceCheck(Duration.ofMillis(200)), byId);

            Files.delete(byId);
            await().atMost(WAIT).until(() -> listener.faults().size() == 1);
            assertThat(listener.faults().getFirst()).contains("scanner lobby-qr gone from " + byId);

            Files.createSymbolicLink(byId, scanner.devicePath());
            await().atMost(WAIT).until(() -> listener.restorations() == 1);
            scanner.scan(TOKEN);
            await().atMost(WAIT).until(() -> listener.texts().size() == 1);
            assertThat(listener.texts()).containsExactly(TOKEN);
            assertThat(listener.faults()).hasSize(1);
        }

        private static final byte[] QUERY = {0x16, 0x4D, 0x0D};
        private static final byte[] REPLY = "\u0006REV:4.2.1\r\n".getBytes(StandardCharsets.US_ASCII);

        private SerialQrReader.Settings probed() {
            return settings()
                    .withProbe(Optional.of(new SerialQrReader.Probe(
                            QUERY, new byte[] {0x06}, Duration.ofMillis(300), Duration.ofMillis(200))));
        }

        @Test
        void anAnsweringScannerIsHealthyAndItsRepliesAreNoCodes() {
            // Why: a reply taken for a code would be a denied presentation every 30 seconds.
            scanner.answerQueries(QUERY, REPLY);
            restartReader(probed(), scanner.devicePath());
            int answered = scanner.queriesAnswered();

            await().atMost(WAIT).until(() -> scanner.queriesAnswered() >= answered + 3);
            scanner.scan(TOKEN);

            await().atMost(WAIT).until(() -> listener.texts().size() == 1);
            assertThat(listener.texts()).containsExactly(TOKEN);
            assertThat(listener.faults()).isEmpty();
        }

        @Test
        void aScannerThatStopsAnsweringIsAFaultUntilItAnswersAgain() {
            // Why: a hung scanner still enumerates; only its silence to a query gives it away.
            scanner.answerQueries(QUERY, REPLY);
            restartReader(probed(), scanner.devicePath());

            scanner.stopAnswering();
            await().atMost(WAIT).until(() -> !listener.faults().isEmpty());
            assertThat(listener.faults().getFirst())
                    .contains("scanner lobby-qr did not answer its probe (16 4d 0d) within 200 ms");

            scanner.answerQueries(QUERY, REPLY);
            await().atMost(WAIT).until(() -> listener.restoredAfterFault("did not answer"));
            assertThat(listener.texts()).isEmpty();
        }
    }

    @Test
    void unplugIsAFaultAndReplugRestoresReadingAtTheSamePath() {
        // Why: a scanner pulled and plugged back must work again without restarting the agent.
        scanner.unplug();
        await().atMost(WAIT).until(() -> listener.faults().size() == 1);

        scanner.replug();
        await().atMost(WAIT).until(() -> listener.restorations() == 1);
        scanner.scan(TOKEN);

        await().atMost(WAIT).until(() -> listener.texts().size() == 1);
        assertThat(listener.texts()).containsExactly(TOKEN);
    }
}
