package dev.gatehouse.hub.mqtt;

import dev.gatehouse.protocol.Ids;
import dev.gatehouse.protocol.ProtocolException;
import dev.gatehouse.protocol.topic.Channel;
import dev.gatehouse.protocol.topic.Topic;
import dev.gatehouse.protocol.topic.TopicFilters;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.Semaphore;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.logging.Level;
import java.util.logging.Logger;
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
 * backoff, including when the first connect fails. Publishes go through a bounded queue and one
 * sender thread that keeps at most {@value #MAX_IN_FLIGHT} QoS 1 publishes unacknowledged (Paho refuses
 * more than the broker's receive maximum). Each publish's answer completes on the broker's PUBACK,
 * or fails (queue full, refused, connection lost while in flight, link closed): while the broker
 * is away publishes wait in the queue and leave once it is back. {@link #close()} gives what is
 * queued or in flight up to {@value #DRAIN_MILLIS} ms to be accepted before it disconnects, and
 * fails the rest. Received messages run on worker lanes, one per device hash, so one device's
 * messages are handled in order; a handler that throws is logged.
 */
public final class PahoMqttLink implements MqttLink {
    private static final Logger LOG = Logger.getLogger(PahoMqttLink.class.getName());
    /** HiveMQ's default receive maximum is 10; Paho refuses publishes beyond the broker's. */
    static final int MAX_IN_FLIGHT = 10;

    static final int QUEUE_CAPACITY = 10_000;
    /** How long {@link #close()} waits, while connected, for queued and in-flight publishes to be accepted. */
    static final long DRAIN_MILLIS = 5_000;

    /** {@link #DRAIN_MILLIS}; a test that must not depend on the machine's speed gives more. */
    volatile long drainMillis = DRAIN_MILLIS;

    private static final int LANES = 4;
    private static final int LANE_QUEUE = 1_000;
    private static final String SHARE_GROUP = "hub";

    private final String url;
    private final String clientId;
    private final String username;
    private final byte[] password;
    private final Map<Channel, MessageHandler> handlers = new EnumMap<>(Channel.class);
    private final BlockingQueue<Outgoing> outgoing = new ArrayBlockingQueue<>(QUEUE_CAPACITY);
    private final Semaphore inFlight = new Semaphore(MAX_IN_FLIGHT);
    private final Object connectedSignal = new Object();
    /** Every publish queued or in flight whose answer is not yet complete (at most the queue plus the window). */
    private final Set<Outgoing> unsettled = ConcurrentHashMap.newKeySet();

    private final Object drainSignal = new Object();
    private final List<Runnable> connectListeners = new CopyOnWriteArrayList<>();
    private final AtomicBoolean closeOnce = new AtomicBoolean();
    private final AtomicLong dropped = new AtomicLong();
    private final List<ThreadPoolExecutor> lanes = new ArrayList<>();
    private final ScheduledExecutorService retries;
    private MqttAsyncClient client;
    private Thread sender;
    private volatile boolean started;
    /** New publishes are refused; queued and in-flight ones may still be accepted. */
    private volatile boolean closing;
    /** The sender stops, the client disconnects. */
    private volatile boolean closed;
    /** The first SUBACK arrived (or there was nothing to subscribe to). */
    private volatile boolean subscribedOnce;

    /** One publish and its answer (identity matters: it is tracked until settled). */
    private static final class Outgoing {
        final Topic topic;
        final byte[] payload;
        final CompletableFuture<Void> done = new CompletableFuture<>();

        Outgoing(Topic topic, byte[] payload) {
            this.topic = topic;
            this.payload = payload;
        }
    }

    public PahoMqttLink(String url, String clientId, String username, String password) {
        this.url = url;
        this.clientId = clientId;
        this.username = username;
        this.password = password.getBytes(StandardCharsets.UTF_8);
        this.retries = Executors.newSingleThreadScheduledExecutor(r -> daemon(r, "hub-mqtt-connect"));
    }

    @Override
    public CompletionStage<Void> publish(Topic topic, byte[] payload) {
        Outgoing message = new Outgoing(topic, payload.clone());
        if (closing) {
            message.done.completeExceptionally(new PublishException(
                    PublishException.Reason.CLOSED,
                    "the MQTT link to " + url + " is closing; nothing more is published (" + topic + ")"));
            return message.done.minimalCompletionStage();
        }
        unsettled.add(message);
        if (!outgoing.offer(message)) {
            long count = dropped.incrementAndGet();
            if (count == 1 || count % 1000 == 0) {
                LOG.warning("MQTT outgoing queue full (" + QUEUE_CAPACITY + " messages, broker " + url
                        + " connected: " + connected() + "); dropped a publish to " + topic + " (" + count
                        + " dropped so far; the protocol recovers them)");
            }
            settle(
                    message,
                    new PublishException(
                            PublishException.Reason.QUEUE_FULL,
                            "the MQTT outgoing queue is full (" + QUEUE_CAPACITY + " messages); not published to "
                                    + topic));
        }
        return message.done.minimalCompletionStage();
    }

    /**
     * Completes the publish's answer (accepted when {@code error} is null); true only the first time,
     * so a callback Paho repeats (a failure on connection loss, then the PUBACK of its resend) counts
     * once.
     */
    private boolean settle(Outgoing message, PublishException error) {
        boolean first = error == null ? message.done.complete(null) : message.done.completeExceptionally(error);
        if (first) {
            unsettled.remove(message);
            if (closing) {
                synchronized (drainSignal) {
                    drainSignal.notifyAll();
                }
            }
        }
        return first;
    }

    @Override
    public synchronized void onMessage(Channel channel, MessageHandler handler) {
        if (started) {
            throw new IllegalStateException("register MQTT handlers before the link starts");
        }
        if (channel.direction() != Channel.Direction.EDGE_TO_HUB) {
            throw new IllegalArgumentException("the hub does not receive on hub-to-edge channel " + channel.level());
        }
        if (handlers.putIfAbsent(channel, handler) != null) {
            throw new IllegalStateException("a handler for channel " + channel.level() + " is already registered");
        }
    }

    @Override
    public void onConnected(Runnable listener) {
        connectListeners.add(listener);
    }

    @Override
    public synchronized void start() {
        if (started) {
            return;
        }
        started = true;
        for (int i = 0; i < LANES; i++) {
            String name = "hub-mqtt-worker-" + i;
            ThreadPoolExecutor lane = new ThreadPoolExecutor(
                    1,
                    1,
                    0,
                    TimeUnit.MILLISECONDS,
                    new ArrayBlockingQueue<>(LANE_QUEUE),
                    r -> daemon(r, name),
                    // A full lane makes Paho's callback thread wait: back pressure on the broker.
                    new ThreadPoolExecutor.CallerRunsPolicy());
            lanes.add(lane);
        }
        try {
            client = new MqttAsyncClient(url, clientId, new MemoryPersistence());
        } catch (MqttException e) {
            throw new IllegalStateException("cannot create the MQTT client for " + url + ": " + e.getMessage(), e);
        }
        client.setCallback(new Callback());
        sender = daemon(this::send, "hub-mqtt-sender");
        sender.start();
        connect(0);
    }

    /**
     * Waits up to {@code millis} for the first connection and its subscriptions (a message an edge
     * sends before the shared subscriptions exist would reach no one); true when both are in place.
     */
    public boolean awaitConnected(long millis) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(millis);
        synchronized (connectedSignal) {
            while (!connected() || !subscribedOnce) {
                long left = TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime());
                if (left <= 0) {
                    return false;
                }
                connectedSignal.wait(left);
            }
            return true;
        }
    }

    private MqttConnectionOptions options() {
        MqttConnectionOptions options = new MqttConnectionOptions();
        options.setUserName(username);
        options.setPassword(password);
        options.setCleanStart(false);
        options.setSessionExpiryInterval(3600L);
        options.setKeepAliveInterval(30);
        options.setConnectionTimeout(10);
        options.setAutomaticReconnect(true);
        options.setAutomaticReconnectDelay(1, 30);
        options.setReceiveMaximum(100);
        NoDelaySockets.forUrl(url).ifPresent(options::setSocketFactory);
        return options;
    }

    private void connect(int attempt) {
        if (closed) {
            return;
        }
        try {
            client.connect(options(), null, new MqttActionListener() {
                @Override
                public void onSuccess(IMqttToken token) {}

                @Override
                public void onFailure(IMqttToken token, Throwable error) {
                    retry(attempt, error);
                }
            });
        } catch (MqttException e) {
            retry(attempt, e);
        }
    }

    private void retry(int attempt, Throwable error) {
        if (closed) {
            return;
        }
        long delay = Math.min(30_000, 500L << Math.min(attempt, 6));
        if (attempt == 0 || attempt % 10 == 0) {
            LOG.warning("cannot connect to the MQTT broker " + url + " as " + username + ": " + error.getMessage()
                    + "; retrying in " + delay + " ms");
        }
        try {
            retries.schedule(() -> connect(attempt + 1), delay, TimeUnit.MILLISECONDS);
        } catch (java.util.concurrent.RejectedExecutionException e) {
            // closed meanwhile: nothing to retry
        }
    }

    @Override
    public boolean connected() {
        MqttAsyncClient current = client;
        return current != null && current.isConnected();
    }

    /** The sender thread: one publish at a time, within the in-flight limit, only while connected. */
    private void send() {
        while (!closed) {
            Outgoing next;
            try {
                next = outgoing.take();
                inFlight.acquire();
            } catch (InterruptedException e) {
                return;
            }
            boolean handedOver = false;
            while (!closed && !handedOver) {
                try {
                    awaitConnected(1000);
                    if (!connected()) {
                        continue;
                    }
                    MqttMessage message = new MqttMessage(next.payload);
                    message.setQos(next.topic.channel().qos());
                    message.setRetained(next.topic.channel().retained());
                    client.publish(next.topic.value(), message, null, new MqttActionListener() {
                        @Override
                        public void onSuccess(IMqttToken token) {
                            PublishException refused = refusal(next.topic, token.getReasonCodes());
                            if (settle(next, refused)) {
                                inFlight.release();
                                if (refused != null) {
                                    LOG.warning(refused.getMessage());
                                }
                            }
                        }

                        @Override
                        public void onFailure(IMqttToken token, Throwable error) {
                            PublishException.Reason reason = closing
                                    ? PublishException.Reason.CLOSED
                                    : connected()
                                            ? PublishException.Reason.REFUSED
                                            : PublishException.Reason.CONNECTION_LOST;
                            if (settle(
                                    next,
                                    new PublishException(
                                            reason,
                                            "publish to " + next.topic + " failed: " + error.getMessage(),
                                            error))) {
                                inFlight.release();
                                LOG.warning("publish to " + next.topic + " failed: " + error.getMessage());
                            }
                        }
                    });
                    handedOver = true;
                } catch (MqttException e) {
                    if (e.getReasonCode() == MqttClientException.REASON_CODE_MAX_INFLIGHT
                            || e.getReasonCode() == MqttClientException.REASON_CODE_CLIENT_NOT_CONNECTED) {
                        pause();
                    } else {
                        LOG.warning(
                                "publish to " + next.topic + " refused by the client: " + e.getMessage() + "; dropped");
                        settle(
                                next,
                                new PublishException(
                                        PublishException.Reason.REFUSED,
                                        "publish to " + next.topic + " refused by the client: " + e.getMessage(),
                                        e));
                        inFlight.release();
                        handedOver = true;
                    }
                } catch (InterruptedException e) {
                    // closed: close() fails what is left
                    return;
                } catch (RuntimeException e) {
                    LOG.log(Level.WARNING, "publish to " + next.topic + " failed; dropped", e);
                    settle(
                            next,
                            new PublishException(
                                    PublishException.Reason.REFUSED, "publish to " + next.topic + " failed: " + e, e));
                    inFlight.release();
                    handedOver = true;
                }
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

    private static void pause() {
        try {
            Thread.sleep(20);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void subscribe() {
        List<MqttSubscription> subscriptions = new ArrayList<>();
        synchronized (this) {
            for (Channel channel : handlers.keySet()) {
                subscriptions.add(new MqttSubscription(TopicFilters.hubShared(SHARE_GROUP, channel), channel.qos()));
            }
        }
        if (subscriptions.isEmpty()) {
            synchronized (connectedSignal) {
                subscribedOnce = true;
                connectedSignal.notifyAll();
            }
            return;
        }
        try {
            client.subscribe(
                    subscriptions.toArray(MqttSubscription[]::new),
                    null,
                    new MqttActionListener() {
                        @Override
                        public void onSuccess(IMqttToken token) {
                            synchronized (connectedSignal) {
                                subscribedOnce = true;
                                connectedSignal.notifyAll();
                            }
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
                            LOG.severe("cannot subscribe the hub to edge channels: " + error.getMessage());
                        }
                    },
                    new MqttProperties());
        } catch (MqttException e) {
            LOG.severe("cannot subscribe the hub to edge channels: " + e.getMessage());
        }
    }

    private void dispatch(String topicName, MqttMessage message) {
        Topic topic;
        try {
            topic = Topic.parse(topicName);
        } catch (ProtocolException e) {
            LOG.warning("dropped a message on '" + Ids.printable(topicName) + "': " + e.getMessage());
            return;
        }
        MessageHandler handler;
        synchronized (this) {
            handler = handlers.get(topic.channel());
        }
        if (handler == null) {
            LOG.warning("dropped a message on " + topic + ": the hub does not handle channel "
                    + topic.channel().level());
            return;
        }
        byte[] payload = message.getPayload();
        ThreadPoolExecutor lane = lanes.get(Math.floorMod(topic.device().hashCode(), lanes.size()));
        try {
            lane.execute(() -> run(handler, topic, payload));
        } catch (RuntimeException e) {
            LOG.log(Level.WARNING, "dropped a message on " + topic + ": the worker refused it", e);
        }
    }

    private static void run(MessageHandler handler, Topic topic, byte[] payload) {
        try {
            handler.handle(topic, payload);
        } catch (Exception | Error e) {
            LOG.log(Level.WARNING, "the handler for " + topic + " failed; message dropped", e);
        }
    }

    private final class Callback implements MqttCallback {
        @Override
        public void disconnected(MqttDisconnectResponse response) {
            if (!closed) {
                LOG.warning("disconnected from the MQTT broker " + url + ": " + response + "; reconnecting");
            }
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
            LOG.info((reconnect ? "reconnected" : "connected") + " to the MQTT broker " + serverUri + " as " + username
                    + " (client " + clientId + ")");
            subscribe();
            synchronized (connectedSignal) {
                connectedSignal.notifyAll();
            }
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
        drain();
        closed = true;
        retries.shutdownNow();
        if (sender != null) {
            sender.interrupt();
        }
        MqttAsyncClient current = client;
        if (current != null) {
            try {
                if (current.isConnected()) {
                    current.disconnect(2000).waitForCompletion(3000);
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
        outgoing.clear();
        for (Outgoing message : List.copyOf(unsettled)) {
            settle(
                    message,
                    new PublishException(
                            PublishException.Reason.CLOSED,
                            "the MQTT link to " + url + " closed before the broker accepted a publish to "
                                    + message.topic));
        }
        for (ThreadPoolExecutor lane : lanes) {
            lane.shutdown();
        }
        for (ThreadPoolExecutor lane : lanes) {
            try {
                lane.awaitTermination(5, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /** Waits, while connected and for at most {@value #DRAIN_MILLIS} ms, until every publish is answered. */
    private void drain() {
        if (sender == null) {
            return;
        }
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(drainMillis);
        synchronized (drainSignal) {
            while (!unsettled.isEmpty() && connected()) {
                long left = TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime());
                if (left <= 0) {
                    break;
                }
                try {
                    // wakes on every answer, and at least every 100 ms to notice a lost connection
                    drainSignal.wait(Math.min(left, 100));
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    break;
                }
            }
        }
        int left = unsettled.size();
        if (left > 0) {
            LOG.warning("closing the MQTT link to " + url + " with " + left + " publishes the broker has not accepted"
                    + " (connected: " + connected() + "); they fail, and what sync had sent is published again"
                    + " after the next start");
        }
    }

    private static Thread daemon(Runnable task, String name) {
        Thread thread = new Thread(task, name);
        thread.setDaemon(true);
        return thread;
    }
}
