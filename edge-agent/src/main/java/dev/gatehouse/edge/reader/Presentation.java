package dev.gatehouse.edge.reader;

import java.util.Arrays;
import java.util.Objects;

/**
 * What a reader saw: a card's UID or the text of a scanned code. Card UIDs are raw bytes here and are
 * hashed by the agent as soon as they arrive; they are never stored or logged ({@link CardUid#toString()}
 * shows only the length).
 */
public sealed interface Presentation permits Presentation.CardUid, Presentation.QrText {

    /** The UID an NFC reader read from a card in its field: 4, 7 or 10 bytes (ISO/IEC 14443 type A). */
    record CardUid(byte[] uid) implements Presentation {
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
    record QrText(String text) implements Presentation {
        public QrText {
            Objects.requireNonNull(text, "text");
            if (text.isEmpty()) {
                throw new ReaderException(ReaderError.BAD_PRESENTATION, "a scanned code has at least one character");
            }
        }
    }
}
