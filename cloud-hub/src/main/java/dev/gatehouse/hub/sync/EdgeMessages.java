package dev.gatehouse.hub.sync;

import dev.gatehouse.protocol.ProtocolException;
import dev.gatehouse.protocol.message.Envelope;
import dev.gatehouse.protocol.message.Message;
import dev.gatehouse.protocol.model.ClockStatus;
import dev.gatehouse.protocol.sign.Inbound;
import dev.gatehouse.protocol.sign.KeySet;
import dev.gatehouse.protocol.topic.Channel;
import dev.gatehouse.protocol.topic.Topic;
import java.time.Clock;
import java.util.List;
import java.util.Optional;
import java.util.logging.Logger;

/**
 * Reads a plain message an edge published: from an active device the topic names (its tenant slug
 * and site included), on the expected channel, decoded and checked by {@link Inbound#read}.
 * Anything else is logged and answered empty.
 */
public final class EdgeMessages {
    private static final KeySet NO_KEYS = KeySet.of(List.of());

    private EdgeMessages() {}

    /** A message and the device that sent it. */
    /** A checked message, its sender and its envelope id. */
    public record Received<M extends Message>(EdgeDevices.Device device, M message, String id) {}

    public static <M extends Message> Optional<Received<M>> read(
            EdgeDevices devices, Clock clock, Topic topic, byte[] payload, Channel channel, Class<M> type, Logger log) {
        if (topic.channel() != channel) {
            log.warning("a " + channel.level() + " handler got a message on " + topic + "; ignored");
            return Optional.empty();
        }
        Optional<EdgeDevices.Device> device = devices.byTopic(topic);
        if (device.isEmpty()) {
            log.warning(channel.level() + " message on " + topic
                    + " from no active device of that tenant and site; ignored");
            return Optional.empty();
        }
        try {
            Envelope envelope = Inbound.read(topic, payload, NO_KEYS, clock.instant(), ClockStatus.TRUSTED);
            return Optional.of(new Received<>(device.get(), envelope.payloadAs(type), envelope.id()));
        } catch (ProtocolException e) {
            log.warning("malformed " + channel.level() + " message on " + topic + " (" + e.error() + "): "
                    + e.getMessage());
            return Optional.empty();
        }
    }
}
