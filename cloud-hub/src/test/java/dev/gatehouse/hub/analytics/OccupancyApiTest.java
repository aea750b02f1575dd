package dev.gatehouse.hub.analytics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import dev.gatehouse.hub.bookings.BookingCheckIns;
import dev.gatehouse.hub.store.StoreKind;
import dev.gatehouse.hub.testing.Api;
import dev.gatehouse.hub.testing.MovableClock;
import dev.gatehouse.hub.testing.TestHub;
import dev.gatehouse.protocol.message.Envelope;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.AfterParameterizedClassInvocation;
import org.junit.jupiter.params.BeforeParameterizedClassInvocation;
import org.junit.jupiter.params.Parameter;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * A Berlin site's occupancies over the API on both stores, on a clock the test moves: door events
 * ingested as the edges send them (a resend changes nothing), bookings checked in and released, team
 * and membership contracts. Every figure is checked against what the test made, drills down to exactly
 * its rows, is the same when asked later "as of" an earlier instant, and stays within its tenant and
 * the role's sites.
 */
@ParameterizedClass
@EnumSource(StoreKind.class)
class OccupancyApiTest {
    private static final ZoneId BERLIN = ZoneId.of("Europe/Berlin");
    static MovableClock clock;
    static TestHub hub;

    @Parameter
    StoreKind store;

    @BeforeParameterizedClassInvocation
    static void start(StoreKind kind) {
        clock = MovableClock.standingStill();
        hub = TestHub.start(kind, clock, Optional.empty());
    }

    @AfterParameterizedClassInvocation
    static void stop() {
        hub.close();
    }

    private TestHub.Tenant tenant;
    private String site;
    private String door;
    private String device;
    private final List<String> members = new ArrayList<>();

    private static Instant berlin(String local) {
        return LocalDateTime.parse(local).atZone(BERLIN).toInstant();
    }

    private static String q(Instant instant) {
        return URLEncoder.encode(instant.toString(), StandardCharsets.UTF_8);
    }

    private JsonNode ok(Api.Response response) {
        assertThat(response.status()).as(response.toString()).isBetween(200, 201);
        return response.json();
    }

    private Envelope entry(Instant at, String member) {
        return Entries.granted(site, door, at, member);
    }

    private void ingest(List<Envelope> batch) {
        hub.hub().stores().accessLog().ingest(tenant.id(), site, device, batch);
    }

    @BeforeEach
    void site() {
        clock.moveTo(berlin("2027-02-26T12:00"));
        tenant = hub.newTenant("occupancy");
        site = hub.create(
                "/api/v1/sites",
                tenant.token(),
                "{\"name\":\"Mitte\",\"address\":\"Torstr. 1\",\"timeZone\":\"Europe/Berlin\"}");
        door = hub.create("/api/v1/sites/" + site + "/doors", tenant.token(), "{\"name\":\"Front\"}");
        device = hub.create("/api/v1/sites/" + site + "/devices", tenant.token(), "{\"name\":\"pi\"}");
        members.clear();
        for (String name : List.of("ada", "bo", "cy", "dan")) {
            members.add(hub.create(
                    "/api/v1/members",
                    tenant.token(),
                    "{\"email\":\"" + name + "@example.com\",\"fullName\":\"" + name + "\"}"));
        }
    }

    private JsonNode occupancy(String query) {
        return ok(hub.api()
                .get(
                        "/api/v1/analytics/sites/" + site + "/occupancy?from=2027-03-01&to=2027-03-01" + query,
                        tenant.token()));
    }

    private static JsonNode hour(JsonNode report, Instant hour) {
        for (JsonNode h : report.get("physical").get("hours")) {
            if (h.get("hour").asText().equals(hour.toString())) {
                return h;
            }
        }
        throw new AssertionError("no hour " + hour + " in " + report);
    }

