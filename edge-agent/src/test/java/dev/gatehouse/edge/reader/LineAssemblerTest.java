package dev.gatehouse.edge.reader;

import static java.nio.charset.StandardCharsets.US_ASCII;
import static org.assertj.core.api.Assertions.assertThat;

import dev.gatehouse.edge.reader.LineAssembler.Line;
import dev.gatehouse.edge.reader.LineAssembler.Overlong;
import dev.gatehouse.edge.reader.LineAssembler.Scanned;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Line splitting decides where one scanned code ends and the next begins. */
class LineAssemblerTest {
    private final LineAssembler lines = new LineAssembler(8);

    private List<Object> feed(String text) {
        List<Object> out = new ArrayList<>();
        for (byte b : text.getBytes(US_ASCII)) {
            lines.accept(b).ifPresent(scanned -> out.add(describe(scanned)));
        }
        return out;
    }

    private static Object describe(Scanned scanned) {
        return switch (scanned) {
            case Line line -> new String(line.bytes(), US_ASCII);
            case Overlong overlong -> "overlong " + overlong.limit();
        };
    }

    @ParameterizedTest
    @ValueSource(strings = {"\r", "\n", "\r\n"})
    void eachLineEndingEndsALineAndNoneMakesAnEmptyOne(String ending) {
        // Why: CR LF must not yield a code and then an empty code.
        assertThat(feed("abc" + ending + "de" + ending)).containsExactly("abc", "de");
    }

    @Test
    void aLineOfExactlyTheLimitIsKept() {
        // Why: the limit bounds memory; it must not cut the longest legitimate code.
        assertThat(feed("12345678\r")).containsExactly("12345678");
    }

    @Test
    void aLongerLineIsReportedOnceAndDroppedUpToItsEnd() {
        // Why: the tail of an overlong line must not come out as a shorter "code".
        assertThat(feed("123456789abcdefghij\rok\r")).containsExactly("overlong 8", "ok");
    }

    @Test
    void aPartialLineCanBeDiscarded() {
        // Why: the reader drops a line whose ending never came, so it is not glued to the next code.
        feed("eyJ");
        assertThat(lines.hasPartialLine()).isTrue();

        assertThat(lines.discardPartialLine()).isEqualTo(3);

        assertThat(lines.hasPartialLine()).isFalse();
        assertThat(feed("next\r")).containsExactly("next");
    }
}
