package dev.gatehouse.protocol.sign;

import dev.gatehouse.protocol.ProtocolError;
import dev.gatehouse.protocol.ProtocolException;
import dev.gatehouse.protocol.codec.MessageCodec;
import dev.gatehouse.protocol.message.Envelope;
import dev.gatehouse.protocol.topic.Topic;
import java.nio.charset.StandardCharsets;
import java.time.Instant;

/**
 * Reads a message as received on a topic: signed channels must carry a JWS that verifies against the
 * key set, plain channels plain JSON; the message type must belong on the channel it came on. A
 * signed type arriving on a plain channel, or unsigned on a signed one, is rejected.
 */
public final class Inbound {
    private Inbound() {}

    public static Envelope read(Topic topic, byte[] payload, KeySet keys, Instant now) {
        Envelope envelope;
        if (topic.channel().signed()) {
            if (payload == null || payload.length > Jws.MAX_LENGTH) {
                throw new ProtocolException(ProtocolError.TOO_LARGE, "the signed payload is empty or too large");
            }
            envelope = SignedMessages.verify(new String(payload, StandardCharsets.US_ASCII), keys, topic.site(), now);
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
        return envelope;
    }
}
