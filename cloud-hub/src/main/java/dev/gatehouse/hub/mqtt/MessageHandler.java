package dev.gatehouse.hub.mqtt;

import dev.gatehouse.protocol.topic.Topic;

/** What the hub does with one message an edge sent on one channel. */
@FunctionalInterface
public interface MessageHandler {
    void handle(Topic topic, byte[] payload) throws Exception;
}
