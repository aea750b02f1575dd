package dev.gatehouse.hub.bench;

import com.hivemq.client.mqtt.datatypes.MqttQos;
import com.hivemq.client.mqtt.mqtt5.Mqtt5AsyncClient;
import com.hivemq.client.mqtt.mqtt5.Mqtt5Client;
import com.hivemq.client.mqtt.mqtt5.message.publish.Mqtt5Publish;
import dev.gatehouse.edge.access.EventIds;
import dev.gatehouse.protocol.codec.MessageCodec;
import dev.gatehouse.protocol.message.AccessEvent;
import dev.gatehouse.protocol.message.Change;
import dev.gatehouse.protocol.message.DoorEvent;
import dev.gatehouse.protocol.message.DoorEventKind;
import dev.gatehouse.protocol.message.Envelope;
import dev.gatehouse.protocol.message.EventAck;
import dev.gatehouse.protocol.message.SnapshotChunk;
import dev.gatehouse.protocol.message.SyncBatch;
import dev.gatehouse.protocol.message.SyncRequest;
import dev.gatehouse.protocol.model.ClockStatus;
import dev.gatehouse.protocol.model.DenyReason;
import dev.gatehouse.protocol.model.DoorId;
import dev.gatehouse.protocol.model.Member;
import dev.gatehouse.protocol.model.MemberId;
import dev.gatehouse.protocol.model.PresentedKind;
import dev.gatehouse.protocol.sign.Inbound;
import dev.gatehouse.protocol.sign.KeySet;
import dev.gatehouse.protocol.topic.Channel;
import dev.gatehouse.protocol.topic.Topic;
import dev.gatehouse.protocol.topic.TopicFilters;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

/**
 * One simulated edge of the fleet benchmark: a real MQTT 5 connection (HiveMQ's asynchronous client,
 * sharing its Netty event loop with the other edges of the process) with the device's own account
 * and topics. What the agent does on the wire, it does: subscribes to its inbox with no-local, asks
 * for its site's log on every connect and as a heartbeat, verifies every signed batch and snapshot
 * chunk with its tenant's keys (ES256, {@code Inbound.read}) and keeps its applied seq with the
 * agent's rules (repeat, apply, gap → ask again; a snapshot once all its chunks are in), and drains an
 * outbox of taps and door events oldest first with at most {@code window} unacknowledged, sending
 * again what the hub has not acknowledged after the agent's ack timeout and its backoff. Unlike the agent it keeps
 * the seq and the outbox in memory (no SQLite cache per edge at this scale) and stores no entities.
 */
final class FleetEdge {
    /** What the edge tells its process: an applied batch that carried a watched member. */
    interface Listener {
        void seen(FleetEdge edge, String member, String status, long nanos);

        void problem(FleetEdge edge, String what);
    }

    /**
     * The agent's default ack timeout and its policy: an unacknowledged event is published again after
     * it, or after longer where this edge's acks have been slower, twice as long after re-sends no ack
     * followed ({@link dev.gatehouse.protocol.retry.Resends}).
     */
    private final dev.gatehouse.protocol.retry.Resends resends =
            new dev.gatehouse.protocol.retry.Resends(java.time.Duration.ofSeconds(10));

    /** Rounds of re-sends in a row that no ack followed (guarded by this). */
    private int unanswered;
    /** When the current round of re-sends began (Long.MIN_VALUE: none since the last sample), as the agent's. */
    private long roundNanos = Long.MIN_VALUE;

    final String tenant;
    final String site;
    final String device;
    private final KeySet keys;
    private final Set<String> watched;
    private final Listener listener;
    private final int window;
    private final Mqtt5AsyncClient client;
    private final String inbox;

    // Guarded by this.
    private long seq;
    private boolean synced;
    private String snapshotId;
    private final Set<Integer> chunks = new HashSet<>();
    private final ArrayDeque<Envelope> outbox = new ArrayDeque<>();
    private final Map<String, InFlight> inFlight = new LinkedHashMap<>();
    private boolean connected;

