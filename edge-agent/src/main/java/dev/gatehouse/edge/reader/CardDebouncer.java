package dev.gatehouse.edge.reader;

import dev.gatehouse.edge.reader.Presentation.CardUid;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.Optional;

/**
 * One presentation per tap. A reader polling a card that stays in the field sees it on every poll;
 * this reports it when it appears, again only after it has left the field (or another card took its
 * place), or after {@code representAfter} of being held continuously (a member still waiting at the
 * door). Time comes from the injected clock. Used by the reader thread only.
 */
final class CardDebouncer {
    private final Clock clock;
    private final Duration representAfter;
    private byte[] inField;
    private Instant reportedAt = Instant.MIN;

    CardDebouncer(Clock clock, Duration representAfter) {
        this.clock = clock;
        this.representAfter = representAfter;
    }

    /**
     * What one poll saw, its response having arrived at {@code arrivedNanos} ({@link System#nanoTime()});
     * returns the presentation to report, if any.
     */
    Optional<CardUid> seen(Optional<byte[]> uid, long arrivedNanos) {
        if (uid.isEmpty()) {
            inField = null;
            return Optional.empty();
        }
        byte[] card = uid.get();
        Instant now = clock.instant();
        boolean newTap = inField == null || !Arrays.equals(inField, card);
        boolean heldLong = !newTap && !now.isBefore(reportedAt.plus(representAfter));
        if (!newTap && !heldLong) {
            return Optional.empty();
        }
        inField = card.clone();
        reportedAt = now;
        return Optional.of(new CardUid(card, arrivedNanos));
    }

    /** Forgets the card in the field (the reader was reconnected: a card now is a new tap). */
    void reset() {
        inField = null;
    }
}
