package dev.gatehouse.edge.reader;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;
import static org.awaitility.Awaitility.await;

import dev.gatehouse.edge.reader.Presentation.CardUid;
import dev.gatehouse.edge.testing.MutableClock;
import dev.gatehouse.protocol.retry.Backoff;
import dev.gatehouse.sim.serial.Pn532Emulator;
import dev.gatehouse.sim.serial.PseudoTerminal;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.HexFormat;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The PN532 adapter, unchanged from production, against the emulated chip over a real
 * pseudo-terminal. What matters at a door: a tap is one presentation with the card's exact bytes, no
 * card is silence, line noise and cut frames never turn into a card (and never stop the reader), and
 * a reader pulled and plugged back in is reported and comes back by itself.
 */
class Pn532SerialReaderTest {
    private static final Duration WAIT = Duration.ofSeconds(15);
    private static final byte[] CARD_A = HexFormat.of().parseHex("04A22B1C");
    private static final byte[] CARD_B = HexFormat.of().parseHex("04A22B1C5D8000");
    private static final Backoff FAST_RECONNECT = new Backoff(Duration.ofMillis(50), Duration.ofMillis(400));

    @TempDir
    Path links;

    private final MutableClock clock = new MutableClock(Instant.parse("2025-03-03T09:00:00Z"));
    private final RecordingListener listener = new RecordingListener();
    private Pn532Emulator emulator;
    private Pn532SerialReader reader;

    @AfterEach
    void stop() {
        if (reader != null) {
            reader.close();
        }
        if (emulator != null) {
            emulator.close();
        }
    }

    private static Pn532SerialReader.Settings settings() {
        return Pn532SerialReader.Settings.defaults()
                .withReconnect(FAST_RECONNECT)
                .withRepresentAfter(Duration.ofSeconds(2));
    }

    /** Starts the emulator and the reader, and waits until the reader is polling. */
    private void startReader() {
        emulator = Pn532Emulator.start(PseudoTerminal.open(links.resolve("ttyNFC0")));
        reader = Pn532SerialReader.create("front-door", emulator.devicePath(), settings(), clock);
        reader.start(listener);
        awaitPolls(1);
    }

    /** Waits until the chip has answered {@code count} more polls: the reader has seen at least that much. */
    private void awaitPolls(int count) {
        long target = emulator.pollsAnswered() + count;
        await().atMost(WAIT).until(() -> emulator.pollsAnswered() >= target);
    }

    @Nested
    class Presentations {
        @Test
        void aHeldCardIsReportedExactlyOnceWithItsBytes() {
            // Why: one tap must be one decision; a card resting on the reader must not unlock it again and again.
            startReader();

            emulator.holdCard(CARD_A);

            await().atMost(WAIT).until(() -> listener.cards().size() == 1);
            awaitPolls(5);
            assertThat(listener.cards()).containsExactly(new CardUid(CARD_A));
            assertThat(listener.cards().getFirst().uid()).containsExactly(CARD_A);
            assertThat(listener.faults()).isEmpty();
        }

        @Test
        void aTapCarriesTheMomentItsFrameWasReadNotWhenThePollStarted() {
            // Why: tap-to-relay latency is measured from here; a stamp taken before the chip wrote its
            // response (at the poll's start, say) would hide up to a poll's wait in the figure.
            startReader();

            emulator.holdCard(CARD_A);

            await().atMost(WAIT).until(() -> listener.cards().size() == 1);
            long arrived = listener.cards().getFirst().arrivedNanos();
            assertThat(arrived - emulator.lastTargetWrittenNanos()).isPositive();
            assertThat(System.nanoTime() - arrived).isPositive();
        }

        @Test
        void noCardMeansNoPresentationAndNoFault() {
            // Why: an empty field is the normal state of a door; it must not look like a fault or a tap.
            startReader();

            awaitPolls(5);

            assertThat(listener.presentations()).isEmpty();
            assertThat(listener.faults()).isEmpty();
        }

