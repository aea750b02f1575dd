package dev.gatehouse.protocol.sign;

import static dev.gatehouse.protocol.FuzzKeys.DEVICE;
import static dev.gatehouse.protocol.FuzzKeys.KEY;
import static dev.gatehouse.protocol.FuzzKeys.KEYS;
import static dev.gatehouse.protocol.FuzzKeys.NOW;
import static dev.gatehouse.protocol.FuzzKeys.SITE;
import static dev.gatehouse.protocol.FuzzKeys.TENANT;
import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.gatehouse.protocol.ProtocolException;
import dev.gatehouse.protocol.codec.MessageCodec;
import dev.gatehouse.protocol.message.Envelope;
import dev.gatehouse.protocol.model.ClockStatus;
import dev.gatehouse.protocol.topic.Channel;
import dev.gatehouse.protocol.topic.Topic;
import java.nio.charset.StandardCharsets;
import java.util.Optional;

/**
 * Fuzz targets for {@link Inbound#read}: a message as it arrives on a topic, envelope, signature and
 * audience checks included. The contract: an {@link Envelope} of a type that belongs on the channel,
 * addressed to the topic's site, or a {@link ProtocolException} — never another exception.
 *
 * <ul>
 *   <li>{@code signed}: the input is a message that the fuzzer cannot sign, so the target signs it
 *       with the test key ({@link dev.gatehouse.protocol.FuzzKeys}) and reads it on the signed
 *       channel of its type: this reaches the decoder, the audience and the command expiry checks
 *       behind a valid signature. An ES256 sign and verify per input: slow (a few thousand a second).
 *   <li>{@code token}: the input is the compact JWS itself, as a stranger on the broker would send
 *       it: header parsing, algorithm and key checks, base64url and the signature check.
 *   <li>{@code plain}: the input is a plain message on the plain channel of its type (events, state,
 *       acks, sync requests), which the hub ingests from every edge.
 * </ul>
 */
class InboundFuzzTest {

    @FuzzTest
    void signed(byte[] message) {
        String jws = Jws.sign(KEY, message);
        Channel channel = channelOf(message, true);
        ClockStatus clock = message.length % 2 == 0 ? ClockStatus.TRUSTED : ClockStatus.UNTRUSTED;
        read(channel, jws.getBytes(StandardCharsets.US_ASCII), clock);
    }

    @FuzzTest
    void token(byte[] token) {
        read(Channel.SYNC, token, ClockStatus.TRUSTED);
        read(Channel.COMMANDS, token, ClockStatus.UNTRUSTED);
    }

    @FuzzTest
    void plain(byte[] message) {
        read(channelOf(message, false), message, ClockStatus.TRUSTED);
    }

    private static void read(Channel channel, byte[] payload, ClockStatus clock) {
        Topic topic = Topic.of(TENANT, SITE, DEVICE, channel);
        Envelope envelope;
        try {
            envelope = Inbound.read(topic, payload, KEYS, NOW, clock);
        } catch (ProtocolException e) {
            return;
        }
        assertThat(envelope.type().channel()).isEqualTo(channel);
        assertThat(MessageCodec.decode(MessageCodec.encode(envelope))).isEqualTo(envelope);
    }

    /** The channel the message's type travels on, when it decodes; else the first signed or plain one. */
    private static Channel channelOf(byte[] message, boolean signed) {
        Optional<Channel> own;
        try {
            own = Optional.of(MessageCodec.decode(message).type().channel());
        } catch (ProtocolException e) {
            own = Optional.empty();
        }
        return own.filter(channel -> channel.signed() == signed).orElse(signed ? Channel.SYNC : Channel.EVENTS);
    }
}
