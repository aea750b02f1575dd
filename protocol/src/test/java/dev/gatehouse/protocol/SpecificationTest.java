package dev.gatehouse.protocol;

import static org.assertj.core.api.Assertions.assertThat;

import dev.gatehouse.protocol.codec.Wire;
import dev.gatehouse.protocol.message.MessageType;
import dev.gatehouse.protocol.model.DenyReason;
import dev.gatehouse.protocol.model.GrantBasis;
import dev.gatehouse.protocol.topic.Channel;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * {@code protocol/README.md} is the specification integrators build against; it must not drift from
 * the code. Each golden file appears verbatim under its marker, and every channel, message type,
 * deny reason and grant basis is documented with the sentence the code uses.
 */
class SpecificationTest {
    private static final Path SPEC = Path.of("README.md");
    private static final Path GOLDEN = Path.of("src/test/resources/golden");

    private static String spec() throws IOException {
        return Files.readString(SPEC, StandardCharsets.UTF_8);
    }

    @Test
    void everyGoldenFileIsShownVerbatimInTheSpecification() throws IOException {
        String spec = spec();
        List<Path> files;
        try (Stream<Path> list = Files.list(GOLDEN)) {
            files = list.filter(file -> file.toString().endsWith(".json"))
                    .sorted()
                    .toList();
        }
        assertThat(files).hasSizeGreaterThanOrEqualTo(MessageType.values().length);
        for (Path file : files) {
            String body = Files.readString(file, StandardCharsets.UTF_8).stripTrailing();
            String block = "<!-- golden:" + file.getFileName() + " -->\n```json\n" + body + "\n```";
            assertThat(spec)
                    .as(
                            "README.md must show %s verbatim after its marker; paste the file's content",
                            file.getFileName())
                    .contains(block);
        }
    }

    @Test
    void everyChannelAndMessageTypeIsDocumented() throws IOException {
        String spec = spec();
        for (Channel channel : Channel.values()) {
            String qos = String.valueOf(channel.qos());
            String retained = channel.retained() ? "**yes**" : "no";
            assertThat(spec)
                    .as("topic table row for %s", channel)
                    .containsPattern("\\| `" + channel.level() + "` \\| [^|]+ \\| " + qos + " \\| "
                            + java.util.regex.Pattern.quote(retained) + " \\|");
        }
        for (MessageType type : MessageType.values()) {
            assertThat(spec).as("message type %s", type).contains("| `" + type.wireName() + "` |");
        }
    }

    @Test
    void everyReasonIsDocumentedWithTheSentenceOperatorsSee() throws IOException {
        String spec = spec();
        for (DenyReason reason : DenyReason.values()) {
            assertThat(spec).contains("| `" + reason.name() + "` | " + reason.sentence() + " |");
        }
        for (GrantBasis basis : GrantBasis.values()) {
            assertThat(spec).contains("| `" + basis.name() + "` | " + basis.sentence() + " |");
        }
    }

    @Test
    void everyErrorCodeIsDocumented() throws IOException {
        String spec = spec();
        for (ProtocolError error : ProtocolError.values()) {
            assertThat(spec).contains("| `" + error.name() + "` |");
        }
        assertThat(Wire.name(ProtocolError.WRONG_AUDIENCE)).isEqualTo("wrong-audience");
    }
}
