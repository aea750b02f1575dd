package dev.gatehouse.edge.sync;

import static org.assertj.core.api.Assertions.assertThat;

import dev.gatehouse.protocol.message.DeviceState;
import dev.gatehouse.protocol.message.Health;
import dev.gatehouse.protocol.topic.Channel;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/** What {@code device.state} says, and when it is sent. */
class StatePublisherTest {
    private final SyncFixture world = new SyncFixture();
    private final StatePublisher state = world.state(() -> 42);

    private List<DeviceState> sent() {
        return world.link.on(Channel.STATE, DeviceState.class);
    }

    @Test
    void aProblemMakesTheStateDegradedWithTheAgentsOwnProblemsFirst() {
        // Why: the operator sees at a glance why a site is degraded, the reader fault before the noise.
        world.host.localProblems.add("reader nfc-1: unplugged");
        state.problem("rejected a sync message");
        assertThat(sent()).hasSize(1);
        DeviceState sent = sent().get(0);
        assertThat(sent.health()).isEqualTo(Health.DEGRADED);
        assertThat(sent.cacheSeq()).isEqualTo(42);
        assertThat(sent.problems())
                .containsExactly("reader nfc-1: unplugged", "2026-03-04T10:00:00Z rejected a sync message");
    }

    @Test
    void isSentAtMostOnceASecondAfterBatchesAndProblems() {
        // Why: a burst of 500 batches must not become 500 retained states.
        state.publish();
        state.soon();
        state.soon();
        world.scheduler.advanceBy(Duration.ofMillis(999));
        assertThat(sent()).hasSize(1);
        world.scheduler.advanceBy(Duration.ofMillis(1));
        assertThat(sent()).hasSize(2);
        assertThat(sent().get(1).health()).isEqualTo(Health.OK);
    }

    @Test
    void theHeartbeatGoesEveryStateInterval() {
        state.publish();
        world.clock.advance(Duration.ofSeconds(29));
        state.heartbeat();
        world.clock.advance(Duration.ofSeconds(1));
        state.heartbeat();
        assertThat(sent()).hasSize(2);
    }

    @Test
    void keepsTheTwentyNewestProblemsNewestFirst() {
        world.link.connected = false; // nothing is sent while down; problems are still kept
        for (int i = 1; i <= 25; i++) {
            state.problem("problem " + i);
        }
        assertThat(sent()).isEmpty();
        assertThat(state.problems()).hasSize(RecentProblems.MAX);
        assertThat(state.problems().get(0)).endsWith("problem 25");
        assertThat(state.problems().get(19)).endsWith("problem 6");
    }

    @Test
    void theSameProblemAgainOnlyMovesItsTime() {
        // A link that fails the same way at every retry must not push the other problems out.
        world.link.connected = false;
        state.problem("a rejected batch");
        state.problem("an untrusted certificate");
        world.clock.advance(Duration.ofSeconds(30));
        state.problem("an untrusted certificate");
        assertThat(state.problems()).hasSize(2);
        assertThat(state.problems().get(0)).isEqualTo(world.clock.instant() + " an untrusted certificate");
        assertThat(state.problems().get(1)).endsWith("a rejected batch");
    }

    @Test
    void theOfflineStateIsTheLastWill() {
        DeviceState offline = (DeviceState) state.offline().payload();
        assertThat(offline.health()).isEqualTo(Health.OFFLINE);
        assertThat(offline.device()).isEqualTo("pi-1");
        assertThat(offline.problems()).isEmpty();
    }
}