    // Counters, guarded by this.
    long emitted;
    long published;
    long resent;
    long acked;
    long unknownAcks;
    long batches;
    long gaps;
    long rejected;
    long duplicates;

    /** An event handed to the client: when last sent, and whether only once (its ack is then a latency sample). */
    private record InFlight(byte[] bytes, long sentNanos, boolean once) {}

    FleetEdge(
            String host,
            int port,
            String tenant,
            String site,
            String device,
            String password,
            KeySet keys,
            Set<String> watched,
            int window,
            Listener listener) {
        this.tenant = tenant;
        this.site = site;
        this.device = device;
        this.keys = keys;
        this.watched = watched;
        this.window = window;
        this.listener = listener;
        this.inbox = TopicFilters.edgeInbox(tenant, site, device);
        this.client = Mqtt5Client.builder()
                .identifier(device)
                .serverHost(host)
                .serverPort(port)
                .simpleAuth()
                .username(device)
                .password(password.getBytes(StandardCharsets.UTF_8))
                .applySimpleAuth()
                .buildAsync();
    }

    /**
     * Connects (clean start, as a new device would), subscribes to the inbox with no-local, then asks
     * for the site's log from the applied seq, as the agent does on every connect.
     */
    CompletableFuture<Void> connect() {
        CompletableFuture<Void> done = new CompletableFuture<>();
        attempt(0, done);
        return done;
    }

    /**
     * One connect; a failed one (a fleet reconnecting at once overruns the broker's accept queue, and
     * connects time out) is tried again after the agent's own reconnect backoff with jitter, at most
     * {@value #CONNECT_ATTEMPTS} times.
     */
    private void attempt(int attempt, CompletableFuture<Void> done) {
        once().whenComplete((ok, failure) -> {
            if (failure == null) {
                done.complete(null);
            } else if (attempt + 1 >= CONNECT_ATTEMPTS) {
                done.completeExceptionally(failure);
            } else {
                retries.incrementAndGet();
                long delay =
                        RECONNECT.delay(attempt, ThreadLocalRandom.current()).toNanos();
                CompletableFuture.delayedExecutor(delay, TimeUnit.NANOSECONDS)
                        .execute(() -> attempt(attempt + 1, done));
            }
        });
    }

    /** Connect attempts made again after a failure, over every edge of this process. */
    static final java.util.concurrent.atomic.AtomicLong retries = new java.util.concurrent.atomic.AtomicLong();

    private static final int CONNECT_ATTEMPTS = 20;
    private static final dev.gatehouse.protocol.retry.Backoff RECONNECT = new dev.gatehouse.protocol.retry.Backoff(
            dev.gatehouse.edge.config.EdgeConfig.Hub.DEFAULT_RECONNECT_MIN,
            dev.gatehouse.edge.config.EdgeConfig.Hub.DEFAULT_RECONNECT_MAX);

    private CompletableFuture<Void> once() {
        return client.connectWith()
                .cleanStart(true)
                .keepAlive(120)
                .send()
                .thenCompose(ack -> client.subscribeWith()
                        .topicFilter(inbox)
                        .qos(MqttQos.AT_LEAST_ONCE)
                        .noLocal(true)
                        .callback(this::arrived) // tied to the subscription, which each connect makes anew
                        .send())
                .thenRun(() -> {
                    synchronized (this) {
                        connected = true;
                    }
                    requestSync();
                    pump();
                });
    }

    CompletableFuture<Void> disconnect() {
        synchronized (this) {
            connected = false;
        }
        return client.disconnect();
    }

    synchronized boolean synced() {
        return synced;
    }

    synchronized long seq() {
        return seq;
    }

    /** Asks the hub for everything after the applied seq (on connect, on a gap, as the heartbeat). */
    void requestSync() {
        long have;
        synchronized (this) {
            if (!connected) {
                return;
            }
            have = seq;
        }
        Envelope request = new Envelope("sr-" + UUID.randomUUID(), Instant.now(), new SyncRequest(site, have));
        publish(Channel.SYNC_REQUEST, MessageCodec.encode(request));
    }

