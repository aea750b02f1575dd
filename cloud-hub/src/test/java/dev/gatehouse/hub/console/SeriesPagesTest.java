package dev.gatehouse.hub.console;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.gatehouse.hub.accounts.Sessions;
import dev.gatehouse.hub.accounts.WebSession;
import dev.gatehouse.hub.store.StoreKind;
import dev.gatehouse.hub.testing.Api;
import dev.gatehouse.hub.testing.TestHub;
import java.time.Clock;
import java.time.DayOfWeek;
import java.time.LocalDate;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.time.temporal.TemporalAdjusters;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.AfterParameterizedClassInvocation;
import org.junit.jupiter.params.BeforeParameterizedClassInvocation;
import org.junit.jupiter.params.Parameter;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The console's series page over HTTP, on SQLite and PostgreSQL: a weekly series made through the API
 * with one date left out, one skipped over another booking and one cancelled afterwards reads as
 * "Every Tuesday at 10:00–11:00, until …, 3 exceptions", each occurrence in its state (the conflict
 * naming the booking that holds its time); its occurrences link to it; read-only operators see it and
 * cannot cancel it, another site's front desk and another tenant do not find it, and the site's front
 * desk cancels it only with the session's token.
 */
@ParameterizedClass
@EnumSource(StoreKind.class)
class SeriesPagesTest {
    private static final ZoneId BERLIN = ZoneId.of("Europe/Berlin");
    private static final String PASSWORD = "a password for series page tests";

    static TestHub hub;

    @Parameter
    StoreKind store;

    private TestHub.Tenant tenant;
    private String site;
    private String room;
    private String member;
    private LocalDate first;

    @BeforeParameterizedClassInvocation
    static void start(StoreKind kind) {
        hub = TestHub.start(kind);
    }

    @AfterParameterizedClassInvocation
    static void stop() {
        hub.close();
    }

    @BeforeEach
    void tenant() {
        tenant = hub.newTenant("series-pages");
        site = site("Berlin");
        room = hub.create(
                "/api/v1/sites/" + site + "/resources",
                tenant.token(),
                "{\"name\":\"Room Ada\",\"kind\":\"meeting-room\"}");
        member = hub.create(
                "/api/v1/members", tenant.token(), "{\"email\":\"bea@example.com\",\"fullName\":\"Bea Booker\"}");
        first = LocalDate.now(BERLIN).plusDays(2).with(TemporalAdjusters.nextOrSame(DayOfWeek.TUESDAY));
    }

    @Test
    void theSeriesReadsAsItsRuleWithEachOccurrenceInItsState() {
        // The third Tuesday is taken by another booking before the series is made.
        String holder = hub.create(
                "/api/v1/bookings",
                tenant.token(),
                "{\"resourceId\":\"" + room + "\",\"memberId\":\"" + member + "\",\"title\":\"Board\",\"start\":\""
                        + first.plusWeeks(2).atTime(10, 30).atZone(BERLIN).toInstant() + "\",\"end\":\""
                        + first.plusWeeks(2).atTime(11, 30).atZone(BERLIN).toInstant() + "\"}");
        JsonNode series = series();
        String seriesId = series.get("id").asText();
        assertThat(series.get("skipped")).hasSize(1);
        // The fourth is cancelled on its own afterwards.
        String fourth = occurrence(series, first.plusWeeks(3));
        assertThat(hub.api()
                        .post("/api/v1/bookings/" + fourth + "/cancel", tenant.token(), "")
                        .status())
                .isEqualTo(200);

        String page = page(operator("owner", "[]"), "/console/booking-series/" + seriesId);
        assertThat(text(page, "series-rule"))
                .isEqualTo("Every Tuesday at 10:00–11:00, until " + first.plusWeeks(5) + ", 3 exceptions");
        assertThat(state(page, first)).isEqualTo("booked");
        assertThat(state(page, first.plusWeeks(1))).isEqualTo("left-out");
        assertThat(state(page, first.plusWeeks(2))).isEqualTo("conflict");
        assertThat(state(page, first.plusWeeks(3))).isEqualTo("cancelled");
        assertThat(state(page, first.plusWeeks(5))).isEqualTo("booked");
        assertThat(page).contains("href=\"/console/bookings/" + holder + "\" class=\"conflict-with\"");
        assertThat(text(page, "series-summary")).isEqualTo("3 booked · 1 cancelled · 2 left out");
        assertThat(page).contains("id=\"cancel-series-form\"");

        // An occurrence's page leads to its series; a single booking's does not.
        String booked = occurrence(series, first);
        assertThat(page(operator("owner", "[]"), "/console/bookings/" + booked))
                .contains("href=\"/console/booking-series/" + seriesId + "\"");
        assertThat(page(operator("owner", "[]"), "/console/bookings/" + holder))
                .doesNotContain("/console/booking-series/");
    }

