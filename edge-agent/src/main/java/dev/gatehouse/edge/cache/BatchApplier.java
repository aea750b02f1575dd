package dev.gatehouse.edge.cache;

import dev.gatehouse.protocol.message.Change;
import dev.gatehouse.protocol.message.SyncBatch;
import java.time.Instant;
import java.util.List;

/**
 * Applies verified sync batches by the protocol's rules, each in one transaction with its seq.
 * A batch stays one transaction, because its seq must match its entities: a large batch holds the
 * writer (random pages of the primary key and the card lookup; its commit may also checkpoint the
 * WAL), and a door's event waits for it.
 */
final class BatchApplier {
    private final SqliteConnections connections;
    private final MetaStore metaStore;
    private final SqliteEntityRows entities;

    BatchApplier(SqliteConnections connections, MetaStore metaStore, SqliteEntityRows entities) {
        this.connections = connections;
        this.metaStore = metaStore;
        this.entities = entities;
    }

    /** Applies {@code batch}, signed at hub time {@code time}; see {@link EdgeCache#apply}. */
    ApplyResult apply(SyncBatch batch, Instant time) {
        return connections.write("apply sync batch " + batch.fromSeq() + ".." + batch.toSeq(), session -> {
            long have = MetaStore.seqOf(session);
            if (batch.toSeq() <= have) {
                return new ApplyResult.Repeat(have);
            }
            if (batch.fromSeq() > have + 1) {
                return new ApplyResult.Gap(have);
            }
            List<Change> changes = batch.changes();
            for (int i = 0; i < changes.size(); i++) {
                if (batch.fromSeq() + i <= have) {
                    continue;
                }
                switch (changes.get(i)) {
                    case Change.Upsert upsert -> entities.upsert(session, SqliteEntityRows.Row.of(upsert.entity()));
                    case Change.Remove remove -> entities.delete(session, remove.kind(), remove.key());
                }
            }
            MetaStore.setMeta(session, "seq", Long.toString(batch.toSeq()));
            metaStore.raiseHubTime(session, time);
            return new ApplyResult.Applied(have + 1, batch.toSeq());
        });
    }
}
