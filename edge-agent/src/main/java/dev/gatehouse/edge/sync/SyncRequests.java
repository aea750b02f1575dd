package dev.gatehouse.edge.sync;

import dev.gatehouse.edge.access.EventIds;
import dev.gatehouse.protocol.message.Envelope;
import dev.gatehouse.protocol.message.SyncRequest;
import dev.gatehouse.protocol.topic.Channel;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.OptionalLong;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.LongSupplier;

/**
 * When to send {@code sync.request{haveSeq}}: on connect, after a discarded snapshot, every
 * {@code state-interval} as a heartbeat (so a batch the hub handed to the broker but that never
 * arrived is asked for within that time), and on a gap — but a gap asks for the same seq at most every
 * {@value #AGAIN_AFTER_SECONDS} s; one seen sooner is checked again when the pause is over.
 */
final class SyncRequests {
    private static final long AGAIN_AFTER_SECONDS = 5;
    private static final Duration AGAIN_AFTER = Duration.ofSeconds(AGAIN_AFTER_SECONDS);

    private final String siteId;
    private final LongSupplier seq;
    private final Duration heartbeat;
    private final HubLink link;
    private final SyncWorker worker;
    private final Clock clock;
    private final LongSupplier ticker;
    /** A gap arrived while a request for the same seq was fresh: one re-check is scheduled. */
    private final AtomicBoolean recheckQueued = new AtomicBoolean();

    private volatile long lastRequestedSeq = -1;
    private volatile long lastRequestNanos;
    private volatile long lastHeartbeatNanos;
    /** The requests last sent, by id, with when: the hub's {@code hub.time} answers name them. */
    private final Map<String, Long> sent = new LinkedHashMap<>(16, 0.75f, false) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, Long> eldest) {
            return size() > REMEMBERED;
        }
    };
    /** How many sent requests are remembered for their answers. */
    static final int REMEMBERED = 8;

    /**
     * @param seq the cache's seq now
     * @param heartbeat how often a request goes out regardless ({@code state-interval})
     * @param ticker monotonic nanoseconds ({@code System::nanoTime})
     */
    SyncRequests(
            String siteId,
            LongSupplier seq,
            Duration heartbeat,
            HubLink link,
            SyncWorker worker,
            Clock clock,
            LongSupplier ticker) {
        this.siteId = siteId;
        this.seq = seq;
        this.heartbeat = heartbeat;
        this.link = link;
        this.worker = worker;
        this.clock = clock;
        this.ticker = ticker;
    }

    /** Asks for what follows the cache's seq now. */
    void now() {
        send(seq.getAsLong(), ticker.getAsLong());
    }

    /** Asks when {@code state-interval} has passed since the last request. */
    void heartbeat() {
        if (ticker.getAsLong() - lastHeartbeatNanos >= heartbeat.toNanos()) {
            now();
        }
    }

    /**
     * A batch started after the cache's seq: asks for the missing range, unless this seq was asked for
     * a moment ago (e.g. on connect, answered before the gap arose); then asks again once the pause is
     * over if the cache is still there, rather than wait for the next heartbeat.
     */
    void gap() {
        long have = seq.getAsLong();
        long now = ticker.getAsLong();
        long sinceLast = now - lastRequestNanos;
        if (have != lastRequestedSeq || sinceLast >= AGAIN_AFTER.toNanos()) {
            send(have, now);
            return;
        }
        if (recheckQueued.compareAndSet(false, true)) {
            boolean scheduled = worker.schedule(
                    () -> {
                        recheckQueued.set(false);
                        if (link.connected() && seq.getAsLong() == have) {
                            gap();
                        }
                    },
                    AGAIN_AFTER.minusNanos(sinceLast));
            if (!scheduled) {
                recheckQueued.set(false);
            }
        }
    }

    private void send(long have, long now) {
        lastRequestedSeq = have;
        lastRequestNanos = now;
        lastHeartbeatNanos = now;
        Instant at = clock.instant();
        String id = "sr-" + EventIds.next(at);
        synchronized (sent) {
            sent.put(id, now);
        }
        link.publish(Channel.SYNC_REQUEST, new Envelope(id, at, new SyncRequest(siteId, have)));
    }

    /**
     * When the request {@code id} was sent, in {@link #ticker} nanoseconds, if it is one of the last
     * {@link #REMEMBERED} sent by this process; forgotten once asked, so one answer counts once.
     */
    OptionalLong sentAt(String id) {
        synchronized (sent) {
            Long at = sent.remove(id);
            return at == null ? OptionalLong.empty() : OptionalLong.of(at);
        }
    }
}