        @Test
        void twoDifferentCardsInTurnAreTwoPresentations() {
            // Why: the second member at the door must not be swallowed by the first member's debounce.
            startReader();

            emulator.holdCard(CARD_A);
            await().atMost(WAIT).until(() -> listener.cards().size() == 1);
            emulator.holdCard(CARD_B);

            await().atMost(WAIT).until(() -> listener.cards().size() == 2);
            assertThat(listener.cards()).containsExactly(new CardUid(CARD_A), new CardUid(CARD_B));
        }

        @Test
        void theSameCardTappedAgainAfterLeavingIsANewPresentation() {
            // Why: a member who taps, walks away and comes back must get in again.
            startReader();
            emulator.holdCard(CARD_A);
            await().atMost(WAIT).until(() -> listener.cards().size() == 1);

            emulator.removeCard();
            awaitPolls(2);
            emulator.holdCard(CARD_A);

            await().atMost(WAIT).until(() -> listener.cards().size() == 2);
            assertThat(listener.cards()).containsExactly(new CardUid(CARD_A), new CardUid(CARD_A));
        }

        @Test
        void aCardHeldPastTheRepresentIntervalIsReportedAgain() {
            // Why: someone still holding their card after the door relocked expects it to work again.
            startReader();
            emulator.holdCard(CARD_A);
            await().atMost(WAIT).until(() -> listener.cards().size() == 1);
            awaitPolls(3);
            assertThat(listener.cards()).hasSize(1);

            clock.advance(Duration.ofSeconds(2));

            await().atMost(WAIT).until(() -> listener.cards().size() == 2);
        }
    }

    @Nested
    class Faults {
        @Test
        void garbageIsAFaultAndTheNextCardStillReads() {
            // Why: line noise on a long reader cable must be visible to a technician and must not stop the reader.
            startReader();

            emulator.sendGarbage(HexFormat.of().parseHex("DEADBEEF1337C0FFEE"));

            await().atMost(WAIT).until(() -> !listener.faults().isEmpty());
            emulator.holdCard(CARD_A);
            await().atMost(WAIT).until(() -> listener.cards().size() == 1);
            assertThat(listener.cards()).containsExactly(new CardUid(CARD_A));
            assertThat(listener.restoredAfterFault("")).isTrue();
        }

        @Test
        void aTruncatedFrameIsAFaultNeverACardAndTheNextCardStillReads() {
            // Why: a cut frame carries a plausible UID prefix; accepting it could open the door for no one.
            startReader();

            emulator.sendTruncatedFrame();

            await().atMost(WAIT).until(() -> !listener.faults().isEmpty());
            awaitPolls(3);
            emulator.holdCard(CARD_B);
            await().atMost(WAIT).until(() -> listener.cards().size() == 1);
            assertThat(listener.cards()).containsExactly(new CardUid(CARD_B));
        }

        @Test
        void repeatedGarbageAndCutFramesNeverProduceAPresentation() {
            // Why: no sequence of bad bytes may become a grant.
            startReader();

            for (int i = 0; i < 10; i++) {
                emulator.sendTruncatedFrame();
                emulator.sendGarbage(HexFormat.of().parseHex("00FF0CF4D54B0101000408"));
                awaitPolls(1);
            }

            awaitPolls(3);
            assertThat(listener.presentations()).isEmpty();
            assertThat(listener.faults()).isNotEmpty();
        }

        @Test
        void aSlowReaderStillReads() {
            // Why: an old or overloaded reader answers late; within the timeout that is not a fault.
            startReader();
            emulator.setResponseDelay(Duration.ofMillis(300));

            emulator.holdCard(CARD_A);

            await().atMost(WAIT).until(() -> listener.cards().size() == 1);
            assertThat(listener.cards()).containsExactly(new CardUid(CARD_A));
            assertThat(listener.faults()).isEmpty();
        }

        @Test
        void aReaderTooSlowForTheTimeoutIsAFaultAndRecoversWhenItAnswersInTime() {
            // Why: a hung chip must show up as a fault, and the reader must come back without a restart.
            startReader();

            emulator.setResponseDelay(Duration.ofMillis(1_500));
            await().atMost(WAIT).until(() -> listener.faults().stream().anyMatch(f -> f.contains("no response")));
            emulator.setResponseDelay(Duration.ZERO);
            emulator.holdCard(CARD_A);

            await().atMost(WAIT).until(() -> listener.cards().size() == 1);
            assertThat(listener.cards()).containsExactly(new CardUid(CARD_A));
            assertThat(listener.restoredAfterFault("no response")).isTrue();
        }
    }

