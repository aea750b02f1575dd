package dev.gatehouse.edge.sync;

import dev.gatehouse.edge.access.EventIds;
import dev.gatehouse.edge.config.EdgeConfig;
import dev.gatehouse.protocol.message.DeviceState;
import dev.gatehouse.protocol.message.Envelope;
import dev.gatehouse.protocol.message.Health;
import dev.gatehouse.protocol.message.RoomState;
import dev.gatehouse.protocol.topic.Channel;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.LongSupplier;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * This device's {@code device.state}: its seq, clock trust, outbox depth, version and health, with
 * its problems (the agent's own, a stalled outbox, the link's recent ones). Sent on connect, every
 * {@code state-interval}, and soon (at most once a second) after an applied batch or a new problem;
 * the {@link #offline} state is the last will and the word on a clean stop. The rooms' A/V goes with
 * it once the hub has said it reads them ({@link #hubReads}): a hub that predates them would refuse
 * the whole state.
 */
final class StatePublisher {
    private static final Logger log = LoggerFactory.getLogger(StatePublisher.class);
    /** The state after an applied batch or a problem is sent at most this often. */
    private static final Duration MIN_GAP = Duration.ofSeconds(1);

    /** What the state reports besides the link's own problems. */
    record Inputs(
            EdgeConfig.Site site,
            SyncClient.Host host,
            LongSupplier seq,
            LongSupplier outboxDepth,
            Supplier<Optional<String>> outboxStall) {}

    private final Inputs inputs;
    private final Duration interval;
    private final HubLink link;
    private final SyncWorker worker;
    private final Clock clock;
    private final LongSupplier ticker;
    private final RecentProblems recent;
    private final AtomicBoolean queued = new AtomicBoolean();
    private volatile long lastSentNanos;
    private volatile boolean hubReadsRooms;

    /**
     * @param interval the heartbeat's period ({@code state-interval})
     * @param ticker monotonic nanoseconds ({@code System::nanoTime})
     */
    StatePublisher(
            Inputs inputs, Duration interval, HubLink link, SyncWorker worker, Clock clock, LongSupplier ticker) {
        this.inputs = inputs;
        this.interval = interval;
        this.link = link;
        this.worker = worker;
        this.clock = clock;
        this.ticker = ticker;
        this.recent = new RecentProblems(clock);
    }

    /** Records a problem for the state (the last 20 are kept) and sends the state soon. Any thread. */
    void problem(String text) {
        log.warn("hub link: {}", text);
        recent.record(text);
        soon();
    }

    /** The problems the state reports now: the agent's own, a stalled outbox, then recent ones with their time. */
    List<String> problems() {
        List<String> out = new ArrayList<>();
        for (String local : inputs.host().localProblems()) {
            out.add(clip(local));
        }
        inputs.outboxStall().get().ifPresent(out::add);
        for (String problem : recent.newestFirst()) {
            out.add(clip(problem));
        }
        return out.size() > RecentProblems.MAX ? List.copyOf(out.subList(0, RecentProblems.MAX)) : List.copyOf(out);
    }

    /**
     * What the hub reads beyond the first version, from its latest {@code hub.time}: with
     * {@link DeviceState#ROOMS_FEATURE} the state carries the rooms from now on (sent soon, when that is
     * news), without it no longer. Any thread.
     */
    void hubReads(List<String> reads) {
        boolean rooms = reads.contains(DeviceState.ROOMS_FEATURE);
        if (rooms != hubReadsRooms) {
            hubReadsRooms = rooms;
            soon();
        }
    }

    /** Sends the state within a second (coalesced), on the worker; any thread. */
    void soon() {
        if (!link.connected() || !queued.compareAndSet(false, true)) {
            return;
        }
        long wait = lastSentNanos + MIN_GAP.toNanos() - ticker.getAsLong();
        boolean scheduled = worker.schedule(
                () -> {
                    queued.set(false);
                    publish();
                },
                Duration.ofNanos(Math.max(0, wait)));
        if (!scheduled) {
            queued.set(false);
        }
    }

    /** Sends the state when {@code state-interval} has passed since the last one. Worker only. */
    void heartbeat() {
        if (ticker.getAsLong() - lastSentNanos >= interval.toNanos()) {
            publish();
        }
    }

    /** Sends the state now. Worker only. */
    void publish() {
        lastSentNanos = ticker.getAsLong();
        List<String> now = problems();
        link.publish(Channel.STATE, state(now.isEmpty() ? Health.OK : Health.DEGRADED, now));
    }

    /** The retained state that says this device is offline: the last will, and sent on a clean stop. */
    Envelope offline() {
        return state(Health.OFFLINE, List.of(), List.of());
    }

    private Envelope state(Health health, List<String> problems) {
        List<RoomState> rooms = hubReadsRooms ? inputs.host().rooms() : List.of();
        return state(
                health,
                problems,
                rooms.size() > DeviceState.MAX_ROOMS ? rooms.subList(0, DeviceState.MAX_ROOMS) : rooms);
    }

    private Envelope state(Health health, List<String> problems, List<RoomState> rooms) {
        Instant at = clock.instant();
        String version = inputs.host().agentVersion();
        return new Envelope(
                "ds-" + EventIds.next(at),
                at,
                new DeviceState(
                        inputs.site().id(),
                        inputs.site().device(),
                        inputs.seq().getAsLong(),
                        inputs.host().clockStatus(),
                        inputs.outboxDepth().getAsLong(),
                        health,
                        problems,
                        version.length() > 40 ? version.substring(0, 40) : version,
                        inputs.host().features(),
                        rooms));
    }

    /** A text as the wire takes it: control characters blanked, at most 200 characters. */
    static String clip(String text) {
        String value = text == null ? "" : text.replaceAll("\\p{Cntrl}", " ");
        return value.length() > 200 ? value.substring(0, 197) + "..." : value;
    }
}
