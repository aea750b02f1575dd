package dev.gatehouse.edge.reader;

import java.util.Arrays;
import java.util.Objects;

/**
 * What a reader saw: a card's UID or the text of a scanned code. Card UIDs are raw bytes here and are
 * hashed by the agent as soon as they arrive; they are never stored or logged ({@link CardUid#toString()}
 * shows only the length).
 *
 * <p>Each carries {@link #arrivedNanos()}: the {@link System#nanoTime()} at which the reader had the
 * complete frame or line in hand (its serial read returned), so latency can be measured from there
 * to the relay in the same process. It is when, not what: equality ignores it.
 */
public sealed interface Presentation permits Presentation.CardUid, Presentation.QrText {

    /** {@link System#nanoTime()} when the reader had the whole frame, line or camera frame in hand. */
    long arrivedNanos();

    /** The UID an NFC reader read from a card in its field: 4, 7 or 10 bytes (ISO/IEC 14443 type A). */
    record CardUid(byte[] uid, long arrivedNanos) implements Presentation {
        /** A UID that arrived now. */
        public CardUid(byte[] uid) {
            this(uid, System.nanoTime());
        }

        public CardUid {
            Objects.requireNonNull(uid, "uid");
            if (uid.length != 4 && uid.length != 7 && uid.length != 10) {
                throw new ReaderException(
                        ReaderError.BAD_PRESENTATION, "a card UID has 4, 7 or 10 bytes, not " + uid.length);
            }
            uid = uid.clone();
        }

        /** A copy of the UID bytes. */
        @Override
        public byte[] uid() {
            return uid.clone();
        }

        @Override
        public boolean equals(Object other) {
            return other instanceof CardUid that && Arrays.equals(uid, that.uid);
        }

        @Override
        public int hashCode() {
            return Arrays.hashCode(uid);
        }

        /** The length only: a UID must not end up in a log. */
        @Override
        public String toString() {
            return "CardUid[" + uid.length + " bytes]";
        }
    }

    /** The decoded text of a QR code (for Gatehouse, a signed visitor or member token). */
    record QrText(String text, long arrivedNanos) implements Presentation {
        /** A code that arrived now. */
        public QrText(String text) {
            this(text, System.nanoTime());
        }

        public QrText {
            Objects.requireNonNull(text, "text");
            if (text.isEmpty()) {
                throw new ReaderException(ReaderError.BAD_PRESENTATION, "a scanned code has at least one character");
            }
        }

        @Override
        public boolean equals(Object other) {
            return other instanceof QrText that && text.equals(that.text);
        }

        @Override
        public int hashCode() {
            return text.hashCode();
        }

        @Override
        public String toString() {
            return "QrText[text=" + text + "]";
        }
    }
}
