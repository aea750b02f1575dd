package dev.gatehouse.protocol.message;

import dev.gatehouse.protocol.Ids;
import dev.gatehouse.protocol.model.Checks;
import dev.gatehouse.protocol.model.Entity;
import java.util.List;

/**
 * Chunk {@code index} (0-based) of {@code count} of snapshot {@code snapshotId}: the site's whole
 * state as of {@code seq}. The edge collects all chunks of one snapshot id, then replaces its cache
 * and sets its seq to {@code seq} in one transaction.
 */
public record SnapshotChunk(
        String tenant, String site, String snapshotId, long seq, int index, int count, List<Entity> entities)
        implements Message {
    public static final int MAX_ENTITIES = 500;
    public static final int MAX_CHUNKS = 100_000;

    public SnapshotChunk {
        Ids.require(tenant, "snapshot tenant");
        Ids.require(site, "snapshot site");
        Ids.require(snapshotId, "snapshot id");
        Checks.nonNegative(seq, "snapshot seq");
        entities = List.copyOf(Checks.present(entities, "snapshot entities"));
        if (count < 1 || count > MAX_CHUNKS) {
            throw Checks.bad("snapshot count is " + count + "; it must be between 1 and " + MAX_CHUNKS);
        }
        if (index < 0 || index >= count) {
            throw Checks.bad("snapshot chunk index " + index + " is outside 0.." + (count - 1));
        }
        if (entities.size() > MAX_ENTITIES) {
            throw Checks.bad("snapshot chunk has " + entities.size() + " entities; the limit is " + MAX_ENTITIES);
        }
    }

    @Override
    public MessageType type() {
        return MessageType.SNAPSHOT_CHUNK;
    }
}
