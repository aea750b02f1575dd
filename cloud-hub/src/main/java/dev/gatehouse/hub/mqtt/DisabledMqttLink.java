package dev.gatehouse.hub.mqtt;

import dev.gatehouse.protocol.topic.Channel;
import dev.gatehouse.protocol.topic.Topic;

/** The link of a hub without MQTT ({@code hub.mqtt.enabled: false}): publishes go nowhere. */
public final class DisabledMqttLink implements MqttLink {
    @Override
    public void publish(Topic topic, byte[] payload) {}

    @Override
    public void onMessage(Channel channel, MessageHandler handler) {}

    @Override
    public void start() {}

    @Override
    public boolean connected() {
        return false;
    }

    @Override
    public void close() {}
}
