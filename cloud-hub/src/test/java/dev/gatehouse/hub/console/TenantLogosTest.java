package dev.gatehouse.hub.console;

import static org.assertj.core.api.Assertions.assertThat;

import dev.gatehouse.hub.tenants.BrandColors;
import java.awt.Color;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.util.Base64;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;

/** What a logo must be before the hub keeps it, and which colours keep pages readable. */
class TenantLogosTest {
    private static String png(int width, int height) throws Exception {
        BufferedImage image = new BufferedImage(width, height, BufferedImage.TYPE_INT_ARGB);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ImageIO.write(image, "png", out);
        return "data:image/png;base64," + Base64.getEncoder().encodeToString(out.toByteArray());
    }

    private static String refusal(String submitted) {
        return switch (TenantLogos.check(submitted)) {
            case TenantLogos.Refused refused -> refused.reason();
            case TenantLogos.Accepted accepted -> throw new AssertionError("accepted: " + accepted.contentType());
        };
    }

    @Test
    void aCleanSvgIsKeptAsText() {
        String svg =
                "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 4 4\"><rect width=\"4\" height=\"4\"/></svg>";
        assertThat(TenantLogos.check(svg)).isInstanceOf(TenantLogos.Accepted.class);
        assertThat(((TenantLogos.Accepted) TenantLogos.check(svg)).contentType())
                .isEqualTo("image/svg+xml");
    }

    @Test
    void anSvgWithAScriptAnEventHandlerOrAnOutsideReferenceIsRefused() {
        assertThat(refusal("<svg xmlns=\"http://www.w3.org/2000/svg\"><script>alert(1)</script></svg>"))
                .contains("script");
        assertThat(refusal("<svg xmlns=\"http://www.w3.org/2000/svg\" onload=\"alert(1)\"/>"))
                .contains("onload");
        assertThat(refusal("<svg xmlns=\"http://www.w3.org/2000/svg\" xmlns:xlink=\"http://www.w3.org/1999/xlink\">"
                        + "<image xlink:href=\"https://evil.example/x.png\"/></svg>"))
                .isNotBlank();
        assertThat(refusal("<svg xmlns=\"http://www.w3.org/2000/svg\">" + " ".repeat(TenantLogos.MAX_SVG_CHARS)
                        + "</svg>"))
                .contains("at most");
    }

    @Test
    void aPngIsDecodedAndWrittenAgainSoOnlyPixelsRemain() throws Exception {
        String submitted = png(40, 20);
        TenantLogos.Accepted accepted = (TenantLogos.Accepted) TenantLogos.check(submitted);
        assertThat(accepted.contentType()).isEqualTo("image/png");
        BufferedImage kept =
                ImageIO.read(new ByteArrayInputStream(Base64.getDecoder().decode(accepted.body())));
        assertThat(kept.getWidth()).isEqualTo(40);
        assertThat(kept.getHeight()).isEqualTo(20);
    }

    @Test
    void aPngThatIsTooLargeBrokenOrNotAPngIsRefusedWithWhatToDo() throws Exception {
        assertThat(refusal(png(TenantLogos.MAX_PNG_SIDE + 1, 10))).contains("scale it down");
        assertThat(refusal("data:image/png;base64,%%%")).contains("choose the file again");
        assertThat(refusal("data:image/png;base64," + Base64.getEncoder().encodeToString("GIF89a....".getBytes())))
                .contains("not a PNG");
        assertThat(refusal("data:image/gif;base64,R0lGODlh")).contains("SVG or PNG");
        String truncated = png(40, 20).substring(0, 80);
        assertThat(refusal(truncated)).containsAnyOf("damaged", "broken");
        assertThat(refusal("   ")).contains("choose");
    }

    @Test
    void brandColoursMustCarryWhiteTextAndAccentsMustShowOnWhite() {
        assertThat(BrandColors.contrastWithWhite(Color.BLACK))
                .isCloseTo(21.0, org.assertj.core.data.Offset.offset(0.01));
        assertThat(BrandColors.contrastWithWhite(Color.WHITE))
                .isCloseTo(1.0, org.assertj.core.data.Offset.offset(0.01));
        assertThat(BrandColors.brandProblem("#1f4e79")).isEmpty();
        assertThat(BrandColors.brandProblem("#ff6600"))
                .hasValueSatisfying(p -> assertThat(p).contains("2.9:1"));
        assertThat(BrandColors.accentProblem("#00aa11")).isEmpty(); // 3.1:1 is enough for an outline
        assertThat(BrandColors.accentProblem("#ffee00")).isPresent();
    }
}
