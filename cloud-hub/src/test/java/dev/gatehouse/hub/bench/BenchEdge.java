package dev.gatehouse.hub.bench;

import dev.gatehouse.edge.cache.ApplyResult;
import dev.gatehouse.edge.cache.SqliteEntitlementCache;
import dev.gatehouse.hub.mqtt.NoDelaySockets;
import dev.gatehouse.protocol.codec.MessageCodec;
import dev.gatehouse.protocol.message.Envelope;
import dev.gatehouse.protocol.message.EventAck;
import dev.gatehouse.protocol.message.MessageType;
import dev.gatehouse.protocol.message.SyncRequest;
import dev.gatehouse.protocol.model.ClockStatus;
import dev.gatehouse.protocol.sign.Inbound;
import dev.gatehouse.protocol.sign.KeySet;
import dev.gatehouse.protocol.topic.Channel;
import dev.gatehouse.protocol.topic.Topic;
import dev.gatehouse.protocol.topic.TopicFilters;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import java.util.function.LongConsumer;
import org.eclipse.paho.mqttv5.client.IMqttToken;
import org.eclipse.paho.mqttv5.client.MqttAsyncClient;
import org.eclipse.paho.mqttv5.client.MqttCallback;
import org.eclipse.paho.mqttv5.client.MqttClientException;
import org.eclipse.paho.mqttv5.client.MqttConnectionOptions;
import org.eclipse.paho.mqttv5.client.MqttDisconnectResponse;
import org.eclipse.paho.mqttv5.client.persist.MemoryPersistence;
import org.eclipse.paho.mqttv5.common.MqttException;
import org.eclipse.paho.mqttv5.common.MqttMessage;
import org.eclipse.paho.mqttv5.common.MqttSubscription;
import org.eclipse.paho.mqttv5.common.packet.MqttProperties;

/**
 * A simulated edge for the benchmark: a real Paho MQTT 5 client with the device's own credentials
 * and a real SQLite entitlement cache. Every sync batch is verified with the tenant's keys and
 * applied in one SQLite transaction, as the edge agent does; {@code applied} hears the new seq and
 * the moment it committed. It can also publish events the way the agent drains its outbox: at most
 * {@code window} unacknowledged, released by the hub's {@code event.ack}.
 */
final class BenchEdge implements AutoCloseable {
    final String tenant;
    final String site;
    final String device;
    private final SqliteEntitlementCache cache;
    private final MqttAsyncClient client;
    private final Callback callback = new Callback();
    private final KeySet keys;
    private volatile LongConsumer applied = seq -> {};
    /**
     * The last sync batch applied: when it arrived at the MQTT client, was verified and was committed
     * ({@link System#nanoTime}), read by {@code applied} listeners for the benchmark's breakdown.
     */
    private volatile Timing last = new Timing(0, 0, 0);

    /** When a batch arrived, was verified and was committed in the cache ({@link System#nanoTime}). */
    record Timing(long arrived, long verified, long committed) {}
    /** While true, sync batches are only noted on arrival, and applied later by {@link #applyHeld}. */
    private volatile boolean holding;

    private volatile Runnable arrived = () -> {};
    private final ConcurrentLinkedQueue<Held> held = new ConcurrentLinkedQueue<>();

    /** A sync batch as it arrived, not yet verified or applied. */
    private record Held(long arrivedNanos, Topic topic, byte[] payload) {}

    private final AtomicLong acked = new AtomicLong();
    private final Semaphore window;

    BenchEdge(
            String url,
            String tenant,
            String site,
            String device,
            String password,
            KeySet keys,
            Path cacheFile,
            int window)
            throws MqttException {
        this.tenant = tenant;
        this.site = site;
        this.device = device;
        this.keys = keys;
        this.window = new Semaphore(window);
        this.cache = SqliteEntitlementCache.open(cacheFile, tenant, site);
        cache.seedKeys(keys);
        this.client = new MqttAsyncClient(url, device, new MemoryPersistence());
        client.setCallback(callback);
        MqttConnectionOptions options = new MqttConnectionOptions();
        options.setUserName(device);
        options.setPassword(password.getBytes(StandardCharsets.UTF_8));
        options.setCleanStart(true);
        options.setKeepAliveInterval(120);
        NoDelaySockets.forUrl(url).ifPresent(options::setSocketFactory); // as the agent's client
        options.setConnectionTimeout(60);
        client.connect(options).waitForCompletion(60_000);
        // No local, as the agent does: the inbox filter also matches this device's own outbound topics.
        MqttSubscription inbox = new MqttSubscription(TopicFilters.edgeInbox(tenant, site, device), 1);
        inbox.setNoLocal(true);
        client.subscribe(inbox).waitForCompletion(30_000);
    }

    /** Asks the hub for everything after the cache's seq, as the agent does on connect. */
    void requestSync() throws MqttException {
        Envelope request = new Envelope("sr-" + UUID.randomUUID(), Instant.now(), new SyncRequest(site, cache.seq()));
        client.publish(
                Topic.of(tenant, site, device, Channel.SYNC_REQUEST).value(), MessageCodec.encode(request), 1, false);
    }

