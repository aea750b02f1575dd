package dev.gatehouse.hub.bookings;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.temporal.Temporal;
import java.time.zone.ZoneOffsetTransition;
import java.time.zone.ZoneRules;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Optional;
import net.fortuna.ical4j.data.CalendarBuilder;
import net.fortuna.ical4j.model.Calendar;
import net.fortuna.ical4j.model.Component;
import net.fortuna.ical4j.model.Property;
import net.fortuna.ical4j.model.component.Observance;
import net.fortuna.ical4j.model.component.VEvent;
import net.fortuna.ical4j.model.component.VTimeZone;
import net.fortuna.ical4j.model.property.DtStart;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The feed writer checked by ical4j, a parser calendar clients' servers use: the VTIMEZONE it writes
 * gives the zone's real offsets on both sides of every change, local times that exist twice stay
 * exact, and text survives escaping and folding.
 */
class ICalendarTest {
    private static final Instant NOW = Instant.parse("2027-01-10T12:00:00Z");

    static Calendar parse(String ics) throws Exception {
        return new CalendarBuilder().build(new StringReader(ics));
    }

    static Instant start(VEvent event) {
        DtStart<Temporal> start = event.<Temporal>getStartDate().orElseThrow();
        return Instant.from(start.getDate());
    }

    private static ICalendar.Event event(String summary, Instant start, ZoneId zone) {
        return new ICalendar.Event(
                "x-" + start.toEpochMilli() + "@gatehouse",
                summary,
                Optional.empty(),
                start,
                start.plus(Duration.ofHours(1)),
                zone,
                NOW);
    }

    @ParameterizedTest
    @ValueSource(strings = {"Europe/Berlin", "America/New_York", "Australia/Lord_Howe", "Asia/Kolkata", "UTC"})
    void theTimeZoneWrittenHasEveryChangeOfTheZoneWithItsOffsets(String id) throws Exception {
        // Lord Howe moves by half an hour; Kolkata and UTC never change: one observance each.
        ZoneId zone = ZoneId.of(id);
        ZoneRules rules = zone.getRules();
        List<ICalendar.Event> events = new ArrayList<>();
        for (int week = 0; week < 80; week++) {
            events.add(event("Booked", NOW.plus(Duration.ofDays(7L * week)), zone));
        }
        Instant last = events.getLast().end();
        Calendar calendar = parse(ICalendar.write(new ICalendar.Calendar("Room", events), NOW));
        VTimeZone written =
                calendar.<VTimeZone>getComponent(Component.VTIMEZONE).orElseThrow();
        assertThat(written.<Property>getProperty(Property.TZID).orElseThrow().getValue())
                .isEqualTo(id);

        // RFC 5545 3.6.5: an observance starts at its DTSTART, a local time in its TZOFFSETFROM. Read that
        // way, the observances are the zone's changes between the first event and the last, each with the
        // offsets on either side, after the one in force at the first event.
        List<Instant> onsets = new ArrayList<>();
        for (Observance observance : written.getObservances()) {
            LocalDateTime local = LocalDateTime.parse(
                    observance
                            .<Property>getProperty(Property.DTSTART)
                            .orElseThrow()
                            .getValue(),
                    BASIC);
            ZoneOffset from = offset(observance, Property.TZOFFSETFROM);
            ZoneOffset to = offset(observance, Property.TZOFFSETTO);
            Instant onset = local.toInstant(from);
            onsets.add(onset);
            assertThat(rules.getOffset(onset)).as(id + " after " + onset).isEqualTo(to);
            assertThat(observance.getName())
                    .isEqualTo(rules.isDaylightSavings(onset) ? Observance.DAYLIGHT : Observance.STANDARD);
        }
        List<Instant> changes = new ArrayList<>();
        for (ZoneOffsetTransition change = rules.nextTransition(NOW);
                change != null && change.getInstant().isBefore(last);
                change = rules.nextTransition(change.getInstant())) {
            changes.add(change.getInstant());
        }
        onsets.sort(null); // ical4j groups observances by kind
        assertThat(onsets.subList(1, onsets.size())).containsExactlyElementsOf(changes);
        assertThat(onsets.getFirst()).isBeforeOrEqualTo(NOW);

        // ical4j's own reading agrees away from the hour of a change (in that hour ical4j 4.4.0 is off
        // even with its bundled zones: it compares a local onset with UTC).
        net.fortuna.ical4j.model.TimeZone read = new net.fortuna.ical4j.model.TimeZone(written);
        for (Instant at = NOW; at.isBefore(last); at = at.plus(Duration.ofHours(7))) {
            Instant t = at;
            if (changes.stream().anyMatch(c -> Duration.between(c, t).abs().toHours() < 24)) {
                continue;
            }
            assertThat(read.getOffset(at.toEpochMilli()) / 1000)
                    .as(id + " at " + at)
                    .isEqualTo(rules.getOffset(at).getTotalSeconds());
        }
        List<VEvent> parsed = calendar.getComponents(Component.VEVENT);
        assertThat(parsed)
                .extracting(ICalendarTest::start)
                .containsExactlyElementsOf(
                        events.stream().map(ICalendar.Event::start).toList());
    }

