package dev.gatehouse.edge.sync;

import static dev.gatehouse.edge.sync.PahoSession.describe;
import static dev.gatehouse.edge.sync.PahoSession.message;
import static dev.gatehouse.edge.sync.PahoSession.refusal;

import dev.gatehouse.edge.cache.EdgeCache;
import dev.gatehouse.edge.config.ConfigException;
import dev.gatehouse.edge.config.EdgeConfig;
import dev.gatehouse.edge.config.TrustedCas;
import dev.gatehouse.protocol.retry.Backoff;
import dev.gatehouse.protocol.topic.Channel;
import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.BiFunction;
import java.util.function.Consumer;
import org.eclipse.paho.mqttv5.client.IMqttToken;
import org.eclipse.paho.mqttv5.client.MqttAsyncClient;
import org.eclipse.paho.mqttv5.client.MqttCallback;
import org.eclipse.paho.mqttv5.client.MqttDisconnectResponse;
import org.eclipse.paho.mqttv5.client.persist.MemoryPersistence;
import org.eclipse.paho.mqttv5.common.MqttException;
import org.eclipse.paho.mqttv5.common.MqttMessage;
import org.eclipse.paho.mqttv5.common.packet.MqttProperties;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The hub link over MQTT 5 (Paho {@code MqttAsyncClient}): a persistent session (clean start off,
 * session expiry) whose last will is the retained offline {@code device.state}. On each connect it
 * subscribes to its inbox, then the parts take over: {@link StatePublisher}, {@link SyncRequests},
 * {@link CommandAcks}, {@link OutboxDrain}, publishing through the {@link PahoPublisher}. Inbound
 * messages go to the {@link InboundRouter}. A lost or refused connection is made again after a
 * {@link Backoff} with jitter; {@link PahoSession} sets each session up.
 *
 * <p>Threads: inbound messages are handled on Paho's callback thread (a batch is applied before its
 * PUBACK); connecting, reconnecting, draining, re-publishing and the heartbeats run on the
 * {@link SyncWorker}; Paho's other callbacks hand their work to it. A door never waits for any of it.
 */
public final class PahoSyncClient implements SyncClient {
    private static final Logger log = LoggerFactory.getLogger(PahoSyncClient.class);
    /** How often the outbox and the heartbeats are looked at without being told. */
    private static final Duration TICK = Duration.ofSeconds(1);

    private final EdgeConfig.Site site;
    private final EdgeConfig.Hub hub;
    private final Clock clock;
    private final Backoff backoff;
    private final SyncWorker worker = SyncWorker.ownThread();
    /**
     * This connection's Paho client: a fresh one for every connect (worker only writes it). Paho keeps
     * what was in flight and sends it first on the next connection of the same client — as it was
     * last sent, with a topic alias of the old connection in place of the topic (Paho gives topics
     * aliases on its own when the broker allows them, as Mosquitto and HiveMQ do). The broker must
     * refuse that (MQTT 5 §3.3.2.3.4: Mosquitto says "protocol error" right after the CONNACK, at every
     * attempt), so an edge with an event in flight at a broker restart never came back; the outbox
     * sends what was unacknowledged itself ({@link OutboxDrain#linkUp}).
     */
    private volatile MqttAsyncClient client;
    /** Whether {@link #client} has been used to connect (worker only): the next connect takes a fresh one. */
    private boolean clientUsed;

    private final PahoPublisher publisher;
    private final SyncParts parts;
    private final AtomicBoolean reconnectQueued = new AtomicBoolean();
    private volatile boolean closed;
    private volatile boolean connected;
    private volatile Instant linkSince;
    private int attempt; // worker thread only

