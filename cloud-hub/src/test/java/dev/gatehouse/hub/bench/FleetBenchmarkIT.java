package dev.gatehouse.hub.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.gatehouse.hub.testing.MosquittoBroker;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/**
 * The fleet benchmark's short version: 2 tenants × 5 sites in 2 edge processes, a few seconds per
 * phase, 20 events per edge in the outage. It checks what must hold at any size, not times: every
 * revocation reached every one of its tenant's edges, every event emitted is stored exactly once
 * (copies sent twice and events sent again after the ack timeout included) and acknowledged, no
 * signed message was rejected, and the bare run delivered every message.
 */
class FleetBenchmarkIT {
    @Test
    void aSmallFleetAppliesEveryRevocationAndStoresEveryEventOnce() throws Exception {
        assumeTrue(MosquittoBroker.binary().isPresent(), "mosquitto is not installed");
        FleetBenchmark.Options options = new FleetBenchmark.Options(
                2, 5, 2, 40, 2, Duration.ofSeconds(2), Duration.ofMillis(500), 20, 32, "256m");

        FleetBenchmark.Result result = FleetBenchmark.run(options);

        assertThat(result.edges()).isEqualTo(10);
        assertThat(result.revocationRounds()).isGreaterThanOrEqualTo(2); // one in each phase with changes, at least
        assertThat(result.revocationRoundsComplete()).isEqualTo(result.revocationRounds());
        assertThat(result.emitted()).isGreaterThanOrEqualTo(10 * 20);
        assertThat(result.stored()).isEqualTo(result.emitted());
        assertThat(result.acked()).isGreaterThanOrEqualTo(result.emitted());
        assertThat(result.duplicatesSent()).isPositive();
        assertThat(result.rejected()).isZero();
        assertThat(result.problems()).isZero();
        assertThat(result.bareReceived()).isEqualTo(result.bareExpected());
    }
}
