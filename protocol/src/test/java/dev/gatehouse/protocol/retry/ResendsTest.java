package dev.gatehouse.protocol.retry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class ResendsTest {
    private final Resends resends = new Resends(Duration.ofSeconds(10));

    @Test
    void theWaitDoublesWithEachUnansweredRoundUpToSixteenAckTimeouts() {
        assertThat(resends.after(0)).isEqualTo(Duration.ofSeconds(10));
        assertThat(resends.after(1)).isEqualTo(Duration.ofSeconds(20));
        assertThat(resends.after(3)).isEqualTo(Duration.ofSeconds(80));
        assertThat(resends.after(4)).isEqualTo(Duration.ofSeconds(160));
        assertThat(resends.after(Integer.MAX_VALUE)).isEqualTo(Duration.ofSeconds(160));
        assertThat(resends.after(-1)).isEqualTo(Duration.ofSeconds(10));
    }

    @Test
    void acksFasterThanTheAckTimeoutLeaveItTheWait() {
        // Why: a hub that acks in milliseconds must still get a lost ack's event again after one timeout.
        for (int i = 0; i < 50; i++) {
            resends.acked(Duration.ofMillis(40));
        }
        assertThat(resends.latency()).isEqualTo(Duration.ofMillis(40));
        assertThat(resends.after(0)).isEqualTo(Duration.ofSeconds(10));
        assertThat(resends.after(1)).isEqualTo(Duration.ofSeconds(20));
    }

    @Test
    void acksSlowerThanTheAckTimeoutStretchTheWaitAsTcpDoes() {
        // Why: after a regional outage the hub's acks come a minute late; re-sending every 10 s made it
        // store each event up to four times instead of new ones.
        resends.acked(Duration.ofSeconds(30)); // srtt 30 s, rttvar 15 s
        assertThat(resends.after(0)).isEqualTo(Duration.ofSeconds(90));
        resends.acked(Duration.ofSeconds(30)); // rttvar (3 × 15 + 0) / 4 = 11.25 s
        assertThat(resends.after(0)).isEqualTo(Duration.ofSeconds(75));
        assertThat(resends.after(1)).as("doubled, at most 16 ack timeouts").isEqualTo(Duration.ofSeconds(150));
        assertThat(resends.after(2)).isEqualTo(Duration.ofSeconds(160));
        assertThat(resends.after(Integer.MAX_VALUE)).isEqualTo(Duration.ofSeconds(160));
    }

    @Test
    void theWaitComesBackOnceTheHubIsFastAgain() {
        resends.acked(Duration.ofSeconds(60));
        assertThat(resends.after(0)).isEqualTo(Duration.ofSeconds(160));
        for (int i = 0; i < 100; i++) {
            resends.acked(Duration.ofMillis(50));
        }
        assertThat(resends.after(0)).isEqualTo(Duration.ofSeconds(10));
    }

    @Test
    void aSampleBeyondTheLongestWaitCountsAsTheLongestWait() {
        resends.acked(Duration.ofDays(3));
        assertThat(resends.latency()).isEqualTo(Duration.ofSeconds(160));
        assertThat(resends.after(0)).isEqualTo(Duration.ofSeconds(160));
    }

    @Test
    void anAckTimeoutThatIsNotPositiveIsRefused() {
        assertThatThrownBy(() -> new Resends(Duration.ZERO)).hasMessageContaining("must be positive");
        assertThatThrownBy(() -> new Resends(null)).hasMessageContaining("must be positive");
    }
}
