package dev.gatehouse.edge.sync;

import dev.gatehouse.protocol.message.Envelope;
import dev.gatehouse.protocol.message.KioskEvent;
import dev.gatehouse.protocol.message.MessageType;
import dev.gatehouse.protocol.retry.Resends;
import dev.gatehouse.protocol.topic.Channel;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.BiFunction;
import java.util.function.IntFunction;
import java.util.function.LongSupplier;
import java.util.function.ToIntFunction;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Sends the outbox to the hub: oldest first, at most {@code in-flight} events unacknowledged, one not
 * acknowledged within {@code ack-timeout}, or longer where the hub's acks have been slower (and
 * everything unacknowledged after a reconnect), published again — after twice as long if no ack of
 * an event sent once followed the last re-sends, and so on ({@link Resends}); an
 * {@code event.ack} deletes its events from the outbox and lets the next ones go. Draining
 * runs on the worker; a decision that appended an event only nudges it ({@link #eventsWaiting}).
 */
final class OutboxDrain {
    private static final Logger log = LoggerFactory.getLogger(OutboxDrain.class);

    /**
     * The outbox operations the drain uses; {@code peek} leaves out the events of the outbox types given
     * (kiosk events, until the hub says it reads them; see {@link dev.gatehouse.edge.cache.Outbox#type}).
     */
    record Outbox(
            BiFunction<Integer, List<String>, List<Envelope>> peek,
            ToIntFunction<List<String>> acknowledge,
            LongSupplier depth) {
        /** An outbox that holds no kiosk events. */
        Outbox(IntFunction<List<Envelope>> peek, ToIntFunction<List<String>> acknowledge, LongSupplier depth) {
            this((max, held) -> peek.apply(max), acknowledge, depth);
        }
    }

    private final Outbox outbox;
    private final int limit;
    private final Resends resends;
    /** Rounds of re-sends in a row that no ack followed (any thread: acks arrive on Paho's). */
    private final java.util.concurrent.atomic.AtomicInteger unanswered =
            new java.util.concurrent.atomic.AtomicInteger();

    private final HubLink link;
    private final SyncWorker worker;
    private final LongSupplier ticker;
    /** Event id → when it was last handed to the link (ticker nanoseconds). */
    private final Map<String, Long> inFlight = new ConcurrentHashMap<>();
    /**
     * Event id → when it was handed to the link, for events handed to it once in this session: their
     * acks are the latency samples ({@link Resends}); a re-sent event's ack is not one.
     */
    private final Map<String, Long> sentOnce = new ConcurrentHashMap<>();

    private final AtomicBoolean drainQueued = new AtomicBoolean();
    /** Whether the hub's latest {@code hub.time} in this session says it reads {@code event.kiosk}. */
    private volatile boolean hubReadsKiosk;
    /** Whether it also says it reads a sign-in's signature and voucher ({@link KioskEvent#SIGNATURES_FEATURE}). */
    private volatile boolean hubReadsSignatures;

    private volatile long lastProgressNanos;
    /**
     * When the current round of re-sends began ({@link #NO_ROUND}: none since the last sample): events
     * that fall due one after another within a wait belong to one round, and the wait doubles once
     * for it, as TCP doubles its timer once per expiry — not once per event.
     */
    private volatile long roundNanos = NO_ROUND;

    private static final long NO_ROUND = Long.MIN_VALUE;

    /**
     * @param limit events unacknowledged at most ({@code in-flight})
     * @param ticker monotonic nanoseconds ({@code System::nanoTime})
     */
    OutboxDrain(Outbox outbox, int limit, Duration ackTimeout, HubLink link, SyncWorker worker, LongSupplier ticker) {
        this.outbox = outbox;
        this.limit = limit;
        this.resends = new Resends(ackTimeout);
        this.link = link;
        this.worker = worker;
        this.ticker = ticker;
        this.lastProgressNanos = ticker.getAsLong();
    }

    /** The outbox has a new event, or the link room for one: drains soon, on the worker. Any thread. */
    void eventsWaiting() {
        if (link.connected() && drainQueued.compareAndSet(false, true)) {
            worker.execute(() -> {
                drainQueued.set(false);
                drain();
            });
        }
    }

    /** A new session: whatever was in flight is published again, oldest first. Worker only. */
    void linkUp() {
        inFlight.clear();
        sentOnce.clear();
        unanswered.set(0);
        roundNanos = NO_ROUND;
        hubReadsKiosk = false; // the hub may have changed (a downgrade) while the link was down
        hubReadsSignatures = false;
        lastProgressNanos = ticker.getAsLong();
    }

    /** Publishes waiting events, oldest first, within the in-flight limit; re-publishes overdue ones. Worker only. */
    void drain() {
        if (!link.connected()) {
            return;
        }
        List<Envelope> waiting = outbox.peek().apply(limit, held());
        long now = ticker.getAsLong();
        if (waiting.isEmpty()) {
            lastProgressNanos = now;
            return;
        }
        long wait = resends.after(unanswered.get()).toNanos();
        boolean resent = false;
        for (Envelope event : waiting) {
            Long sent = inFlight.get(event.id());
            if (sent != null && now - sent < wait) {
                continue;
            }
            if ((sent == null && inFlight.size() >= limit) || link.eventWindowFull()) {
                break; // the rest waits for an ack, or for room in the link's window
            }
            if (sent != null) {
                log.debug("event {} not acknowledged in {} ms; publishing it again", event.id(), wait / 1_000_000);
                resent = true;
            }
            // Marked in flight before the publish: an ack racing the put must not leave a stale entry.
            Long before = inFlight.put(event.id(), now);
            if (before == null) {
                sentOnce.put(event.id(), now);
            } else {
                sentOnce.remove(event.id());
            }
            if (!link.publish(Channel.EVENTS, event)) {
                if (before == null) {
                    inFlight.remove(event.id(), now);
                    sentOnce.remove(event.id(), now);
                } else {
                    inFlight.put(event.id(), before);
                }
                break;
            }
        }
        if (resent && (roundNanos == NO_ROUND || now - roundNanos >= wait)) {
            roundNanos = now;
            unanswered.incrementAndGet(); // the next round waits twice as long, unless a sample comes
        }
    }

    /**
     * What the hub's latest {@code hub.time} says it reads: once it names {@link KioskEvent#FEATURE}, the
     * kiosk events that waited go too. Any thread.
     */
    void hubReads(List<String> reads) {
        boolean kiosk = reads.contains(KioskEvent.FEATURE);
        boolean signatures = kiosk && reads.contains(KioskEvent.SIGNATURES_FEATURE);
        if (kiosk != hubReadsKiosk || signatures != hubReadsSignatures) {
            hubReadsKiosk = kiosk;
            hubReadsSignatures = signatures;
            eventsWaiting();
        }
    }

    /** The outbox types the hub does not read yet: they wait, and the other events pass them. */
    private List<String> held() {
        if (!hubReadsKiosk) {
            return List.of(MessageType.KIOSK_EVENT.wireName(), dev.gatehouse.edge.cache.Outbox.SIGNED_KIOSK_EVENT);
        }
        return hubReadsSignatures ? List.of() : List.of(dev.gatehouse.edge.cache.Outbox.SIGNED_KIOSK_EVENT);
    }

    /** The hub acknowledged these events: they leave the outbox, and the next ones may go. */
    void acknowledged(List<String> ids) {
        int removed = outbox.acknowledge().applyAsInt(ids);
        long now = ticker.getAsLong();
        boolean sampled = false;
        for (String id : ids) {
            inFlight.remove(id);
            Long sent = sentOnce.remove(id);
            if (sent != null) {
                resends.acked(Duration.ofNanos(now - sent));
                sampled = true;
            }
        }
        if (sampled) {
            unanswered.set(0); // an event sent once was answered: the hub keeps up, re-sends wait the base again
            roundNanos = NO_ROUND;
        }
        lastProgressNanos = now;
        log.debug("event.ack: {} ids, {} removed from the outbox", ids.size(), removed);
        eventsWaiting();
    }

    /** Events handed to the link and not acknowledged yet. */
    int inFlight() {
        return inFlight.size();
    }

    /** Events waiting in the outbox (0 when the outbox cannot be read now). */
    long depth() {
        try {
            return outbox.depth().getAsLong();
        } catch (RuntimeException e) {
            return 0;
        }
    }

    /** A problem when events wait but none was acknowledged for a minute (or 3 × {@code ack-timeout}). */
    Optional<String> stalled() {
        long depth = depth();
        long stalledNanos = ticker.getAsLong() - lastProgressNanos;
        Duration ackTimeout = resends.ackTimeout();
        Duration limit = ackTimeout.multipliedBy(3).compareTo(Duration.ofMinutes(1)) > 0
                ? ackTimeout.multipliedBy(3)
                : Duration.ofMinutes(1);
        if (depth > 0 && stalledNanos > limit.toNanos()) {
            return Optional.of("outbox not drained for " + TimeUnit.NANOSECONDS.toSeconds(stalledNanos) + " s (" + depth
                    + " events waiting)");
        }
        return Optional.empty();
    }
}
