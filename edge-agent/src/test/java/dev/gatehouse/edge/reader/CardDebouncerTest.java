package dev.gatehouse.edge.reader;

import static org.assertj.core.api.Assertions.assertThat;

import dev.gatehouse.edge.reader.Presentation.CardUid;
import dev.gatehouse.edge.testing.MutableClock;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** One tap, one presentation: the rule that keeps a resting card from unlocking a door over and over. */
class CardDebouncerTest {
    private static final byte[] A = {1, 2, 3, 4};
    private static final byte[] B = {5, 6, 7, 8};

    private final MutableClock clock = new MutableClock(Instant.parse("2025-03-03T09:00:00Z"));
    private final CardDebouncer debouncer = new CardDebouncer(clock, Duration.ofSeconds(2));

    @Test
    void aCardSeenOnConsecutivePollsIsReportedOnce() {
        // Why: the chip sees a resting card on every poll.
        assertThat(debouncer.seen(Optional.of(A), 0)).contains(new CardUid(A));
        assertThat(debouncer.seen(Optional.of(A), 0)).isEmpty();
        clock.advance(Duration.ofMillis(1_999));
        assertThat(debouncer.seen(Optional.of(A), 0)).isEmpty();
    }

    @Test
    void aReportCarriesTheArrivalOfThePollThatSawTheCard() {
        // Why: latency is measured from the frame's arrival, which the reader knows and the debouncer must keep.
        assertThat(debouncer.seen(Optional.of(A), 42).orElseThrow().arrivedNanos())
                .isEqualTo(42);
    }

    @Test
    void aCardHeldForTheIntervalIsReportedAgain() {
        // Why: a member still holding the card after the relock expects another try.
        debouncer.seen(Optional.of(A), 0);
        clock.advance(Duration.ofSeconds(2));

        assertThat(debouncer.seen(Optional.of(A), 0)).contains(new CardUid(A));
    }

    @Test
    void aCardThatLeftTheFieldIsReportedWhenItComesBack() {
        // Why: a second tap is a second request.
        debouncer.seen(Optional.of(A), 0);
        debouncer.seen(Optional.empty(), 0);

        assertThat(debouncer.seen(Optional.of(A), 0)).contains(new CardUid(A));
    }

    @Test
    void anotherCardIsReportedAtOnce() {
        // Why: the next member must not wait out the previous member's interval.
        debouncer.seen(Optional.of(A), 0);

        assertThat(debouncer.seen(Optional.of(B), 0)).contains(new CardUid(B));
    }

    @Test
    void afterAResetTheCardInTheFieldIsANewTap() {
        // Why: after a reconnect the reader cannot know whether the card left meanwhile.
        debouncer.seen(Optional.of(A), 0);
        debouncer.reset();

        assertThat(debouncer.seen(Optional.of(A), 0)).contains(new CardUid(A));
    }
}
