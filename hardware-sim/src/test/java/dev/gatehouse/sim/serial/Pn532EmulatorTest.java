package dev.gatehouse.sim.serial;

import static dev.gatehouse.sim.serial.GoldenFrames.concat;
import static dev.gatehouse.sim.serial.GoldenFrames.frame;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;
import static org.awaitility.Awaitility.await;

import java.nio.file.Path;
import java.time.Duration;
import java.util.HexFormat;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The emulator stands in for the PN532 in every reader test of the agent, so its frames must be the
 * chip's frames byte for byte (checked against golden bytes computed outside the emulator), and its
 * reactions to bad input must be the chip's: silence for a bad checksum, a resend for a NACK, a syntax
 * error frame for an unknown command, nothing at all before it is woken.
 */
class Pn532EmulatorTest {
    private static final Duration WAIT = Duration.ofSeconds(5);
    private static final byte[] ACK = frame("ack");

    @TempDir
    Path links;

    private Pn532Emulator emulator;
    private SlaveEnd host;

    @BeforeEach
    void start() {
        emulator = Pn532Emulator.start(PseudoTerminal.open(links.resolve("ttyNFC0")));
        host = SlaveEnd.open(emulator.devicePath());
    }

    @AfterEach
    void stop() {
        host.close();
        emulator.close();
    }

    private void wake() {
        host.write(frame("wake-up"));
        await().atMost(WAIT).until(emulator::awake);
    }

    /** Sends a command frame and reads back exactly the ACK and the expected response. */
    private void assertExchange(byte[] command, byte[] expectedResponse) {
        host.write(command);
        assertThat(Hex.of(host.readExactly(ACK.length + expectedResponse.length, WAIT)))
                .isEqualTo(Hex.of(concat(ACK, expectedResponse)));
    }

    @Nested
    class Framing {
        @Test
        void theWakeUpPreambleAndGetFirmwareVersionInOneWriteAreAnswered() {
            // Why: HSU hosts send the wake-up bytes and the first command back to back.
            host.write(concat(frame("wake-up"), frame("get-firmware-version.command")));

            assertThat(Hex.of(host.readExactly(19, WAIT)))
                    .isEqualTo(Hex.of(concat(ACK, frame("get-firmware-version.response"))));
        }

        @Test
        void samConfigurationInNormalModeIsAcknowledgedAndAnswered() {
            // Why: the agent configures the SAM first; without this answer it never starts polling.
            wake();

            assertExchange(frame("sam-configuration.command"), frame("sam-configuration.response"));
        }

        @Test
        void rfConfigurationIsAcknowledgedAndAnswered() {
            // Why: the agent bounds the activation retries with RFConfiguration; an unanswered command stalls it.
            wake();

            assertExchange(frame("rf-configuration-max-retries.command"), frame("rf-configuration.response"));
        }

        @Test
        void aCommandSentBeforeWakeUpIsIgnored() {
            // Why: a real chip starts in power-down; an adapter that forgets to wake it must fail here too.
            host.write(frame("get-firmware-version.command"));
            host.write(frame("wake-up"));
            await().atMost(WAIT).until(emulator::awake);

            assertExchange(frame("in-list-passive-target.command"), frame("in-list-passive-target.no-card.response"));
        }

        @ParameterizedTest(name = "{0}")
        @CsvSource({
            "bad length checksum, 00 00 FF 02 FD D4 02 2A 00",
            "bad data checksum,   00 00 FF 02 FE D4 02 2B 00",
            "zero length,         00 00 FF 00 00 00",
            "extended frame,      00 00 FF FF FF 00 02 FE D4 02 2A 00"
        })
        void aMalformedFrameIsDroppedWithoutAnAnswer(String what, String bytes) {
            // Why: the chip stays silent on a bad frame; the host's ACK timeout is what recovers.
            wake();
            host.write(Hex.parse(bytes));
            await().atMost(WAIT).until(() -> emulator.framesDropped() == 1);

            assertExchange(frame("get-firmware-version.command"), frame("get-firmware-version.response"));
        }

        @Test
        void aNackMakesTheChipSendItsLastResponseAgain() {
            // Why: NACK is how a host recovers a response it received damaged.
            wake();
            assertExchange(frame("get-firmware-version.command"), frame("get-firmware-version.response"));

            host.write(frame("nack"));

            assertThat(Hex.of(host.readExactly(13, WAIT))).isEqualTo(Hex.of(frame("get-firmware-version.response")));
        }

        @Test
        void anUnknownCommandGetsTheSyntaxErrorFrame() {
            // Why: the adapter must see an application-level error as such, not as a timeout.
            wake();

            assertExchange(Hex.parse("00 00 FF 02 FE D4 60 CC 00"), frame("syntax-error"));
        }
    }

