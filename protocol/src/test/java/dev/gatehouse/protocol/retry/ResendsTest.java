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
    void anAckTimeoutThatIsNotPositiveIsRefused() {
        assertThatThrownBy(() -> new Resends(Duration.ZERO)).hasMessageContaining("must be positive");
        assertThatThrownBy(() -> new Resends(null)).hasMessageContaining("must be positive");
    }
}
