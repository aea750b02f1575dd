package dev.gatehouse.edge.sync;

import static org.assertj.core.api.Assertions.assertThat;

import dev.gatehouse.protocol.message.Envelope;
import dev.gatehouse.protocol.message.SyncRequest;
import dev.gatehouse.protocol.topic.Channel;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The outbox drain alone: a list as the outbox, a recording link, time moved by the test. */
class OutboxDrainTest {
    private final SyncFixture world = new SyncFixture();
    private final List<Envelope> outbox = new ArrayList<>();
    private final OutboxDrain drain = new OutboxDrain(
            new OutboxDrain.Outbox(
                    max -> List.copyOf(outbox.subList(0, Math.min(max, outbox.size()))),
                    ids -> {
                        int before = outbox.size();
                        outbox.removeIf(e -> ids.contains(e.id()));
                        return before - outbox.size();
                    },
                    () -> outbox.size()),
            3,
            Duration.ofSeconds(10),
            world.link,
            world.worker,
            world.ticker);

    private void events(int n) {
        for (int i = 1; i <= n; i++) {
            event(i);
        }
    }

    /** Event {@code e<i>} joins the outbox now. The drain never looks inside: any envelope stands in for one. */
    private void event(int i) {
        outbox.add(new Envelope("e" + i, world.clock.instant(), new SyncRequest("hq", i)));
    }

    private List<String> sent() {
        return world.link.published.stream()
                .filter(p -> p.channel() == Channel.EVENTS)
                .map(p -> p.envelope().id())
                .toList();
    }

    @Test
    void sendsOldestFirstWithinTheInFlightLimitAndTheNextOnesAfterAnAck() {
        // Why: the hub must see events in order, and a slow hub must not be flooded.
        events(5);
        drain.drain();
        assertThat(sent()).containsExactly("e1", "e2", "e3");

        drain.acknowledged(List.of("e1", "e2")); // the next drain runs on the (manual) worker at once
        assertThat(sent()).containsExactly("e1", "e2", "e3", "e4", "e5");
        assertThat(outbox).extracting(Envelope::id).containsExactly("e3", "e4", "e5");
        assertThat(drain.inFlight()).isEqualTo(3);
    }

    @Test
    void neverHasMoreThanTheLimitUnacknowledgedEvenWhenTheOutboxMovesFirst() {
        // Why: an ack deletes from the outbox on Paho's thread before the drain forgets the event;
        // a drain in between must still count it as in flight.
        events(5);
        drain.drain();
        outbox.remove(0);
        drain.drain();
        assertThat(sent()).containsExactly("e1", "e2", "e3");
    }

    @Test
    void publishesAgainAnEventNotAcknowledgedWithinTheAckTimeout() {
        // Why: a PUBACK from the broker is not the hub's ack; an event lost on the hub's side comes again.
        events(1);
        drain.drain();
        world.clock.advance(Duration.ofSeconds(9));
        drain.drain();
        assertThat(sent()).containsExactly("e1");

        world.clock.advance(Duration.ofSeconds(1));
        drain.drain();
        assertThat(sent()).containsExactly("e1", "e1");
    }

    @Test
    void waitsTwiceAsLongAfterReSendsAndAgainTheAckTimeoutOnceAnEventSentOnceIsAnswered() {
        // Why: a hub overloaded after a regional outage must not be sent the same backlog every ack
        // timeout (it stored duplicates instead of new events); a single lost ack still costs one timeout.
        events(2);
        drain.drain();
        world.clock.advance(Duration.ofSeconds(10));
        drain.drain();
        assertThat(sent()).containsExactly("e1", "e2", "e1", "e2");

        world.clock.advance(Duration.ofSeconds(19));
        drain.drain();
        assertThat(sent()).as("no ack came: twice the ack timeout").hasSize(4);
        world.clock.advance(Duration.ofSeconds(1));
        drain.drain();
        assertThat(sent()).containsExactly("e1", "e2", "e1", "e2", "e1", "e2");

        world.clock.advance(Duration.ofSeconds(39));
        drain.drain();
        assertThat(sent()).as("four times").hasSize(6);
        drain.acknowledged(List.of("e1")); // e1 went three times: its ack may answer any copy
        world.clock.advance(Duration.ofSeconds(1));
        drain.drain();
        assertThat(sent())
                .as("an ack of a re-sent event is not the hub keeping up: e2 again, and the wait doubles on")
                .endsWith("e2")
                .hasSize(7);

        event(3);
        drain.drain();
        world.clock.advance(Duration.ofMillis(200));
        drain.acknowledged(List.of("e3")); // sent once, answered in 200 ms
        world.clock.advance(Duration.ofMillis(9_800));
        drain.drain();
        assertThat(sent())
                .as("an event sent once was answered: the ack timeout again")
                .containsExactly("e1", "e2", "e1", "e2", "e1", "e2", "e2", "e3", "e2");
    }

