package dev.gatehouse.edge.reader;

import java.io.ByteArrayOutputStream;
import java.util.Arrays;
import java.util.Optional;

/**
 * Splits a scanner's byte stream into lines at the one configured {@link LineEnding}. Any other CR or
 * LF is part of the code (a vCard's lone LFs), so a code is never cut at a break that is its content;
 * an empty line is no line. Two signs of a scanner set to another ending are reported rather than
 * guessed away: a CR LF where LF is configured ({@link Line#endedWith()} says so) and an LF right
 * after a CR where CR is configured ({@link StrayLineFeed}); a CR or LF scanner on a CR LF setting, or
 * a CR scanner on an LF one, never ends a line, and {@link #discardPartialLine()} says which endings
 * the stuck bytes hold. A line longer than the limit is reported once and the rest of it is dropped up
 * to the next line end, so an overlong code can neither fill memory nor be read as a shorter one.
 * Pure: no I/O, no clock.
 */
final class LineAssembler {
    /** What one byte completed. */
    sealed interface Scanned permits Line, Overlong, StrayLineFeed {}

    /**
     * A complete line, without its line ending.
     *
     * @param endedWith the ending it actually ended with: the configured one, or CR LF on an LF setting
     */
    record Line(byte[] bytes, LineEnding endedWith) implements Scanned {
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

    /** An LF right after a CR that ended a line, on a CR setting: the scanner sends CR LF. */
    record StrayLineFeed() implements Scanned {}

    /**
     * An unfinished line that was dropped.
     *
     * @param bytes how many bytes it had
     * @param endingsSeen the line ending its bytes hold most often, if any: what the scanner seems to send
     */
    record Discarded(int bytes, Optional<LineEnding> endingsSeen) {}

    private final LineEnding ending;
    private final int maxLength;
    private final ByteArrayOutputStream line = new ByteArrayOutputStream();
    private boolean dropping;
    private boolean justEnded;
    private byte previous;

    LineAssembler(LineEnding ending, int maxLength) {
        this.ending = ending;
        this.maxLength = maxLength;
    }

    Optional<Scanned> accept(byte b) {
        boolean afterEnd = justEnded;
        byte before = previous;
        justEnded = false;
        previous = b;
        boolean ends =
                switch (ending) {
                    case CR -> b == '\r';
                    case LF -> b == '\n';
                    case CRLF -> b == '\n' && before == '\r';
                };
        if (ends) {
            return end();
        }
        if (ending == LineEnding.CR && b == '\n' && afterEnd) {
            return Optional.of(new StrayLineFeed());
        }
        if (dropping) {
            return Optional.empty();
        }
        // A CR may be the first half of a CR LF: it may sit one past the limit until the next byte says.
        int limit = b == '\r' ? maxLength + 1 : maxLength;
        if (line.size() >= limit) {
            line.reset();
            dropping = true;
            return Optional.of(new Overlong(maxLength));
        }
        line.write(b);
        return Optional.empty();
    }

    private Optional<Scanned> end() {
        boolean wasDropping = dropping;
        dropping = false;
        justEnded = true;
        byte[] complete = line.toByteArray();
        line.reset();
        int length = complete.length;
        LineEnding endedWith = ending;
        if (ending != LineEnding.CR && length > 0 && complete[length - 1] == '\r') {
            length--; // the CR of a CR LF
            endedWith = LineEnding.CRLF;
        }
        if (wasDropping || length == 0) {
            return Optional.empty();
        }
        return Optional.of(new Line(Arrays.copyOf(complete, length), endedWith));
    }

    /** Whether bytes of an unfinished line are waiting for their line end. */
    boolean hasPartialLine() {
        return line.size() > 0;
    }

    /** Drops an unfinished line, saying how long it was and which line endings it held. */
    Discarded discardPartialLine() {
        byte[] bytes = line.toByteArray();
        line.reset();
        previous = 0;
        int crlf = 0;
        int cr = 0;
        int lf = 0;
        for (int i = 0; i < bytes.length; i++) {
            if (bytes[i] == '\r' && i + 1 < bytes.length && bytes[i + 1] == '\n') {
                crlf++;
                i++;
            } else if (bytes[i] == '\r') {
                cr++;
            } else if (bytes[i] == '\n') {
                lf++;
            }
        }
        Optional<LineEnding> seen = Optional.empty();
        int most = 0;
        if (crlf > most) {
            seen = Optional.of(LineEnding.CRLF);
            most = crlf;
        }
        if (cr > most) {
            seen = Optional.of(LineEnding.CR);
            most = cr;
        }
        if (lf > most) {
            seen = Optional.of(LineEnding.LF);
        }
        return new Discarded(bytes.length, seen);
    }
}
