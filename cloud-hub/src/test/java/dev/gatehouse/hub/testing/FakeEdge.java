package dev.gatehouse.hub.testing;

import dev.gatehouse.protocol.topic.Channel;
import dev.gatehouse.protocol.topic.Topic;
import dev.gatehouse.protocol.topic.TopicFilters;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicReference;
import org.eclipse.paho.mqttv5.client.IMqttToken;
import org.eclipse.paho.mqttv5.client.MqttAsyncClient;
import org.eclipse.paho.mqttv5.client.MqttCallback;
import org.eclipse.paho.mqttv5.client.MqttConnectionOptions;
import org.eclipse.paho.mqttv5.client.MqttDisconnectResponse;
import org.eclipse.paho.mqttv5.client.persist.MemoryPersistence;
import org.eclipse.paho.mqttv5.common.MqttException;
import org.eclipse.paho.mqttv5.common.MqttMessage;
import org.eclipse.paho.mqttv5.common.packet.MqttProperties;

/** A real Paho v5 client standing in for an edge agent: connects, publishes, records what it receives. */
public final class FakeEdge implements AutoCloseable {
    /** One message received: topic and payload text. */
    public record Received(String topic, String payload) {}

    private final MqttAsyncClient client;
    private final List<Received> received = new CopyOnWriteArrayList<>();
    private final AtomicReference<MqttDisconnectResponse> disconnect = new AtomicReference<>();

    private FakeEdge(MqttAsyncClient client) {
        this.client = client;
    }

    /** Connects (clean start, no will); throws the broker's refusal as {@link MqttException}. */
    public static FakeEdge connect(String url, String clientId, String user, String password) throws MqttException {
        return connect(url, clientId, user, password, null, null);
    }

    /** Connects with a last will on {@code willTopic}; user or password may be null (anonymous). */
    public static FakeEdge connect(
            String url, String clientId, String user, String password, Topic willTopic, byte[] will)
            throws MqttException {
        MqttAsyncClient client = new MqttAsyncClient(url, clientId, new MemoryPersistence());
        FakeEdge edge = new FakeEdge(client);
        client.setCallback(edge.new Callback());
        MqttConnectionOptions options = new MqttConnectionOptions();
        if (user != null) {
            options.setUserName(user);
        }
        if (password != null) {
            options.setPassword(password.getBytes(StandardCharsets.UTF_8));
        }
        options.setCleanStart(true);
        options.setAutomaticReconnect(false);
        options.setConnectionTimeout(10);
        options.setKeepAliveInterval(2);
        if (willTopic != null) {
            MqttMessage message = new MqttMessage(will);
            message.setQos(1);
            message.setRetained(true);
            options.setWill(willTopic.value(), message);
        }
        try {
            client.connect(options).waitForCompletion(15_000);
        } catch (MqttException e) {
            try {
                client.close(true);
            } catch (MqttException ignored) {
                // already failed
            }
            throw e;
        }
        return edge;
    }

    /** Subscribes to the device's inbox; answers the SUBACK reason codes. */
    public int[] subscribeInbox(String tenant, String site, String device) throws MqttException {
        return subscribe(TopicFilters.edgeInbox(tenant, site, device));
    }

    public int[] subscribe(String filter) throws MqttException {
        IMqttToken token = client.subscribe(filter, 1);
        token.waitForCompletion(15_000);
        return token.getReasonCodes();
    }

    /** Publishes at the channel's QoS and retain flag and waits for the PUBACK; answers its reason codes. */
    public int[] publish(Topic topic, byte[] payload) throws MqttException {
        return publish(
                topic.value(), payload, topic.channel().qos(), topic.channel().retained());
    }

    public int[] publish(String topic, byte[] payload, int qos, boolean retained) throws MqttException {
        MqttMessage message = new MqttMessage(payload);
        message.setQos(qos);
        message.setRetained(retained);
        IMqttToken token = client.publish(topic, message);
        token.waitForCompletion(15_000);
        int[] codes = token.getReasonCodes();
        return codes == null ? new int[] {0} : codes;
    }

    public List<Received> received() {
        return received;
    }

    public List<Received> received(Channel channel) {
        return received.stream()
                .filter(r -> r.topic().endsWith("/" + channel.level()))
                .toList();
    }

    public boolean connected() {
        return client.isConnected();
    }

    /** The broker's DISCONNECT, if it sent one. */
    public MqttDisconnectResponse disconnectResponse() {
        return disconnect.get();
    }

    /** Drops the TCP connection without DISCONNECT, so the broker publishes the last will. */
    public void crash() throws MqttException {
        client.disconnectForcibly(0, 1000, false);
        client.close(true);
    }

    @Override
    public void close() {
        try {
            if (client.isConnected()) {
                client.disconnect().waitForCompletion(5000);
            }
        } catch (MqttException e) {
            // closing anyway
        }
        try {
            client.close(true);
        } catch (MqttException e) {
            // closed
        }
    }

    private final class Callback implements MqttCallback {
        @Override
        public void disconnected(MqttDisconnectResponse response) {
            disconnect.set(response);
        }

        @Override
        public void mqttErrorOccurred(MqttException exception) {}

        @Override
        public void messageArrived(String topic, MqttMessage message) {
            received.add(new Received(topic, new String(message.getPayload(), StandardCharsets.UTF_8)));
        }

        @Override
        public void deliveryComplete(IMqttToken token) {}

        @Override
        public void connectComplete(boolean reconnect, String serverURI) {}

        @Override
        public void authPacketArrived(int reasonCode, MqttProperties properties) {}
    }
}
