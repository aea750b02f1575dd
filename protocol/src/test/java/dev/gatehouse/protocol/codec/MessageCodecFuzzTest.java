package dev.gatehouse.protocol.codec;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.gatehouse.protocol.ProtocolException;
import dev.gatehouse.protocol.message.Envelope;

/**
 * Fuzz target for {@link MessageCodec#decode(byte[])}: every message an edge or the hub receives
 * passes through it (and, after the signature check, every signed one). The contract: an {@link
 * Envelope} that encodes to canonical bytes which decode to the same envelope, or a {@link
 * ProtocolException} — never another exception, never a hang. The seeds are the golden files, in
 * {@code src/test/resources/dev/gatehouse/protocol/codec/MessageCodecFuzzTestInputs/decode/}.
 */
class MessageCodecFuzzTest {

    @FuzzTest
    void decode(byte[] input) {
        Envelope envelope;
        try {
            envelope = MessageCodec.decode(input);
        } catch (ProtocolException e) {
            return;
        }
        byte[] encoded = MessageCodec.encode(envelope);
        Envelope again = MessageCodec.decode(encoded);
        assertThat(again).isEqualTo(envelope);
        assertThat(MessageCodec.encode(again)).isEqualTo(encoded);
    }
}
