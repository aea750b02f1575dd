package dev.gatehouse.protocol.sign;

import com.nimbusds.jose.jwk.ECKey;
import dev.gatehouse.protocol.ProtocolError;
import dev.gatehouse.protocol.ProtocolException;
import dev.gatehouse.protocol.codec.MessageCodec;
import dev.gatehouse.protocol.message.Command;
import dev.gatehouse.protocol.message.CommandAction;
import dev.gatehouse.protocol.message.Envelope;
import dev.gatehouse.protocol.message.HubTime;
import dev.gatehouse.protocol.message.SnapshotChunk;
import dev.gatehouse.protocol.message.SyncBatch;
import dev.gatehouse.protocol.model.ClockStatus;
import java.time.Instant;

/**
 * Sync batches, snapshot chunks and commands travel as a compact JWS (ES256, with {@code kid})
 * whose payload is the envelope's JSON. Verification checks the signature, then decodes the
 * envelope strictly, then checks that the type is one the hub signs, that it is addressed to this
 * tenant and site and, for commands, that it has not expired by a clock the receiver trusts.
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
     * Verifies and decodes a signed message for {@code tenant}'s {@code site}, as of {@code now} by a
     * clock whose trust is {@code clock}. A command is refused at or after its expiry, and — since
     * an untrusted clock cannot judge expiry, and a replayed old command must not run — refused
     * altogether while the clock is untrusted, unless it is a lockdown (which fails toward security).
     *
     * @throws ProtocolException with {@code ALGORITHM_NOT_ALLOWED}, {@code UNKNOWN_KEY},
     *     {@code BAD_SIGNATURE}, {@code MALFORMED_TOKEN}, any codec error, {@code WRONG_AUDIENCE},
     *     {@code EXPIRED} or {@code CLOCK_UNTRUSTED}
     */
    public static Envelope verify(
            String compactJws, KeySet keys, String tenant, String site, Instant now, ClockStatus clock) {
        Envelope envelope = MessageCodec.decode(Jws.verify(compactJws, keys));
        String type = envelope.type().wireName();
        record Audience(String tenant, String site) {}
        Audience addressed =
                switch (envelope.payload()) {
                    case SyncBatch batch -> new Audience(batch.tenant(), batch.site());
                    case SnapshotChunk chunk -> new Audience(chunk.tenant(), chunk.site());
                    case Command command -> new Audience(command.tenant(), command.site());
                    case HubTime time -> new Audience(time.tenant(), time.site());
                    default ->
                        throw new ProtocolException(ProtocolError.BAD_VALUE, type + " is not a type the hub signs");
                };
        if (!addressed.tenant().equals(tenant) || !addressed.site().equals(site)) {
            throw new ProtocolException(
                    ProtocolError.WRONG_AUDIENCE,
                    "the " + type + " is addressed to " + addressed.tenant() + "/" + addressed.site() + ", not "
                            + tenant + "/" + site);
        }
        if (envelope.payload() instanceof Command command) {
            if (!now.isBefore(command.expiresAt())) {
                throw new ProtocolException(
                        ProtocolError.EXPIRED,
                        "command " + envelope.id() + " expired at " + command.expiresAt() + " (now " + now
                                + "); it is never executed");
            }
            if (clock == ClockStatus.UNTRUSTED && !(command.action() instanceof CommandAction.Lockdown)) {
                throw new ProtocolException(
                        ProtocolError.CLOCK_UNTRUSTED,
                        "command " + envelope.id() + " cannot be judged for expiry or replay while this clock is"
                                + " untrusted; only lockdown is executed until the clock is trusted again");
            }
        }
        return envelope;
    }
}
