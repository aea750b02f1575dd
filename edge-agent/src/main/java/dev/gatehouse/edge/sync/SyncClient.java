package dev.gatehouse.edge.sync;

import dev.gatehouse.edge.access.EventIds;
import dev.gatehouse.edge.cache.ApplyResult;
import dev.gatehouse.edge.cache.CacheException;
import dev.gatehouse.edge.cache.EdgeCache;
import dev.gatehouse.edge.cache.SnapshotResult;
import dev.gatehouse.edge.config.EdgeConfig;
import dev.gatehouse.protocol.ProtocolError;
import dev.gatehouse.protocol.ProtocolException;
import dev.gatehouse.protocol.codec.MessageCodec;
import dev.gatehouse.protocol.message.Command;
import dev.gatehouse.protocol.message.CommandAck;
import dev.gatehouse.protocol.message.CommandStatus;
import dev.gatehouse.protocol.message.DeviceState;
import dev.gatehouse.protocol.message.Envelope;
import dev.gatehouse.protocol.message.EventAck;
import dev.gatehouse.protocol.message.Health;
import dev.gatehouse.protocol.message.SyncRequest;
import dev.gatehouse.protocol.model.ClockStatus;
import dev.gatehouse.protocol.sign.Inbound;
import dev.gatehouse.protocol.sign.Jws;
import dev.gatehouse.protocol.sign.KeySet;
import dev.gatehouse.protocol.topic.Channel;
import dev.gatehouse.protocol.topic.Topic;
import dev.gatehouse.protocol.topic.TopicFilters;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;
import org.eclipse.paho.mqttv5.client.IMqttToken;
import org.eclipse.paho.mqttv5.client.MqttActionListener;
import org.eclipse.paho.mqttv5.client.MqttAsyncClient;
import org.eclipse.paho.mqttv5.client.MqttCallback;
import org.eclipse.paho.mqttv5.client.MqttConnectionOptions;
import org.eclipse.paho.mqttv5.client.MqttDisconnectResponse;
import org.eclipse.paho.mqttv5.client.persist.MemoryPersistence;
import org.eclipse.paho.mqttv5.common.MqttException;
import org.eclipse.paho.mqttv5.common.MqttMessage;
import org.eclipse.paho.mqttv5.common.MqttSubscription;
import org.eclipse.paho.mqttv5.common.packet.MqttProperties;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The agent's link to the hub over MQTT 5 (Paho): a persistent session (clean start off, session
 * expiry) whose last will is a retained {@code device.state} with health {@code offline}. On each
 * connect it subscribes to its inbox, publishes its state and a {@code sync.request}. Sync batches
 * and snapshot chunks are verified against the cache's trusted keys and applied through the cache;
 * commands go to {@link CommandExecutor}; the outbox is drained oldest first within {@code in-flight}
 * and pruned on {@code event.ack}.
 *
 * <p>Threads: inbound messages are handled on Paho's callback thread (a batch is applied before its
 * PUBACK); connecting, reconnecting with backoff and jitter, draining, re-publishing and the state
 * heartbeat run on the client's own thread. A door never waits for any of it.
 */
