package dev.gatehouse.hub.mqtt;

import dev.gatehouse.protocol.topic.Channel;
import dev.gatehouse.protocol.topic.Topic;

/** The hub's connection to the MQTT broker: publishes to edges, receives what edges send. */
public interface MqttLink extends AutoCloseable {
    /**
     * Queues a publish with the channel's QoS and retain flag; never blocks the caller, never throws
     * because the broker is down (the queue is bounded; what overflows is logged and dropped — sync,
     * acks and commands are all recoverable by the protocol).
     */
    void publish(Topic topic, byte[] payload);

    /**
     * Registers the handler for an edge-to-hub channel, received through the shared subscription
     * {@code $share/hub/gh/v1/+/+/+/<channel>}. Must be called before {@link #start()}. Handlers run on
     * the link's worker threads; a handler that throws is logged, never kills the link.
     */
    void onMessage(Channel channel, MessageHandler handler);

    void start();

    boolean connected();

    @Override
    void close();
}
