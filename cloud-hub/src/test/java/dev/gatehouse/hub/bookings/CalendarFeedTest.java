package dev.gatehouse.hub.bookings;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.gatehouse.hub.store.StoreKind;
import dev.gatehouse.hub.testing.Api;
import dev.gatehouse.hub.testing.TestHub;
import java.net.URI;
import java.time.DayOfWeek;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneId;
import java.time.temporal.TemporalAdjusters;
import java.util.ArrayList;
import java.util.List;
import net.fortuna.ical4j.model.Calendar;
import net.fortuna.ical4j.model.Component;
import net.fortuna.ical4j.model.Parameter;
import net.fortuna.ical4j.model.Property;
import net.fortuna.ical4j.model.component.VEvent;
import net.fortuna.ical4j.model.component.VTimeZone;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.AfterParameterizedClassInvocation;
import org.junit.jupiter.params.BeforeParameterizedClassInvocation;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * iCalendar feeds on both stores: behind a secret address with no token, parsed cleanly by ical4j with
 * the site's VTIMEZONE; a room's feed says "Booked" and nothing about who, a member's feed shows their
 * own titles; a wrong or rotated address is a 404.
 */
@ParameterizedClass
@EnumSource(StoreKind.class)
class CalendarFeedTest {
    private static final ZoneId BERLIN = ZoneId.of("Europe/Berlin");
    static TestHub hub;

    @org.junit.jupiter.params.Parameter
    StoreKind store;

    private TestHub.Tenant tenant;
    private String room;
    private String ada;
    private String bob;
    private List<String> adaStarts;
    private String bobStart;

    @BeforeParameterizedClassInvocation
    static void start(StoreKind kind) {
        hub = TestHub.start(kind);
    }

    @AfterParameterizedClassInvocation
    static void stop() {
        hub.close();
    }

    @BeforeEach
    void bookings() {
        BookingSite fixture = BookingSite.create(hub, "feeds");
        tenant = fixture.tenant();
        String site = fixture.site();
        room = hub.create(
                "/api/v1/sites/" + site + "/resources",
                tenant.token(),
                "{\"name\":\"Blue room\",\"kind\":\"meeting-room\",\"rules\":{\"maxAdvanceDays\":730}}");
        ada = fixture.member();
        bob = fixture.other();
        LocalDate monday = LocalDate.now(BERLIN).plusWeeks(1).with(TemporalAdjusters.nextOrSame(DayOfWeek.MONDAY));
        Api.Response series = hub.api()
                .post(
                        "/api/v1/booking-series",
                        tenant.token(),
                        "{\"resourceId\":\"" + room + "\",\"memberId\":\"" + ada + "\",\"title\":\"Stand-up; team A,"
                                + " Größe\",\"start\":\"" + monday.atTime(9, 0) + "\",\"durationMinutes\":30,"
                                + "\"rrule\":\"FREQ=WEEKLY;COUNT=52\"}");
        assertThat(series.status()).as(series.toString()).isEqualTo(201);
        adaStarts = new ArrayList<>();
        series.json()
                .get("occurrences")
                .forEach(o -> adaStarts.add(o.get("start").asText()));
        Instant pitch = monday.atTime(14, 0).atZone(BERLIN).toInstant();
        bobStart = pitch.toString();
        Api.Response booked = hub.api()
                .post(
                        "/api/v1/bookings",
                        tenant.token(),
                        "{\"resourceId\":\"" + room + "\",\"memberId\":\"" + bob + "\",\"title\":\"Secret pitch\","
                                + "\"start\":\"" + pitch + "\",\"end\":\"" + pitch.plusSeconds(3600) + "\"}");
        assertThat(booked.status()).as(booked.toString()).isEqualTo(201);
    }

    /** A new secret address for the feed, as the API answers it once. */
    private String rotate(String path) {
        Api.Response made = hub.api().post(path + "/calendar-feed", tenant.token(), "{}");
        assertThat(made.status()).as(made.toString()).isEqualTo(201);
        String url = made.json().get("url").asText();
        assertThat(url).matches("http://127\\.0\\.0\\.1:\\d+/ical/[A-Za-z0-9_-]{43}\\.ics");
        return URI.create(url).getPath();
    }

    /** The feed as a calendar client fetches it: no token. */
    private Api.Response fetch(String path) {
        return hub.api().get(path, null);
    }

    private static Calendar calendar(Api.Response response) throws Exception {
        assertThat(response.status()).as(response.toString()).isEqualTo(200);
        assertThat(response.contentType()).startsWith("text/calendar");
        Calendar calendar = ICalendarTest.parse(response.text());
        assertThat(calendar.validate().hasErrors())
                .as(calendar.validate().toString())
                .isFalse();
        return calendar;
    }

    private static String property(net.fortuna.ical4j.model.PropertyContainer holder, String name) {
        return holder.<Property>getProperty(name).orElseThrow().getValue();
    }

