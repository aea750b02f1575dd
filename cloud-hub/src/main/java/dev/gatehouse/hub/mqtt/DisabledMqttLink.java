package dev.gatehouse.hub.mqtt;

import dev.gatehouse.protocol.topic.Channel;
import dev.gatehouse.protocol.topic.Topic;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * The link of a hub without MQTT ({@code hub.mqtt.enabled: false}): publishes go nowhere, and say
 * so ({@link PublishException.Reason#DISABLED}); it never connects.
 */
public final class DisabledMqttLink implements MqttLink {
    @Override
    public CompletionStage<Void> publish(Topic topic, byte[] payload) {
        return CompletableFuture.failedFuture(new PublishException(
                PublishException.Reason.DISABLED,
                "MQTT is disabled (hub.mqtt.enabled: false); nothing was published to " + topic));
    }

    @Override
    public void onMessage(Channel channel, MessageHandler handler) {}

    @Override
    public void onConnected(Runnable listener) {}

    @Override
    public void start() {}

    @Override
    public boolean connected() {
        return false;
    }

    @Override
    public void close() {}
}
