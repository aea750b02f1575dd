package dev.gatehouse.hub.console;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The floor plan check: a plan is shown to every operator of a site, so an uploaded SVG must be
 * able to draw and nothing else. Each hostile sample is refused with a sentence naming what to remove.
 */
class FloorPlanSvgTest {
    private static final String OPEN = "<svg xmlns=\"http://www.w3.org/2000/svg\""
            + " xmlns:xlink=\"http://www.w3.org/1999/xlink\" viewBox=\"0 0 100 60\">";

    @Test
    void aPlainDrawingWithInternalReferencesIsAccepted() {
        String svg = OPEN + "<defs><linearGradient id=\"g\"><stop offset=\"0\" stop-color=\"#eee\"/></linearGradient>"
                + "<rect id=\"room\" width=\"10\" height=\"10\"/></defs>"
                + "<style>.wall { stroke: #333; fill: url(#g); }</style>"
                + "<rect class=\"wall\" x=\"1\" y=\"1\" width=\"98\" height=\"58\"/>"
                + "<use href=\"#room\" x=\"20\"/><use xlink:href=\"#room\" x=\"40\"/>"
                + "<text x=\"5\" y=\"55\">Lobby &amp; desk</text></svg>";
        assertThat(FloorPlanSvg.check(svg)).isEqualTo(new FloorPlanSvg.Clean(svg));
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(
            delimiter = '|',
            quoteCharacter = '"',
            value = {
                "script element       | <script>alert(1)</script>                                    | <script>",
                "namespaced script    | <svg:script xmlns:svg='http://www.w3.org/2000/svg'>x</svg:script> | <script>",
                "event handler        | <rect width='5' height='5' onload='alert(1)'/>                 | event handler",
                "upper-case handler   | <rect width='5' height='5' ONCLICK='alert(1)'/>                | event handler",
                "javascript link      | <a href='javascript:alert(1)'><text>x</text></a>               | javascript:",
                "split javascript     | <a href='java&#x09;script:alert(1)'><text>x</text></a>         | javascript:",
                "external image       | <image href='https://evil.example/x.png' width='5' height='5'/> | outside itself",
                "external xlink use   | <use xlink:href='other.svg#room'/>                             | outside itself",
                "data URL image       | <image href='data:image/svg+xml;base64,PHN2Zz4=' width='5' height='5'/> | outside itself",
                "foreignObject        | <foreignObject width='5' height='5'><p>x</p></foreignObject>   | <foreignObject>",
                "xhtml element        | <div xmlns='http://www.w3.org/1999/xhtml'>x</div>              | outside the SVG namespace",
                "external style url   | <rect style='fill: url(https://evil.example/x)' width='5' height='5'/> | url(",
                "style import         | <style>@import url(#x);</style>                               | @import",
                "stylesheet PI        | <?xml-stylesheet href='https://evil.example/x.css'?>           | processing instruction",
            })
    void hostileContentIsRefusedWithWhatToRemove(String name, String inner, String says) {
        FloorPlanSvg.Checked checked = FloorPlanSvg.check(OPEN + inner + "</svg>");
        assertThat(checked).isInstanceOf(FloorPlanSvg.Refused.class);
        assertThat(((FloorPlanSvg.Refused) checked).reason()).contains(says);
    }

    @Test
    void aDoctypeWithAnExternalEntityIsRefusedBeforeAnythingIsFetched() {
        // XXE: the parser must never resolve the entity; the plan is refused for declaring it at all.
        String svg = "<?xml version=\"1.0\"?><!DOCTYPE svg [<!ENTITY x SYSTEM \"file:///etc/passwd\">]>" + OPEN
                + "<text>&x;</text></svg>";
        assertThat(FloorPlanSvg.check(svg)).isInstanceOf(FloorPlanSvg.Refused.class);
        assertThat(((FloorPlanSvg.Refused) FloorPlanSvg.check(svg)).reason()).contains("DOCTYPE");
    }

    @Test
    void somethingThatIsNotAnSvgIsRefused() {
        assertThat(FloorPlanSvg.check("<html><body>plan</body></html>")).isInstanceOf(FloorPlanSvg.Refused.class);
        assertThat(FloorPlanSvg.check("<svg xmlns=\"http://www.w3.org/2000/svg\"><rect></svg>"))
                .isInstanceOf(FloorPlanSvg.Refused.class);
        assertThat(FloorPlanSvg.check("   ")).isInstanceOf(FloorPlanSvg.Refused.class);
        assertThat(FloorPlanSvg.check(OPEN + "<!--" + "x".repeat(FloorPlanSvg.MAX_CHARS) + "--></svg>"))
                .isInstanceOf(FloorPlanSvg.Refused.class);
    }
}
