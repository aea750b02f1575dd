package dev.gatehouse.protocol.topic;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.gatehouse.protocol.ProtocolError;
import dev.gatehouse.protocol.ProtocolException;

/**
 * Fuzz target for {@link Topic#parse}: every topic name the broker hands the edge or the hub. The
 * contract: a valid {@link Topic} whose text is exactly the input (and parses back to itself), or a
 * {@link ProtocolException} of code {@code BAD_TOPIC} — never another exception. The seeds are in
 * {@code src/test/resources/dev/gatehouse/protocol/topic/TopicFuzzTestInputs/parse/}; a plain test
 * run replays them, {@code ./gatehouse fuzz topic} fuzzes.
 */
class TopicFuzzTest {

    @FuzzTest
    void parse(byte[] input) {
        String text = new String(input, java.nio.charset.StandardCharsets.UTF_8);
        Topic topic;
        try {
            topic = Topic.parse(text);
        } catch (ProtocolException e) {
            assertThat(e.error()).isEqualTo(ProtocolError.BAD_TOPIC);
            return;
        }
        assertThat(topic.value()).isEqualTo(text);
        assertThat(Topic.parse(topic.value())).isEqualTo(topic);
    }
}
