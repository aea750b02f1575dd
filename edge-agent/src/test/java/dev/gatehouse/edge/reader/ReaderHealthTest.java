package dev.gatehouse.edge.reader;

import static org.assertj.core.api.Assertions.assertThat;

import dev.gatehouse.edge.reader.RecordingListener.Fault;
import dev.gatehouse.edge.reader.RecordingListener.Restored;
import org.junit.jupiter.api.Test;

/** The listener calls are what a technician's status screen and alerts are built on. */
class ReaderHealthTest {
    private final RecordingListener listener = new RecordingListener();
    private final ReaderHealth health = new ReaderHealth("r1", listener);

    @Test
    void theFirstGoodExchangeIsNotARestoration() {
        // Why: a reader that simply started was never broken.
        health.working();

        assertThat(listener.events()).isEmpty();
    }

    @Test
    void aLostDeviceIsReportedOnceAndRestoredOnce() {
        // Why: one outage is one alert and one all-clear, however many reopen attempts fail.
        health.working();
        health.lost("gone");
        health.lost("still gone");
        health.lost("still gone");
        health.working();
        health.working();

        assertThat(listener.events()).containsExactly(new Fault("r1", "gone"), new Restored("r1"));
    }

    @Test
    void everyTransientFaultIsReportedAndTheNextGoodExchangeRestores() {
        // Why: each burst of noise is worth seeing; the all-clear tells the technician it passed.
        health.working();
        health.fault("noise");
        health.fault("cut frame");
        health.working();

        assertThat(listener.events())
                .containsExactly(new Fault("r1", "noise"), new Fault("r1", "cut frame"), new Restored("r1"));
    }
}