    /** Puts {@code count} new events in the outbox (a tap in four, else a door event), then drains. */
    void emit(int count) {
        synchronized (this) {
            for (int i = 0; i < count; i++) {
                outbox.add(event());
                emitted++;
            }
        }
        pump();
    }

    /**
     * Puts {@code count} new events in the outbox and, after every {@code every}-th, a second copy of
     * it (the same id: what an edge sends again when an ack was lost), without draining: the outage's
     * backlog, sent once the edge is connected again. Answers the copies added.
     */
    int queue(int count, int every) {
        int copies = 0;
        synchronized (this) {
            for (int i = 1; i <= count; i++) {
                Envelope event = event();
                outbox.add(event);
                emitted++;
                if (every > 0 && i % every == 0) {
                    outbox.add(event);
                    copies++;
                }
            }
            duplicates += copies;
        }
        return copies;
    }

    synchronized boolean drained() {
        return outbox.isEmpty() && inFlight.isEmpty();
    }

    synchronized int pending() {
        return outbox.size() + inFlight.size();
    }

    /** Publishes again what has waited longer than the ack timeout, as the agent's drain does. */
    void resendOverdue(long now) {
        Map<String, byte[]> again = new LinkedHashMap<>();
        synchronized (this) {
            if (!connected) {
                return;
            }
            long wait = resends.after(unanswered).toNanos();
            for (Map.Entry<String, InFlight> entry : inFlight.entrySet()) {
                if (now - entry.getValue().sentNanos() > wait) {
                    again.put(entry.getKey(), entry.getValue().bytes());
                    entry.setValue(new InFlight(entry.getValue().bytes(), now, false));
                }
            }
            if (!again.isEmpty() && (roundNanos == Long.MIN_VALUE || now - roundNanos >= wait)) {
                roundNanos = now;
                unanswered++;
            }
            resent += again.size();
        }
        again.values().forEach(bytes -> publish(Channel.EVENTS, bytes));
    }

    /** The oldest events of the outbox, within the window. */
    private void pump() {
        Map<String, byte[]> send = new LinkedHashMap<>();
        synchronized (this) {
            if (!connected) {
                return;
            }
            long now = System.nanoTime();
            while (inFlight.size() < window && !outbox.isEmpty()) {
                Envelope next = outbox.poll();
                byte[] bytes = MessageCodec.encode(next);
                if (inFlight.putIfAbsent(next.id(), new InFlight(bytes, now, true)) == null) {
                    send.put(next.id(), bytes);
                } else {
                    // A duplicate copy of an event still in flight: send it as the copy it is.
                    send.put(next.id() + "#" + published, bytes);
                }
                published++;
            }
        }
        send.values().forEach(bytes -> publish(Channel.EVENTS, bytes));
    }

    /**
     * A bare publish of {@code payload} on this device's {@code bench} topic (QoS 1), for the broker's
     * own throughput: the future completes with the broker's PUBACK.
     */
    CompletableFuture<com.hivemq.client.mqtt.mqtt5.message.publish.Mqtt5PublishResult> publishBare(byte[] payload) {
        return client.publishWith()
                .topic("gh/v1/" + tenant + "/" + site + "/" + device + "/bench")
                .qos(MqttQos.AT_LEAST_ONCE)
                .payload(payload)
                .send();
    }

    /** An event as the agent records it, for the bare run's messages of the same sizes. */
    byte[] sampleEvent() {
        return MessageCodec.encode(event());
    }

    private void publish(Channel channel, byte[] payload) {
        client.publishWith()
                .topic(Topic.of(tenant, site, device, channel).value())
                .qos(MqttQos.AT_LEAST_ONCE)
                .payload(payload)
                .send()
                .whenComplete((result, failure) -> {
                    if (failure == null && result.getError().isPresent()) {
                        failure = result.getError().get();
                    }
                    if (failure != null) {
                        synchronized (this) {
                            if (!connected) {
                                return; // the outage: the overdue resend publishes it again
                            }
                        }
                        listener.problem(this, "publish on " + channel + " failed: " + failure);
                    }
                });
    }