    private PahoSyncClient(
            EdgeConfig.Site site, EdgeConfig.Hub hub, Clock clock, BiFunction<HubLink, SyncWorker, SyncParts> wiring) {
        this.site = site;
        this.hub = hub;
        this.clock = clock;
        this.backoff = new Backoff(hub.reconnectMin(), hub.reconnectMax());
        this.linkSince = clock.instant();
        try {
            this.client = newClient();
        } catch (MqttException e) {
            worker.close();
            throw new IllegalArgumentException("hub.mqtt-url " + hub.mqttUrl() + ": " + e.getMessage(), e);
        }
        this.publisher =
                new PahoPublisher(() -> client, site, this::connected, worker, this::eventDelivered, this::refused);
        this.parts = wiring.apply(publisher, worker);
    }

    private MqttAsyncClient newClient() throws MqttException {
        MqttAsyncClient fresh = new MqttAsyncClient(hub.mqttUrl(), site.device(), new MemoryPersistence());
        fresh.setCallback(new Callback(fresh));
        return fresh;
    }

    /**
     * Starts the client: it connects on its own thread (retrying with backoff until {@link #close});
     * returns at once. Commands run on the doors through {@code commands}.
     */
    public static PahoSyncClient start(
            EdgeConfig.Site site,
            EdgeConfig.Hub hub,
            EdgeCache cache,
            Host host,
            Clock clock,
            CommandExecutor commands) {
        Objects.requireNonNull(site, "site");
        Objects.requireNonNull(hub, "hub");
        Objects.requireNonNull(cache, "cache");
        Objects.requireNonNull(host, "host");
        Objects.requireNonNull(clock, "clock");
        Objects.requireNonNull(commands, "commands");
        PahoSyncClient sync = new PahoSyncClient(
                site,
                hub,
                clock,
                (link, worker) ->
                        SyncParts.wire(site, hub, cache, host, commands, link, worker, clock, System::nanoTime));
        sync.worker.execute(sync::connect);
        sync.worker.every(TICK, sync::tick);
        return sync;
    }

    // ------------------------------------------------------------------ SyncClient

    @Override
    public boolean connected() {
        return connected && !closed;
    }

    @Override
    public Duration offlineFor() {
        if (connected) {
            return Duration.ZERO;
        }
        Duration since = Duration.between(linkSince, clock.instant());
        return since.isNegative() ? Duration.ZERO : since;
    }

    @Override
    public LinkStatus linkStatus() {
        return new LinkStatus(
                connected,
                Optional.ofNullable(linkSince),
                parts.batches().lastAppliedSeq(),
                parts.batches().lastAppliedAt(),
                parts.drain().inFlight());
    }

    /** {@inheritDoc} Called on Paho's callback thread. */
    @Override
    public AutoCloseable onApplied(Consumer<Long> listener) {
        return parts.batches().onApplied(listener);
    }

    @Override
    public List<String> problems() {
        return parts.state().problems();
    }

    @Override
    public void stateChanged() {
        parts.state().soon();
    }

    @Override
    public void eventsWaiting() {
        parts.drain().eventsWaiting();
    }

    @Override
    public void dropForTest() {
        worker.execute(this::reconnect);
    }

    // ------------------------------------------------------------------ connecting (worker only)

    private void tick() {
        if (connected) {
            parts.tick();
        }
    }