    @Test
    void physicalOccupancyCountsDistinctPeoplePerHourOnceHowEverOftenTheEdgeResends() {
        ok(hub.api()
                .put(
                        "/api/v1/analytics/sites/" + site + "/targets",
                        tenant.token(),
                        "{\"capacity\":10,\"desks\":4,\"hotDeskCoefficient\":2}"));
        JsonNode audited = ok(hub.api().get("/api/v1/audit?action=analytics.targets", tenant.token()));
        assertThat(audited.get("items")).hasSize(1);
        assertThat(audited.get("items").get(0).get("resourceId").asText()).isEqualTo(site);
        List<Envelope> morning = List.of(
                entry(berlin("2027-03-01T09:10"), members.get(0)),
                entry(berlin("2027-03-01T09:40"), members.get(1)),
                // Ada again: still one person.
                entry(berlin("2027-03-01T09:50"), members.get(0)),
                entry(berlin("2027-03-01T10:30"), members.get(2)));
        clock.moveTo(berlin("2027-03-01T11:00"));
        ingest(morning);
        JsonNode first = occupancy("");

        JsonNode physical = first.get("physical");
        assertThat(physical.get("occupancy").asText()).isEqualTo("physical");
        assertThat(physical.get("capacity").asInt()).isEqualTo(10);
        assertThat(physical.get("capacitySource").asText()).isEqualTo("site setting");
        assertThat(physical.get("definition").asText()).contains("distinct members present");
        // The hours before 11:00 only: the rest of the day has not happened yet.
        assertThat(physical.get("hours")).hasSize(11);
        assertThat(hour(first, berlin("2027-03-01T08:00")).get("people").asInt())
                .isZero();
        assertThat(hour(first, berlin("2027-03-01T09:00")).get("people").asInt())
                .isEqualTo(2);
        assertThat(hour(first, berlin("2027-03-01T10:00")).get("people").asInt())
                .isEqualTo(3);
        assertThat(physical.get("peakPeople").asInt()).isEqualTo(3);
        assertThat(physical.get("peak").asDouble()).isEqualTo(0.3);

        // The edge resends the whole batch after a reconnect: nothing changes.
        ingest(morning);
        ingest(morning.subList(1, 3));
        JsonNode again = occupancy("&asOf=" + q(Instant.parse(first.get("asOf").asText())));
        assertThat(again.get("physical")).isEqualTo(physical);

        // Drill-down: the rows of 10:00 are exactly the three people counted, with their entries.
        JsonNode rows = ok(hub.api()
                .get(hour(first, berlin("2027-03-01T10:00")).get("rows").asText(), tenant.token()));
        assertThat(rows.get("count").asInt()).isEqualTo(3);
        assertThat(rows.get("items").findValuesAsText("memberId"))
                .containsExactlyInAnyOrderElementsOf(members.subList(0, 3));
    }

    @Test
    void aLateEventCountsFromWhenTheHubReceivedItAndAnEarlierAsOfStaysAsItWas() {
        clock.moveTo(berlin("2027-03-01T12:00"));
        ingest(List.of(entry(berlin("2027-03-01T09:10"), members.get(0))));
        Instant before = clock.instant();
        JsonNode then = occupancy("");

        // Dan's event at 09:20 reaches the hub only at 15:00 (the edge was offline).
        clock.moveTo(berlin("2027-03-01T15:00"));
        ingest(List.of(entry(berlin("2027-03-01T09:20"), members.get(3))));
        JsonNode now = occupancy("");
        assertThat(hour(now, berlin("2027-03-01T09:00")).get("people").asInt()).isEqualTo(2);

        JsonNode asOfBefore = occupancy("&asOf=" + q(before));
        assertThat(asOfBefore.get("physical")).isEqualTo(then.get("physical"));
        assertThat(hour(asOfBefore, berlin("2027-03-01T09:00")).get("people").asInt())
                .isEqualTo(1);
    }

