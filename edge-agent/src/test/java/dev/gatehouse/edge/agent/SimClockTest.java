package dev.gatehouse.edge.agent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import org.junit.jupiter.api.Test;

class SimClockTest {
    private static final Instant NOW = Instant.parse("2026-12-07T12:00:00Z");

    @Test
    void readsTheBaseClockMovedByItsOffsetEitherWay() {
        SimClock clock = new SimClock(Clock.fixed(NOW, ZoneOffset.UTC));
        assertThat(clock.instant()).isEqualTo(NOW);

        clock.setOffset(SimClock.parseOffset("+2h"));
        assertThat(clock.instant()).isEqualTo(NOW.plus(Duration.ofHours(2)));
        clock.setOffset(SimClock.parseOffset("-90s"));
        assertThat(clock.instant()).isEqualTo(NOW.minusSeconds(90));
        // A zoned copy shares the offset, as the agent's components hold either.
        Clock zoned = clock.withZone(ZoneId.of("Europe/Berlin"));
        clock.setOffset(SimClock.parseOffset("+1d"));
        assertThat(zoned.instant()).isEqualTo(NOW.plus(Duration.ofDays(1)));
        clock.setOffset(SimClock.parseOffset("0"));
        assertThat(clock.instant()).isEqualTo(NOW);
        assertThat(SimClock.parseOffset("-15m")).isEqualTo(Duration.ofMinutes(-15));
    }

    @Test
    void refusesWhatIsNotAnOffsetAndJumpsBeyondTenYearsLeavingTheClockAsItWas() {
        SimClock clock = new SimClock(Clock.fixed(NOW, ZoneOffset.UTC));
        clock.setOffset(Duration.ofMinutes(5));
        for (String bad : new String[] {"", "2h", "+2", "+2w", "+-2h", "+1.5h", "now", "+9999999999s"}) {
            assertThatThrownBy(() -> clock.setOffset(SimClock.parseOffset(bad)))
                    .as(bad)
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("clock offset");
        }
        assertThatThrownBy(() -> clock.setOffset(SimClock.parseOffset("+3651d")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("at most 3650 days");
        assertThat(clock.offset()).isEqualTo(Duration.ofMinutes(5));
    }
}
