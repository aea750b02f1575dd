package dev.gatehouse.protocol.message;

import dev.gatehouse.protocol.Ids;
import dev.gatehouse.protocol.model.Checks;

/** The edge has applied every change up to {@code haveSeq} (0: nothing yet) and asks for what follows. */
public record SyncRequest(String site, long haveSeq) implements Message {
    public SyncRequest {
        Ids.require(site, "sync request site");
        Checks.nonNegative(haveSeq, "sync request haveSeq");
    }

    @Override
    public MessageType type() {
        return MessageType.SYNC_REQUEST;
    }
}
