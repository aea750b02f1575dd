package dev.gatehouse.hub.console;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.gatehouse.hub.accounts.Sessions;
import dev.gatehouse.hub.store.StoreKind;
import dev.gatehouse.hub.testing.Api;
import dev.gatehouse.hub.testing.TestHub;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.DayOfWeek;
import java.time.LocalDate;
import java.time.ZoneId;
import java.time.temporal.TemporalAdjusters;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The new-booking form's "Repeat" over HTTP: a weekly or every-weekday choice becomes a series made
 * by the same store as the API's, and the browser lands on its page; a count of 0 or a last day before
 * the first is a clear message on the form with nothing booked; an occurrence that meets another
 * booking is listed with its time in the site's zone and why, the form keeps what was typed, and
 * nothing is booked. The form still needs its CSRF token and a role that books.
 */
class RepeatBookingFormTest {
    private static final ZoneId BERLIN = ZoneId.of("Europe/Berlin");

    static TestHub hub;

    private TestHub.Tenant tenant;
    private String site;
    private String room;
    private String member;
    private Sessions.Opened desk;
    /** A Monday at least two days ahead. */
    private LocalDate first;

    @BeforeAll
    static void start() {
        hub = TestHub.start(StoreKind.SQLITE);
    }

    @AfterAll
    static void stop() {
        hub.close();
    }

    @BeforeEach
    void tenant() {
        tenant = hub.newTenant("repeat-form");
        site = hub.create(
                "/api/v1/sites",
                tenant.token(),
                "{\"name\":\"Berlin\",\"address\":\"1 Main St\",\"timeZone\":\"Europe/Berlin\"}");
        room = hub.create(
                "/api/v1/sites/" + site + "/resources",
                tenant.token(),
                "{\"name\":\"Room Ada\",\"kind\":\"meeting-room\"}");
        member = hub.create(
                "/api/v1/members", tenant.token(), "{\"email\":\"bea@example.com\",\"fullName\":\"Bea Booker\"}");
        desk = hub.operator(tenant, "front-desk", "[\"" + site + "\"]");
        first = LocalDate.now(BERLIN).plusDays(2).with(TemporalAdjusters.nextOrSame(DayOfWeek.MONDAY));
    }

    @Test
    void aWeeklyRepeatIsMadeAsASeriesAndLeadsToItsPage() {
        Api.Response made = book(form(Map.of("repeat", "weekly", "ends", "count", "count", "4")));

        assertThat(made.status()).as(made.text()).isEqualTo(303);
        String location = made.headers().firstValue("Location").orElseThrow();
        assertThat(location).matches("/console/booking-series/[^?]+\\?notice=booked");
        String seriesId = location.replaceAll(".*/booking-series/([^?]+).*", "$1");
        JsonNode series = hub.api()
                .get("/api/v1/booking-series/" + seriesId, tenant.token())
                .json();
        // On the first day's weekday, at the form's local time, as many as asked.
        assertThat(series.get("rrule").asText()).isEqualTo("FREQ=WEEKLY;BYDAY=MO;COUNT=4");
        assertThat(series.get("memberId").asText()).isEqualTo(member);
        assertThat(recurrences(series))
                .containsExactly(
                        first + "T10:00:00",
                        first.plusWeeks(1) + "T10:00:00",
                        first.plusWeeks(2) + "T10:00:00",
                        first.plusWeeks(3) + "T10:00:00");
        assertThat(page(location)).contains("The repeating booking was made");
        assertThat(hub.api()
                        .get("/api/v1/audit?action=booking-series.create", tenant.token())
                        .text())
                .contains(seriesId);
    }

