package dev.gatehouse.hub.sync;

import static org.assertj.core.api.Assertions.assertThat;

import com.nimbusds.jose.jwk.ECKey;
import dev.gatehouse.hub.changes.LoggedChange;
import dev.gatehouse.protocol.message.Change;
import dev.gatehouse.protocol.message.Envelope;
import dev.gatehouse.protocol.message.SnapshotChunk;
import dev.gatehouse.protocol.message.SyncBatch;
import dev.gatehouse.protocol.model.ClockStatus;
import dev.gatehouse.protocol.model.Door;
import dev.gatehouse.protocol.model.Entity;
import dev.gatehouse.protocol.model.EntityKind;
import dev.gatehouse.protocol.sign.KeySet;
import dev.gatehouse.protocol.sign.SignedMessages;
import dev.gatehouse.protocol.sign.SigningKeys;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Batches and snapshot chunks: coalesced within both limits, consecutive, each signed and verifiable. */
class SignedBatchesTest {
    static final ECKey KEY = SigningKeys.generate("k1");
    static final KeySet KEYS = KeySet.of(KEY);
    static final Instant NOW = Instant.parse("2026-03-02T09:00:00Z");

    static List<LoggedChange> doors(long firstSeq, int count, int nameLength) {
        List<LoggedChange> changes = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            String name = ("door " + i + " ").repeat(nameLength).substring(0, Math.min(nameLength, 100));
            Change change = i % 7 == 3
                    ? new Change.Remove(EntityKind.DOOR, "door_" + i)
                    : new Change.Upsert(Door.standard("door_" + i, name));
            changes.add(new LoggedChange("site_a", firstSeq + i, change, NOW));
        }
        return changes;
    }

    static SyncBatch verify(String jws) {
        Envelope envelope = SignedMessages.verify(jws, KEYS, "acme", "site_a", NOW, ClockStatus.TRUSTED);
        assertThat(envelope.time()).isEqualTo(NOW);
        return envelope.payloadAs(SyncBatch.class);
    }

    @Test
    void aLongRangeIsSplitIntoConsecutiveBatchesOfAtMostMaxChanges() {
        List<LoggedChange> changes = doors(41, 1203, 20);
        List<SignedBatches.Signed> batches =
                SignedBatches.batches("acme", "site_a", changes, KEY, NOW, 500, SyncSettings.MAX_BATCH_BYTES);
        assertThat(batches).extracting(SignedBatches.Signed::fromSeq).containsExactly(41L, 541L, 1041L);
        assertThat(batches).extracting(SignedBatches.Signed::toSeq).containsExactly(540L, 1040L, 1243L);
        List<Change> replayed = new ArrayList<>();
        for (SignedBatches.Signed signed : batches) {
            SyncBatch batch = verify(signed.jws());
            assertThat(batch.fromSeq()).isEqualTo(signed.fromSeq());
            assertThat(batch.toSeq()).isEqualTo(signed.toSeq());
            replayed.addAll(batch.changes());
        }
        assertThat(replayed)
                .isEqualTo(changes.stream().map(LoggedChange::change).toList());
    }

    @Test
    void batchesStayUnderTheSignedSizeLimit() {
        List<LoggedChange> changes = doors(1, 900, 100);
        int limit = 20_000;
        List<SignedBatches.Signed> batches = SignedBatches.batches("acme", "site_a", changes, KEY, NOW, 500, limit);
        assertThat(batches.size()).isGreaterThan(2);
        long next = 1;
        for (SignedBatches.Signed signed : batches) {
            assertThat(signed.jws().length()).isLessThanOrEqualTo(limit);
            assertThat(signed.fromSeq()).isEqualTo(next);
            next = verify(signed.jws()).toSeq() + 1;
        }
        assertThat(next).isEqualTo(901);
    }

    @Test
    void aSmallMaxChangesMakesSmallBatches() {
        List<SignedBatches.Signed> batches =
                SignedBatches.batches("acme", "site_a", doors(1, 10, 10), KEY, NOW, 3, SyncSettings.MAX_BATCH_BYTES);
        assertThat(batches).extracting(SignedBatches.Signed::toSeq).containsExactly(3L, 6L, 9L, 10L);
    }

    @Test
    void snapshotChunksShareIdSeqAndCountAndStayUnderTheLimit() {
        List<Entity> entities = new ArrayList<>();
        for (int i = 0; i < 1700; i++) {
            entities.add(Door.standard("door_" + i, "Door number " + i));
        }
        int limit = 16_384;
        List<String> chunks = SignedBatches.snapshot("acme", "site_a", 77, entities, KEY, NOW, limit);
        assertThat(chunks.size()).isGreaterThan(4);
        List<Entity> rebuilt = new ArrayList<>();
        String snapshotId = null;
        for (int i = 0; i < chunks.size(); i++) {
            assertThat(chunks.get(i).length()).isLessThanOrEqualTo(limit);
            SnapshotChunk chunk = SignedMessages.verify(chunks.get(i), KEYS, "acme", "site_a", NOW, ClockStatus.TRUSTED)
                    .payloadAs(SnapshotChunk.class);
            snapshotId = snapshotId == null ? chunk.snapshotId() : snapshotId;
            assertThat(chunk.snapshotId()).isEqualTo(snapshotId);
            assertThat(chunk.seq()).isEqualTo(77);
            assertThat(chunk.index()).isEqualTo(i);
            assertThat(chunk.count()).isEqualTo(chunks.size());
            rebuilt.addAll(chunk.entities());
        }
        assertThat(rebuilt).isEqualTo(entities);
    }

    @Test
    void anEmptySiteIsOneEmptyChunk() {
        List<String> chunks = SignedBatches.snapshot("acme", "site_a", 0, List.of(), KEY, NOW, 200_000);
        assertThat(chunks).hasSize(1);
        SnapshotChunk chunk = SignedMessages.verify(chunks.getFirst(), KEYS, "acme", "site_a", NOW, ClockStatus.TRUSTED)
                .payloadAs(SnapshotChunk.class);
        assertThat(chunk.count()).isEqualTo(1);
        assertThat(chunk.entities()).isEmpty();
    }
}
