package dev.gatehouse.protocol.message;

import dev.gatehouse.protocol.Ids;
import dev.gatehouse.protocol.model.Checks;
import java.time.Instant;

/**
 * What travels on every topic: protocol version, message type, a unique id, the sender's time and
 * the payload. On the wire: {@code {"v":1,"type":"…","id":"…","time":"…","payload":{…}}}. The id
 * names the message for deduplication: an event's id is the event id, a command's id the command id.
 */
public record Envelope(String id, Instant time, Message payload) {
    /** The protocol version this implementation writes and reads. */
    public static final int VERSION = 1;

    public Envelope {
        Ids.require(id, "envelope id");
        Checks.present(time, "envelope time");
        Checks.present(payload, "envelope payload");
    }

    public MessageType type() {
        return payload.type();
    }

    /** The payload as the expected type, or a {@code ProtocolException} saying what arrived instead. */
    public <M extends Message> M payloadAs(Class<M> expected) {
        if (!expected.isInstance(payload)) {
            throw Checks.bad("expected a " + expected.getSimpleName() + " message but got " + type().wireName());
        }
        return expected.cast(payload);
    }
}