    @Nested
    class InListPassiveTarget {
        @ParameterizedTest(name = "{0}-byte UID")
        @CsvSource({
            "4,  04A22B1C,             in-list-passive-target.uid4.response",
            "7,  04A22B1C5D8000,       in-list-passive-target.uid7.response",
            "10, 0102030405060708090A, in-list-passive-target.uid10.response"
        })
        void aHeldCardIsReportedWithItsUid(int size, String uid, String golden) {
            // Why: this frame is what the agent turns into a card hash; every UID size appears in the field.
            emulator.holdCard(HexFormat.of().parseHex(uid));
            wake();

            assertExchange(frame("in-list-passive-target.command"), frame(golden));
            assertThat(emulator.pollsAnswered()).isEqualTo(1);
        }

        @Test
        void noCardIsReportedAsNoTargetAfterTheTimeout() {
            // Why: the agent polls in a loop; "no target" must come back, not silence.
            wake();

            assertExchange(frame("in-list-passive-target.command"), frame("in-list-passive-target.no-card.response"));
        }

        @Test
        void aCardArrivingWhileThePollWaitsIsReported() {
            // Why: a real chip answers as soon as a card enters the field during its retries.
            emulator.close();
            host.close();
            emulator = Pn532Emulator.start(PseudoTerminal.open(links.resolve("ttyNFC1")), Duration.ofMinutes(1));
            host = SlaveEnd.open(emulator.devicePath());
            wake();
            host.write(frame("in-list-passive-target.command"));
            assertThat(host.readExactly(ACK.length, WAIT)).isEqualTo(ACK);

            emulator.holdCard(HexFormat.of().parseHex("04A22B1C"));

            assertThat(Hex.of(host.readExactly(19, WAIT)))
                    .isEqualTo(Hex.of(frame("in-list-passive-target.uid4.response")));
        }

        @Test
        void aRemovedCardIsNoLongerReported() {
            // Why: the agent's debounce relies on seeing the card leave the field.
            emulator.holdCard(HexFormat.of().parseHex("04A22B1C"));
            wake();
            assertExchange(frame("in-list-passive-target.command"), frame("in-list-passive-target.uid4.response"));

            emulator.removeCard();

            assertExchange(frame("in-list-passive-target.command"), frame("in-list-passive-target.no-card.response"));
            assertThat(emulator.heldCard()).isEmpty();
        }

        @ParameterizedTest
        @CsvSource({"0", "3", "5", "11"})
        void aUidOfAnImpossibleSizeIsRefused(int size) {
            // Why: a test holding a 5-byte "card" would exercise a frame no chip can produce.
            SerialSimException refused =
                    catchThrowableOfType(SerialSimException.class, () -> emulator.holdCard(new byte[size]));

            assertThat(refused.error()).isEqualTo(SerialSimError.BAD_ARGUMENT);
        }
    }

    @Nested
    class Faults {
        @Test
        void garbageReachesTheHostVerbatim() {
            // Why: the agent's resync is tested with exactly the bytes the test chose.
            emulator.sendGarbage(Hex.parse("DE AD BE EF 00 FF 13"));

            assertThat(Hex.of(host.readExactly(7, WAIT))).isEqualTo("DE AD BE EF 00 FF 13");
        }

        @Test
        void aTruncatedFrameStopsBeforeItsUidAndTheNextExchangeIsWhole() {
            // Why: the agent must never report the cut-off card; the bytes after it are a normal exchange.
            wake();
            emulator.sendTruncatedFrame();
            assertThat(Hex.of(host.readExactly(8, WAIT))).isEqualTo("00 00 FF 0C F4 D5 4B 01");

            assertExchange(frame("get-firmware-version.command"), frame("get-firmware-version.response"));
        }

        @Test
        void aSlowChipStillAnswersCompletely() {
            // Why: a slow reader tests the adapter's patience, not a different protocol.
            emulator.setResponseDelay(Duration.ofMillis(300));
            wake();

            assertExchange(frame("get-firmware-version.command"), frame("get-firmware-version.response"));
        }

        @Test
        void afterUnplugAndReplugTheChipIsAsleepBehindTheSameStablePath() {
            // Why: a replugged reader is power-cycled; the adapter must reopen the path and wake it again.
            wake();
            emulator.unplug();
            assertThat(host.readOnce(new byte[8])).as("read after unplug").isEqualTo(-1);
            host.close();

            emulator.replug();
            host = SlaveEnd.open(emulator.devicePath());

            assertThat(emulator.awake()).isFalse();
            wake();
            assertExchange(frame("get-firmware-version.command"), frame("get-firmware-version.response"));
        }
    }
}
