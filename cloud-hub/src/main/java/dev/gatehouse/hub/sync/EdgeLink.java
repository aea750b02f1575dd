package dev.gatehouse.hub.sync;

import dev.gatehouse.protocol.topic.Topic;
import java.util.concurrent.CompletionStage;

/**
 * Where sync and commands publish to the edges: the hub's MQTT link ({@code MqttLink::publish}).
 * Must never block long and never throw because the broker is down. The answer completes when the
 * broker has accepted the message, exceptionally when it will not; callers that need no
 * confirmation ignore it.
 */
@FunctionalInterface
public interface EdgeLink {
    CompletionStage<Void> publish(Topic topic, byte[] payload);
}
