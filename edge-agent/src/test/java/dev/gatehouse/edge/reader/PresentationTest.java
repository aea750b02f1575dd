package dev.gatehouse.edge.reader;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.gatehouse.edge.reader.Presentation.CardUid;
import dev.gatehouse.edge.reader.Presentation.QrText;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Presentations cross threads and end up hashed; they must be immutable and never leak a UID into a log. */
class PresentationTest {
    @Test
    void aCardUidIsCopiedInAndOut() {
        // Why: a caller reusing its buffer must not change a presentation already handed off.
        byte[] bytes = {1, 2, 3, 4};
        CardUid card = new CardUid(bytes);
        bytes[0] = 9;
        card.uid()[1] = 9;

        assertThat(card.uid()).containsExactly(1, 2, 3, 4);
    }

    @Test
    void cardUidsAreEqualByContent() {
        // Why: tests and the debounce compare UIDs, not arrays' identities.
        assertThat(new CardUid(new byte[] {1, 2, 3, 4}))
                .isEqualTo(new CardUid(new byte[] {1, 2, 3, 4}))
                .hasSameHashCodeAs(new CardUid(new byte[] {1, 2, 3, 4}))
                .isNotEqualTo(new CardUid(new byte[] {1, 2, 3, 5}));
    }

    @Test
    void aCardUidPrintsOnlyItsLength() {
        // Why: UIDs are never stored; a log line is storage.
        assertThat(new CardUid(new byte[] {0x04, (byte) 0xA2, 0x2B, 0x1C}).toString())
                .isEqualTo("CardUid[4 bytes]");
    }

    @ParameterizedTest
    @ValueSource(ints = {0, 3, 5, 8, 11})
    void aUidOfAnImpossibleLengthIsRefused(int length) {
        // Why: the card hash is defined for 4, 7 and 10 bytes only.
        ReaderException refused = catchThrowableOfType(ReaderException.class, () -> new CardUid(new byte[length]));

        assertThat(refused.error()).isEqualTo(ReaderError.BAD_PRESENTATION);
    }

    @Test
    void anEmptyScannedTextIsRefused() {
        // Why: an empty line is not a code.
        assertThat(catchThrowableOfType(ReaderException.class, () -> new QrText(""))
                        .error())
                .isEqualTo(ReaderError.BAD_PRESENTATION);
    }
}
