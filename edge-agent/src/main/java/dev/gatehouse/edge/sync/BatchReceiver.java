package dev.gatehouse.edge.sync;

import dev.gatehouse.edge.cache.ApplyResult;
import dev.gatehouse.edge.cache.CacheException;
import dev.gatehouse.edge.cache.SnapshotResult;
import dev.gatehouse.protocol.ProtocolException;
import dev.gatehouse.protocol.message.Envelope;
import dev.gatehouse.protocol.sign.Inbound;
import dev.gatehouse.protocol.sign.KeySet;
import dev.gatehouse.protocol.topic.Channel;
import dev.gatehouse.protocol.topic.Topic;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Sync batches and snapshot chunks from the hub: each is verified against the cache's trusted keys
 * on the topic it came on, then applied through the cache. A gap asks the hub for the missing range,
 * a discarded snapshot asks again; an applied batch or installed snapshot feeds clock trust with its
 * signed hub time, tells the listeners its seq and sends the state soon. A message that does not
 * verify or apply changes nothing and becomes one of the state's problems.
 *
 * <p>Runs on the thread that received the message (Paho's callback thread: a batch is applied before
 * its PUBACK, so a batch lost to a crash comes again).
 */
final class BatchReceiver {
    private static final Logger log = LoggerFactory.getLogger(BatchReceiver.class);

    /** The cache operations the receiver uses. */
    record Cache(
            Supplier<KeySet> trustedKeys,
            Function<Envelope, ApplyResult> apply,
            Function<Envelope, SnapshotResult> offer) {}

    private final Cache cache;
    private final SyncClient.Host host;
    private final SyncRequests requests;
    private final StatePublisher state;
    private final Clock clock;
    private final List<Consumer<Long>> listeners = new CopyOnWriteArrayList<>();
    private volatile long lastAppliedSeq = -1;
    private volatile Instant lastAppliedAt;

    BatchReceiver(Cache cache, SyncClient.Host host, SyncRequests requests, StatePublisher state, Clock clock) {
        this.cache = cache;
        this.host = host;
        this.requests = requests;
        this.state = state;
        this.clock = clock;
    }

    /** Handles a message on {@code sync.batch} or {@code sync.snapshot}. */
    void receive(Topic topic, byte[] payload) {
        Envelope envelope;
        try {
            envelope = Inbound.read(topic, payload, cache.trustedKeys().get(), clock.instant(), host.clockStatus());
        } catch (ProtocolException e) {
            state.problem("rejected a " + topic.channel().level() + " message (nothing applied): " + e.error() + " "
                    + e.getMessage());
            return;
        }
        try {
            if (topic.channel() == Channel.SYNC) {
                batch(envelope);
            } else {
                chunk(envelope);
            }
        } catch (CacheException e) {
            state.problem(
                    "could not apply a " + topic.channel().level() + " message (nothing applied): " + e.getMessage());
        }
    }

    private void batch(Envelope envelope) {
        switch (cache.apply().apply(envelope)) {
            case ApplyResult.Applied applied -> {
                // Only a batch that advanced the seq (so cannot be a replay) speaks for the hub's time.
                host.hubTimeReceived(envelope.time());
                applied(applied.toSeq());
                host.applied();
            }
            case ApplyResult.Gap gap -> {
                log.info("sync gap: have {}, batch starts later; asking the hub", gap.haveSeq());
                requests.gap();
            }
            case ApplyResult.Repeat repeat -> log.debug("repeated batch ignored at seq {}", repeat.seq());
        }
    }

    private void chunk(Envelope envelope) {
        switch (cache.offer().apply(envelope)) {
            case SnapshotResult.Installed installed -> {
                host.hubTimeReceived(envelope.time());
                applied(installed.seq());
                host.applied();
            }
            case SnapshotResult.Discarded discarded -> {
                state.problem("snapshot discarded: " + discarded.reason());
                requests.now();
            }
            case SnapshotResult.Incomplete incomplete ->
                log.debug("snapshot chunk {}/{}", incomplete.received(), incomplete.count());
            case SnapshotResult.Ignored ignored -> log.warn("snapshot chunk ignored: {}", ignored.reason());
        }
    }

    private void applied(long seq) {
        lastAppliedSeq = seq;
        lastAppliedAt = clock.instant();
        log.info("applied sync up to seq {}", seq);
        for (Consumer<Long> listener : listeners) {
            try {
                listener.accept(seq);
            } catch (RuntimeException e) {
                log.warn("an applied-listener failed: {}", e.toString());
            }
        }
        state.soon();
    }

    /** Calls {@code listener} with the new seq each time a batch or snapshot is applied. */
    AutoCloseable onApplied(Consumer<Long> listener) {
        listeners.add(listener);
        return () -> listeners.remove(listener);
    }

    /** The seq of the last batch or snapshot applied since start, or -1. */
    long lastAppliedSeq() {
        return lastAppliedSeq;
    }

    Optional<Instant> lastAppliedAt() {
        return Optional.ofNullable(lastAppliedAt);
    }
}
