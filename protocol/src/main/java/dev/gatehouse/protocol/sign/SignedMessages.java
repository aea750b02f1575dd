package dev.gatehouse.protocol.sign;

import com.nimbusds.jose.jwk.ECKey;
import dev.gatehouse.protocol.ProtocolError;
import dev.gatehouse.protocol.ProtocolException;
import dev.gatehouse.protocol.codec.MessageCodec;
import dev.gatehouse.protocol.message.Command;
import dev.gatehouse.protocol.message.Envelope;
import dev.gatehouse.protocol.message.SnapshotChunk;
import dev.gatehouse.protocol.message.SyncBatch;
import java.time.Instant;

/**
 * Sync batches, snapshot chunks and commands travel as a compact JWS (ES256, with {@code kid})
 * whose payload is the envelope's JSON. Verification checks the signature, then decodes the
 * envelope strictly, then checks that the type is one the hub signs, that it is addressed to this
 * site and, for commands, that it has not expired.
 */
public final class SignedMessages {
    private SignedMessages() {}

    /** Signs a sync batch, snapshot chunk or command. */
    public static String sign(Envelope envelope, ECKey privateKey) {
        if (!envelope.type().signed()) {
            throw new ProtocolException(
                    ProtocolError.BAD_VALUE,
                    envelope.type().wireName() + " is not a signed message type; send it as plain JSON");
        }
        return Jws.sign(privateKey, MessageCodec.encode(envelope));
    }

    /**
     * Verifies and decodes a signed message for {@code site}, as of {@code now}.
     *
     * @throws ProtocolException with {@code ALGORITHM_NOT_ALLOWED}, {@code UNKNOWN_KEY},
     *     {@code BAD_SIGNATURE}, {@code MALFORMED_TOKEN}, any codec error, {@code WRONG_AUDIENCE}
     *     or {@code EXPIRED}
     */
    public static Envelope verify(String compactJws, KeySet keys, String site, Instant now) {
        Envelope envelope = MessageCodec.decode(Jws.verify(compactJws, keys));
        if (!envelope.type().signed()) {
            throw new ProtocolException(
                    ProtocolError.BAD_VALUE, envelope.type().wireName() + " is not a type the hub signs");
        }
        String addressedTo =
                switch (envelope.payload()) {
                    case SyncBatch batch -> batch.site();
                    case SnapshotChunk chunk -> chunk.site();
                    case Command command -> command.site();
                    default ->
                        throw new ProtocolException(
                                ProtocolError.BAD_VALUE, envelope.type().wireName() + " is not a type the hub signs");
                };
        if (!addressedTo.equals(site)) {
            throw new ProtocolException(
                    ProtocolError.WRONG_AUDIENCE,
                    "the " + envelope.type().wireName() + " is addressed to site '" + addressedTo + "', not '" + site
                            + "'");
        }
        if (envelope.payload() instanceof Command command && !now.isBefore(command.expiresAt())) {
            throw new ProtocolException(
                    ProtocolError.EXPIRED,
                    "command " + envelope.id() + " expired at " + command.expiresAt() + " (now " + now
                            + "); it is never executed");
        }
        return envelope;
    }
}