    @Test
    void aRoomsFeedShowsWhenItIsBookedAndNothingAboutWho() throws Exception {
        Api.Response response = fetch(rotate("/api/v1/resources/" + room));
        Calendar calendar = calendar(response);
        VTimeZone zone = calendar.<VTimeZone>getComponent(Component.VTIMEZONE).orElseThrow();
        assertThat(property(zone, Property.TZID)).isEqualTo("Europe/Berlin");
        List<VEvent> events = calendar.getComponents(Component.VEVENT);
        assertThat(events).hasSize(53);
        assertThat(events).allSatisfy(event -> {
            assertThat(property(event, Property.SUMMARY)).isEqualTo("Booked");
            assertThat(event.getStartDate().orElseThrow().<Parameter>getParameter(Parameter.TZID))
                    .map(Parameter::getValue)
                    .contains("Europe/Berlin");
        });
        List<String> starts =
                events.stream().map(e -> ICalendarTest.start(e).toString()).toList();
        List<String> expected = new ArrayList<>(adaStarts);
        expected.add(bobStart);
        assertThat(starts).containsExactlyInAnyOrderElementsOf(expected);
        // Who booked and what for stays private: no names, titles, member or booking ids.
        assertThat(response.text())
                .doesNotContain("Ada")
                .doesNotContain("Bob")
                .doesNotContain("Stand-up")
                .doesNotContain("pitch")
                .doesNotContain(ada)
                .doesNotContain(bob)
                .doesNotContain("bk_");
        assertThat(property(calendar, "X-WR-CALNAME")).contains("Blue room");
    }

    @Test
    void aMembersFeedShowsTheirOwnBookingsWithTitlesAndWhere() throws Exception {
        Calendar calendar = calendar(fetch(rotate("/api/v1/members/" + ada)));
        List<VEvent> events = calendar.getComponents(Component.VEVENT);
        assertThat(events).hasSize(52);
        assertThat(events).allSatisfy(event -> {
            assertThat(property(event, Property.SUMMARY)).isEqualTo("Stand-up; team A, Größe");
            assertThat(property(event, Property.LOCATION)).isEqualTo("Blue room, Berlin Mitte");
            assertThat(ICalendarTest.start(event).atZone(BERLIN).getHour()).isEqualTo(9);
        });
        assertThat(events.stream().map(e -> ICalendarTest.start(e).toString()).toList())
                .containsExactlyElementsOf(adaStarts)
                .doesNotContain(bobStart);
    }

    @Test
    void aWrongOrRotatedAddressFindsNothing() throws Exception {
        String first = rotate("/api/v1/resources/" + room);
        calendar(fetch(first));
        String wrong = first.substring(0, 20) + (first.charAt(20) == 'A' ? 'B' : 'A') + first.substring(21);
        for (String path : List.of(wrong, "/ical/short.ics", first.replace(".ics", ".txt"), "/ical/%2E%2E.ics")) {
            Api.Response response = fetch(path);
            assertThat(response.status()).as(path).isEqualTo(404);
            assertThat(response.json().get("detail").asText()).contains("no calendar feed");
        }
        // A new address replaces the old one at once.
        String second = rotate("/api/v1/resources/" + room);
        assertThat(second).isNotEqualTo(first);
        assertThat(fetch(first).status()).isEqualTo(404);
        calendar(fetch(second));
        // Turned off, it is gone; the member's feed is a separate address.
        String member = rotate("/api/v1/members/" + ada);
        assertThat(hub.api()
                        .delete("/api/v1/resources/" + room + "/calendar-feed", tenant.token())
                        .status())
                .isEqualTo(204);
        assertThat(fetch(second).status()).isEqualTo(404);
        calendar(fetch(member));
        // The audit records the rotation, never the secret.
        JsonNode audit = hub.api()
                .get("/api/v1/audit?action=calendar-feed.rotate", tenant.token())
                .json();
        assertThat(audit.get("items")).hasSize(3);
        assertThat(audit.toString()).doesNotContain(second.substring(6, 49)).doesNotContain(member.substring(6, 49));
    }

    @Test
    void onlyTheTenantsOperatorsMayMakeAnAddress() {
        TestHub.Tenant stranger = hub.newTenant("stranger");
        assertThat(hub.api()
                        .post("/api/v1/resources/" + room + "/calendar-feed", stranger.token(), "{}")
                        .status())
                .isEqualTo(404);
        assertThat(hub.api()
                        .post("/api/v1/members/" + ada + "/calendar-feed", stranger.token(), "{}")
                        .status())
                .isEqualTo(404);
        assertThat(hub.api()
                        .delete("/api/v1/members/" + ada + "/calendar-feed", stranger.token())
                        .status())
                .isEqualTo(404);
        Api.Response token =
                hub.api().post("/api/v1/tokens", tenant.token(), "{\"name\":\"tech\",\"role\":\"technician\"}");
        assertThat(hub.api()
                        .post(
                                "/api/v1/resources/" + room + "/calendar-feed",
                                token.json().get("token").asText(),
                                "{}")
                        .status())
                .isEqualTo(403);
    }
}