    @Test
    void everyWeekdayUntilADayBooksMondayToFridayOnly() {
        Api.Response made = book(form(Map.of(
                "repeat",
                "weekdays",
                "ends",
                "until",
                "until",
                first.plusDays(8).toString())));

        assertThat(made.status()).as(made.text()).isEqualTo(303);
        String seriesId =
                made.headers().firstValue("Location").orElseThrow().replaceAll(".*/booking-series/([^?]+).*", "$1");
        JsonNode series = hub.api()
                .get("/api/v1/booking-series/" + seriesId, tenant.token())
                .json();
        // Two weeks' weekdays up to and including the second Tuesday: no weekend, nothing after it.
        assertThat(recurrences(series))
                .containsExactly(
                        first + "T10:00:00",
                        first.plusDays(1) + "T10:00:00",
                        first.plusDays(2) + "T10:00:00",
                        first.plusDays(3) + "T10:00:00",
                        first.plusDays(4) + "T10:00:00",
                        first.plusDays(7) + "T10:00:00",
                        first.plusDays(8) + "T10:00:00");
    }

    @Test
    void aCountOfZeroOrALastDayBeforeTheFirstIsAMessageAndBooksNothing() {
        Api.Response zero = book(form(Map.of("repeat", "weekly", "ends", "count", "count", "0")));
        assertThat(zero.status()).isEqualTo(422);
        assertThat(zero.text())
                .contains("Give the number of occurrences as a whole number from 1 to 500.")
                .containsPattern("id=\"count\"[^>]*value=\"0\"[^>]*aria-invalid=\"true\"")
                .contains("<option value=\"weekly\" selected>");

        Api.Response before = book(form(Map.of(
                "repeat", "daily", "ends", "until", "until", first.minusDays(1).toString())));
        assertThat(before.status()).isEqualTo(422);
        assertThat(before.text())
                .contains("Give the last day as a date on or after the first day.")
                .containsPattern("id=\"until\"[^>]*value=\"" + first.minusDays(1) + "\"[^>]*aria-invalid=\"true\"")
                .containsPattern("id=\"ends-until\"[^>]*checked");

        // Bounded as any series: at most 500 occurrences, within 24 months (the series rule's own words).
        Api.Response tooMany = book(form(Map.of("repeat", "daily", "ends", "count", "count", "501")));
        assertThat(tooMany.status()).isEqualTo(422);
        assertThat(tooMany.text()).contains("Give the number of occurrences as a whole number from 1 to 500.");
        Api.Response tooLong = book(form(Map.of(
                "repeat", "weekly", "ends", "until", "until", first.plusYears(3).toString())));
        assertThat(tooLong.status()).isEqualTo(422);
        assertThat(tooLong.text()).contains("24 months").containsPattern("id=\"until\"[^>]*aria-invalid=\"true\"");

        Api.Response unknown = book(form(Map.of("repeat", "hourly", "ends", "count", "count", "3")));
        assertThat(unknown.status()).isEqualTo(422);
        assertThat(unknown.text()).contains("Choose how the booking repeats.");

        assertThat(bookings()).isEmpty();
    }

    @Test
    void conflictingOccurrencesAreListedWithTheirLocalTimeAndNothingIsBooked() {
        // The third Monday's 10:30–11:30 is booked already.
        String holder = hub.create(
                "/api/v1/bookings",
                tenant.token(),
                "{\"resourceId\":\"" + room + "\",\"memberId\":\"" + member + "\",\"start\":\""
                        + first.plusWeeks(2).atTime(10, 30).atZone(BERLIN).toInstant() + "\",\"end\":\""
                        + first.plusWeeks(2).atTime(11, 30).atZone(BERLIN).toInstant() + "\"}");

        Api.Response refused = book(form(Map.of("repeat", "weekly", "ends", "count", "count", "4")));

        assertThat(refused.status()).isEqualTo(409);
        String page = refused.text();
        assertThat(page).contains("1 of 4 occurrences cannot be booked, so none was booked:");
        String failed = page.substring(page.indexOf("id=\"failed-occurrences\""));
        failed = failed.substring(0, failed.indexOf("</ul>"));
        // The occurrence by its date and time in Berlin, and the booking it meets.
        assertThat(failed)
                .contains(BookingTimes.when(
                        first.plusWeeks(2).atTime(10, 0).atZone(BERLIN).toInstant(),
                        first.plusWeeks(2).atTime(11, 0).atZone(BERLIN).toInstant(),
                        BERLIN,
                        Guard.messages().locale()))
                .contains("meets another booking on Room Ada")
                .contains("href=\"/console/bookings/" + holder + "\"")
                .doesNotContain(first.plusWeeks(1).toString());
        // What was typed stays.
        assertThat(page)
                .contains("<option value=\"weekly\" selected>")
                .containsPattern("id=\"count\"[^>]*value=\"4\"")
                .contains("value=\"" + first + "\"");
        assertThat(bookings()).containsExactly(holder);
    }

