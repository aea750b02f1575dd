package dev.gatehouse.hub.sync;

import dev.gatehouse.protocol.topic.Topic;

/**
 * Where sync and commands publish to the edges: the hub's MQTT link ({@code MqttLink::publish}).
 * Must never block long and never throw because the broker is down.
 */
@FunctionalInterface
public interface EdgeLink {
    void publish(Topic topic, byte[] payload);
}