    @Test
    void readOnlySeesTheSeriesOtherSitesAndTenantsDoNotAndOnlyTheFrontDeskWithItsTokenCancels() {
        String seriesId = series().get("id").asText();
        String path = "/console/booking-series/" + seriesId;

        Sessions.Opened reader = operator("read-only", "[]");
        assertThat(page(reader, path)).doesNotContain("cancel-series-form");
        assertThat(post(reader, path + "/cancel", true).status()).isEqualTo(403);

        Sessions.Opened elsewhere = operator("front-desk", "[\"" + site("Hamburg") + "\"]");
        Api.Response hidden = get(elsewhere, path);
        assertThat(hidden.status()).isEqualTo(404);
        assertThat(hidden.text()).doesNotContain("Room Ada");
        assertThat(post(elsewhere, path + "/cancel", true).status()).isEqualTo(404);

        TestHub.Tenant other = hub.newTenant("other-series");
        String stranger = hub.create(
                "/api/v1/accounts",
                other.token(),
                "{\"email\":\"owner2@other.example\",\"name\":\"Other\",\"role\":\"owner\",\"sites\":[],"
                        + "\"password\":\"" + PASSWORD + "\"}");
        Sessions.Opened strangerSession = Sessions.operators(hub.hub().database(), Clock.systemUTC())
                .open(other.id(), WebSession.Kind.OPERATOR, stranger, "127.0.0.1", false);
        assertThat(get(strangerSession, path).status()).isEqualTo(404);

        Sessions.Opened desk = operator("front-desk", "[\"" + site + "\"]");
        assertThat(page(desk, path)).contains("id=\"cancel-series-form\"");
        assertThat(post(desk, path + "/cancel", false).status()).isEqualTo(403);
        assertThat(status(seriesId)).isEqualTo("active");
        Api.Response cancelled = post(desk, path + "/cancel", true);
        assertThat(cancelled.status()).isEqualTo(303);
        assertThat(status(seriesId)).isEqualTo("cancelled");
        String after = page(desk, path + "?notice=cancelled");
        assertThat(after).contains("The series was cancelled").doesNotContain("id=\"cancel-series-form\"");
        assertThat(state(after, first)).isEqualTo("cancelled");
        assertThat(hub.api()
                        .get("/api/v1/audit?action=booking-series.cancel", tenant.token())
                        .json()
                        .get("items"))
                .hasSize(1);
    }

    // ---- helpers

    private String site(String name) {
        return hub.create(
                "/api/v1/sites",
                tenant.token(),
                "{\"name\":\"" + name + "\",\"address\":\"1 Main St\",\"timeZone\":\"Europe/Berlin\"}");
    }

    /** Six Tuesdays at 10:00 from {@code first}, the second left out, conflicts skipped. */
    private JsonNode series() {
        String until = first.plusWeeks(5).format(DateTimeFormatter.BASIC_ISO_DATE) + "T120000Z";
        Api.Response made = hub.api()
                .post(
                        "/api/v1/booking-series",
                        tenant.token(),
                        "{\"resourceId\":\"" + room + "\",\"memberId\":\"" + member + "\",\"title\":\"Stand-up\","
                                + "\"start\":\"" + first + "T10:00\",\"durationMinutes\":60,"
                                + "\"rrule\":\"FREQ=WEEKLY;BYDAY=TU;UNTIL=" + until + "\",\"exdates\":[\""
                                + first.plusWeeks(1) + "T10:00\"],\"policy\":\"skip-conflicts\"}");
        assertThat(made.status()).as(made.toString()).isEqualTo(201);
        return made.json();
    }

    private static String occurrence(JsonNode series, LocalDate day) {
        for (JsonNode o : series.get("occurrences")) {
            if (o.get("recurrenceId").asText().startsWith(day.toString())) {
                return o.get("bookingId").asText();
            }
        }
        throw new AssertionError("no occurrence on " + day);
    }

    private String status(String seriesId) {
        return hub.api()
                .get("/api/v1/booking-series/" + seriesId, tenant.token())
                .json()
                .get("status")
                .asText();
    }

    /** An operator of the tenant with {@code role} on {@code sitesJson}, signed in. */
    private Sessions.Opened operator(String role, String sitesJson) {
        return hub.operator(tenant, role, sitesJson);
    }

    private static Api.Response get(Sessions.Opened session, String path) {
        return hub.api().withCookie("GET", path, "gh_session=" + session.cookieValue(), Optional.empty());
    }

    private static String page(Sessions.Opened session, String path) {
        Api.Response page = get(session, path);
        assertThat(page.status()).as(path).isEqualTo(200);
        return page.text();
    }

    private static Api.Response post(Sessions.Opened session, String path, boolean withToken) {
        return hub.api()
                .withCookie(
                        "POST",
                        path,
                        "gh_session=" + session.cookieValue(),
                        Optional.of("_csrf=" + (withToken ? session.session().csrfToken() : "wrong")));
    }

    private static String text(String page, String id) {
        Matcher m = Pattern.compile("id=\"" + id + "\"[^>]*>([^<]*)<").matcher(page);
        assertThat(m.find()).as(id).isTrue();
        return m.group(1).strip();
    }

    private static String state(String page, LocalDate day) {
        Matcher m = Pattern.compile("data-recurrence=\"" + day + "T10:00:00\" data-state=\"([a-z-]+)\"")
                .matcher(page);
        assertThat(m.find()).as("occurrence on " + day).isTrue();
        return m.group(1);
    }
}
