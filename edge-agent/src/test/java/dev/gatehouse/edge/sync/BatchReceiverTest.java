package dev.gatehouse.edge.sync;

import static org.assertj.core.api.Assertions.assertThat;

import com.nimbusds.jose.jwk.ECKey;
import dev.gatehouse.edge.cache.ApplyResult;
import dev.gatehouse.edge.cache.SnapshotResult;
import dev.gatehouse.protocol.message.Change;
import dev.gatehouse.protocol.message.DeviceState;
import dev.gatehouse.protocol.message.Envelope;
import dev.gatehouse.protocol.message.SyncBatch;
import dev.gatehouse.protocol.message.SyncRequest;
import dev.gatehouse.protocol.model.EntityKind;
import dev.gatehouse.protocol.sign.KeySet;
import dev.gatehouse.protocol.sign.SignedMessages;
import dev.gatehouse.protocol.sign.SigningKeys;
import dev.gatehouse.protocol.topic.Channel;
import dev.gatehouse.protocol.topic.Topic;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/** Sync batches and snapshot chunks in, with the cache's answers played by the test. */
class BatchReceiverTest {
    private static final ECKey HUB = SigningKeys.generate("hub-1");
    private static final Topic SYNC = Topic.of("acme", "hq", "pi-1", Channel.SYNC);
    private static final Topic SNAPSHOT = Topic.of("acme", "hq", "pi-1", Channel.SNAPSHOT);

    private final SyncFixture world = new SyncFixture();
    private final List<Envelope> applied = new ArrayList<>();
    private final AtomicReference<ApplyResult> applyAnswer = new AtomicReference<>();
    private final AtomicReference<SnapshotResult> offerAnswer = new AtomicReference<>();
    private final StatePublisher state = world.state(() -> 3);
    private final SyncRequests requests = new SyncRequests(
            "hq", () -> 3, Duration.ofSeconds(30), world.link, world.worker, world.clock, world.ticker);
    private final BatchReceiver receiver = new BatchReceiver(
            new BatchReceiver.Cache(
                    () -> KeySet.of(HUB.toPublicJWK()),
                    batch -> {
                        applied.add(batch);
                        return applyAnswer.get();
                    },
                    chunk -> offerAnswer.get()),
            world.host,
            requests,
            state,
            world.clock);

    private byte[] batch(ECKey key, Instant time) {
        Change change = new Change.Remove(EntityKind.MEMBER, "m-1");
        return SignedMessages.sign(new Envelope("b-1", time, new SyncBatch("acme", "hq", 4, 4, List.of(change))), key)
                .getBytes(StandardCharsets.US_ASCII);
    }

    @Test
    void anAppliedBatchFeedsClockTrustTellsTheListenersAndSendsTheState() {
        // Why: the door's offline timer and the hub's view of the edge both follow applied batches.
        List<Long> seqs = new ArrayList<>();
        receiver.onApplied(seqs::add);
        Instant signed = world.clock.instant().minusSeconds(2);
        applyAnswer.set(new ApplyResult.Applied(4, 4));

        receiver.receive(SYNC, batch(HUB, signed));

        assertThat(world.host.hubTimes).containsExactly(signed);
        assertThat(seqs).containsExactly(4L);
        assertThat(receiver.lastAppliedSeq()).isEqualTo(4);
        assertThat(receiver.lastAppliedAt()).hasValue(world.clock.instant());
        assertThat(world.link.on(Channel.STATE, DeviceState.class)).hasSize(1);
    }

    @Test
    void aRepeatedBatchProvesNothingAboutTheHubsTime() {
        // Why: a replayed batch could hold the edge's clock in the past.
        applyAnswer.set(new ApplyResult.Repeat(4));
        receiver.receive(SYNC, batch(HUB, world.clock.instant()));
        assertThat(world.host.hubTimes).isEmpty();
        assertThat(world.link.published).isEmpty();
    }

    @Test
    void aGapAsksTheHubForTheMissingRange() {
        applyAnswer.set(new ApplyResult.Gap(3));
        receiver.receive(SYNC, batch(HUB, world.clock.instant()));
        assertThat(world.link.on(Channel.SYNC_REQUEST, SyncRequest.class))
                .extracting(SyncRequest::haveSeq)
                .containsExactly(3L);
    }

    @Test
    void aBatchSignedByAnotherKeyChangesNothingAndIsReported() {
        // Why: a compromised broker cannot add an entitlement.
        receiver.receive(SYNC, batch(SigningKeys.generate("hub-1"), world.clock.instant()));
        assertThat(applied).isEmpty();
        assertThat(state.problems()).singleElement().asString().contains("rejected a sync");
    }

    @Test
    void aDiscardedSnapshotIsReportedAndAskedForAgain() {
        offerAnswer.set(new SnapshotResult.Discarded("chunks disagree on count"));
        byte[] chunk = SignedMessages.sign(
                        new Envelope(
                                "s-1",
                                world.clock.instant(),
                                new dev.gatehouse.protocol.message.SnapshotChunk(
                                        "acme", "hq", "snap-1", 9, 0, 2, List.of())),
                        HUB)
                .getBytes(StandardCharsets.US_ASCII);
        receiver.receive(SNAPSHOT, chunk);
        assertThat(state.problems()).singleElement().asString().contains("snapshot discarded");
        assertThat(world.link.on(Channel.SYNC_REQUEST, SyncRequest.class)).hasSize(1);
    }
}