    private static final DateTimeFormatter BASIC = DateTimeFormatter.ofPattern("uuuuMMdd'T'HHmmss");

    private static ZoneOffset offset(Observance observance, String name) {
        String text = observance.<Property>getProperty(name).orElseThrow().getValue();
        return ZoneOffset.of(
                text.substring(0, 3) + ":" + text.substring(3, 5) + (text.length() > 5 ? ":" + text.substring(5) : ""));
    }

    @Test
    void aLocalTimeThatHappensTwiceKeepsItsInstant() throws Exception {
        // 31 October 2027, Berlin: 02:30 happens at 00:30Z (summer time) and again at 01:30Z.
        ZoneId berlin = ZoneId.of("Europe/Berlin");
        Instant first = Instant.parse("2027-10-31T00:30:00Z");
        Instant second = Instant.parse("2027-10-31T01:30:00Z");
        String ics = ICalendar.write(
                new ICalendar.Calendar("Room", List.of(event("a", first, berlin), event("b", second, berlin))), NOW);
        assertThat(ics)
                .contains("DTSTART;TZID=Europe/Berlin:20271031T023000\r\n")
                .contains("DTSTART:20271031T013000Z\r\n");
        List<VEvent> parsed = parse(ics).getComponents(Component.VEVENT);
        assertThat(parsed).extracting(ICalendarTest::start).containsExactly(first, second);
    }

    @Test
    void textIsEscapedAndFoldedAtSeventyFiveOctetsNeverInsideACharacter() throws Exception {
        String title = "Größenplanung; Team A, B & C \\ Raum \"Süd\" — "
                + String.join(" ", Collections.nCopies(20, "Ünïcödé"));
        String ics = ICalendar.write(
                new ICalendar.Calendar(
                        "Räume, alle",
                        List.of(event(title, Instant.parse("2027-02-01T08:00:00Z"), ZoneId.of("Europe/Berlin")))),
                NOW);
        assertThat(ics.split("\r\n")).allSatisfy(line -> assertThat(line.getBytes(StandardCharsets.UTF_8).length)
                .as(line)
                .isLessThanOrEqualTo(75));
        assertThat(ics).contains("\r\n ").doesNotContain("\n\n");
        Calendar calendar = parse(ics);
        VEvent event = calendar.<VEvent>getComponent(Component.VEVENT).orElseThrow();
        assertThat(event.<Property>getProperty(Property.SUMMARY).orElseThrow().getValue())
                .isEqualTo(title);
        assertThat(calendar.<Property>getProperty("X-WR-CALNAME").orElseThrow().getValue())
                .isEqualTo("Räume, alle");
        assertThat(calendar.validate().hasErrors()).isFalse();
    }
}
