package dev.gatehouse.hub.bookings;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.zone.ZoneOffsetTransition;
import java.time.zone.ZoneRules;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.TreeMap;

/**
 * Writes an RFC 5545 calendar: a VTIMEZONE for each zone its events use (the zone's offsets and
 * daylight-saving changes over the events' span, from the JDK's time-zone rules), then one VEVENT per
 * event with DTSTART and DTEND local in that zone ({@code TZID}). Text is escaped, lines end in CRLF and
 * are folded at 75 octets.
 */
final class ICalendar {
    private static final DateTimeFormatter LOCAL = DateTimeFormatter.ofPattern("uuuuMMdd'T'HHmmss", Locale.ROOT);
    private static final DateTimeFormatter UTC =
            DateTimeFormatter.ofPattern("uuuuMMdd'T'HHmmss'Z'", Locale.ROOT).withZone(ZoneOffset.UTC);
    private static final DateTimeFormatter ZONE_NAME = DateTimeFormatter.ofPattern("zzz", Locale.ENGLISH);
    private static final int LINE_OCTETS = 75;

    private ICalendar() {}

    /** One calendar: its name and its events. */
    record Calendar(String name, List<Event> events) {
        Calendar {
            events = List.copyOf(events);
        }
    }

    /** One event, shown in {@code zone}. */
    record Event(
            String uid,
            String summary,
            Optional<String> location,
            Instant start,
            Instant end,
            ZoneId zone,
            Instant modified,
            boolean tentative) {
        /** A confirmed booking. */
        Event(
                String uid,
                String summary,
                Optional<String> location,
                Instant start,
                Instant end,
                ZoneId zone,
                Instant modified) {
            this(uid, summary, location, start, end, zone, modified, false);
        }
    }

    static String write(Calendar calendar, Instant now) {
        StringBuilder out = new StringBuilder();
        line(out, "BEGIN:VCALENDAR");
        line(out, "VERSION:2.0");
        line(out, "PRODID:-//Gatehouse//Bookings//EN");
        line(out, "CALSCALE:GREGORIAN");
        line(out, "X-WR-CALNAME:" + text(calendar.name()));
        TreeMap<String, Instant[]> spans = new TreeMap<>();
        for (Event event : calendar.events()) {
            spans.merge(event.zone().getId(), new Instant[] {event.start(), event.end()}, (a, b) ->
                    new Instant[] {a[0].isBefore(b[0]) ? a[0] : b[0], a[1].isAfter(b[1]) ? a[1] : b[1]});
        }
        spans.forEach((zone, span) -> timeZone(out, ZoneId.of(zone), span[0], span[1]));
        for (Event event : calendar.events()) {
            line(out, "BEGIN:VEVENT");
            line(out, "UID:" + text(event.uid()));
            line(out, "DTSTAMP:" + UTC.format(now));
            line(out, "DTSTART" + dateTime(event.start(), event.zone()));
            line(out, "DTEND" + dateTime(event.end(), event.zone()));
            line(out, "SUMMARY:" + text(event.summary()));
            event.location().ifPresent(location -> line(out, "LOCATION:" + text(location)));
            // A member's request waiting for approval holds its time, but is not yet confirmed.
            line(out, event.tentative() ? "STATUS:TENTATIVE" : "STATUS:CONFIRMED");
            line(out, "TRANSP:OPAQUE");
            line(out, "LAST-MODIFIED:" + UTC.format(event.modified()));
            line(out, "END:VEVENT");
        }
        line(out, "END:VCALENDAR");
        return out.toString();
    }

