package dev.gatehouse.edge.reader;

import java.io.ByteArrayOutputStream;
import java.util.Optional;

/**
 * Splits a scanner's byte stream into lines ended by CR, LF or CR LF (an empty line, such as the LF
 * of a CR LF, is no line). A line longer than the limit is reported once and the rest of it is
 * dropped up to the next line end, so an overlong code can neither fill memory nor be read as a
 * shorter one. Pure: no I/O, no clock.
 */
final class LineAssembler {
    /** What one byte completed. */
    sealed interface Scanned permits Line, Overlong {}

    /** A complete line, without its line ending. */
    record Line(byte[] bytes) implements Scanned {
        Line {
            bytes = bytes.clone();
        }

        @Override
        public byte[] bytes() {
            return bytes.clone();
        }
    }

    /** A line passed the limit; its bytes are being dropped up to the next line end. */
    record Overlong(int limit) implements Scanned {}

    private final int maxLength;
    private final ByteArrayOutputStream line = new ByteArrayOutputStream();
    private boolean dropping;

    LineAssembler(int maxLength) {
        this.maxLength = maxLength;
    }

    Optional<Scanned> accept(byte b) {
        if (b == '\r' || b == '\n') {
            boolean wasDropping = dropping;
            dropping = false;
            if (wasDropping || line.size() == 0) {
                return Optional.empty();
            }
            byte[] complete = line.toByteArray();
            line.reset();
            return Optional.of(new Line(complete));
        }
        if (dropping) {
            return Optional.empty();
        }
        if (line.size() == maxLength) {
            line.reset();
            dropping = true;
            return Optional.of(new Overlong(maxLength));
        }
        line.write(b);
        return Optional.empty();
    }

    /** Whether bytes of an unfinished line are waiting for their line end. */
    boolean hasPartialLine() {
        return line.size() > 0;
    }

    /** Drops an unfinished line; returns how many bytes it had. */
    int discardPartialLine() {
        int dropped = line.size();
        line.reset();
        return dropped;
    }
}
