package dev.gatehouse.hub.console;

import java.time.Instant;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.time.format.FormatStyle;
import java.util.Locale;

/**
 * Dates and times as people read them: in the site's zone (a door in Berlin shows Berlin time, whatever
 * zone the hub or the browser is in) and the page's locale. The zone's short name is shown with the
 * time wherever a page mixes sites.
 */
public final class Formats {
    private Formats() {}

    /** {@code 14:05:09} in the zone. */
    public static String time(Instant at, ZoneId zone, Locale locale) {
        return DateTimeFormatter.ofLocalizedTime(FormatStyle.MEDIUM)
                .withLocale(locale)
                .withZone(zone)
                .format(at);
    }

    /** {@code Dec 4, 2026, 2:05:09 PM CET}: date, time and the zone's short name. */
    public static String dateTime(Instant at, ZoneId zone, Locale locale) {
        return DateTimeFormatter.ofLocalizedDateTime(FormatStyle.MEDIUM)
                        .withLocale(locale)
                        .withZone(zone)
                        .format(at)
                + " "
                + DateTimeFormatter.ofPattern("zzz", locale).withZone(zone).format(at);
    }

    /** The machine-readable form for {@code <time datetime="…">}. */
    public static String iso(Instant at) {
        return DateTimeFormatter.ISO_INSTANT.format(at);
    }
}
