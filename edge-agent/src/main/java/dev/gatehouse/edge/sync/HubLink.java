package dev.gatehouse.edge.sync;

import dev.gatehouse.protocol.message.Envelope;
import dev.gatehouse.protocol.topic.Channel;

/**
 * What the sync parts need of the MQTT session, and all they know of it: whether it is up, and a
 * way to publish on one of this device's channels. {@link PahoSyncClient} is the implementation.
 */
interface HubLink {
    /** Whether the session is up now. */
    boolean connected();

    /**
     * Hands {@code envelope} to the link on this device's {@code channel}, with the channel's QoS and
     * retain flag; false when it could not be handed over now (the link is down, or its in-flight
     * window is full: a state, request or command ack is then tried again shortly by the link; an event
     * waits for the next drain).
     */
    boolean publish(Channel channel, Envelope envelope);

    /**
     * Whether events should wait for now, leaving the rest of the link's in-flight window to command
     * acks and the state.
     */
    boolean eventWindowFull();
}