public final class SyncClient implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(SyncClient.class);
    /** How many problems {@code device.state} carries (the protocol's limit). */
    static final int MAX_PROBLEMS = 20;
    /** A gap asks again for the same seq at most this often. */
    private static final Duration REQUEST_AGAIN_AFTER = Duration.ofSeconds(5);
    /** How often the outbox is looked at without being told of a new event. */
    private static final long DRAIN_EVERY_MILLIS = 1_000;
    /** Command acknowledgements kept while the link is down, at most. */
    private static final int MAX_PENDING_ACKS = 100;

    private final ArrayDeque<Envelope> pendingAcks = new ArrayDeque<>();
    /**
     * Events stop being handed to Paho once this many publishes await their PUBACK (brokers allow 10 by
     * default, HiveMQ included), so command acks and the state always find room.
     */
    private static final int PAHO_WINDOW_RESERVE_AT = 8;
    /** How often a non-event publish is retried while Paho's in-flight window is full. */
    private static final int WINDOW_RETRIES = 100;
    /** The state after an applied batch is sent at most this often. */
    private static final long STATE_MIN_GAP_MILLIS = 1_000;

    /** What the client needs of the agent. */
    public interface Host {
        /** The clock's trust now. */
        ClockStatus clockStatus();

        /** A verified sync batch or snapshot chunk carried the hub's signed time. */
        void hubTimeReceived(Instant signed);

        /** The agent's own problems (reader faults …), for {@code device.state}. */
        List<String> localProblems();

        /** The agent's version, for {@code device.state}. */
        String agentVersion();
    }

    /** The connection as status shows it. */
    public record LinkStatus(
            boolean connected,
            Optional<Instant> since,
            long lastAppliedSeq,
            Optional<Instant> lastAppliedAt,
            int eventsInFlight) {}

    private record Problem(Instant at, String text) {}

    private final EdgeConfig.Site site;
    private final EdgeConfig.Hub hub;
    private final EdgeCache cache;
    private final Host host;
    private final Clock clock;
    private final CommandExecutor commands;
    private final MqttAsyncClient client;
    private final ScheduledExecutorService worker;
    private final Map<String, Long> inFlight = new ConcurrentHashMap<>();
    private final Deque<Problem> problems = new ArrayDeque<>();
    private final List<Consumer<Long>> appliedListeners = new CopyOnWriteArrayList<>();
    private final AtomicBoolean drainQueued = new AtomicBoolean();
    private final AtomicBoolean stateQueued = new AtomicBoolean();
    private final AtomicBoolean reconnectQueued = new AtomicBoolean();
    private volatile boolean closed;
    private volatile boolean connected;
    private volatile Instant linkSince;
    private volatile long lastAppliedSeq = -1;
    private volatile Instant lastAppliedAt;
    private volatile long lastStateNanos;
    private volatile long lastProgressNanos = System.nanoTime();
    private volatile long lastRequestedSeq = -1;
    private volatile long lastRequestNanos;
    /** A gap arrived while a request for the same seq was fresh: one re-check is scheduled. */
    private final AtomicBoolean gapRecheckQueued = new AtomicBoolean();

    private volatile long lastHeartbeatNanos;
    private int attempt; // worker thread only

    private SyncClient(
            EdgeConfig.Site site,
            EdgeConfig.Hub hub,
            EdgeCache cache,
            Host host,
            Clock clock,
            CommandExecutor commands) {
        this.site = site;
        this.hub = hub;
        this.cache = cache;
        this.host = host;
        this.clock = clock;
        this.commands = commands;
        this.linkSince = clock.instant();
        this.worker = Executors.newSingleThreadScheduledExecutor(
                task -> Thread.ofPlatform().name("sync-client").daemon(true).unstarted(task));
        try {
            this.client = new MqttAsyncClient(hub.mqttUrl(), site.device(), new MemoryPersistence());
        } catch (MqttException e) {
            worker.shutdownNow();
            throw new IllegalArgumentException("hub.mqtt-url " + hub.mqttUrl() + ": " + e.getMessage(), e);
        }
        client.setCallback(new Callback());
    }

    /**
     * Starts the client: it connects on its own thread (retrying with backoff until {@link #close});
     * returns at once. Commands run on the doors through {@code commands}.
     */
    public static SyncClient start(
            EdgeConfig.Site site,
            EdgeConfig.Hub hub,
            EdgeCache cache,
            Host host,
            Clock clock,
            CommandExecutor commands) {
        Objects.requireNonNull(site, "site");
        Objects.requireNonNull(hub, "hub");
        SyncClient sync = new SyncClient(
                site,
                hub,
                cache,
                Objects.requireNonNull(host, "host"),
                Objects.requireNonNull(clock, "clock"),
                Objects.requireNonNull(commands, "commands"));
        sync.worker.execute(sync::connect);
        sync.worker.scheduleWithFixedDelay(
                sync::periodic, DRAIN_EVERY_MILLIS, DRAIN_EVERY_MILLIS, TimeUnit.MILLISECONDS);
        return sync;
    }

    // ------------------------------------------------------------------ observing

    /** Whether the MQTT session is up now. */
    public boolean connected() {
        return connected;
    }

    /** How long since the link went down, or zero while connected. */
    public Duration offlineFor() {
        if (connected) {
            return Duration.ZERO;
        }
        Duration since = Duration.between(linkSince, clock.instant());
        return since.isNegative() ? Duration.ZERO : since;
    }

    public LinkStatus linkStatus() {
        return new LinkStatus(
                connected,
                Optional.ofNullable(linkSince),
                lastAppliedSeq,
                Optional.ofNullable(lastAppliedAt),
                inFlight.size());
    }

    /** Called with the new seq each time a batch or snapshot from the hub is applied (on Paho's thread). */
    public AutoCloseable onApplied(Consumer<Long> listener) {
        appliedListeners.add(listener);
        return () -> appliedListeners.remove(listener);
    }

    /** The problems {@code device.state} reports now: the agent's own, then recent ones with their time. */
    public List<String> problems() {
        List<String> out = new ArrayList<>();
        for (String local : host.localProblems()) {
            out.add(clip(local));
        }
        long depth = safeDepth();
        long stalledNanos = System.nanoTime() - lastProgressNanos;
        Duration stallLimit = hub.ackTimeout().multipliedBy(3).compareTo(Duration.ofMinutes(1)) > 0
                ? hub.ackTimeout().multipliedBy(3)
                : Duration.ofMinutes(1);
        if (depth > 0 && stalledNanos > stallLimit.toNanos()) {
            out.add("outbox not drained for " + TimeUnit.NANOSECONDS.toSeconds(stalledNanos) + " s (" + depth
                    + " events waiting)");
        }
        synchronized (problems) {
            var newestFirst = problems.descendingIterator();
            while (newestFirst.hasNext()) {
                Problem problem = newestFirst.next();
                out.add(clip(problem.at() + " " + problem.text()));
            }
        }
        return out.size() > MAX_PROBLEMS ? List.copyOf(out.subList(0, MAX_PROBLEMS)) : List.copyOf(out);
    }

    /** Records a problem for {@code device.state} (kept: the last 20) and sends the state soon. */
    void problem(String text) {
        log.warn("hub link: {}", text);
        synchronized (problems) {
            problems.addLast(new Problem(clock.instant(), text));
            while (problems.size() > MAX_PROBLEMS) {
                problems.removeFirst();
            }
        }
        stateSoon();
    }

    /** The outbox has a new event: drain it soon (never blocks the caller). */
    public void eventsWaiting() {
        if (connected && drainQueued.compareAndSet(false, true)) {
            submit(() -> {
                drainQueued.set(false);
                drain();
            });
        }
    }

    // ------------------------------------------------------------------ connecting

    private void connect() {
        if (closed) {
            return;
        }
        if (client.isConnected()) {
            if (connected) {
                return;
            }
            // A connect that timed out here completed later: its session was never set up (no
            // subscription, state or request). Drop it and connect again properly.
            try {
                client.disconnectForcibly(0, 1_000, false);
            } catch (MqttException e) {
                log.debug("dropping a half-made connection: {}", describe(e));
            }
        }
        try {
            String password = Files.readString(hub.passwordFile()).strip();
            MqttConnectionOptions options = new MqttConnectionOptions();
            options.setCleanStart(false);
            options.setSessionExpiryInterval(hub.sessionExpiry().toSeconds());
            options.setKeepAliveInterval((int) hub.keepAlive().toSeconds());
            options.setAutomaticReconnect(false);
            options.setConnectionTimeout(10);
            NoDelaySockets.forUrl(hub.mqttUrl()).ifPresent(options::setSocketFactory);
            options.setUserName(site.device());
            options.setPassword(password.getBytes(StandardCharsets.UTF_8));
            options.setWill(topic(Channel.STATE).value(), message(Channel.STATE, state(Health.OFFLINE)));
            client.connect(options).waitForCompletion(15_000);
            attempt = 0;
            connected = true;
            linkSince = clock.instant();
            log.info("connected to the hub at {} as {}", hub.mqttUrl(), site.device());
            // No local: the inbox filter also matches this device's own outbound channels.
            MqttSubscription inbox =
                    new MqttSubscription(TopicFilters.edgeInbox(site.tenant(), site.id(), site.device()), 1);
            inbox.setNoLocal(true);
            inbox.setRetainHandling(2); // nothing hub-to-edge is retained
            IMqttToken subscribed = client.subscribe(inbox);
            subscribed.waitForCompletion(15_000);
            int[] codes = subscribed.getReasonCodes();
            if (codes != null && codes.length > 0 && codes[0] >= 0x80) {
                throw new MqttException(codes[0]);
            }
            inFlight.clear(); // whatever was in flight is published again, oldest first
            lastProgressNanos = System.nanoTime();
            publishState();
            requestSync(true);
            sendPendingAcks();
            drain();
        } catch (MqttException | IOException | RuntimeException e) {
            if (attempt % 10 == 0) { // the first failure and every tenth after it: a long outage logs little
                log.warn(
                        "hub link to {}: {} (attempt {}; retrying with backoff)",
                        hub.mqttUrl(),
                        describe(e),
                        attempt + 1);
            } else {
                log.debug("hub link to {}: {}", hub.mqttUrl(), describe(e));
            }
            if (e instanceof MqttException mqtt && mqtt.getReasonCode() >= 0x80 && mqtt.getReasonCode() < 0x100) {
                problem("the broker refused this device (" + describe(e) + ")");
            }
            dropConnection();
            scheduleReconnect();
        }
    }

    private void scheduleReconnect() {
        if (closed || !reconnectQueued.compareAndSet(false, true)) {
            return;
        }
        long min = hub.reconnectMin().toMillis();
        long max = hub.reconnectMax().toMillis();
        long base = min << Math.min(attempt, 30);
        if (base <= 0 || base > max) {
            base = max;
        }
        attempt++;
        long delay =
                Math.max(1, (long) (base * (0.5 + ThreadLocalRandom.current().nextDouble())));
        log.debug("reconnecting in {} ms (attempt {})", delay, attempt);
        try {
            worker.schedule(
                    () -> {
                        reconnectQueued.set(false);
                        connect();
                    },
                    delay,
                    TimeUnit.MILLISECONDS);
        } catch (java.util.concurrent.RejectedExecutionException e) {
            reconnectQueued.set(false);
        }
    }

    /** Ends the connection without a DISCONNECT packet where possible, so nothing hangs; then reconnect. */
    private void dropConnection() {
        boolean was = connected;
        connected = false;
        if (was) {
            linkSince = clock.instant();
        }
        try {
            if (client.isConnected()) {
                client.disconnectForcibly(0, 1_000, false);
            }
        } catch (MqttException e) {
            log.debug("dropping the connection: {}", e.toString());
        }
    }

    /** A publish the broker refused (PUBACK ≥ 0x80): fatal for this connection. */
    private void refused(Channel channel, int code) {
        problem("the broker refused a publish on " + channel.level() + " (reason 0x" + Integer.toHexString(code)
                + "); reconnecting");
        submit(() -> {
            dropConnection();
            scheduleReconnect();
        });
    }

    private final class Callback implements MqttCallback {
        @Override
        public void disconnected(MqttDisconnectResponse response) {
            log.warn("hub link lost: {}", response);
            submit(() -> {
                if (!client.isConnected()) { // not a stale report about an earlier connection
                    dropConnection();
                    scheduleReconnect();
                }
            });
        }

        @Override
        public void mqttErrorOccurred(MqttException exception) {
            log.warn("hub link error: {}", describe(exception));
        }

        @Override
        public void messageArrived(String topic, MqttMessage message) {
            try {
                receive(topic, message.getPayload());
            } catch (RuntimeException e) {
                // The callback thread never throws: a bad message changes nothing.
                log.error("message on {} could not be handled: {}", topic, e.toString(), e);
                problem("a message on " + channel(topic) + " could not be handled: " + e.getMessage());
            }
        }

        @Override
        public void deliveryComplete(IMqttToken token) {}

        @Override
        public void connectComplete(boolean reconnect, String serverURI) {}

        @Override
        public void authPacketArrived(int reasonCode, MqttProperties properties) {}
    }

    // ------------------------------------------------------------------ inbound

    private void receive(String topicText, byte[] payload) {
        Topic topic;
        try {
            topic = Topic.parse(topicText);
        } catch (ProtocolException e) {
            problem("a message on an unusable topic was ignored: " + e.getMessage());
            return;
        }
        if (!topic.tenant().equals(site.tenant())
                || !topic.site().equals(site.id())
                || !topic.device().equals(site.device())) {
            problem("a message on " + topic + " is not for this device; ignored");
            return;
        }
        switch (topic.channel()) {
            case SYNC, SNAPSHOT -> receiveSync(topic, payload);
            case EVENT_ACK -> receiveAck(topic, payload);
            case COMMANDS -> receiveCommand(payload);
            default -> log.debug("ignored {}: an edge-to-hub channel", topic); // e.g. our own retained state
        }
    }

    private void receiveSync(Topic topic, byte[] payload) {
        Envelope envelope;
        try {
            envelope = Inbound.read(topic, payload, cache.trustedKeys(), clock.instant(), host.clockStatus());
        } catch (ProtocolException e) {
            problem("rejected a " + topic.channel().level() + " message (nothing applied): " + e.error() + " "
                    + e.getMessage());
            return;
        }
        try {
            if (topic.channel() == Channel.SYNC) {
                ApplyResult result = cache.apply(envelope);
                switch (result) {
                    case ApplyResult.Applied applied -> {
                        // Only a batch that advanced the seq (so cannot be a replay) speaks for the hub's time.
                        host.hubTimeReceived(envelope.time());
                        applied(applied.toSeq());
                    }
                    case ApplyResult.Gap gap -> {
                        log.info("sync gap: have {}, batch starts later; asking the hub", gap.haveSeq());
                        requestSync(false);
                    }
                    case ApplyResult.Repeat repeat -> log.debug("repeated batch ignored at seq {}", repeat.seq());
                }
            } else {
                SnapshotResult result = cache.offer(envelope);
                switch (result) {
                    case SnapshotResult.Installed installed -> {
                        host.hubTimeReceived(envelope.time());
                        applied(installed.seq());
                    }
                    case SnapshotResult.Discarded discarded -> {
                        problem("snapshot discarded: " + discarded.reason());
                        requestSync(true);
                    }
                    case SnapshotResult.Incomplete incomplete ->
                        log.debug("snapshot chunk {}/{}", incomplete.received(), incomplete.count());
                    case SnapshotResult.Ignored ignored -> log.warn("snapshot chunk ignored: {}", ignored.reason());
                }
            }
        } catch (CacheException e) {
            problem("could not apply a " + topic.channel().level() + " message (nothing applied): " + e.getMessage());
        }
    }

    private void applied(long seq) {
        lastAppliedSeq = seq;
        lastAppliedAt = clock.instant();
        log.info("applied sync up to seq {}", seq);
        for (Consumer<Long> listener : appliedListeners) {
            try {
                listener.accept(seq);
            } catch (RuntimeException e) {
                log.warn("an applied-listener failed: {}", e.toString());
            }
        }
        stateSoon();
    }

    private void receiveAck(Topic topic, byte[] payload) {
        Envelope envelope;
        try {
            envelope = Inbound.read(topic, payload, KeySet.of(List.of()), clock.instant(), host.clockStatus());
        } catch (ProtocolException e) {
            problem("rejected an event.ack: " + e.error() + " " + e.getMessage());
            return;
        }
        List<String> ids = envelope.payloadAs(EventAck.class).eventIds();
        int removed = cache.outbox().acknowledge(ids);
        ids.forEach(inFlight::remove);
        lastProgressNanos = System.nanoTime();
        log.debug("event.ack: {} ids, {} removed from the outbox", ids.size(), removed);
        eventsWaiting();
    }

    private void receiveCommand(byte[] payload) {
        Topic topic = topic(Channel.COMMANDS);
        KeySet keys = cache.trustedKeys();
        Instant now = clock.instant();
        Envelope envelope;
        try {
            envelope = Inbound.read(topic, payload, keys, now, host.clockStatus());
        } catch (ProtocolException e) {
            Optional<Envelope> signed = signedButRefused(payload, keys);
            if (signed.isEmpty() || !(signed.get().payload() instanceof Command)) {
                problem("rejected a command whose signature or form is bad (not executed): " + e.error() + " "
                        + e.getMessage());
                return;
            }
            String id = signed.get().id();
            Optional<CommandExecutor.Outcome> away =
                    e.error() == ProtocolError.EXPIRED || e.error() == ProtocolError.CLOCK_UNTRUSTED
                            ? commands.notHere(((Command) signed.get().payload()).action())
                            : Optional.empty();
            if (away.isPresent()) {
                commandAck(id, away.get().status(), away.get().detail());
            } else if (e.error() == ProtocolError.EXPIRED) {
                commandAck(
                        id,
                        CommandStatus.EXPIRED,
                        "expired at " + ((Command) signed.get().payload()).expiresAt() + "; not executed");
            } else if (e.error() == ProtocolError.CLOCK_UNTRUSTED) {
                commandAck(id, CommandStatus.REJECTED, "clock untrusted: only lockdown is executed");
            } else {
                commandAck(id, CommandStatus.REJECTED, clip(e.error() + ": " + e.getMessage()));
            }
            return;
        }
        Command command = envelope.payloadAs(Command.class);
        Optional<CommandExecutor.Outcome> away = commands.notHere(command.action());
        if (away.isPresent()) {
            commandAck(envelope.id(), away.get().status(), away.get().detail());
            return;
        }
        Instant keepUntil = command.expiresAt().isAfter(now.plus(Duration.ofHours(24)))
                ? command.expiresAt()
                : now.plus(Duration.ofHours(24));
        if (!cache.rememberCommand(envelope.id(), keepUntil, now)) {
            commandAck(
                    envelope.id(),
                    CommandStatus.REJECTED,
                    "replay: command " + envelope.id() + " was already received");
            return;
        }
        commands.execute(command.action()).whenComplete((outcome, failure) -> {
            if (failure != null) {
                commandAck(envelope.id(), CommandStatus.REJECTED, clip("failed: " + failure.getMessage()));
            } else {
                commandAck(envelope.id(), outcome.status(), outcome.detail());
            }
        });
    }

    /** A command whose signature verified but that was refused after (expired, clock, audience). */
    private static Optional<Envelope> signedButRefused(byte[] payload, KeySet keys) {
        try {
            return Optional.of(MessageCodec.decode(Jws.verify(new String(payload, StandardCharsets.US_ASCII), keys)));
        } catch (RuntimeException e) {
            return Optional.empty();
        }
    }

    // ------------------------------------------------------------------ outbound

    private void periodic() {
        try {
            if (!connected) {
                return;
            }
            drain();
            long now = System.nanoTime();
            if (now - lastStateNanos >= hub.stateInterval().toNanos()) {
                publishState();
            }
            if (now - lastHeartbeatNanos >= hub.stateInterval().toNanos()) {
                requestSync(true);
            }
        } catch (RuntimeException e) {
            log.error("sync client tick failed: {}", e.toString(), e);
        }
    }

    /** Publishes waiting events, oldest first, within the in-flight limit; re-publishes overdue ones. */
    private void drain() {
        if (!connected || closed) {
            return;
        }
        List<Envelope> waiting = cache.outbox().peek(hub.inFlight());
        if (waiting.isEmpty()) {
            lastProgressNanos = System.nanoTime();
            return;
        }
        long now = System.nanoTime();
        long timeout = hub.ackTimeout().toNanos();
        for (Envelope event : waiting) {
            Long sent = inFlight.get(event.id());
            if (sent != null && now - sent < timeout) {
                continue;
            }
            if (sent == null && inFlight.size() >= hub.inFlight()) {
                break;
            }
            if (client.getInFlightMessageCount() >= PAHO_WINDOW_RESERVE_AT) {
                break; // leave room in Paho's window for acks and state; the rest waits for the next drain
            }
            if (sent != null) {
                log.debug("event {} not acknowledged in {}; publishing it again", event.id(), hub.ackTimeout());
            }
            // Marked in flight before the publish: an ack racing the put must not leave a stale entry.
            Long before = inFlight.put(event.id(), now);
            if (!publish(Channel.EVENTS, event)) {
                if (before == null) {
                    inFlight.remove(event.id(), now);
                } else {
                    inFlight.put(event.id(), before);
                }
                break;
            }
        }
    }

    private void requestSync(boolean always) {
        long seq = cache.seq();
        long now = System.nanoTime();
        if (!always && seq == lastRequestedSeq && now - lastRequestNanos < REQUEST_AGAIN_AFTER.toNanos()) {
            // Asked for this seq a moment ago (e.g. on connect, answered before the gap arose): ask again
            // once the pause is over if the cache is still there, rather than wait for the next heartbeat request.
            if (gapRecheckQueued.compareAndSet(false, true)) {
                try {
                    worker.schedule(
                            () -> {
                                gapRecheckQueued.set(false);
                                if (connected && cache.seq() == seq) {
                                    requestSync(false);
                                }
                            },
                            REQUEST_AGAIN_AFTER.toNanos() - (now - lastRequestNanos),
                            TimeUnit.NANOSECONDS);
                } catch (java.util.concurrent.RejectedExecutionException e) {
                    gapRecheckQueued.set(false);
                }
            }
            return;
        }
        lastRequestedSeq = seq;
        lastRequestNanos = now;
        lastHeartbeatNanos = now;
        Instant at = clock.instant();
        publish(Channel.SYNC_REQUEST, new Envelope("sr-" + EventIds.next(at), at, new SyncRequest(site.id(), seq)));
    }

    /** Sends the state within a second (coalesced), off the caller's thread. */
    private void stateSoon() {
        if (!connected || !stateQueued.compareAndSet(false, true)) {
            return;
        }
        long wait = TimeUnit.NANOSECONDS.toMillis(
                lastStateNanos + TimeUnit.MILLISECONDS.toNanos(STATE_MIN_GAP_MILLIS) - System.nanoTime());
        try {
            worker.schedule(
                    () -> {
                        stateQueued.set(false);
                        publishState();
                    },
                    Math.max(0, wait),
                    TimeUnit.MILLISECONDS);
        } catch (java.util.concurrent.RejectedExecutionException e) {
            stateQueued.set(false);
        }
    }

    private void publishState() {
        lastStateNanos = System.nanoTime();
        List<String> now = problems();
        publish(Channel.STATE, state(now.isEmpty() ? Health.OK : Health.DEGRADED, now));
    }

    private Envelope state(Health health) {
        return state(health, List.of());
    }

    private Envelope state(Health health, List<String> problems) {
        Instant at = clock.instant();
        return new Envelope(
                "ds-" + EventIds.next(at),
                at,
                new DeviceState(
                        site.id(),
                        site.device(),
                        cache.seq(),
                        host.clockStatus(),
                        safeDepth(),
                        health,
                        problems,
                        clip40(host.agentVersion())));
    }

    private void commandAck(String commandId, CommandStatus status, String detail) {
        Instant at = clock.instant();
        String id = ("ca-" + commandId).length() <= 64 ? "ca-" + commandId : "ca-" + EventIds.next(at);
        log.info("command {}: {} ({})", commandId, status, detail);
        Envelope ack = new Envelope(id, at, new CommandAck(commandId, status, Optional.of(clip(detail))));
        if (!publish(Channel.COMMAND_ACK, ack) && !connected) {
            keepAck(ack);
        }
    }

    /**
     * Keeps an acknowledgement made while the link was down and sends it when it is back, so the hub
     * learns what was done; beyond {@value #MAX_PENDING_ACKS} the oldest are dropped.
     */
    private void keepAck(Envelope ack) {
        log.info("command ack {} waits for the link", ack.id());
        synchronized (pendingAcks) {
            pendingAcks.addLast(ack);
            while (pendingAcks.size() > MAX_PENDING_ACKS) {
                log.warn(
                        "command ack {} dropped: too many waiting",
                        pendingAcks.removeFirst().id());
            }
        }
    }

    /** Sends the acknowledgements kept while the link was down, oldest first. */
    private void sendPendingAcks() {
        while (connected) {
            Envelope ack;
            synchronized (pendingAcks) {
                ack = pendingAcks.pollFirst();
            }
            if (ack == null || !publish(Channel.COMMAND_ACK, ack)) {
                return;
            }
        }
    }

    /** Publishes with the channel's QoS and retain flag; false when it could not be handed to Paho now. */
    private boolean publish(Channel channel, Envelope envelope) {
        return publish(channel, envelope, 0);
    }

    /**
     * As above; a state, request or command ack that finds Paho's in-flight window full (events may fill
     * it) is tried again shortly, up to {@link #WINDOW_RETRIES} times. Events wait for the next drain.
     */
    private boolean publish(Channel channel, Envelope envelope, int retry) {
        if (!connected) {
            return false;
        }
        try {
            client.publish(topic(channel).value(), message(channel, envelope), null, new MqttActionListener() {
                @Override
                public void onSuccess(IMqttToken token) {
                    int[] codes = token.getReasonCodes();
                    if (codes != null && codes.length > 0 && codes[0] >= 0x80) {
                        refused(channel, codes[0]);
                    } else if (channel == Channel.EVENTS) {
                        eventsWaiting(); // room in Paho's window again: the next events can go
                    }
                }

                @Override
                public void onFailure(IMqttToken token, Throwable failure) {
                    if (failure instanceof MqttException mqtt
                            && mqtt.getReasonCode() >= 0x80
                            && mqtt.getReasonCode() < 0x100) {
                        refused(channel, mqtt.getReasonCode());
                    } else {
                        log.debug("publish on {} failed: {}", channel.level(), String.valueOf(failure));
                    }
                }
            });
            return true;
        } catch (MqttException e) {
            if (e.getReasonCode() == org.eclipse.paho.mqttv5.client.MqttClientException.REASON_CODE_MAX_INFLIGHT) {
                log.debug("MQTT in-flight window full; {} waits", envelope.id());
                if (channel != Channel.EVENTS && retry < WINDOW_RETRIES) {
                    try {
                        worker.schedule(() -> publish(channel, envelope, retry + 1), 50, TimeUnit.MILLISECONDS);
                    } catch (java.util.concurrent.RejectedExecutionException closing) {
                        log.debug("closing; {} dropped", envelope.id());
                    }
                }
            } else {
                log.warn("publish on {} failed: {}", channel.level(), describe(e));
            }
            return false;
        }
    }

    private static MqttMessage message(Channel channel, Envelope envelope) {
        MqttMessage message = new MqttMessage(MessageCodec.encode(envelope));
        message.setQos(channel.qos());
        message.setRetained(channel.retained());
        return message;
    }

    private Topic topic(Channel channel) {
        return Topic.of(site.tenant(), site.id(), site.device(), channel);
    }

    private void submit(Runnable task) {
        try {
            worker.execute(() -> {
                try {
                    task.run();
                } catch (RuntimeException e) {
                    log.error("sync client task failed: {}", e.toString(), e);
                }
            });
        } catch (java.util.concurrent.RejectedExecutionException e) {
            log.debug("sync client closed; task dropped");
        }
    }

    private long safeDepth() {
        try {
            return cache.outbox().depth();
        } catch (RuntimeException e) {
            return 0;
        }
    }

    private static String channel(String topic) {
        int slash = topic == null ? -1 : topic.lastIndexOf('/');
        return slash < 0 ? String.valueOf(topic) : topic.substring(slash + 1);
    }

    private static String describe(Exception e) {
        if (e instanceof MqttException mqtt) {
            return mqtt.getMessage() + " (reason " + mqtt.getReasonCode() + ")";
        }
        return e.toString();
    }

    static String clip(String text) {
        String value = text == null ? "" : text.replaceAll("\\p{Cntrl}", " ");
        return value.length() > 200 ? value.substring(0, 197) + "..." : value;
    }

    private static String clip40(String text) {
        return text.length() > 40 ? text.substring(0, 40) : text;
    }

    /**
     * Kills the connection without a DISCONNECT packet, so the broker publishes the last will (tests:
     * a crashed agent). The client then reconnects as after any drop.
     */
    public void dropForTest() {
        submit(() -> {
            dropConnection();
            scheduleReconnect();
        });
    }

    /** Disconnects cleanly (the retained state stays what it was last; the will is not sent) and stops. */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        worker.shutdownNow();
        try {
            worker.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        try {
            if (client.isConnected()) {
                publishOffline();
                client.disconnect(2_000).waitForCompletion(3_000);
            }
        } catch (MqttException | RuntimeException e) {
            log.debug("disconnecting: {}", e.toString());
        }
        connected = false;
        try {
            client.close(true);
        } catch (MqttException e) {
            log.debug("closing the MQTT client: {}", e.toString());
        }
    }

    /** On a clean stop the broker sends no will: the agent says it is offline itself. */
    private void publishOffline() throws MqttException {
        client.publish(topic(Channel.STATE).value(), message(Channel.STATE, state(Health.OFFLINE)))
                .waitForCompletion(2_000);
    }
}
