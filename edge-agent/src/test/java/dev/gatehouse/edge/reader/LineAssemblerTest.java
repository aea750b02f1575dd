package dev.gatehouse.edge.reader;

import static java.nio.charset.StandardCharsets.US_ASCII;
import static org.assertj.core.api.Assertions.assertThat;

import dev.gatehouse.edge.reader.LineAssembler.Discarded;
import dev.gatehouse.edge.reader.LineAssembler.Line;
import dev.gatehouse.edge.reader.LineAssembler.Overlong;
import dev.gatehouse.edge.reader.LineAssembler.Scanned;
import dev.gatehouse.edge.reader.LineAssembler.StrayLineFeed;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.EnumSource;

/** Line splitting decides where one scanned code ends and the next begins: only at the configured ending. */
class LineAssemblerTest {
    private static List<String> feed(LineAssembler lines, String text) {
        List<String> out = new ArrayList<>();
        for (byte b : text.getBytes(US_ASCII)) {
            lines.accept(b).ifPresent(scanned -> out.add(describe(scanned)));
        }
        return out;
    }

    private static String describe(Scanned scanned) {
        return switch (scanned) {
            case Line line ->
                new String(line.bytes(), US_ASCII).replace("\r", "<CR>").replace("\n", "<LF>")
                        + (line.endedWith() == LineEnding.LF ? "" : " /" + line.endedWith());
            case Overlong overlong -> "overlong " + overlong.limit();
            case StrayLineFeed stray -> "stray LF";
        };
    }

    /** How a scanner set to {@code ending} sends {@code codes}. */
    private static String sent(LineEnding ending, String... codes) {
        String suffix =
                switch (ending) {
                    case CR -> "\r";
                    case LF -> "\n";
                    case CRLF -> "\r\n";
                };
        return String.join(suffix, codes) + suffix;
    }

    @ParameterizedTest(name = "configured {0}, scanner sends {1} → {2}")
    @CsvSource(
            delimiter = '|',
            value = {
                // configured | the scanner's ending | what comes out (lines, faults)
                "CR   | CR   | abc /CR, de /CR",
                "LF   | LF   | abc, de",
                "CRLF | CRLF | abc /CRLF, de /CRLF",
                // a CR LF scanner on a CR or LF setting: the codes are unambiguous, the mismatch is said
                "CR   | CRLF | abc /CR, stray LF, de /CR, stray LF",
                "LF   | CRLF | abc /CRLF, de /CRLF",
                // endings that never come: nothing, the partial-line timeout then speaks
                "CR   | LF   | ''",
                "LF   | CR   | ''",
                "CRLF | CR   | ''",
                "CRLF | LF   | ''",
            })
    void linesEndOnlyAtTheConfiguredEnding(LineEnding configured, LineEnding scanner, String expected) {
        // Why: the configured ending is the one delimiter; anything else is reported, never guessed at.
        LineAssembler lines = new LineAssembler(configured, 64);

        List<String> out = feed(lines, sent(scanner, "abc", "de"));

        assertThat(String.join(", ", out)).isEqualTo(expected);
    }

    @ParameterizedTest
    @EnumSource(
            value = LineEnding.class,
            names = {"CR", "CRLF"})
    void aCodeHoldingLoneLineFeedsIsKeptWhole(LineEnding ending) {
        // Why: a vCard in a QR code breaks its lines with LF; splitting there would read three "codes".
        LineAssembler lines = new LineAssembler(ending, 64);

        List<String> out = feed(lines, sent(ending, "BEGIN:VCARD\nFN:Ada\nEND:VCARD"));

        assertThat(out).containsExactly("BEGIN:VCARD<LF>FN:Ada<LF>END:VCARD /" + ending);
    }

    @Test
    void aCrLfLineIsNotALinePlusAnEmptyOne() {
        // Why: an empty "code" after every scan would be a denied presentation each time.
        LineAssembler lines = new LineAssembler(LineEnding.CRLF, 64);

        assertThat(feed(lines, "abc\r\n\r\nde\r\n")).containsExactly("abc /CRLF", "de /CRLF");
        assertThat(lines.hasPartialLine()).isFalse();
    }

    @ParameterizedTest(name = "configured {0}, scanner sends {1}")
    @CsvSource({"CRLF, LF", "CRLF, CR", "LF, CR", "CR, LF"})
    void stuckBytesSayWhichEndingTheyHold(LineEnding configured, LineEnding scanner) {
        // Why: the technician must learn from the fault which way the scanner is set.
        LineAssembler lines = new LineAssembler(configured, 64);
        feed(lines, sent(scanner, "abc", "de"));

        Discarded discarded = lines.discardPartialLine();

        assertThat(discarded.endingsSeen()).contains(scanner);
        assertThat(discarded.bytes()).isEqualTo(sent(scanner, "abc", "de").length());
    }

    @Test
    void aCodeCutShortHoldsNoEnding() {
        // Why: a code cut off mid-transfer is a different fault from a misconfigured scanner.
        LineAssembler lines = new LineAssembler(LineEnding.CRLF, 64);
        feed(lines, "eyJ");

        assertThat(lines.discardPartialLine()).isEqualTo(new Discarded(3, Optional.empty()));
        assertThat(lines.hasPartialLine()).isFalse();
        assertThat(feed(lines, "next\r\n")).containsExactly("next /CRLF");
    }

    @Nested
    class Limits {
        @ParameterizedTest
        @EnumSource(LineEnding.class)
        void aLineOfExactlyTheLimitIsKept(LineEnding ending) {
            // Why: the limit bounds memory; it must not cut the longest legitimate code, whatever its ending.
            LineAssembler lines = new LineAssembler(ending, 8);

            assertThat(feed(lines, sent(ending, "12345678")))
                    .singleElement()
                    .asString()
                    .startsWith("12345678");
        }

        @ParameterizedTest
        @EnumSource(LineEnding.class)
        void aLongerLineIsReportedOnceAndDroppedUpToItsEnd(LineEnding ending) {
            // Why: the tail of an overlong line must not come out as a shorter "code".
            LineAssembler lines = new LineAssembler(ending, 8);

            List<String> out = feed(lines, sent(ending, "123456789abcdefghij", "ok"));

            assertThat(out).hasSize(2);
            assertThat(out.get(0)).isEqualTo("overlong 8");
            assertThat(out.get(1)).startsWith("ok");
        }

        @Test
        void aCrOnePastTheLimitThatIsNotFollowedByLfIsOverlong() {
            // Why: the CR held back as half of a CR LF must not let a line grow past the limit.
            LineAssembler lines = new LineAssembler(LineEnding.CRLF, 8);

            assertThat(feed(lines, "12345678\rx\r\nok\r\n")).containsExactly("overlong 8", "ok /CRLF");
        }
    }
}