    @Test
    void eventsFallingDueOneAfterAnotherDoubleTheWaitOncePerRoundNotOncePerEvent() {
        // Why: with the doubling counted per re-sent event, a few events a second apart took the wait to
        // 160 s within a minute, and after a hub replica died an edge's outbox sat for minutes.
        events(1);
        drain.drain();
        world.clock.advance(Duration.ofSeconds(1));
        event(2);
        drain.drain();
        List<String> sends = new ArrayList<>(List.of("e1@0", "e2@1"));
        for (int second = 2; second <= 70; second++) {
            world.clock.advance(Duration.ofSeconds(1));
            int before = sent().size();
            drain.drain();
            for (String id : sent().subList(before, sent().size())) {
                sends.add(id + "@" + second);
            }
        }
        assertThat(sends)
                .as("10 s, then 20 s (one round: e1 at 10, e2 at 21), then 40 s")
                .containsExactly("e1@0", "e2@1", "e1@10", "e2@21", "e1@30", "e2@61", "e1@70");
    }

    @Test
    void anAckOfAReSentEventIsNoLatencySample() {
        // Why: measuring from the first publish, a killed hub replica's lost events (answered only after a
        // re-send, 10 s and more after they first went) stretched every later wait to half a minute, and
        // an edge's outbox sat undrained for minutes after the replica died (HubReplicasIT).
        events(2);
        drain.drain();
        world.clock.advance(Duration.ofSeconds(10));
        drain.drain(); // lost with the replica: both again
        world.clock.advance(Duration.ofSeconds(2));
        drain.acknowledged(List.of("e1", "e2")); // 12 s after their first publish, 2 s after the second
        event(3);
        drain.drain();
        world.clock.advance(Duration.ofMillis(50));
        drain.acknowledged(List.of("e3"));
        event(4);
        drain.drain();
        world.clock.advance(Duration.ofSeconds(10));
        drain.drain();
        assertThat(sent())
                .as("e4's ack lost: again after the 10 s ack timeout, not after 12 + 4 × 6 s")
                .containsExactly("e1", "e2", "e1", "e2", "e3", "e4", "e4");
    }

    @Test
    void anAckTimeoutAfterQuickAcksStaysTheAckTimeout() {
        // Why: with a hub that answers at once, an event whose ack was lost comes again after 10 s.
        events(3);
        drain.drain();
        world.clock.advance(Duration.ofMillis(30));
        drain.acknowledged(List.of("e1", "e2"));
        assertThat(sent()).containsExactly("e1", "e2", "e3");
        world.clock.advance(Duration.ofSeconds(10));
        drain.drain();
        assertThat(sent()).containsExactly("e1", "e2", "e3", "e3");
    }

    @Test
    void slowAcksStretchTheWaitSoAnOverloadedHubIsNotSentItsBacklogAgain() {
        // Why: 5,000 edges reconnecting at once after an outage made the hub's acks a minute late, and
        // edges that re-sent every 10 s had it store their events up to four times over.
        events(5);
        drain.drain();
        world.clock.advance(Duration.ofSeconds(9));
        drain.drain();
        world.clock.advance(Duration.ofMillis(500));
        drain.acknowledged(List.of("e1")); // 9.5 s after it went: srtt 9.5 s, rttvar 4.75 s
        assertThat(sent()).containsExactly("e1", "e2", "e3", "e4");

        world.clock.advance(Duration.ofSeconds(18));
        drain.drain();
        assertThat(sent())
                .as("the wait is now 9.5 + 4 × 4.75 = 28.5 s, not 10 s")
                .hasSize(4);
        world.clock.advance(Duration.ofSeconds(1));
        drain.drain();
        assertThat(sent()).containsExactly("e1", "e2", "e3", "e4", "e2", "e3");
    }

    @Test
    void aNewSessionPublishesEverythingUnacknowledgedAgain() {
        // Why: whatever was in flight when the link dropped may never have reached the hub.
        events(2);
        drain.drain();
        drain.linkUp();
        drain.drain();
        assertThat(sent()).containsExactly("e1", "e2", "e1", "e2");
    }

    @Test
    void leavesAFullWindowToAcksAndStateAndSendsNothingWhileDown() {
        // Why: a burst of events must not keep a command ack or the state from going out.
        events(2);
        world.link.windowFull = true;
        drain.drain();
        world.link.windowFull = false;
        world.link.connected = false;
        drain.drain();
        drain.eventsWaiting();
        assertThat(sent()).isEmpty();
        assertThat(drain.inFlight()).isZero();
    }

    @Test
    void reportsAnOutboxThatHasNotMovedForAMinute() {
        // Why: a hub that stopped acknowledging is invisible at the doors; the state must say so.
        events(2);
        drain.drain();
        world.clock.advance(Duration.ofSeconds(60));
        assertThat(drain.stalled()).isEmpty();
        world.clock.advance(Duration.ofSeconds(1));
        assertThat(drain.stalled()).hasValue("outbox not drained for 61 s (2 events waiting)");

        drain.acknowledged(List.of("e1", "e2"));
        assertThat(drain.stalled()).isEmpty();
        assertThat(drain.depth()).isZero();
    }
}