    private void arrived(Mqtt5Publish publish) {
        try {
            Topic topic = Topic.parse(publish.getTopic().toString());
            byte[] payload = publish.getPayloadAsBytes();
            switch (topic.channel()) {
                case EVENT_ACK -> acknowledged(MessageCodec.decode(payload));
                case SYNC, SNAPSHOT -> signed(topic, payload);
                default -> {} // hub.time and anything else the agent would read: not simulated
            }
        } catch (RuntimeException e) {
            synchronized (this) {
                rejected++;
            }
            listener.problem(this, "rejected a message on " + publish.getTopic() + ": " + e);
        }
    }

    private void acknowledged(Envelope ack) {
        synchronized (this) {
            long now = System.nanoTime();
            for (String id : ((EventAck) ack.payload()).eventIds()) {
                InFlight was = inFlight.remove(id);
                if (was != null) {
                    if (was.once()) { // Karn: only an event sent once gives a sample and ends the doubling
                        resends.acked(java.time.Duration.ofNanos(now - was.sentNanos()));
                        unanswered = 0;
                        roundNanos = Long.MIN_VALUE;
                    }
                    acked++;
                } else {
                    unknownAcks++; // a duplicate's second ack: ignored, as the agent does
                }
            }
        }
        pump();
    }

    /** A signed batch or snapshot chunk: verified with the tenant's keys, then applied to the seq. */
    private void signed(Topic topic, byte[] payload) {
        Envelope envelope = Inbound.read(topic, payload, keys, Instant.now(), ClockStatus.TRUSTED);
        boolean ask = false;
        Map<String, String> seen = new LinkedHashMap<>();
        synchronized (this) {
            if (envelope.payload() instanceof SyncBatch batch) {
                batches++;
                if (batch.toSeq() <= seq) {
                    return; // a repeat
                }
                if (batch.fromSeq() > seq + 1) {
                    gaps++;
                    ask = true;
                } else {
                    for (int i = 0; i < batch.changes().size(); i++) {
                        Change change = batch.changes().get(i);
                        if (batch.fromSeq() + i > seq // only what this batch newly applies
                                && change instanceof Change.Upsert upsert
                                && upsert.entity() instanceof Member member
                                && watched.contains(member.id().value())) {
                            seen.put(member.id().value(), member.status().name());
                        }
                    }
                    seq = batch.toSeq();
                    synced = true;
                }
            } else if (envelope.payload() instanceof SnapshotChunk chunk) {
                if (chunk.seq() < seq) {
                    return;
                }
                if (!chunk.snapshotId().equals(snapshotId)) {
                    snapshotId = chunk.snapshotId();
                    chunks.clear();
                }
                chunks.add(chunk.index());
                if (chunks.size() == chunk.count()) {
                    seq = chunk.seq();
                    synced = true;
                    snapshotId = null;
                    chunks.clear();
                }
            }
        }
        long now = System.nanoTime();
        seen.forEach((member, status) -> listener.seen(this, member, status, now));
        if (ask) {
            requestSync();
        }
    }

    private Envelope event() {
        Instant at = Instant.now();
        ThreadLocalRandom random = ThreadLocalRandom.current();
        if (random.nextInt(4) == 0) {
            return new Envelope(
                    EventIds.next(at),
                    at,
                    new DoorEvent(site, DoorId.of("door_main"), DoorEventKind.REX, Optional.empty()));
        }
        byte[] hash = new byte[32];
        random.nextBytes(hash);
        return new Envelope(
                EventIds.next(at),
                at,
                new AccessEvent(
                        site,
                        DoorId.of("door_main"),
                        PresentedKind.NFC_CARD,
                        Optional.of(HexFormat.of().formatHex(hash)),
                        Optional.empty(),
                        Optional.<MemberId>empty(),
                        Optional.empty(),
                        false,
                        Optional.empty(),
                        Optional.of(DenyReason.UNKNOWN_CREDENTIAL),
                        ClockStatus.TRUSTED));
    }
}
