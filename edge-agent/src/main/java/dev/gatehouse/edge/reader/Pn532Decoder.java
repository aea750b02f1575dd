package dev.gatehouse.edge.reader;

import java.util.Arrays;
import java.util.Optional;

/**
 * Cuts the byte stream from a PN532 into frames (UM0701-02 §6.2.1) and checks every one strictly:
 * start code {@code 00 FF}, {@code LEN + LCS = 0}, {@code TFI + data + DCS = 0} (mod 256). Zero bytes
 * between frames are preamble and postamble; any other byte outside a frame is garbage. A frame that
 * fails a check gives up only its start code, and the search for the next start code resumes right
 * after it, so a real frame hidden behind a cut one is still found. Pure: no I/O, no clock.
 */
final class Pn532Decoder {
    /** What the stream held next. */
    sealed interface Decoded permits Ack, Nack, Frame, Discarded {}

    /** The ACK frame {@code 00 00 FF 00 FF 00}. */
    record Ack() implements Decoded {}

    /** The NACK frame {@code 00 00 FF FF 00 00} (a PN532 never sends it; reported so the caller can complain). */
    record Nack() implements Decoded {}

    /** A normal information frame: its frame identifier and the bytes after it (PD0..PDn). */
    record Frame(int tfi, byte[] data) implements Decoded {
        Frame {
            data = data.clone();
        }

        @Override
        public byte[] data() {
            return data.clone();
        }
    }

    /** Bytes that were thrown away, and why. */
    record Discarded(int bytes, String reason) implements Decoded {}

    private static final int MAX_BUFFER = 4096;

    private byte[] buffer = new byte[512];
    private int length;

    /** Appends bytes read from the port. */
    void feed(byte[] bytes, int count) {
        if (length + count > buffer.length) {
            buffer = Arrays.copyOf(buffer, Math.max(buffer.length * 2, length + count));
        }
        System.arraycopy(bytes, 0, buffer, length, count);
        length += count;
    }

    /** The next complete thing in the stream, or empty when more bytes are needed. */
    Optional<Decoded> next() {
        int start = findStartCode();
        if (start < 0) {
            // Keep a trailing zero: it may be the first byte of the next start code.
            int keep = length > 0 && buffer[length - 1] == 0 ? 1 : 0;
            return dropGarbage(length - keep);
        }
        if (start > 0) {
            Optional<Decoded> garbage = dropGarbage(start);
            if (garbage.isPresent()) {
                return garbage;
            }
        }
        // buffer now begins with the start code 00 FF
        if (length < 4) {
            return Optional.empty();
        }
        int len = buffer[2] & 0xFF;
        int lcs = buffer[3] & 0xFF;
        if (len == 0x00 && lcs == 0xFF) {
            consume(4);
            return Optional.of(new Ack());
        }
        if (len == 0xFF && lcs == 0x00) {
            consume(4);
            return Optional.of(new Nack());
        }
        if (len == 0xFF && lcs == 0xFF) {
            return discardStartCode("extended information frame (the reader only uses normal frames)");
        }
        if (((len + lcs) & 0xFF) != 0) {
            return discardStartCode("length checksum does not add up");
        }
        if (len == 0) {
            return discardStartCode("information frame without a frame identifier");
        }
        int total = 4 + len + 1;
        if (length < total) {
            if (length > MAX_BUFFER) {
                return discardStartCode("frame never completed");
            }
            return Optional.empty();
        }
        int sum = 0;
        for (int i = 4; i < total; i++) {
            sum += buffer[i] & 0xFF;
        }
        if ((sum & 0xFF) != 0) {
            return discardStartCode("data checksum does not add up");
        }
        int tfi = buffer[4] & 0xFF;
        byte[] data = Arrays.copyOfRange(buffer, 5, 4 + len);
        consume(total);
        return Optional.of(new Frame(tfi, data));
    }

    /** Whether the buffer holds the start of a frame whose remaining bytes have not arrived. */
    boolean hasPartialFrame() {
        return findStartCode() >= 0;
    }

    /**
     * Gives up on a frame in progress (its bytes stopped coming): drops its start code and lets the
     * search resume behind it. Call {@link #next()} afterwards: a whole frame may be hidden behind it.
     */
    Optional<Decoded> abandonPartialFrame() {
        int start = findStartCode();
        if (start < 0) {
            return Optional.empty();
        }
        consume(start);
        return discardStartCode("truncated frame: its remaining bytes never came");
    }

    /** Forgets everything buffered (a new connection). */
    void reset() {
        length = 0;
    }

    private int findStartCode() {
        for (int i = 0; i + 1 < length; i++) {
            if (buffer[i] == 0x00 && buffer[i + 1] == (byte) 0xFF) {
                return i;
            }
        }
        return -1;
    }

    /** Drops {@code count} leading bytes; reports them if any is not a zero (preamble/postamble). */
    private Optional<Decoded> dropGarbage(int count) {
        int garbage = 0;
        for (int i = 0; i < count; i++) {
            if (buffer[i] != 0) {
                garbage++;
            }
        }
        consume(count);
        return garbage == 0
                ? Optional.empty()
                : Optional.of(new Discarded(count, count + " bytes outside any frame (line noise)"));
    }

    private Optional<Decoded> discardStartCode(String reason) {
        consume(2);
        return Optional.of(new Discarded(2, reason));
    }

    private void consume(int count) {
        System.arraycopy(buffer, count, buffer, 0, length - count);
        length -= count;
    }
}
