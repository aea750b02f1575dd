package dev.gatehouse.edge.sync;

import static dev.gatehouse.edge.sync.PahoSession.describe;
import static dev.gatehouse.edge.sync.PahoSession.message;
import static dev.gatehouse.edge.sync.PahoSession.refusal;

import dev.gatehouse.edge.config.EdgeConfig;
import dev.gatehouse.protocol.message.Envelope;
import dev.gatehouse.protocol.topic.Channel;
import dev.gatehouse.protocol.topic.Topic;
import java.time.Duration;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;
import java.util.function.Supplier;
import org.eclipse.paho.mqttv5.client.IMqttToken;
import org.eclipse.paho.mqttv5.client.MqttActionListener;
import org.eclipse.paho.mqttv5.client.MqttAsyncClient;
import org.eclipse.paho.mqttv5.client.MqttClientException;
import org.eclipse.paho.mqttv5.common.MqttException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The {@link HubLink} over Paho: publishes on this device's channels with each channel's QoS and
 * retain flag, keeps room in Paho's in-flight window for command acks and the state, retries those
 * when the window is full, and turns Paho's reason codes into outcomes: a refused publish (PUBACK ≥
 * 0x80) is reported to the client (it reconnects), a delivered event lets the next ones go.
 */
final class PahoPublisher implements HubLink {
    private static final Logger log = LoggerFactory.getLogger(PahoPublisher.class);
    /**
     * Events stop being handed to Paho once this many publishes await their PUBACK (brokers allow 10 by
     * default, HiveMQ included), so command acks and the state always find room.
     */
    private static final int WINDOW_RESERVE_AT = 8;
    /** How often a non-event publish is retried while Paho's in-flight window is full. */
    private static final int WINDOW_RETRIES = 100;

    private static final Duration WINDOW_RETRY_AFTER = Duration.ofMillis(50);

    /** The current connection's client (a fresh one per connection). */
    private final Supplier<MqttAsyncClient> client;

    private final EdgeConfig.Site site;
    private final BooleanSupplier connected;
    private final SyncWorker worker;
    private final Runnable eventDelivered;
    private final Consumer<String> refused;

    /**
     * @param connected whether the session is up (publishing is tried only then)
     * @param eventDelivered called when an event's PUBACK freed a slot in the window
     * @param refused called with what the broker refused
     */
    PahoPublisher(
            Supplier<MqttAsyncClient> client,
            EdgeConfig.Site site,
            BooleanSupplier connected,
            SyncWorker worker,
            Runnable eventDelivered,
            Consumer<String> refused) {
        this.client = client;
        this.site = site;
        this.connected = connected;
        this.worker = worker;
        this.eventDelivered = eventDelivered;
        this.refused = refused;
    }

    @Override
    public boolean connected() {
        return connected.getAsBoolean();
    }

    @Override
    public boolean publish(Channel channel, Envelope envelope) {
        return publish(channel, envelope, 0);
    }

    private boolean publish(Channel channel, Envelope envelope, int retry) {
        if (!connected()) {
            return false;
        }
        MqttAsyncClient current = client.get();
        try {
            current.publish(topic(channel).value(), message(channel, envelope), null, new Delivery(channel, current));
            return true;
        } catch (MqttException e) {
            if (e.getReasonCode() == MqttClientException.REASON_CODE_MAX_INFLIGHT) {
                log.debug("MQTT in-flight window full; {} waits", envelope.id());
                if (channel != Channel.EVENTS
                        && retry < WINDOW_RETRIES
                        && !worker.schedule(() -> publish(channel, envelope, retry + 1), WINDOW_RETRY_AFTER)) {
                    log.debug("closing; {} dropped", envelope.id());
                }
            } else {
                log.warn("publish on {} failed: {}", channel.level(), describe(e));
            }
            return false;
        }
    }

    @Override
    public boolean eventWindowFull() {
        return client.get().getInFlightMessageCount() >= WINDOW_RESERVE_AT;
    }

    /** This device's topic on {@code channel}. */
    Topic topic(Channel channel) {
        return Topic.of(site.tenant(), site.id(), site.device(), channel);
    }

    /** What became of one publish. */
    private final class Delivery implements MqttActionListener {
        private final Channel channel;
        /** The client it went out on: a retired one's answers refuse nothing on the current connection. */
        private final MqttAsyncClient via;

        Delivery(Channel channel, MqttAsyncClient via) {
            this.channel = channel;
            this.via = via;
        }

        @Override
        public void onSuccess(IMqttToken token) {
            int[] codes = token.getReasonCodes();
            if (codes != null && codes.length > 0 && refusal(codes[0])) {
                refused(codes[0]);
            } else if (channel == Channel.EVENTS) {
                eventDelivered.run(); // room in Paho's window again: the next events can go
            }
        }

        @Override
        public void onFailure(IMqttToken token, Throwable failure) {
            if (failure instanceof MqttException mqtt && refusal(mqtt.getReasonCode())) {
                refused(mqtt.getReasonCode());
            } else {
                log.debug("publish on {} failed: {}", channel.level(), String.valueOf(failure));
            }
        }

        private void refused(int code) {
            if (via != client.get()) {
                return;
            }
            refused.accept("a publish on " + channel.level() + " (reason 0x" + Integer.toHexString(code) + ")");
        }
    }
}
