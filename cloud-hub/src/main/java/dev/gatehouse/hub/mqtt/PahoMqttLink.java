package dev.gatehouse.hub.mqtt;

import dev.gatehouse.protocol.Ids;
import dev.gatehouse.protocol.ProtocolException;
import dev.gatehouse.protocol.retry.Backoff;
import dev.gatehouse.protocol.topic.Channel;
import dev.gatehouse.protocol.topic.Topic;
import dev.gatehouse.protocol.topic.TopicFilters;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import java.util.logging.Level;
import java.util.logging.Logger;
import java.util.random.RandomGenerator;
import javax.net.ssl.SSLContext;
import org.eclipse.paho.mqttv5.client.IMqttToken;
import org.eclipse.paho.mqttv5.client.MqttActionListener;
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
 * The hub's MQTT v5 client. A persistent session (clean start off, one hour of session expiry) so
 * that what edges send while the hub reconnects waits at the broker; reconnects on its own with
 * backoff, including when the first connect fails, each time with a fresh Paho client: Paho gives
 * topics aliases on its own where the broker allows them and resends what was in flight, alias only,
 * on the same client's next connection, which the broker must refuse (protocol error) at every
 * attempt; what was in flight has failed ({@link PublishException.Reason#CONNECTION_LOST}) and is
 * published again by its sender. Publishes go through a {@link PublishWindow}: a
 * bounded queue and a window of QoS 1 publishes unacknowledged as wide as the broker's receive maximum
 * (from its CONNACK; Paho refuses more), at most {@value #MAX_IN_FLIGHT} and {@value #FIRST_IN_FLIGHT}
 * until the first CONNACK, handed to Paho by one sender thread. A window of 10 (HiveMQ's default)
 * made a change reaching 500 sites wait for 50 PUBACK round trips one after the other. Each publish's answer
 * completes on the broker's PUBACK, or fails (queue full, refused, connection lost while in flight,
 * link closed): while the broker is away publishes wait in the queue and leave once it is back.
 * {@link #close()} gives what is queued or in flight up to {@value #DRAIN_MILLIS} ms to be accepted
 * before it disconnects, and fails the rest. Received messages run on {@link InboundLanes}, one lane
 * per device hash, so one device's messages are handled in order; a handler that throws is logged.
 *
 * <p>This class only adapts Paho: it holds no lock, and Paho's callbacks hand off and return.
 */
public final class PahoMqttLink implements MqttLink {
    private static final Logger LOG = Logger.getLogger(PahoMqttLink.class.getName());
    /** The window until the broker's receive maximum is known: HiveMQ's default receive maximum, 10. */
    static final int FIRST_IN_FLIGHT = 10;
    /** The widest window whatever the broker takes: what a fan-out to a thousand sites can use at once. */
    static final int MAX_IN_FLIGHT = 1000;

    static final int QUEUE_CAPACITY = 10_000;
    /** How long {@link #close()} waits, while connected, for queued and in-flight publishes to be accepted. */
    static final long DRAIN_MILLIS = 5_000;
    /** How long the first connect is retried after failures: from half a second up to 30 s, with jitter. */
    static final Backoff RECONNECT = new Backoff(Duration.ofMillis(500), Duration.ofSeconds(30));

    /** {@link #DRAIN_MILLIS}; a test that must not depend on the machine's speed gives more. */
    volatile long drainMillis = DRAIN_MILLIS;

    private static final int LANES = 4;
    private static final int LANE_QUEUE = 1_000;
    private static final String SHARE_GROUP = "hub";
    private static final Duration CLOSE_WAIT = Duration.ofSeconds(5);

    private final String url;
    private final Optional<SSLContext> pinnedTls;
    private final String clientId;
    private final String username;
    private final byte[] password;
    private final RandomGenerator random;
    private final Map<Channel, MessageHandler> registered = new ConcurrentHashMap<>();
    /** The handlers, fixed at {@link #start()}. */
    private volatile Map<Channel, MessageHandler> handlers = Map.of();

    private final List<Runnable> connectListeners = new CopyOnWriteArrayList<>();
    private final AtomicBoolean startOnce = new AtomicBoolean();
    private final AtomicBoolean closeOnce = new AtomicBoolean();
    private final ScheduledExecutorService retries;
    private final ExecutorService sender;
    private final PublishWindow window;
    private final InboundLanes lanes;
    /** Subscribe with {@code $share/hub/…} (several hubs on one broker) or plainly (the only hub). */
    private final boolean shared;

    /**
     * How long the broker keeps the only hub's session (its subscriptions and the messages queued for
     * it) after its connection is lost: a restart within it gets them at once.
     */
    private static final long SESSION_EXPIRY_SECONDS = 3600;

    /**
     * The same for a member of the shared subscription, much shorter: Mosquitto (and other brokers) go
     * on giving a disconnected member with a live session its share of the edges' messages, so a
     * replica that died and does not come back would hold half of them (with two replicas) until its
     * session expired; the edges send each again when no ack came. A replica restarting within it still
     * gets what was queued for it. A clean stop ends the session at once ({@link #close()}).
     */
    private static final long SHARED_SESSION_EXPIRY_SECONDS = 60;
    /** Completes at the first SUBACK (or at the first connection when there is nothing to subscribe to). */
    private final CompletableFuture<Void> subscribed = new CompletableFuture<>();
    /** A subscribe request failed without a SUBACK: publishes leave without waiting for one. */
    private volatile boolean subscribeFailed;
    /** Completes at the next connection, then is replaced. */
    private final AtomicReference<CompletableFuture<Void>> nextConnection =
            new AtomicReference<>(new CompletableFuture<>());

    /** The current connection's client, replaced at each connect (on {@link #retries}' thread). */
    private volatile MqttAsyncClient client;
    /** Connections made so far (for the log's "connected" or "reconnected"). */
    private final java.util.concurrent.atomic.AtomicInteger connections =
            new java.util.concurrent.atomic.AtomicInteger();
    /** New publishes are refused; queued and in-flight ones may still be accepted. */
    private volatile boolean closing;
    /** Nothing more is handed to Paho, no reconnect is tried. */
    private volatile boolean closed;

    public PahoMqttLink(String url, String clientId, String username, String password) {
        this(url, clientId, username, password, RandomGenerator.getDefault());
    }

    /** @param random where the reconnect backoff's jitter comes from */
    public PahoMqttLink(String url, String clientId, String username, String password, RandomGenerator random) {
        this(url, clientId, username, password, random, true);
    }

    /**
     * @param shared whether to subscribe as a shared subscription ({@code $share/hub/…}, so several hub
     *     processes split the load on an external broker) or plainly (the embedded broker has this one
     *     hub only; HiveMQ CE can stop delivering QoS 1 messages on a shared subscription while the
     *     connection stays up, hivemq-community-edition#558, which CI saw about once in three runs)
     */
    public PahoMqttLink(
            String url, String clientId, String username, String password, RandomGenerator random, boolean shared) {
        this(url, clientId, username, password, random, shared, Optional.empty());
    }

    /**
     * @param pinnedTls for {@code ssl://}: a context that trusts exactly the broker's certificate (the
     *     hub's own embedded broker), so the host name it was issued for need not be the one dialled;
     *     empty: the JVM's trusted CAs and host name verification
     */
    public PahoMqttLink(
            String url,
            String clientId,
            String username,
            String password,
            RandomGenerator random,
            boolean shared,
            Optional<SSLContext> pinnedTls) {
        this.pinnedTls = pinnedTls;
        this.shared = shared;
        this.url = url;
        this.clientId = clientId;
        this.username = username;
        this.password = password.getBytes(StandardCharsets.UTF_8);
        this.random = random;
        this.retries = Executors.newSingleThreadScheduledExecutor(
                task -> Thread.ofPlatform().daemon().name("hub-mqtt-connect").unstarted(task));
        this.sender = Executors.newSingleThreadExecutor(
                task -> Thread.ofPlatform().daemon().name("hub-mqtt-sender").unstarted(task));
        this.window = new PublishWindow(
                "the MQTT link to " + url, QUEUE_CAPACITY, FIRST_IN_FLIGHT, new PahoTransport(), sender, this::later);
        this.lanes = new InboundLanes(LANES, LANE_QUEUE, "hub-mqtt-worker");
    }

    @Override
    public CompletionStage<Void> publish(Topic topic, byte[] payload) {
        return window.offer(topic, payload.clone());
    }

    @Override
    public void onMessage(Channel channel, MessageHandler handler) {
        if (startOnce.get()) {
            throw new IllegalStateException("register MQTT handlers before the link starts");
        }
        if (channel.direction() != Channel.Direction.EDGE_TO_HUB) {
            throw new IllegalArgumentException("the hub does not receive on hub-to-edge channel " + channel.level());
        }
        if (registered.putIfAbsent(channel, handler) != null) {
            throw new IllegalStateException("a handler for channel " + channel.level() + " is already registered");
        }
    }

    @Override
    public void onConnected(Runnable listener) {
        connectListeners.add(listener);
    }

    @Override
    public void start() {
        if (!startOnce.compareAndSet(false, true)) {
            return;
        }
        Map<Channel, MessageHandler> fixed = new EnumMap<>(Channel.class);
        fixed.putAll(registered);
        handlers = Collections.unmodifiableMap(fixed);
        try {
            client = newClient();
        } catch (MqttException e) {
            throw new IllegalStateException("cannot create the MQTT client for " + url + ": " + e.getMessage(), e);
        }
        PahoConnect.start(client, options(), error -> retry(0, error), this::brokerReceives);
    }

    private MqttAsyncClient newClient() throws MqttException {
        MqttAsyncClient fresh = new MqttAsyncClient(url, clientId, new MemoryPersistence());
        fresh.setCallback(new Callback(fresh));
        return fresh;
    }

    /**
     * Waits up to {@code millis} for the first connection and its subscriptions (a message an edge
     * sends before the shared subscriptions exist would reach no one); true when both are in place.
     */
    public boolean awaitConnected(long millis) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(millis);
        while (true) {
            // taken before looking, so a connection made meanwhile completes it
            CompletableFuture<Void> connection = nextConnection.get();
            if (ready()) {
                return true;
            }
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                return false;
            }
            CompletableFuture<?> change =
                    subscribed.isDone() ? connection : CompletableFuture.anyOf(connection, subscribed);
            try {
                change.get(left, TimeUnit.NANOSECONDS);
            } catch (TimeoutException e) {
                return ready();
            } catch (ExecutionException e) {
                throw new IllegalStateException("waiting for the MQTT connection failed", e.getCause());
            }
        }
    }

    /** Connected, and the first subscriptions acknowledged. */
    private boolean ready() {
        return subscribed.isDone() && connected();
    }

    private MqttConnectionOptions options() {
        MqttConnectionOptions options = new MqttConnectionOptions();
        options.setUserName(username);
        options.setPassword(password);
        options.setCleanStart(false);
        options.setSessionExpiryInterval(shared ? SHARED_SESSION_EXPIRY_SECONDS : SESSION_EXPIRY_SECONDS);
        options.setKeepAliveInterval(30);
        options.setConnectionTimeout(10);
        options.setAutomaticReconnect(false); // reconnect() does, with a fresh client
        options.setReceiveMaximum(100);
        NoDelaySockets.forUrl(url).ifPresent(options::setSocketFactory);
        if (url.startsWith("ssl://") && pinnedTls.isPresent()) {
            options.setSocketFactory(pinnedTls.get().getSocketFactory());
            options.setHttpsHostnameVerificationEnabled(false);
        }
        return options;
    }

    /** Connects again with a fresh client (the last one is dropped with what it held); on the scheduler. */
    private void connect(int attempt) {
        if (closed) {
            return;
        }
        MqttAsyncClient old = client;
        MqttAsyncClient fresh;
        try {
            fresh = newClient();
        } catch (MqttException e) {
            retry(attempt, e);
            return;
        }
        client = fresh;
        retire(old);
        if (closed) { // closed meanwhile: close() may have looked at the old client only
            retire(fresh);
            return;
        }
        PahoConnect.start(fresh, options(), error -> retry(attempt, error), this::brokerReceives);
    }

    /** Ends {@code old}'s connection, if any, without a DISCONNECT packet, and frees its threads. */
    private static void retire(MqttAsyncClient old) {
        try {
            old.disconnectForcibly(0, 1_000, false);
        } catch (MqttException | RuntimeException e) {
            LOG.log(Level.FINE, "dropping the last MQTT connection", e);
        }
        try {
            old.close(true);
        } catch (MqttException | RuntimeException e) {
            LOG.log(Level.FINE, "closing the last MQTT client", e);
        }
    }

    /** The publish window now: at most this many publishes handed to Paho and not yet answered (tests). */
    CompletionStage<Integer> publishWindow() {
        return window.inFlightLimit();
    }

    /** The broker's receive maximum, from its CONNACK: the publish window follows it, up to {@value #MAX_IN_FLIGHT}. */
    private void brokerReceives(int receiveMaximum) {
        int limit = Math.min(MAX_IN_FLIGHT, receiveMaximum);
        LOG.fine("the MQTT broker " + url + " takes " + receiveMaximum + " QoS 1 publishes unacknowledged; the"
                + " publish window is " + limit);
        window.limitInFlight(limit);
    }

    private void retry(int attempt, Throwable error) {
        if (closed) {
            return;
        }
        Duration delay = RECONNECT.delay(attempt, random);
        if (attempt == 0 || attempt % 10 == 0) {
            LOG.warning("cannot connect to the MQTT broker " + url + " as " + username + ": " + error.getMessage()
                    + "; retrying in " + delay.toMillis() + " ms");
        }
        later(delay, () -> connect(attempt + 1));
    }

    /** Runs the task after the delay on the link's scheduler; dropped quietly once the link is closed. */
    private void later(Duration delay, Runnable task) {
        try {
            retries.schedule(task, delay.toNanos(), TimeUnit.NANOSECONDS);
        } catch (RejectedExecutionException e) {
            // closed meanwhile: nothing to do
        }
    }

    @Override
    public boolean connected() {
        MqttAsyncClient current = client;
        return current != null && current.isConnected();
    }

    /** Paho behind the publish window: hands one publish over and turns Paho's answers into verdicts. */
    private final class PahoTransport implements PublishWindow.Transport {
        /** Connected; the first time, once the SUBACK came (or the subscribe request failed). */
        @Override
        public boolean ready() {
            return !closed && (subscribed.isDone() || subscribeFailed) && connected();
        }

        @Override
        public PublishWindow.Handover send(Topic topic, byte[] payload, PublishWindow.Answer answer) {
            MqttMessage message = new MqttMessage(payload);
            message.setQos(topic.channel().qos());
            message.setRetained(topic.channel().retained());
            MqttAsyncClient via = client;
            try {
                via.publish(topic.value(), message, null, new MqttActionListener() {
                    @Override
                    public void onSuccess(IMqttToken token) {
                        PublishException refused = refusal(topic, token.getReasonCodes());
                        if (refused == null) {
                            answer.accepted();
                        } else {
                            answer.failed(refused);
                        }
                    }

                    @Override
                    public void onFailure(IMqttToken token, Throwable error) {
                        PublishException.Reason reason = closing
                                ? PublishException.Reason.CLOSED
                                : via == client && via.isConnected()
                                        ? PublishException.Reason.REFUSED
                                        : PublishException.Reason.CONNECTION_LOST;
                        answer.failed(new PublishException(
                                reason, "publish to " + topic + " failed: " + error.getMessage(), error));
                    }
                });
                return new PublishWindow.Handover.Sent();
            } catch (MqttException e) {
                if (e.getReasonCode() == MqttClientException.REASON_CODE_MAX_INFLIGHT
                        || e.getReasonCode() == MqttClientException.REASON_CODE_CLIENT_NOT_CONNECTED
                        || e.getReasonCode() == MqttClientException.REASON_CODE_CLIENT_CLOSED
                        || e.getReasonCode() == MqttClientException.REASON_CODE_CLIENT_DISCONNECTING) {
                    // not sent: on the next connection (a client retired meanwhile is closed)
                    return new PublishWindow.Handover.Busy();
                }
                return new PublishWindow.Handover.Refused(new PublishException(
                        PublishException.Reason.REFUSED,
                        "publish to " + topic + " refused by the client: " + e.getMessage(),
                        e));
            }
        }
    }

    /** A refusal when the PUBACK carries a reason code of 0x80 or above (e.g. 0x87 not authorized); else null. */
    private static PublishException refusal(Topic topic, int[] codes) {
        for (int i = 0; codes != null && i < codes.length; i++) {
            if (codes[i] >= 0x80) {
                return new PublishException(
                        PublishException.Reason.REFUSED,
                        "the broker refused a publish to " + topic + " (reason code 0x" + Integer.toHexString(codes[i])
                                + ")");
            }
        }
        return null;
    }

    private void subscribe(MqttAsyncClient client) {
        List<MqttSubscription> subscriptions = new ArrayList<>();
        for (Channel channel : handlers.keySet()) {
            subscriptions.add(new MqttSubscription(
                    shared ? TopicFilters.hubShared(SHARE_GROUP, channel) : TopicFilters.hubAll(channel),
                    channel.qos()));
        }
        if (subscriptions.isEmpty()) {
            subscribed.complete(null);
            return;
        }
        if (!shared) {
            // A session kept from a start that subscribed shared would get every message twice.
            try {
                client.unsubscribe(handlers.keySet().stream()
                        .map(channel -> TopicFilters.hubShared(SHARE_GROUP, channel))
                        .toArray(String[]::new));
            } catch (MqttException e) {
                LOG.warning("could not drop the shared subscriptions of an earlier start: " + e.getMessage());
            }
        }
        try {
            client.subscribe(
                    subscriptions.toArray(MqttSubscription[]::new),
                    null,
                    new MqttActionListener() {
                        @Override
                        public void onSuccess(IMqttToken token) {
                            subscribed.complete(null);
                            window.wake();
                            int[] codes = token.getReasonCodes();
                            for (int i = 0; codes != null && i < codes.length; i++) {
                                if (codes[i] >= 0x80) {
                                    LOG.severe("the broker refused the hub's subscription to "
                                            + subscriptions
                                                    .get(Math.min(i, subscriptions.size() - 1))
                                                    .getTopic()
                                            + " (reason code 0x" + Integer.toHexString(codes[i]) + ")");
                                }
                            }
                        }

                        @Override
                        public void onFailure(IMqttToken token, Throwable error) {
                            subscribeFailed(error);
                        }
                    },
                    new MqttProperties());
        } catch (MqttException e) {
            subscribeFailed(e);
        }
    }

    private void subscribeFailed(Throwable error) {
        LOG.severe("cannot subscribe the hub to edge channels: " + error.getMessage());
        subscribeFailed = true;
        window.wake();
    }

    private void dispatch(String topicName, MqttMessage message) {
        Topic topic;
        try {
            topic = Topic.parse(topicName);
        } catch (ProtocolException e) {
            LOG.warning("dropped a message on '" + Ids.printable(topicName) + "': " + e.getMessage());
            return;
        }
        MessageHandler handler = handlers.get(topic.channel());
        if (handler == null) {
            LOG.warning("dropped a message on " + topic + ": the hub does not handle channel "
                    + topic.channel().level());
            return;
        }
        byte[] payload = message.getPayload();
        try {
            lanes.submit(topic.device(), () -> run(handler, topic, payload));
        } catch (RejectedExecutionException e) {
            LOG.log(Level.WARNING, "dropped a message on " + topic + ": the worker refused it", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            LOG.warning("dropped a message on " + topic + ": interrupted while its worker was full");
        }
    }

    private static void run(MessageHandler handler, Topic topic, byte[] payload) {
        try {
            handler.handle(topic, payload);
        } catch (Exception | Error e) {
            LOG.log(Level.WARNING, "the handler for " + topic + " failed; message dropped", e);
        }
    }

    /** One client's callbacks; a retired client's reports about its connection are ignored. */
    private final class Callback implements MqttCallback {
        private final MqttAsyncClient owner;

        Callback(MqttAsyncClient owner) {
            this.owner = owner;
        }

        @Override
        public void disconnected(MqttDisconnectResponse response) {
            if (closed || owner != client) {
                return;
            }
            Duration delay = RECONNECT.delay(0, random);
            LOG.warning("disconnected from the MQTT broker " + url + ": " + response + "; reconnecting in "
                    + delay.toMillis() + " ms");
            later(delay, () -> {
                if (owner == client) {
                    connect(1);
                }
            });
        }

        @Override
        public void mqttErrorOccurred(MqttException exception) {
            LOG.warning("MQTT error: " + exception.getMessage());
        }

        @Override
        public void messageArrived(String topic, MqttMessage message) {
            try {
                dispatch(topic, message);
            } catch (RuntimeException e) {
                LOG.log(Level.WARNING, "dropped a message on '" + Ids.printable(topic) + "'", e);
            }
        }

        @Override
        public void deliveryComplete(IMqttToken token) {}

        @Override
        public void connectComplete(boolean reconnect, String serverUri) {
            if (owner != client) {
                return;
            }
            LOG.info((connections.getAndIncrement() > 0 ? "reconnected" : "connected") + " to the MQTT broker "
                    + serverUri + " as " + username + " (client " + clientId + ")");
            subscribe(owner);
            nextConnection.getAndSet(new CompletableFuture<>()).complete(null);
            window.wake();
            for (Runnable listener : connectListeners) {
                try {
                    listener.run();
                } catch (RuntimeException e) {
                    LOG.log(Level.WARNING, "an MQTT connection listener failed", e);
                }
            }
        }

        @Override
        public void authPacketArrived(int reasonCode, MqttProperties properties) {}
    }

    /**
     * Stops publishing: new publishes fail at once; what is queued or in flight gets up to
     * {@value #DRAIN_MILLIS} ms, while the link is connected, to be accepted by the broker. Then it
     * disconnects, and every publish still unanswered fails ({@link PublishException.Reason#CLOSED}).
     */
    @Override
    public void close() {
        if (!closeOnce.compareAndSet(false, true)) {
            return;
        }
        closing = true;
        window.close();
        drain();
        closed = true;
        retries.shutdownNow();
        MqttAsyncClient current = client;
        if (current != null) {
            try {
                if (current.isConnected()) {
                    // A member of a shared subscription leaves it with its session: the broker would
                    // otherwise go on giving it its share of the edges' messages until the session expired.
                    MqttProperties leave = new MqttProperties();
                    if (shared) {
                        leave.setSessionExpiryInterval(0L);
                    }
                    current.disconnect(2000, null, null, 0, leave).waitForCompletion(3000);
                }
            } catch (MqttException | RuntimeException e) {
                LOG.log(Level.FINE, "MQTT disconnect", e);
            }
            try {
                current.close(true);
            } catch (MqttException | RuntimeException e) {
                LOG.log(Level.FINE, "MQTT close", e);
            }
        }
        awaitQuietly(window.abandon(), "failing the publishes left");
        sender.shutdown();
        lanes.close(CLOSE_WAIT);
    }

    /** Waits, while connected and for at most {@link #drainMillis} ms, until every publish is answered. */
    private void drain() {
        if (!startOnce.get()) {
            return;
        }
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(drainMillis);
        CompletableFuture<Void> empty = window.whenEmpty();
        while (!empty.isDone() && connected()) {
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                break;
            }
            try {
                // wakes when all are answered, and at least every 100 ms to notice a lost connection
                empty.get(Math.min(left, TimeUnit.MILLISECONDS.toNanos(100)), TimeUnit.NANOSECONDS);
            } catch (TimeoutException e) {
                // look at the connection again
            } catch (ExecutionException e) {
                break;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        int left = window.unsettled();
        if (left > 0) {
            LOG.warning("closing the MQTT link to " + url + " with " + left + " publishes the broker has not accepted"
                    + " (connected: " + connected() + "); they fail, and what sync had sent is published again"
                    + " after the next start");
        }
    }

    private static void awaitQuietly(CompletableFuture<Void> done, String what) {
        try {
            done.get(CLOSE_WAIT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException | ExecutionException e) {
            LOG.warning("closing the MQTT link: " + what + " did not finish: " + e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
