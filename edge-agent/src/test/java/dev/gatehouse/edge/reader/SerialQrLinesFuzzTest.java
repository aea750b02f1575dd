package dev.gatehouse.edge.reader;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.gatehouse.edge.reader.LineAssembler.Line;
import dev.gatehouse.edge.reader.LineAssembler.Overlong;
import dev.gatehouse.edge.reader.LineAssembler.Scanned;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Optional;

/**
 * Fuzz target for the serial QR scanner's lines ({@link LineAssembler}): whatever bytes the scanner
 * (or noise on its cable) sends, under each {@link LineEnding}. The first input byte picks the line
 * ending and the longest line; the rest is the stream. The contract: no exception; a line is never
 * empty, never longer than the limit and never holds the configured ending; an overlong line is
 * reported once and none of its bytes come out as a line; and with nothing overlong, the lines are
 * exactly the stream cut at the configured ending (a CR before the LF dropped on an LF setting, an LF
 * right after the ending CR dropped on a CR setting).
 */
class SerialQrLinesFuzzTest {

    @FuzzTest
    void lines(byte[] input) {
        if (input.length == 0) {
            return;
        }
        LineEnding ending = LineEnding.values()[(input[0] & 0xFF) % LineEnding.values().length];
        int maxLength = 1 + ((input[0] & 0xFF) >> 2);
        LineAssembler assembler = new LineAssembler(ending, maxLength);
        ByteArrayOutputStream joined = new ByteArrayOutputStream();
        boolean overlong = false;
        for (int i = 1; i < input.length; i++) {
            Optional<Scanned> scanned = assembler.accept(input[i]);
            if (scanned.orElse(null) instanceof Line line) {
                byte[] bytes = line.bytes();
                assertThat(bytes.length).isBetween(1, maxLength);
                assertThat(new String(bytes, StandardCharsets.ISO_8859_1))
                        .doesNotContain(ending == LineEnding.CR ? "\r" : ending == LineEnding.LF ? "\n" : "\r\n");
                joined.writeBytes(bytes);
                joined.write(0);
            } else if (scanned.orElse(null) instanceof Overlong) {
                overlong = true;
            }
        }
        if (!overlong) {
            assertThat(joined.toByteArray()).isEqualTo(expectedLines(input, ending));
        }
        if (assembler.hasPartialLine()) {
            assertThat(assembler.discardPartialLine().bytes()).isPositive();
        }
        assertThat(assembler.hasPartialLine()).isFalse();
    }

    /** The stream cut at the ending, each non-empty line followed by a 0 byte (a model of the contract). */
    private static byte[] expectedLines(byte[] input, LineEnding ending) {
        String stream = new String(input, 1, input.length - 1, StandardCharsets.ISO_8859_1);
        if (ending == LineEnding.CR) {
            stream = stream.replace("\r\n", "\r"); // an LF right after the ending CR is reported, not content
        }
        String separator = ending == LineEnding.CR ? "\r" : ending == LineEnding.LF ? "\n" : "\r\n";
        String[] parts = stream.split(java.util.regex.Pattern.quote(separator), -1);
        StringBuilder out = new StringBuilder();
        for (int i = 0; i < parts.length - 1; i++) { // the last part has no ending yet
            String line = ending == LineEnding.LF && parts[i].endsWith("\r")
                    ? parts[i].substring(0, parts[i].length() - 1)
                    : parts[i];
            if (!line.isEmpty()) {
                out.append(line).append('\0');
            }
        }
        return out.toString().getBytes(StandardCharsets.ISO_8859_1);
    }
}
