package dev.gatehouse.sim.serial;

import static org.assertj.core.api.Assertions.assertThat;

import dev.gatehouse.sim.serial.QrScannerEmulator.LineEnding;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Scanners in the field end codes with CR, LF or CR LF depending on how they were configured; the
 * agent's line reader is tested against all three, so the emulator must send exactly those bytes.
 */
class QrScannerEmulatorTest {
    private static final Duration WAIT = Duration.ofSeconds(5);

    @TempDir
    Path links;

    private QrScannerEmulator scanner;
    private SlaveEnd host;

    @BeforeEach
    void start() {
        scanner = QrScannerEmulator.start(PseudoTerminal.open(links.resolve("ttyQR0")), LineEnding.CR);
        host = SlaveEnd.open(scanner.devicePath());
    }

    @AfterEach
    void stop() {
        host.close();
        scanner.close();
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource({"CR, 65 79 4A 0D", "LF, 65 79 4A 0A", "CRLF, 65 79 4A 0D 0A"})
    void aScanIsTheTextFollowedByTheConfiguredLineEnding(LineEnding ending, String expected) {
        // Why: each ending is a different byte sequence the agent must split correctly.
        scanner.setLineEnding(ending);

        assertThat(scanner.scan("eyJ")).isTrue();

        int length = Hex.parse(expected).length;
        assertThat(Hex.of(host.readExactly(length, WAIT))).isEqualTo(expected);
    }

    @Test
    void textIsSentAsUtf8() {
        // Why: a visitor pass may carry a name; the agent decodes UTF-8.
        scanner.scan("Zoë");

        assertThat(new String(host.readExactly(5, WAIT), StandardCharsets.UTF_8))
                .isEqualTo("Zoë\r");
    }

    @Test
    void aPartialLineAndGarbageArriveAsSent() {
        // Why: the agent's timeout and garbage handling are tested with these exact bytes.
        scanner.sendPartialLine("eyJhb");
        scanner.sendGarbage(new byte[] {0x1B, (byte) 0xFF, 0x00});

        assertThat(Hex.of(host.readExactly(8, WAIT))).isEqualTo("65 79 4A 68 62 1B FF 00");
    }

    @Test
    void aScanWhileUnpluggedIsLostAndAScanAfterReplugArrives() {
        // Why: nothing scanned into an unplugged scanner may surface later as a stale code.
        scanner.unplug();
        assertThat(scanner.scan("lost")).isFalse();
        host.close();

        scanner.replug();
        host = SlaveEnd.open(scanner.devicePath());
        scanner.scan("kept");

        assertThat(new String(host.readExactly(5, WAIT), StandardCharsets.US_ASCII))
                .isEqualTo("kept\r");
    }
}