    long seq() {
        return cache.seq();
    }

    /**
     * From now on sync batches are only noted on arrival ({@code onArrival} hears each), so that
     * 500 edges verifying and committing on this machine's two cores do not slow each other's
     * arrivals; {@link #applyHeld} then verifies and applies them one edge at a time.
     */
    void hold(Runnable onArrival) {
        this.arrived = onArrival;
        this.holding = true;
    }

    /**
     * Verifies and applies what was held, as the agent does on arrival, timed alone (as on the
     * edge's own device); answers the first arrival time and the verify-and-commit time, in ns.
     */
    long[] applyHeld() throws Exception {
        holding = false;
        long first = Long.MAX_VALUE;
        long work = 0;
        for (Held message = held.poll(); message != null; message = held.poll()) {
            first = Math.min(first, message.arrivedNanos());
            long start = System.nanoTime();
            callback.receive(message.topic(), message.payload(), message.arrivedNanos());
            work += System.nanoTime() - start;
        }
        return new long[] {first, work};
    }

    /** The timing of the last batch applied (for a listener of {@link #onApplied}, that batch's). */
    Timing lastTiming() {
        return last;
    }

    void onApplied(LongConsumer listener) {
        this.applied = listener;
    }

    long acked() {
        return acked.get();
    }

    /** Publishes one event, waiting while {@code window} events are unacknowledged. */
    void publishEvent(Envelope event) throws Exception {
        window.acquire();
        publishRaw(Channel.EVENTS, MessageCodec.encode(event));
    }

    /** Publishes {@code payload} on this device's own {@code channel} topic (QoS 1). */
    IMqttToken publishRaw(Channel channel, byte[] payload) throws MqttException {
        return publishTo(Topic.of(tenant, site, device, channel).value(), payload);
    }

    /** Publishes {@code payload} on an arbitrary topic under this device's prefix (for the bare broker run). */
    IMqttToken publishTo(String topic, byte[] payload) throws MqttException {
        while (true) {
            try {
                return client.publish(topic, payload, 1, false);
            } catch (MqttException e) {
                if (e.getReasonCode() != MqttClientException.REASON_CODE_MAX_INFLIGHT) {
                    throw e;
                }
                LockSupport.parkNanos(100_000); // Paho's window is full: wait without burning a core
            }
        }
    }

    boolean awaitWindowDrained(long timeoutMillis, int window) throws InterruptedException {
        if (this.window.tryAcquire(window, timeoutMillis, TimeUnit.MILLISECONDS)) {
            this.window.release(window);
            return true;
        }
        return false;
    }

    private final class Callback implements MqttCallback {
        @Override
        public void messageArrived(String topicName, MqttMessage message) {
            long arrivedNanos = System.nanoTime();
            try {
                Topic topic = Topic.parse(topicName);
                if (topic.channel() == Channel.EVENT_ACK) {
                    Envelope ack = MessageCodec.decode(message.getPayload());
                    List<String> ids = ((EventAck) ack.payload()).eventIds();
                    acked.addAndGet(ids.size());
                    window.release(ids.size());
                    return;
                }
                if (topic.channel() != Channel.SYNC && topic.channel() != Channel.SNAPSHOT) {
                    return;
                }
                if (holding && topic.channel() == Channel.SYNC) {
                    held.add(new Held(System.nanoTime(), topic, message.getPayload()));
                    arrived.run();
                    return;
                }
                receive(topic, message.getPayload(), arrivedNanos);
            } catch (Exception e) {
                System.err.println("bench edge " + device + ": " + e);
            }
        }

        private void receive(Topic topic, byte[] payload, long arrivedNanos) throws Exception {
            Envelope envelope = Inbound.read(topic, payload, keys, Instant.now(), ClockStatus.TRUSTED);
            long verified = System.nanoTime();
            if (envelope.type() == MessageType.SYNC_BATCH) {
                ApplyResult result = cache.apply(envelope);
                switch (result) {
                    case ApplyResult.Applied done -> {
                        last = new Timing(arrivedNanos, verified, System.nanoTime());
                        applied.accept(done.toSeq());
                    }
                    case ApplyResult.Gap gap -> requestSync();
                    case ApplyResult.Repeat repeat -> {}
                }
            } else {
                cache.offer(envelope);
                applied.accept(cache.seq());
            }
        }

        @Override
        public void disconnected(MqttDisconnectResponse response) {
            System.err.println("bench edge " + device + " disconnected: " + response);
        }

        @Override
        public void mqttErrorOccurred(MqttException exception) {}

        @Override
        public void deliveryComplete(IMqttToken token) {}

        @Override
        public void connectComplete(boolean reconnect, String serverURI) {}

        @Override
        public void authPacketArrived(int reasonCode, MqttProperties properties) {}
    }

    @Override
    public void close() {
        try {
            client.disconnect().waitForCompletion(5_000);
        } catch (MqttException e) {
            // closing anyway
        }
        try {
            client.close();
        } catch (MqttException e) {
            // closed
        }
        cache.close();
    }
}