    @Test
    void utilisationActualAndNoShowsFollowBookingsCheckInsAndReleases() {
        String room = hub.create(
                "/api/v1/sites/" + site + "/resources",
                tenant.token(),
                "{\"name\":\"Room\",\"kind\":\"meeting-room\",\"capacity\":6,\"rules\":{\"checkInOpensBeforeMinutes\":15,"
                        + "\"releaseAfterMinutes\":10,\"openingHours\":[{\"day\":\"monday\",\"from\":\"09:00\",\"to\":\"17:00\"}]}}");
        String kept = book(room, members.get(0), "2027-03-01T10:00", "2027-03-01T12:00");
        String missed = book(room, members.get(1), "2027-03-01T13:00", "2027-03-01T15:00");
        clock.moveTo(berlin("2027-03-01T09:50"));
        ok(hub.api().post("/api/v1/bookings/" + kept + "/check-in", tenant.token(), ""));
        clock.moveTo(berlin("2027-03-01T13:10"));
        new BookingCheckIns(hub.hub().database(), clock).releaseDue();
        clock.moveTo(berlin("2027-03-01T18:00"));

        JsonNode report = occupancy("&kind=meeting-room");
        JsonNode use = report.get("utilisation").get("resources").get(0);
        assertThat(use.get("bookableHours").asDouble()).isEqualTo(8.0);
        // The missed booking held its time until its release at 13:10.
        assertThat(use.get("bookedHours").asDouble()).isCloseTo(2.0 + 10.0 / 60, within(1e-9));
        assertThat(use.get("checkedInHours").asDouble()).isEqualTo(2.0);
        assertThat(use.get("actual").asDouble()).isEqualTo(0.25);
        JsonNode noShows = report.get("noShows");
        assertThat(noShows.get("decided").asInt()).isEqualTo(2);
        assertThat(noShows.get("released").asInt()).isEqualTo(1);
        assertThat(noShows.get("rate").asDouble()).isEqualTo(0.5);

        JsonNode bookingRows = ok(hub.api().get(use.get("rows").asText(), tenant.token()));
        assertThat(bookingRows.get("items").findValuesAsText("bookingId")).containsExactlyInAnyOrder(kept, missed);
        JsonNode noShowRows = ok(hub.api().get(noShows.get("rows").asText(), tenant.token()));
        assertThat(noShowRows.get("items").findValuesAsText("outcome"))
                .containsExactlyInAnyOrder("released", "checked-in");

        // As of 09:00 nothing was checked in or released yet.
        JsonNode early = occupancy("&kind=meeting-room&asOf=" + q(berlin("2027-03-01T09:00")));
        assertThat(early.get("noShows").get("decided").asInt()).isZero();
        assertThat(early.get("utilisation")
                        .get("resources")
                        .get(0)
                        .get("bookedHours")
                        .asDouble())
                .isEqualTo(4.0);

        JsonNode heatmap = ok(hub.api()
                .get(
                        "/api/v1/analytics/sites/" + site + "/heatmap?from=2027-03-01&to=2027-03-01&kind=meeting-room",
                        tenant.token()));
        JsonNode monday = heatmap.get("days").get(0);
        assertThat(monday.get("day").asText()).isEqualTo("monday");
        assertThat(monday.get("cells").get(10).get("bookedHours").asDouble()).isEqualTo(1.0);
        assertThat(monday.get("cells").get(13).get("noShows").asInt()).isEqualTo(1);
        assertThat(monday.get("cells").get(13).get("bookedHours").asDouble()).isCloseTo(10.0 / 60, within(1e-9));
    }

    private String book(String resource, String member, String from, String to) {
        return hub.create(
                "/api/v1/bookings",
                tenant.token(),
                "{\"resourceId\":\"" + resource + "\",\"memberId\":\"" + member
                        + "\",\"title\":\"Meeting\",\"start\":\"" + berlin(from) + "\",\"end\":\"" + berlin(to)
                        + "\"}");
    }

    @Test
    void soldOccupancyCountsTeamSeatsAndMembershipsOverTheCoefficient() {
        ok(hub.api()
                .put(
                        "/api/v1/analytics/sites/" + site + "/targets",
                        tenant.token(),
                        "{\"capacity\":10,\"desks\":4,\"hotDeskCoefficient\":2}"));
        String team = hub.create(
                "/api/v1/packages",
                tenant.token(),
                "{\"name\":\"Team\",\"kind\":\"team\",\"price\":99000,\"interval\":\"month\",\"seats\":3}");
        String desk = hub.create(
                "/api/v1/packages",
                tenant.token(),
                "{\"name\":\"Desk\",\"kind\":\"membership\",\"price\":20000,\"interval\":\"month\"}");
        List<String> subscriptions = new ArrayList<>();
        subscriptions.add(subscribe(members.get(0), team));
        subscriptions.add(subscribe(members.get(1), desk));
        Instant twoContracts = clock.instant();
        clock.moveTo(clock.instant().plusSeconds(3600));
        subscriptions.add(subscribe(members.get(2), desk));
        clock.moveTo(clock.instant().plusSeconds(60));

        JsonNode sold = occupancy("").get("sold");
        assertThat(sold.get("occupancy").asText()).isEqualTo("sold");
        assertThat(sold.get("teamSeats").asInt()).isEqualTo(3);
        assertThat(sold.get("memberships").asInt()).isEqualTo(2);
        assertThat(sold.get("hotDeskCoefficient").asDouble()).isEqualTo(2.0);
        assertThat(sold.get("soldDesks").asDouble()).isEqualTo(4.0);
        assertThat(sold.get("sold").asDouble()).isEqualTo(1.0);
        JsonNode rows = ok(hub.api().get(sold.get("rows").asText(), tenant.token()));
        assertThat(rows.get("items").findValuesAsText("subscriptionId"))
                .containsExactlyInAnyOrderElementsOf(subscriptions);

        JsonNode earlier = occupancy("&asOf=" + q(twoContracts)).get("sold");
        assertThat(earlier.get("soldDesks").asDouble()).isEqualTo(3.5);
    }

