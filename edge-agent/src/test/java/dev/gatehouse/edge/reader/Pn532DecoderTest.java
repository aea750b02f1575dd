package dev.gatehouse.edge.reader;

import static org.assertj.core.api.Assertions.assertThat;

import dev.gatehouse.edge.reader.Pn532Decoder.Ack;
import dev.gatehouse.edge.reader.Pn532Decoder.Decoded;
import dev.gatehouse.edge.reader.Pn532Decoder.Discarded;
import dev.gatehouse.edge.reader.Pn532Decoder.Frame;
import dev.gatehouse.edge.reader.Pn532Decoder.Nack;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The decoder decides which bytes from the reader are a frame. It is the line between line noise and
 * a card UID, so every check (start code, length checksum, data checksum) is tested on its own, and
 * so is recovery: a real frame hidden behind a bad one must still be found.
 */
class Pn532DecoderTest {
    private static final String ACK = "00 00 FF 00 FF 00";
    private static final String FIRMWARE = "00 00 FF 06 FA D5 03 32 01 06 07 E8 00";
    private static final String UID4 = "00 00 FF 0C F4 D5 4B 01 01 00 04 08 04 04 A2 2B 1C E1 00";

    private final Pn532Decoder decoder = new Pn532Decoder();

    private static byte[] hex(String spaced) {
        return HexFormat.of().parseHex(spaced.replace(" ", ""));
    }

    private void feed(String spaced) {
        byte[] bytes = hex(spaced);
        decoder.feed(bytes, bytes.length);
    }

    private List<Decoded> drain() {
        List<Decoded> all = new ArrayList<>();
        for (Optional<Decoded> next = decoder.next(); next.isPresent(); next = decoder.next()) {
            all.add(next.get());
        }
        return all;
    }

    private static void assertFrame(Decoded decoded, int tfi, String data) {
        assertThat(decoded).isInstanceOf(Frame.class);
        Frame frame = (Frame) decoded;
        assertThat(frame.tfi()).isEqualTo(tfi);
        assertThat(frame.data()).isEqualTo(hex(data));
    }

    @Nested
    class WellFormed {
        @Test
        void anAckThenAResponseAreDecodedInOrder() {
            // Why: this is every exchange with the chip.
            feed(ACK + " " + FIRMWARE);

            List<Decoded> decoded = drain();

            assertThat(decoded).hasSize(2);
            assertThat(decoded.get(0)).isInstanceOf(Ack.class);
            assertFrame(decoded.get(1), 0xD5, "03 32 01 06 07");
        }

        @Test
        void aFrameSplitAcrossReadsIsDecodedOnceComplete() {
            // Why: a serial read returns whatever has arrived, often half a frame.
            feed("00 00 FF 0C F4 D5 4B 01");
            assertThat(drain()).isEmpty();
            assertThat(decoder.hasPartialFrame()).isTrue();

            feed("01 00 04 08 04 04 A2 2B 1C E1 00");

            List<Decoded> decoded = drain();
            assertThat(decoded).hasSize(1);
            assertFrame(decoded.getFirst(), 0xD5, "4B 01 01 00 04 08 04 04 A2 2B 1C");
        }

        @Test
        void longPreamblesAndPostamblesAreNotGarbage() {
            // Why: the zeros around frames are legal filler; reporting them would page technicians for nothing.
            feed("00 00 00 00 " + ACK + " 00 00 00");

            assertThat(drain()).singleElement().isInstanceOf(Ack.class);
        }

        @Test
        void aNackAndTheSyntaxErrorFrameAreRecognised() {
            // Why: the transport must tell "the chip refused" from "nothing arrived".
            feed("00 00 FF FF 00 00 00 00 FF 01 FF 7F 81 00");

            List<Decoded> decoded = drain();
            assertThat(decoded.get(0)).isInstanceOf(Nack.class);
            assertFrame(decoded.get(1), 0x7F, "");
        }
    }

    @Nested
    class Rejected {
        @ParameterizedTest(name = "{0}")
        @CsvSource({
            "bad length checksum, 00 00 FF 0C F5 D5 4B 01 01 00 04 08 04 04 A2 2B 1C E1 00",
            "bad data checksum,   00 00 FF 0C F4 D5 4B 01 01 00 04 08 04 04 A2 2B 1D E1 00",
            "zero length,         00 00 FF 00 00 00",
            "extended frame,      00 00 FF FF FF 00 02 FE D5 03 28 00"
        })
        void aFrameFailingACheckIsDiscardedAndNeverReturned(String what, String bytes) {
            // Why: one flipped bit in a UID must not become somebody else's card.
            feed(bytes);

            List<Decoded> decoded = drain();

            assertThat(decoded).isNotEmpty().allMatch(Discarded.class::isInstance);
        }

        @Test
        void garbageBetweenFramesIsReportedAndTheFrameAfterItDecodes() {
            // Why: line noise is a fault to report, but the next frame is still good.
            feed("DE AD BE EF " + FIRMWARE);

            List<Decoded> decoded = drain();

            assertThat(decoded).hasSize(2);
            assertThat(decoded.get(0)).isInstanceOf(Discarded.class);
            assertThat(((Discarded) decoded.get(0)).bytes())
                    .as("4 garbage bytes and a preamble zero")
                    .isEqualTo(5);
            assertFrame(decoded.get(1), 0xD5, "03 32 01 06 07");
        }

        @Test
        void aCutFrameFollowedByARealOneGivesUpTheCutOneAndFindsTheRealOne() {
            // Why: the cut frame's length swallows the next frame's bytes; resync must not lose the real frame.
            feed("00 00 FF 0C F4 D5 4B 01 " + ACK + " " + UID4);

            List<Decoded> decoded = drain();

            assertThat(decoded.stream().filter(Frame.class::isInstance)).hasSize(1);
            assertThat(decoded.stream().filter(Ack.class::isInstance)).hasSize(1);
            assertThat(decoded.getFirst()).isInstanceOf(Discarded.class);
            assertFrame(decoded.getLast(), 0xD5, "4B 01 01 00 04 08 04 04 A2 2B 1C");
        }

        @Test
        void aCutFrameWhoseRestNeverComesIsAbandonedAndTheFrameInsideItIsFound() {
            // Why: when the bytes stop, the decoder must not wait forever on a length that was never real.
            feed("00 00 FF 0C F4 D5 4B 01 " + ACK);
            assertThat(drain()).isEmpty();
            assertThat(decoder.hasPartialFrame()).isTrue();

            Optional<Decoded> abandoned = decoder.abandonPartialFrame();

            assertThat(abandoned).get().isInstanceOf(Discarded.class);
            List<Decoded> rest = drain();
            assertThat(rest.getLast()).isInstanceOf(Ack.class);
            assertThat(rest.subList(0, rest.size() - 1)).allMatch(Discarded.class::isInstance);
        }
    }
}
