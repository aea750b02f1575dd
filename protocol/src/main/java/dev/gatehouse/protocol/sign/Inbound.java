package dev.gatehouse.protocol.sign;

import dev.gatehouse.protocol.ProtocolError;
import dev.gatehouse.protocol.ProtocolException;
import dev.gatehouse.protocol.codec.MessageCodec;
import dev.gatehouse.protocol.message.AccessEvent;
import dev.gatehouse.protocol.message.BookingEvent;
import dev.gatehouse.protocol.message.DeviceState;
import dev.gatehouse.protocol.message.DoorEvent;
import dev.gatehouse.protocol.message.Envelope;
import dev.gatehouse.protocol.message.HubTime;
import dev.gatehouse.protocol.message.KioskEvent;
import dev.gatehouse.protocol.message.SyncRequest;
import dev.gatehouse.protocol.model.ClockStatus;
import dev.gatehouse.protocol.topic.Topic;
import java.nio.charset.StandardCharsets;
import java.time.Instant;

/**
 * Reads a message as received on a topic: signed channels must carry a JWS that verifies against the
 * key set and is addressed to the topic's tenant and site, plain channels plain JSON whose site (and
 * device) are the topic's; the message type must belong on the channel it came on. A signed type
 * arriving on a plain channel, or unsigned on a signed one, is rejected.
 */
public final class Inbound {
    private Inbound() {}

    public static Envelope read(Topic topic, byte[] payload, KeySet keys, Instant now, ClockStatus clock) {
        Envelope envelope;
        if (topic.channel().signed()) {
            if (payload == null || payload.length > Jws.MAX_LENGTH) {
                throw new ProtocolException(ProtocolError.TOO_LARGE, "the signed payload is empty or too large");
            }
            envelope = SignedMessages.verify(
                    new String(payload, StandardCharsets.US_ASCII), keys, topic.tenant(), topic.site(), now, clock);
        } else {
            envelope = MessageCodec.decode(payload);
        }
        if (envelope.type().channel() != topic.channel()) {
            throw new ProtocolException(
                    ProtocolError.BAD_VALUE,
                    envelope.type().wireName() + " does not belong on channel '"
                            + topic.channel().level() + "'; it travels on '"
                            + envelope.type().channel().level() + "'");
        }
        String site =
                switch (envelope.payload()) {
                    case AccessEvent event -> event.site();
                    case DoorEvent event -> event.site();
                    case BookingEvent event -> event.site();
                    case KioskEvent event -> event.site();
                    case SyncRequest request -> request.site();
                    case HubTime time -> {
                        requireSame("device", time.device(), topic.device(), topic);
                        yield time.site();
                    }
                    case DeviceState state -> {
                        requireSame("device", state.device(), topic.device(), topic);
                        yield state.site();
                    }
                    default -> topic.site();
                };
        requireSame("site", site, topic.site(), topic);
        return envelope;
    }

    private static void requireSame(String level, String inPayload, String inTopic, Topic topic) {
        if (!inPayload.equals(inTopic)) {
            throw new ProtocolException(
                    ProtocolError.WRONG_AUDIENCE,
                    "the message names " + level + " '" + inPayload + "' but arrived on " + topic
                            + "; a device speaks only for itself");
        }
    }
}
