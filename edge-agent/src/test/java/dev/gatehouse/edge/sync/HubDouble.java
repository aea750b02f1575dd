package dev.gatehouse.edge.sync;

import com.hivemq.embedded.EmbeddedHiveMQ;
import dev.gatehouse.edge.agent.DemoSite;
import dev.gatehouse.protocol.codec.MessageCodec;
import dev.gatehouse.protocol.message.Envelope;
import dev.gatehouse.protocol.topic.Channel;
import dev.gatehouse.protocol.topic.Topic;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Predicate;
import org.awaitility.Awaitility;
import org.eclipse.paho.mqttv5.client.IMqttToken;
import org.eclipse.paho.mqttv5.client.MqttAsyncClient;
import org.eclipse.paho.mqttv5.client.MqttCallback;
import org.eclipse.paho.mqttv5.client.MqttConnectionOptions;
import org.eclipse.paho.mqttv5.client.MqttDisconnectResponse;
import org.eclipse.paho.mqttv5.client.persist.MemoryPersistence;
import org.eclipse.paho.mqttv5.common.MqttException;
import org.eclipse.paho.mqttv5.common.MqttMessage;
import org.eclipse.paho.mqttv5.common.packet.MqttProperties;

/**
 * An embedded HiveMQ CE broker (anonymous allowed: the hub's authentication is the hub's tests') and a
 * Paho client playing the hub: it records every message edges publish under the demo site and
 * publishes what the hub would (signed batches, acks, commands).
 */
final class HubDouble implements AutoCloseable {
    /** A message an edge published. */
    record Received(Topic topic, Envelope envelope, boolean retained) {}

    private final Path dir;
    final int port;
    private EmbeddedHiveMQ broker;
    private MqttAsyncClient hub;
    final List<Received> received = new CopyOnWriteArrayList<>();

    HubDouble(Path dir) throws Exception {
        this(dir, freePort());
    }

    HubDouble(Path dir, int port) throws Exception {
        this.dir = dir;
        this.port = port;
        startBroker();
        connectHub();
    }

    String url() {
        return "tcp://127.0.0.1:" + port;
    }

    static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }

    void startBroker() throws Exception {
        Path conf = Files.createDirectories(dir.resolve("conf"));
        Files.writeString(conf.resolve("config.xml"), """
                <hivemq><listeners><tcp-listener><port>%d</port><bind-address>127.0.0.1</bind-address>\
                </tcp-listener></listeners><anonymous-usage-statistics><enabled>false</enabled>\
                </anonymous-usage-statistics></hivemq>""".formatted(port));
        broker = EmbeddedHiveMQ.builder()
                .withConfigurationFolder(conf)
                .withDataFolder(Files.createDirectories(dir.resolve("data")))
                .withExtensionsFolder(Files.createDirectories(dir.resolve("extensions")))
                .build();
        broker.start().join();
    }

    void stopBroker() throws Exception {
        if (hub != null) {
            try {
                hub.disconnectForcibly(0, 500, false);
            } catch (MqttException e) {
                // going anyway
            }
            hub.close(true);
            hub = null;
        }
        broker.stop().join();
        broker.close();
        broker = null;
    }

    void connectHub() throws MqttException {
        hub = new MqttAsyncClient(url(), "hub-" + UUID.randomUUID(), new MemoryPersistence());
        hub.setCallback(new MqttCallback() {
            @Override
            public void disconnected(MqttDisconnectResponse response) {}

            @Override
            public void mqttErrorOccurred(MqttException exception) {}

            @Override
            public void messageArrived(String topic, MqttMessage message) {
                Topic parsed = Topic.parse(topic);
                if (parsed.channel().direction() == Channel.Direction.EDGE_TO_HUB) {
                    received.add(new Received(parsed, MessageCodec.decode(message.getPayload()), message.isRetained()));
                }
            }

            @Override
            public void deliveryComplete(IMqttToken token) {}

            @Override
            public void connectComplete(boolean reconnect, String serverURI) {}

            @Override
            public void authPacketArrived(int reasonCode, MqttProperties properties) {}
        });
        MqttConnectionOptions options = new MqttConnectionOptions();
        options.setCleanStart(true);
        hub.connect(options).waitForCompletion(10_000);
        hub.subscribe("gh/v1/#", 1).waitForCompletion(10_000);
    }

    /** Publishes as the hub on {@code device}'s {@code channel}: a JWS for signed channels, JSON otherwise. */
    void publish(String device, Channel channel, String payload) throws MqttException {
        MqttMessage message = new MqttMessage(payload.getBytes(StandardCharsets.UTF_8));
        message.setQos(1);
        hub.publish(Topic.of(DemoSite.TENANT, DemoSite.SITE, device, channel).value(), message)
                .waitForCompletion(10_000);
    }

    void publish(String device, Envelope plain) throws MqttException {
        publish(device, plain.type().channel(), MessageCodec.encodeToString(plain));
    }

    List<Received> from(String device, Channel channel) {
        return received.stream()
                .filter(r -> r.topic().device().equals(device) && r.topic().channel() == channel)
                .toList();
    }

    /** Waits for a message from {@code device} on {@code channel} matching {@code test}. */
    Received await(String device, Channel channel, Predicate<Envelope> test) {
        Optional<Received>[] found = new Optional[] {Optional.empty()};
        Awaitility.await().atMost(Duration.ofSeconds(30)).until(() -> {
            found[0] = from(device, channel).stream()
                    .filter(r -> test.test(r.envelope()))
                    .findFirst();
            return found[0].isPresent();
        });
        return found[0].orElseThrow();
    }

    /** A fresh subscriber's view of the retained message on {@code topic}, if any. */
    Optional<Envelope> retained(Topic topic) throws Exception {
        MqttAsyncClient reader = new MqttAsyncClient(url(), "reader-" + UUID.randomUUID(), new MemoryPersistence());
        List<Envelope> seen = new CopyOnWriteArrayList<>();
        reader.setCallback(new MqttCallback() {
            @Override
            public void disconnected(MqttDisconnectResponse response) {}

            @Override
            public void mqttErrorOccurred(MqttException exception) {}

            @Override
            public void messageArrived(String t, MqttMessage message) {
                if (message.isRetained()) {
                    seen.add(MessageCodec.decode(message.getPayload()));
                }
            }

            @Override
            public void deliveryComplete(IMqttToken token) {}

            @Override
            public void connectComplete(boolean reconnect, String serverURI) {}

            @Override
            public void authPacketArrived(int reasonCode, MqttProperties properties) {}
        });
        try {
            reader.connect().waitForCompletion(10_000);
            reader.subscribe(topic.value(), 1).waitForCompletion(10_000);
            Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> !seen.isEmpty());
            return Optional.of(seen.getFirst());
        } finally {
            reader.disconnect().waitForCompletion(5_000);
            reader.close();
        }
    }

    @Override
    public void close() throws Exception {
        if (broker != null) {
            stopBroker();
        }
    }
}