    private String subscribe(String member, String pkg) {
        return ok(hub.api()
                        .post(
                                "/api/v1/subscriptions",
                                tenant.token(),
                                "{\"memberId\":\"" + member + "\",\"packageId\":\"" + pkg + "\",\"siteId\":\"" + site
                                        + "\"}"))
                .get("subscription")
                .get("id")
                .asText();
    }

    @Test
    void anotherTenantAndAnotherSitesManagerGetNotFoundAndRolesWithoutAnalyticsAreRefused() {
        TestHub.Tenant other = hub.newTenant("occupancy-other");
        Api.Response foreign = hub.api().get("/api/v1/analytics/sites/" + site + "/occupancy", other.token());
        assertThat(foreign.status()).isEqualTo(404);

        String elsewhere = hub.create(
                "/api/v1/sites",
                tenant.token(),
                "{\"name\":\"Elsewhere\",\"address\":\"Weg 2\",\"timeZone\":\"Europe/Berlin\"}");
        String manager = ok(hub.api()
                        .post(
                                "/api/v1/tokens",
                                tenant.token(),
                                "{\"name\":\"mgr\",\"role\":\"site-manager\",\"sites\":[\"" + elsewhere + "\"]}"))
                .get("token")
                .asText();
        assertThat(hub.api()
                        .get("/api/v1/analytics/sites/" + site + "/occupancy", manager)
                        .status())
                .isEqualTo(404);
        assertThat(hub.api()
                        .get("/api/v1/analytics/sites/" + elsewhere + "/occupancy", manager)
                        .status())
                .isEqualTo(200);

        String desk = ok(hub.api().post("/api/v1/tokens", tenant.token(), "{\"name\":\"fd\",\"role\":\"front-desk\"}"))
                .get("token")
                .asText();
        Api.Response refused = hub.api().get("/api/v1/analytics/sites/" + site + "/heatmap", desk);
        assertThat(refused.status()).isEqualTo(403);
        assertThat(refused.text()).contains("view-analytics");

        // Finance sees occupancy's counts, not who was present: that is the access log, not theirs.
        String finance = ok(hub.api().post("/api/v1/tokens", tenant.token(), "{\"name\":\"fi\",\"role\":\"finance\"}"))
                .get("token")
                .asText();
        assertThat(hub.api()
                        .get("/api/v1/analytics/sites/" + site + "/occupancy", finance)
                        .status())
                .isEqualTo(200);
        Api.Response who = hub.api()
                .get("/api/v1/analytics/sites/" + site + "/rows?metric=present&hour=2027-03-01T08:00:00Z", finance);
        assertThat(who.status()).as(who.toString()).isEqualTo(403);
        assertThat(who.text()).contains("view-access-log");

        Api.Response bad = hub.api()
                .get(
                        "/api/v1/analytics/sites/" + site + "/occupancy?from=2027-03-05&to=2027-03-01&kind=sofa",
                        tenant.token());
        assertThat(bad.status()).isEqualTo(422);
        assertThat(bad.text()).contains("kind").contains("meeting-room");
        Api.Response backwards = hub.api()
                .get("/api/v1/analytics/sites/" + site + "/occupancy?from=2027-03-05&to=2027-03-01", tenant.token());
        assertThat(backwards.status()).isEqualTo(422);
        assertThat(backwards.text()).contains("before from");
        Api.Response badTargets = hub.api()
                .put(
                        "/api/v1/analytics/sites/" + site + "/targets",
                        tenant.token(),
                        "{\"capacity\":0,\"hotDeskCoefficient\":\"x\"}");
        assertThat(badTargets.status()).isEqualTo(422);
        assertThat(badTargets.text()).contains("capacity").contains("hotDeskCoefficient");
        assertThat(hub.api()
                        .put("/api/v1/analytics/sites/" + site + "/targets", manager, "{\"capacity\":5}")
                        .status())
                .isEqualTo(404);
    }
}
