package dev.gatehouse.hub.chaos;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/**
 * The short chaos run of issue 18: every fault twice on two edges (one door a strike, one a
 * maglock), with a fixed seed. Asserts counts, never timings: nothing lost, nothing duplicated, no
 * event stored with another outcome, no wrong grant or refusal, every door in its safe state at every
 * check, every edge back in sync after every fault. The restart-to-safe-state times are printed.
 * Skips, saying so, where it is not root or network namespaces are unavailable.
 */
class ChaosIT {
    @Test
    void shortRunLosesNothingAndLeavesEveryDoorSafe() throws Exception {
        var unavailable = ChaosHarness.unavailable();
        if (unavailable.isPresent()) {
            System.out.println("NOTICE: ChaosIT skipped: " + unavailable.get());
            Assumptions.abort(unavailable.get());
        }
        // With broker-restart: seed 18 once left the edge whose disk had just been full cut off (Paho resent
        // an alias-only publish from the last connection; InFlightAtRestartIT, InFlightAtReconnectTest).
        List<ChaosHarness.Fault> faults = Arrays.asList(ChaosHarness.Fault.values());
        ChaosHarness.Totals totals = ChaosHarness.run(
                new ChaosHarness.Options(Duration.ZERO, 18, faults, 2, 2, Duration.ofSeconds(6)), System.out);

        assertThat(totals.injected()).isEqualTo(2 * faults.size());
        assertThat(totals.emitted()).as("events emitted").isPositive();
        assertThat(totals.lost()).as("lost: %s", totals.problems()).isZero();
        assertThat(totals.duplicated()).as("duplicated").isZero();
        assertThat(totals.storedDifferently())
                .as("stored differently: %s", totals.problems())
                .isZero();
        assertThat(totals.stored()).isEqualTo(totals.emitted());
        assertThat(totals.wrongGrants())
                .as("wrong grants: %s", totals.problems())
                .isZero();
        assertThat(totals.wrongRefusals())
                .as("wrong refusals: %s", totals.problems())
                .isZero();
        assertThat(totals.doorChecks()).isPositive();
        assertThat(totals.unsafeDoors())
                .as("unsafe doors: %s", totals.problems())
                .isZero();
        assertThat(totals.notRecovered())
                .as("not recovered: %s", totals.problems())
                .isZero();
    }
}