    @Test
    void theRepeatNeedsTheFormsTokenAndARoleThatBooks() {
        String body = form(Map.of("repeat", "daily", "ends", "count", "count", "2"));
        Api.Response forged = hub.api()
                .withCookie(
                        "POST",
                        "/console/sites/" + site + "/bookings",
                        "gh_session=" + desk.cookieValue(),
                        Optional.of(body.replace(desk.session().csrfToken(), "wrong")));
        assertThat(forged.status()).isEqualTo(403);

        Sessions.Opened reader = hub.operator(tenant, "read-only", "[]");
        Api.Response read = hub.api()
                .withCookie(
                        "POST",
                        "/console/sites/" + site + "/bookings",
                        "gh_session=" + reader.cookieValue(),
                        Optional.of(body.replace(
                                desk.session().csrfToken(), reader.session().csrfToken())));
        assertThat(read.status()).isEqualTo(403);
        assertThat(bookings()).isEmpty();
    }

    // ---- helpers

    /** The form for Bea in Room Ada, {@link #first} 10:00–11:00, with {@code repeat}'s fields. */
    private String form(Map<String, String> repeat) {
        Map<String, String> fields = new LinkedHashMap<>();
        fields.put("_csrf", desk.session().csrfToken());
        fields.put("resourceId", room);
        fields.put("memberId", member);
        fields.put("memberQuery", "Bea");
        fields.put("title", "Stand-up");
        fields.put("date", first.toString());
        fields.put("from", "10:00");
        fields.put("to", "11:00");
        fields.putAll(repeat);
        return fields.entrySet().stream()
                .map(e -> e.getKey() + "=" + URLEncoder.encode(e.getValue(), StandardCharsets.UTF_8))
                .collect(Collectors.joining("&"));
    }

    private Api.Response book(String body) {
        return hub.api()
                .withCookie(
                        "POST",
                        "/console/sites/" + site + "/bookings",
                        "gh_session=" + desk.cookieValue(),
                        Optional.of(body));
    }

    private String page(String path) {
        Api.Response page = hub.api().withCookie("GET", path, "gh_session=" + desk.cookieValue(), Optional.empty());
        assertThat(page.status()).as(path).isEqualTo(200);
        return page.text();
    }

    private static List<String> recurrences(JsonNode series) {
        List<String> ids = new ArrayList<>();
        series.get("occurrences").forEach(o -> ids.add(o.get("recurrenceId").asText()));
        return ids;
    }

    /** The ids of the site's bookings in the weeks the tests book. */
    private List<String> bookings() {
        JsonNode items = hub.api()
                .get(
                        "/api/v1/sites/" + site + "/bookings?from="
                                + first.minusDays(7).atStartOfDay(BERLIN).toInstant() + "&until="
                                + first.plusDays(40).atStartOfDay(BERLIN).toInstant(),
                        tenant.token())
                .json()
                .get("items");
        List<String> ids = new ArrayList<>();
        items.forEach(b -> ids.add(b.get("id").asText()));
        return ids;
    }
}
