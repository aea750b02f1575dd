package dev.gatehouse.hub.tenants;

import java.awt.Color;
import java.util.Locale;
import java.util.Optional;

/**
 * The tenant's colours must keep its pages readable: the console's header and buttons and the member
 * portal carry white text on the brand colour (WCAG AA: contrast at least 4.5:1), and focus outlines
 * are drawn in the accent colour on white (non-text contrast: at least 3:1). Pages and the API refuse
 * the same colours with the same words.
 */
public final class BrandColors {
    public static final double BRAND_MIN_CONTRAST = 4.5;
    public static final double ACCENT_MIN_CONTRAST = 3.0;

    private BrandColors() {}

    /** Why {@code #rrggbb} may not be the brand colour, or empty when it may. */
    public static Optional<String> brandProblem(String color) {
        return problem(color, "brand colour", BRAND_MIN_CONTRAST);
    }

    /** Why {@code #rrggbb} may not be the accent colour, or empty when it may. */
    public static Optional<String> accentProblem(String color) {
        return problem(color, "accent colour", ACCENT_MIN_CONTRAST);
    }

    private static Optional<String> problem(String color, String what, double minimum) {
        double contrast = contrastWithWhite(Color.decode(color));
        if (contrast >= minimum) {
            return Optional.empty();
        }
        return Optional.of(String.format(
                Locale.ROOT,
                "the %s %s is too light for white text and outlines on white (contrast %.1f:1, at least %.1f:1"
                        + " is needed): choose a darker shade",
                what,
                color,
                contrast,
                minimum));
    }

    /** The WCAG 2 contrast ratio of a colour against white, from 1 (white) to 21 (black). */
    public static double contrastWithWhite(Color color) {
        double luminance = 0.2126 * channel(color.getRed())
                + 0.7152 * channel(color.getGreen())
                + 0.0722 * channel(color.getBlue());
        return 1.05 / (luminance + 0.05);
    }

    private static double channel(int value) {
        double c = value / 255.0;
        return c <= 0.03928 ? c / 12.92 : Math.pow((c + 0.055) / 1.055, 2.4);
    }
}
