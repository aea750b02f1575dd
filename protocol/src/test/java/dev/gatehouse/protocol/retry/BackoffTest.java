package dev.gatehouse.protocol.retry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.random.RandomGenerator;
import org.junit.jupiter.api.Test;

/** One reconnect policy for every client; its figures decide how hard a fleet hits a broker that comes back. */
class BackoffTest {
    private final Backoff backoff = new Backoff(Duration.ofMillis(500), Duration.ofSeconds(30));

    /** A generator that always answers the same fraction, so the exact delay can be checked. */
    private static RandomGenerator fixed(double fraction) {
        return new RandomGenerator() {
            @Override
            public long nextLong() {
                throw new UnsupportedOperationException("only nextDouble is used");
            }

            @Override
            public double nextDouble() {
                return fraction;
            }
        };
    }

    @Test
    void theCeilingDoublesPerFailureUpToTheMaximum() {
        assertThat(backoff.ceiling(0)).isEqualTo(Duration.ofMillis(500));
        assertThat(backoff.ceiling(1)).isEqualTo(Duration.ofSeconds(1));
        assertThat(backoff.ceiling(5)).isEqualTo(Duration.ofSeconds(16));
        assertThat(backoff.ceiling(6)).isEqualTo(Duration.ofSeconds(30));
        // A client that failed for days must not overflow into a negative or tiny delay.
        assertThat(backoff.ceiling(70)).isEqualTo(Duration.ofSeconds(30));
        assertThat(backoff.ceiling(Integer.MAX_VALUE)).isEqualTo(Duration.ofSeconds(30));
    }

    @Test
    void theDelayLiesInTheUpperHalfOfTheCeilingWhereTheRandomnessPutsIt() {
        assertThat(backoff.delay(1, fixed(0.0))).isEqualTo(Duration.ofMillis(500));
        assertThat(backoff.delay(1, fixed(0.5))).isEqualTo(Duration.ofNanos(750_000_000L));
        assertThat(backoff.delay(1, fixed(Math.nextDown(1.0)))).isEqualTo(Duration.ofSeconds(1));
        assertThat(backoff.delay(40, fixed(0.0))).isEqualTo(Duration.ofSeconds(15));
    }

    @Test
    void aFleetThatFailedTogetherSpreadsOut() {
        // Thousands of edges losing the broker at once must not all retry in the same instant.
        RandomGenerator random = RandomGenerator.of("L64X128MixRandom");
        long distinct = java.util.stream.IntStream.range(0, 1000)
                .mapToObj(i -> backoff.delay(3, random))
                .peek(delay -> assertThat(delay).isBetween(Duration.ofSeconds(2), Duration.ofSeconds(4)))
                .distinct()
                .count();
        assertThat(distinct).isGreaterThan(900);
    }

    @Test
    void nonsenseSettingsAreRefusedWithWhatToFix() {
        assertThatThrownBy(() -> new Backoff(Duration.ZERO, Duration.ofSeconds(1)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("0 < initial <= max");
        assertThatThrownBy(() -> new Backoff(Duration.ofSeconds(2), Duration.ofSeconds(1)))
                .hasMessageContaining("initial PT2S, max PT1S");
        assertThatThrownBy(() -> backoff.ceiling(-1)).hasMessageContaining("attempt must be 0 or more");
    }
}
