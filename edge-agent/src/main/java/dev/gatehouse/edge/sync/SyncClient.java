package dev.gatehouse.edge.sync;

import dev.gatehouse.protocol.message.RoomState;
import dev.gatehouse.protocol.model.ClockStatus;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * The agent's link to the hub, as the agent sees it: whether it is up, what it applied, the problems
 * it reports, a nudge when an event waits. {@link PahoSyncClient} is the MQTT 5 implementation.
 */
public interface SyncClient extends AutoCloseable {

    /** What the client needs of the agent. */
    interface Host {
        /** The clock's trust now. */
        ClockStatus clockStatus();

        /** A verified sync batch or snapshot chunk carried the hub's signed time. */
        void hubTimeReceived(Instant signed);

        /**
         * The hub answered the sync request sent at {@code requestSentNanos} (monotonic) with its
         * signed time {@code signed}: the true time is bounded on both sides.
         */
        default void hubTimeAnswered(Instant signed, long requestSentNanos) {
            hubTimeReceived(signed);
        }

        /**
         * Whether a signed emergency release may run while the clock is untrusted, judged by the hub's
         * time instead of the wall clock: empty when it may, else why not.
         */
        default Optional<String> refuseByHubTime(Instant signedAt, Instant expiresAt) {
            return Optional.of("no hub time to judge it by");
        }

        /** The agent's own problems (reader faults …), for {@code device.state}. */
        List<String> localProblems();

        /** The agent's version, for {@code device.state}. */
        String agentVersion();

        /** The protocol features the agent supports beyond the first version's, for {@code device.state}. */
        default List<String> features() {
            return List.of();
        }

        /**
         * Each meeting room's A/V now, for {@code device.state}; sent only to a hub that reads them
         * (its {@code hub.time} names {@link dev.gatehouse.protocol.message.DeviceState#ROOMS_FEATURE}).
         */
        default List<RoomState> rooms() {
            return List.of();
        }

        /** A batch or a snapshot was applied: entities may have changed (doors' pushed policy). */
        default void applied() {}
    }

    /** The connection as status shows it. */
    record LinkStatus(
            boolean connected,
            Optional<Instant> since,
            long lastAppliedSeq,
            Optional<Instant> lastAppliedAt,
            int eventsInFlight) {}

    /** Whether the session with the broker is up now. */
    boolean connected();

    /** How long since the link went down, or zero while connected. */
    Duration offlineFor();

    LinkStatus linkStatus();

    /** Calls {@code listener} with the new seq each time a batch or snapshot from the hub is applied. */
    AutoCloseable onApplied(Consumer<Long> listener);

    /** The problems {@code device.state} reports now: the agent's own, then recent ones with their time. */
    List<String> problems();

    /** Something the state reports changed (a room's fault or recovery): it is sent soon (never blocks). */
    void stateChanged();

    /** The outbox has a new event: it is sent soon (never blocks the caller). */
    void eventsWaiting();

    /**
     * Kills the connection without saying goodbye, so the broker publishes the last will (tests: a
     * crashed agent). The client then reconnects as after any drop.
     */
    void dropForTest();

    /** Disconnects cleanly (the state says offline; the will is not sent) and stops. */
    @Override
    void close();
}
