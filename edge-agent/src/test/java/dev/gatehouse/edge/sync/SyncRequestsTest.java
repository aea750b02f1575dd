package dev.gatehouse.edge.sync;

import static org.assertj.core.api.Assertions.assertThat;

import dev.gatehouse.protocol.message.SyncRequest;
import dev.gatehouse.protocol.topic.Channel;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** When the edge asks the hub for what it misses. */
class SyncRequestsTest {
    private final SyncFixture world = new SyncFixture();
    private final AtomicLong seq = new AtomicLong(7);
    private final SyncRequests requests = new SyncRequests(
            "hq", seq::get, Duration.ofSeconds(30), world.link, world.worker, world.clock, world.ticker);

    private List<Long> asked() {
        return world.link.on(Channel.SYNC_REQUEST, SyncRequest.class).stream()
                .map(SyncRequest::haveSeq)
                .toList();
    }

    @Test
    void aGapRightAfterARequestForTheSameSeqAsksOnceMoreWhenThePauseIsOver() {
        // Why: the connect request may have been answered before the gap arose; asking at every
        // out-of-order batch would flood the hub, never asking again would leave the gap open.
        requests.now();
        world.clock.advance(Duration.ofSeconds(1));
        requests.gap();
        requests.gap();
        assertThat(asked()).containsExactly(7L);

        world.scheduler.advanceBy(Duration.ofSeconds(4));
        assertThat(asked()).containsExactly(7L, 7L);
    }

    @Test
    void aGapAtANewSeqAsksAtOnce() {
        requests.now();
        seq.set(9);
        requests.gap();
        assertThat(asked()).containsExactly(7L, 9L);
    }

    @Test
    void theRecheckAsksNothingWhenTheGapClosedMeanwhile() {
        requests.now();
        requests.gap();
        seq.set(12); // the missing batch arrived
        world.scheduler.advanceBy(Duration.ofSeconds(5));
        assertThat(asked()).containsExactly(7L);
    }

    @Test
    void theHeartbeatAsksEveryInterval() {
        // Why: a batch the broker lost is noticed within the interval even when nothing else arrives.
        requests.now();
        world.clock.advance(Duration.ofSeconds(29));
        requests.heartbeat();
        world.clock.advance(Duration.ofSeconds(1));
        requests.heartbeat();
        assertThat(asked()).containsExactly(7L, 7L);
    }
}