    @Nested
    class UnplugAndReplug {
        @Test
        void unplugIsAFaultAndReplugRestoresReadingAtTheSamePath() {
            // Why: a knocked-out USB cable must page a technician, and plugging it back must be enough.
            startReader();

            emulator.unplug();
            await().atMost(WAIT).until(() -> !listener.faults().isEmpty());
            emulator.replug();

            await().atMost(WAIT).until(() -> listener.restorations() == 1);
            assertThat(emulator.awake())
                    .as("the reader woke the power-cycled chip")
                    .isTrue();
            emulator.holdCard(CARD_A);
            await().atMost(WAIT).until(() -> listener.cards().size() == 1);
            assertThat(listener.cards()).containsExactly(new CardUid(CARD_A));
        }

        @Test
        void theLossIsReportedOnceHoweverLongTheReaderIsAway() {
            // Why: one outage should be one alert, not one per reconnect attempt.
            startReader();

            emulator.unplug();
            await().atMost(WAIT).until(() -> !listener.faults().isEmpty());

            // Several reopen attempts fail meanwhile (backoff 50 ms doubling to 400 ms).
            await().during(Duration.ofSeconds(1))
                    .atMost(WAIT)
                    .until(() -> listener.faults().size() == 1);
            assertThat(listener.restorations()).isZero();
        }

        @Test
        void aReaderStartedBeforeItsDeviceExistsReportsItAndStartsWhenItAppears() {
            // Why: at boot the agent may start before udev has created the reader's device node.
            Path device = links.resolve("ttyNFC9");
            reader = Pn532SerialReader.create("side-door", device, settings(), clock);
            reader.start(listener);
            await().atMost(WAIT).until(() -> listener.faults().stream().anyMatch(f -> f.contains("no device")));

            emulator = Pn532Emulator.start(PseudoTerminal.open(device));

            await().atMost(WAIT).until(() -> listener.restorations() == 1);
            emulator.holdCard(CARD_B);
            await().atMost(WAIT).until(() -> listener.cards().size() == 1);
        }
    }

    @Nested
    class Lifecycle {
        @Test
        void closeStopsTheReaderThread() {
            // Why: a reader left running after shutdown would hold the device and keep reporting.
            startReader();
            assertThat(readerThreadAlive()).isTrue();

            reader.close();

            assertThat(readerThreadAlive()).isFalse();
        }

        @Test
        void startingTwiceIsRefusedWithACode() {
            // Why: two threads polling one chip would interleave frames.
            startReader();

            ReaderException refused = catchThrowableOfType(ReaderException.class, () -> reader.start(listener));

            assertThat(refused.error()).isEqualTo(ReaderError.ALREADY_STARTED);
        }

        @Test
        void aListenerThatThrowsDoesNotStopTheReader() {
            // Why: a bug downstream must not silence the door's reader.
            emulator = Pn532Emulator.start(PseudoTerminal.open(links.resolve("ttyNFC0")));
            reader = Pn532SerialReader.create("front-door", emulator.devicePath(), settings(), clock);
            RecordingListener inner = listener;
            reader.start(new ReaderListener() {
                @Override
                public void presented(String readerId, Presentation presentation) {
                    inner.presented(readerId, presentation);
                    throw new IllegalStateException("downstream bug");
                }

                @Override
                public void fault(String readerId, String detail) {
                    inner.fault(readerId, detail);
                }

                @Override
                public void restored(String readerId) {
                    inner.restored(readerId);
                }
            });

            emulator.holdCard(CARD_A);
            await().atMost(WAIT).until(() -> listener.cards().size() == 1);
            emulator.holdCard(CARD_B);

            await().atMost(WAIT).until(() -> listener.cards().size() == 2);
        }

        private static boolean readerThreadAlive() {
            return Thread.getAllStackTraces().keySet().stream()
                    .anyMatch(thread -> thread.getName().equals("reader-front-door") && thread.isAlive());
        }
    }
}