    /**
     * {@code ;TZID=zone:local}, or {@code :…Z} in UTC for the second pass of a local time that occurs
     * twice (the autumn change): RFC 5545 reads a repeated local time as its first occurrence.
     */
    private static String dateTime(Instant at, ZoneId zone) {
        LocalDateTime local = LocalDateTime.ofInstant(at, zone);
        List<ZoneOffset> offsets = zone.getRules().getValidOffsets(local);
        if (offsets.size() > 1 && !offsets.getFirst().equals(zone.getRules().getOffset(at))) {
            return ":" + UTC.format(at);
        }
        return ";TZID=" + zone.getId() + ":" + LOCAL.format(local);
    }

    /**
     * The zone's VTIMEZONE over [from, until]: the observance in force at {@code from}, then one per
     * change of offset until {@code until}. Each starts at its local onset in the offset before it.
     */
    private static void timeZone(StringBuilder out, ZoneId zone, Instant from, Instant until) {
        ZoneRules rules = zone.getRules();
        line(out, "BEGIN:VTIMEZONE");
        line(out, "TZID:" + zone.getId());
        ZoneOffsetTransition previous = rules.previousTransition(from);
        ZoneOffset offset = rules.getOffset(from);
        if (previous == null) {
            observance(out, zone, from, LocalDateTime.of(1970, 1, 1, 0, 0), offset, offset);
        } else {
            observance(
                    out,
                    zone,
                    from,
                    previous.getDateTimeBefore(),
                    previous.getOffsetBefore(),
                    previous.getOffsetAfter());
        }
        for (ZoneOffsetTransition change = rules.nextTransition(from);
                change != null && !change.getInstant().isAfter(until);
                change = rules.nextTransition(change.getInstant())) {
            observance(
                    out,
                    zone,
                    change.getInstant(),
                    change.getDateTimeBefore(),
                    change.getOffsetBefore(),
                    change.getOffsetAfter());
        }
        line(out, "END:VTIMEZONE");
    }

    private static void observance(
            StringBuilder out,
            ZoneId zone,
            Instant during,
            LocalDateTime onset,
            ZoneOffset offsetFrom,
            ZoneOffset offsetTo) {
        String kind = zone.getRules().isDaylightSavings(during) ? "DAYLIGHT" : "STANDARD";
        line(out, "BEGIN:" + kind);
        line(out, "DTSTART:" + LOCAL.format(onset));
        line(out, "TZOFFSETFROM:" + offset(offsetFrom));
        line(out, "TZOFFSETTO:" + offset(offsetTo));
        line(out, "TZNAME:" + text(ZONE_NAME.format(during.atZone(zone))));
        line(out, "END:" + kind);
    }

    /** An RFC 5545 UTC offset: {@code +0100}, {@code -0330}, seconds only when there are some. */
    static String offset(ZoneOffset offset) {
        int total = offset.getTotalSeconds();
        int absolute = Math.abs(total);
        String text =
                String.format(Locale.ROOT, "%s%02d%02d", total < 0 ? "-" : "+", absolute / 3600, absolute / 60 % 60);
        return absolute % 60 == 0 ? text : text + String.format(Locale.ROOT, "%02d", absolute % 60);
    }

    /** TEXT escaped: backslash, semicolon, comma and line breaks. */
    static String text(String value) {
        return value.replace("\\", "\\\\")
                .replace(";", "\\;")
                .replace(",", "\\,")
                .replace("\r\n", "\\n")
                .replace("\n", "\\n")
                .replace("\r", "\\n");
    }

    /** Appends a content line, folded so that no line is longer than 75 octets, never inside a character. */
    static void line(StringBuilder out, String content) {
        int octets = 0;
        int limit = LINE_OCTETS;
        for (int i = 0; i < content.length(); ) {
            int codePoint = content.codePointAt(i);
            int size = new String(Character.toChars(codePoint)).getBytes(StandardCharsets.UTF_8).length;
            if (octets + size > limit) {
                out.append("\r\n ");
                octets = 0;
                limit = LINE_OCTETS - 1;
            }
            out.appendCodePoint(codePoint);
            octets += size;
            i += Character.charCount(codePoint);
        }
        out.append("\r\n");
    }
}
