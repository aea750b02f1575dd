package dev.gatehouse.edge.reader;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.gatehouse.edge.reader.Pn532Decoder.Decoded;
import dev.gatehouse.edge.reader.Pn532Decoder.Discarded;
import dev.gatehouse.edge.reader.Pn532Decoder.Frame;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;

/**
 * Fuzz targets for what a PN532 NFC reader sends over its serial line: the frame decoder ({@link
 * Pn532Decoder}) and the InListPassiveTarget answer that carries a card's UID ({@link
 * Pn532SerialReader#parseTarget}). Line noise, a reader of another make or a tampered cable can put
 * any bytes there.
 *
 * <ul>
 *   <li>{@code stream}: any bytes decode without an exception and without looping (every result
 *       consumes bytes), every frame passes its checksums, and the frames found do not depend on how
 *       the bytes were split by the serial reads (all at once, or one by one).
 *   <li>{@code commandFrame}: a frame written by {@link Pn532Transport#commandFrame} decodes to
 *       exactly its command and parameters.
 *   <li>{@code target}: a UID of 4, 7 or 10 bytes, no target, or a {@link ReaderException} of code
 *       {@code MALFORMED_RESPONSE}.
 * </ul>
 */
class Pn532FuzzTest {
    /** Longer input never changes what is tested: the decoder gives up on a frame past 4 KiB. */
    private static final int MAX_INPUT = 4000;

    @FuzzTest
    void stream(byte[] input) {
        byte[] bytes = input.length > MAX_INPUT ? Arrays.copyOf(input, MAX_INPUT) : input;
        Pn532Decoder whole = new Pn532Decoder();
        whole.feed(bytes, bytes.length);
        List<Decoded> atOnce = frames(drain(whole, bytes.length));

        Pn532Decoder split = new Pn532Decoder();
        List<Decoded> oneByOne = new ArrayList<>();
        for (byte b : bytes) {
            split.feed(new byte[] {b}, 1);
            oneByOne.addAll(frames(drain(split, bytes.length)));
        }
        assertThat(oneByOne).usingRecursiveFieldByFieldElementComparator().isEqualTo(atOnce);
        for (Decoded decoded : atOnce) {
            if (decoded instanceof Frame frame) {
                assertThat(frame.data().length).isLessThanOrEqualTo(254);
            }
        }
    }

    @FuzzTest
    void commandFrame(byte[] input) {
        if (input.length == 0) {
            return;
        }
        byte[] parameters = Arrays.copyOfRange(input, 1, Math.min(input.length, 254));
        byte[] frame = Pn532Transport.commandFrame(input[0] & 0xFF, parameters);
        Pn532Decoder decoder = new Pn532Decoder();
        decoder.feed(frame, frame.length);
        List<Decoded> decoded = drain(decoder, frame.length);

        byte[] expected = new byte[parameters.length + 1];
        expected[0] = input[0];
        System.arraycopy(parameters, 0, expected, 1, parameters.length);
        assertThat(decoded).hasSize(1).first().isInstanceOf(Frame.class);
        Frame only = (Frame) decoded.getFirst();
        assertThat(only.tfi()).isEqualTo(Pn532Transport.HOST_TO_PN532);
        assertThat(only.data()).isEqualTo(expected);
    }

    @FuzzTest
    void target(byte[] response) {
        Optional<byte[]> uid;
        try {
            uid = Pn532SerialReader.parseTarget(response);
        } catch (ReaderException e) {
            assertThat(e.error()).isEqualTo(ReaderError.MALFORMED_RESPONSE);
            return;
        }
        uid.ifPresent(bytes -> assertThat(new Presentation.CardUid(bytes).uid()).isEqualTo(bytes));
    }

    /** Everything the decoder can make of what it holds; fails if it keeps answering without consuming. */
    private static List<Decoded> drain(Pn532Decoder decoder, int fed) {
        List<Decoded> out = new ArrayList<>();
        for (int guard = 0; ; guard++) {
            assertThat(guard)
                    .as("results from %d bytes fed: the decoder loops", fed)
                    .isLessThanOrEqualTo(fed + 2);
            Optional<Decoded> next = decoder.next();
            if (next.isEmpty()) {
                return out;
            }
            out.add(next.get());
        }
    }

    /** Frames, ACKs and NACKs; discarded noise is reported per read, so its count depends on the split. */
    private static List<Decoded> frames(List<Decoded> decoded) {
        return decoded.stream().filter(d -> !(d instanceof Discarded)).toList();
    }
}
