package dev.gatehouse.protocol.message;

import dev.gatehouse.protocol.Ids;
import dev.gatehouse.protocol.model.Checks;
import java.util.List;

/**
 * Entries {@code fromSeq..toSeq} of a tenant's site's change log, in order: change {@code i} has seq
 * {@code fromSeq + i}. The edge applies a batch only when {@code fromSeq} is its seq + 1 (or it
 * already has every entry: then it is a harmless repeat), in one transaction with the new seq.
 */
public record SyncBatch(String tenant, String site, long fromSeq, long toSeq, List<Change> changes) implements Message {
    /** Most changes in one batch; the hub splits longer ranges. */
    public static final int MAX_CHANGES = 500;

    public SyncBatch {
        Ids.require(tenant, "sync batch tenant");
        Ids.require(site, "sync batch site");
        changes = List.copyOf(Checks.present(changes, "sync batch changes"));
        if (fromSeq < 1) {
            throw Checks.bad("sync batch fromSeq is " + fromSeq + "; sequences start at 1");
        }
        if (toSeq < fromSeq) {
            throw Checks.bad("sync batch toSeq " + toSeq + " is before fromSeq " + fromSeq);
        }
        if (changes.size() > MAX_CHANGES) {
            throw Checks.bad("sync batch has " + changes.size() + " changes; the limit is " + MAX_CHANGES);
        }
        if (toSeq - fromSeq + 1 != changes.size()) {
            throw Checks.bad("sync batch " + fromSeq + ".." + toSeq + " must carry " + (toSeq - fromSeq + 1)
                    + " changes (one per seq) but carries " + changes.size());
        }
    }

    @Override
    public MessageType type() {
        return MessageType.SYNC_BATCH;
    }
}
