package dev.gatehouse.edge.agent;

import dev.gatehouse.protocol.model.ClockStatus;
import java.util.List;
import java.util.Optional;

/** What {@code status} shows a technician. */
public record AgentStatus(
        String tenant,
        String site,
        String device,
        String hardware,
        long cacheSeq,
        long credentials,
        long cacheBytes,
        ClockStatus clock,
        String clockReason,
        long outboxDepth,
        List<DoorStatus> doors,
        List<ReaderStatus> readers,
        String hub) {
    public AgentStatus {
        doors = List.copyOf(doors);
        readers = List.copyOf(readers);
    }

    /**
     * One door; {@code policy} says the held-open threshold and office hours in force and whether each
     * is the hub's (pushed) or the local configuration's.
     */
    public record DoorStatus(String id, String name, String state, String mode, List<String> readers, String policy) {
        public DoorStatus {
            readers = List.copyOf(readers);
        }
    }

    public record ReaderStatus(String id, String type, boolean healthy, Optional<String> fault) {}
}
