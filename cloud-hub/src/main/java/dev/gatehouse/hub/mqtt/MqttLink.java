package dev.gatehouse.hub.mqtt;

import dev.gatehouse.protocol.topic.Channel;
import dev.gatehouse.protocol.topic.Topic;
import java.util.concurrent.CompletionStage;

/** The hub's connection to the MQTT broker: publishes to edges, receives what edges send. */
public interface MqttLink extends AutoCloseable {
    /**
     * Queues a publish with the channel's QoS and retain flag; never blocks the caller, never throws
     * because the broker is down. The answer completes when the broker has accepted the message
     * (its PUBACK, for QoS 1), or exceptionally with a {@link PublishException} when it will not
     * through this link: the bounded queue was full, the broker refused it, the connection was lost
     * while it was in flight, or the link closed first. Sync, acks and commands are all recoverable
     * by the protocol; callers that need no confirmation ignore the answer.
     */
    CompletionStage<Void> publish(Topic topic, byte[] payload);

    /**
     * Registers the handler for an edge-to-hub channel, received through the shared subscription
     * {@code $share/hub/gh/v1/+/+/+/<channel>}. Must be called before {@link #start()}. Handlers run on
     * the link's worker threads; a handler that throws is logged, never kills the link.
     */
    void onMessage(Channel channel, MessageHandler handler);

    /**
     * Registers a listener run after every connection to the broker (the first and each reconnect),
     * for work a lost connection may have left undone (publishes that failed while it was down). It
     * runs on a link thread and must return quickly; one that throws is logged.
     */
    void onConnected(Runnable listener);

    void start();

    boolean connected();

    @Override
    void close();
}