    private void connect() {
        if (closed || connected) {
            return; // closed, or a connect queued twice: the live connection stays
        }
        if (clientUsed) {
            // The last connection's client is dropped with whatever it still held in flight, and any
            // connect of its that timed out here but went on inside Paho (it would refuse the next one
            // with "connect already in progress" for as long as that socket stays open).
            MqttAsyncClient old = client;
            try {
                client = newClient();
            } catch (MqttException e) {
                log.warn("hub link to {}: {}", hub.mqttUrl(), describe(e));
                reconnect();
                return;
            }
            retire(old);
        }
        clientUsed = true;
        try {
            client.connect(PahoSession.options(
                            hub,
                            site,
                            publisher.topic(Channel.STATE).value(),
                            parts.state().offline()))
                    .waitForCompletion(15_000);
            attempt = 0;
            connected = true;
            linkSince = clock.instant();
            log.info("connected to the hub at {} as {}", hub.mqttUrl(), site.device());
            PahoSession.subscribeInbox(client, site);
            parts.sessionUp();
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
            if (e instanceof MqttException mqtt && refusal(mqtt.getReasonCode())) {
                parts.state().problem("the broker refused this device (" + describe(e) + ")");
            } else if (e instanceof ConfigException) {
                parts.state().problem(e.getMessage());
            } else {
                // A certificate the device does not trust: say which key fixes it, in the log and the status.
                TrustedCas.advice(e, hub.mqttUrl(), hub.caFile(), PahoSession.CA_FILE_KEY)
                        .ifPresent(parts.state()::problem);
            }
            reconnect();
        }
    }

    /** Ends {@code old}'s connection, if any, without a DISCONNECT packet, and frees its threads. */
    private static void retire(MqttAsyncClient old) {
        try {
            old.disconnectForcibly(0, 1_000, false);
        } catch (MqttException | RuntimeException e) {
            log.debug("dropping the last connection: {}", e.toString());
        }
        try {
            old.close(true);
        } catch (MqttException | RuntimeException e) {
            log.debug("closing the last MQTT client: {}", e.toString());
        }
    }

    /** Ends the connection without a DISCONNECT packet where possible, so nothing hangs; then connects again. */
    private void reconnect() {
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
        if (closed || !reconnectQueued.compareAndSet(false, true)) {
            return;
        }
        Duration delay = backoff.delay(attempt, ThreadLocalRandom.current());
        attempt++;
        log.debug("reconnecting in {} ms (attempt {})", delay.toMillis(), attempt);
        if (!worker.schedule(
                () -> {
                    reconnectQueued.set(false);
                    connect();
                },
                delay)) {
            reconnectQueued.set(false);
        }
    }

    /** An event's PUBACK freed a slot in Paho's window: the next events can go. */
    private void eventDelivered() {
        parts.drain().eventsWaiting();
    }

    /** The broker refused a publish: fatal for this connection. */
    private void refused(String what) {
        parts.state().problem("the broker refused " + what + "; reconnecting");
        worker.execute(this::reconnect);
    }

    /** One client's callbacks: what a retired client still reports about its connection is ignored. */
    private final class Callback implements MqttCallback {
        private final MqttAsyncClient owner;

        Callback(MqttAsyncClient owner) {
            this.owner = owner;
        }

        @Override
        public void disconnected(MqttDisconnectResponse response) {
            if (owner != client) {
                return;
            }
            log.warn("hub link lost: {}", response);
            worker.execute(() -> {
                if (owner == client && !owner.isConnected()) { // not a stale report about an earlier connection
                    reconnect();
                }
            });
        }

        @Override
        public void mqttErrorOccurred(MqttException exception) {
            if (owner == client) {
                log.warn("hub link error: {}", describe(exception));
            }
        }

        @Override
        public void messageArrived(String topic, MqttMessage message) {
            parts.router().receive(topic, message.getPayload());
        }

        @Override
        public void deliveryComplete(IMqttToken token) {}

        @Override
        public void connectComplete(boolean reconnect, String serverURI) {}

        @Override
        public void authPacketArrived(int reasonCode, MqttProperties properties) {}
    }

    /** Disconnects cleanly: on a clean stop the broker sends no will, so the agent says it is offline itself. */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        worker.close();
        try {
            if (client.isConnected()) {
                client.publish(
                                publisher.topic(Channel.STATE).value(),
                                message(Channel.STATE, parts.state().offline()))
                        .waitForCompletion(2_000);
                client.disconnect(2_000).waitForCompletion(3_000);
            }
        } catch (MqttException | RuntimeException e) {
            log.debug("disconnecting: {}", e.toString());
        }
        connected = false;
        retire(client);
    }
}
