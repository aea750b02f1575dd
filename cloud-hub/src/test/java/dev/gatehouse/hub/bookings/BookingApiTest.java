package dev.gatehouse.hub.bookings;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.gatehouse.hub.changes.LoggedChange;
import dev.gatehouse.hub.store.Sql;
import dev.gatehouse.hub.store.StoreKind;
import dev.gatehouse.hub.testing.Api;
import dev.gatehouse.hub.testing.TestHub;
import dev.gatehouse.protocol.message.Change;
import dev.gatehouse.protocol.model.Booking;
import dev.gatehouse.protocol.model.DoorId;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.AfterParameterizedClassInvocation;
import org.junit.jupiter.params.BeforeParameterizedClassInvocation;
import org.junit.jupiter.params.Parameter;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Bookings through the API on both stores: one answer lists every broken rule, a collision names the
 * booking met without its member, buffers are occupied time, a split room blocks its parts and the
 * other way round, and 1,000 concurrent requests for one slot leave exactly one booking.
 */
@ParameterizedClass
@EnumSource(StoreKind.class)
class BookingApiTest {
    private static final ZoneId BERLIN = ZoneId.of("Europe/Berlin");
    static TestHub hub;

    @Parameter
    StoreKind store;

    private TestHub.Tenant tenant;
    private String site;
    private String door;
    private String member;
    private String other;
    private LocalDate day;

    @BeforeParameterizedClassInvocation
    static void start(StoreKind kind) {
        hub = TestHub.start(kind);
    }

    @AfterParameterizedClassInvocation
    static void stop() {
        hub.close();
    }

    @BeforeEach
    void site() {
        tenant = hub.newTenant("book");
        site = hub.create(
                "/api/v1/sites",
                tenant.token(),
                "{\"name\":\"Berlin\",\"address\":\"Torstrasse 1\",\"timeZone\":\"Europe/Berlin\"}");
        door = hub.create("/api/v1/sites/" + site + "/doors", tenant.token(), "{\"name\":\"Room Ada\"}");
        member = hub.create(
                "/api/v1/members", tenant.token(), "{\"email\":\"ada@example.com\",\"fullName\":\"Ada Lovelace\"}");
        other = hub.create(
                "/api/v1/members", tenant.token(), "{\"email\":\"bob@example.com\",\"fullName\":\"Bob Builder\"}");
        day = LocalDate.now(BERLIN).plusDays(3);
    }

    private String resource(String json) {
        return hub.create("/api/v1/sites/" + site + "/resources", tenant.token(), json);
    }

    private String room(int bufferBefore, int bufferAfter) {
        return resource("{\"name\":\"Room Ada\",\"kind\":\"meeting-room\",\"capacity\":6,\"amenities\":[\"screen\"],"
                + "\"pricePerHour\":2500,\"creditsPerHour\":2,\"doorIds\":[\"" + door + "\"],\"rules\":{"
                + "\"bufferBeforeMinutes\":" + bufferBefore + ",\"bufferAfterMinutes\":" + bufferAfter + "}}");
    }

    private Instant local(String time) {
        return day.atTime(java.time.LocalTime.parse(time)).atZone(BERLIN).toInstant();
    }

    private Api.Response book(String resource, String who, String from, String to) {
        return hub.api()
                .post(
                        "/api/v1/bookings",
                        tenant.token(),
                        "{\"resourceId\":\"" + resource + "\",\"memberId\":\"" + who + "\",\"title\":\"Stand-up\","
                                + "\"start\":\"" + local(from) + "\",\"end\":\"" + local(to) + "\"}");
    }

    @Test
    void aBookingIsMadeWithItsPriceFixedAndReachesTheSitesEdges() {
        String room = room(0, 0);
        Api.Response booked = book(room, member, "10:00", "11:30");
        assertThat(booked.status()).as(booked.toString()).isEqualTo(201);
        JsonNode booking = booked.json();
        assertThat(booking.get("status").asText()).isEqualTo("confirmed");
        assertThat(booking.get("price").asLong()).isEqualTo(3750);
        assertThat(booking.get("credits").asLong()).isEqualTo(3);
        assertThat(booking.get("start").asText()).isEqualTo(local("10:00").toString());

        // The site's change log carries the protocol's Booking: the edge lets the member through the
        // room's door for its time.
        List<LoggedChange> log = hub.hub().stores().changes().read(tenant.id(), site, 0, 1000);
        Booking synced = log.stream()
                .map(LoggedChange::change)
                .filter(Change.Upsert.class::isInstance)
                .map(c -> ((Change.Upsert) c).entity())
                .filter(Booking.class::isInstance)
                .map(Booking.class::cast)
                .findFirst()
                .orElseThrow();
        assertThat(synced.id().value()).isEqualTo(booking.get("id").asText());
        assertThat(synced.doors()).containsExactly(DoorId.of(door));
        assertThat(synced.start()).isEqualTo(local("10:00"));

        // Cancelling frees the time at once and removes it from the edges.
        Api.Response cancelled =
                hub.api().post("/api/v1/bookings/" + booking.get("id").asText() + "/cancel", tenant.token(), "");
        assertThat(cancelled.json().get("status").asText()).isEqualTo("cancelled");
        List<LoggedChange> after = hub.hub().stores().changes().read(tenant.id(), site, log.size(), 1000);
        assertThat(after)
                .extracting(LoggedChange::change)
                .containsExactly(new Change.Remove(
                        dev.gatehouse.protocol.model.EntityKind.BOOKING,
                        booking.get("id").asText()));
        assertThat(book(room, other, "10:00", "11:30").status()).isEqualTo(201);
        // A cancel replayed changes nothing more.
        hub.api().post("/api/v1/bookings/" + booking.get("id").asText() + "/cancel", tenant.token(), "");
        assertThat(hub.hub().stores().changes().read(tenant.id(), site, log.size(), 1000))
                .hasSize(2);
    }

    @Test
    void aCollisionNamesTheBookingMetButNotItsMember() {
        String room = room(15, 15);
        String first = book(room, member, "10:00", "11:00").json().get("id").asText();
        // 11:00–11:30 touches the first booking's 15-minute buffer after: buffers are occupied time.
        Api.Response refused = book(room, other, "11:00", "11:30");
        assertThat(refused.status()).as(refused.toString()).isEqualTo(409);
        assertThat(refused.json().get("type").asText()).endsWith("booking-conflict");
        assertThat(refused.json().get("detail").asText())
                .contains(first)
                .doesNotContain(member)
                .doesNotContain("Ada");
        assertThat(refused.json().at("/errors/0/message").asText()).isEqualTo(first);
        // With both buffers kept clear it fits.
        assertThat(book(room, other, "11:30", "12:00").status()).isEqualTo(201);
    }

    @Test
    void everyBrokenRuleIsListedInOneAnswerAndNothingIsWritten() {
        String room = resource("{\"name\":\"Booth\",\"kind\":\"phone-booth\",\"rules\":{\"granularityMinutes\":30,"
                + "\"minMinutes\":60,\"openingHours\":[{\"day\":\"monday\",\"from\":\"09:00\",\"to\":\"17:00\"}]}}");
        long before = hub.hub().stores().changes().head(tenant.id(), site);
        Api.Response refused = book(room, member, "18:10", "18:20");
        assertThat(refused.status()).as(refused.toString()).isEqualTo(422);
        assertThat(refused.json().get("type").asText()).endsWith("booking-rules");
        List<String> rules = new ArrayList<>();
        refused.json().get("errors").forEach(e -> rules.add(e.get("field").asText()));
        assertThat(rules).contains("granularity", "min-length", "opening-hours");
        assertThat(hub.api()
                        .get(
                                "/api/v1/sites/" + site + "/bookings?from=" + local("00:00") + "&until="
                                        + local("23:59"),
                                tenant.token())
                        .json()
                        .get("items"))
                .isEmpty();
        assertThat(hub.hub().stores().changes().head(tenant.id(), site)).isEqualTo(before);
    }

    @Test
    void anOperatorOverridesTheRulesWithAReasonThatIsAudited() {
        String room = resource("{\"name\":\"Booth\",\"kind\":\"phone-booth\",\"rules\":{\"minMinutes\":60}}");
        Api.Response refused = book(room, member, "10:00", "10:30");
        assertThat(refused.status()).isEqualTo(422);
        Api.Response overridden = hub.api()
                .post(
                        "/api/v1/bookings",
                        tenant.token(),
                        "{\"resourceId\":\"" + room + "\",\"memberId\":\"" + member + "\",\"start\":\""
                                + local("10:00") + "\",\"end\":\"" + local("10:30")
                                + "\",\"overrideReason\":\"VIP call, agreed with the manager\"}");
        assertThat(overridden.status()).as(overridden.toString()).isEqualTo(201);
        assertThat(overridden.json().get("overrideReason").asText()).isEqualTo("VIP call, agreed with the manager");
        JsonNode audit = hub.api()
                .get("/api/v1/audit?action=booking.create-override", tenant.token())
                .json();
        assertThat(audit.get("items")).hasSize(1);
        // An override never books over another booking.
        Api.Response over = hub.api()
                .post(
                        "/api/v1/bookings",
                        tenant.token(),
                        "{\"resourceId\":\"" + room + "\",\"memberId\":\"" + other + "\",\"start\":\""
                                + local("10:00") + "\",\"end\":\"" + local("11:00")
                                + "\",\"overrideReason\":\"mine now\"}");
        assertThat(over.status()).isEqualTo(409);
    }

    @Test
    void aSplitRoomBlocksItsPartsAndEachPartBlocksTheWhole() {
        String hall = resource("{\"name\":\"Hall\",\"kind\":\"event-space\",\"capacity\":80}");
        String east = resource("{\"name\":\"Hall east\",\"kind\":\"event-space\",\"parentId\":\"" + hall + "\"}");
        String west = resource("{\"name\":\"Hall west\",\"kind\":\"event-space\",\"parentId\":\"" + hall + "\"}");
        assertThat(book(east, member, "10:00", "12:00").status()).isEqualTo(201);
        assertThat(book(west, other, "10:00", "12:00").status())
                .as("the other part")
                .isEqualTo(201);
        assertThat(book(hall, other, "11:00", "13:00").status())
                .as("the whole over a part")
                .isEqualTo(409);
        assertThat(book(hall, other, "14:00", "16:00").status()).isEqualTo(201);
        assertThat(book(west, member, "15:00", "15:30").status())
                .as("a part under the whole")
                .isEqualTo(409);
        // A resource cannot become a part of its own part.
        Api.Response cycle =
                hub.api().patch("/api/v1/resources/" + hall, tenant.token(), "{\"parentId\":\"" + east + "\"}");
        assertThat(cycle.status()).isEqualTo(422);
        assertThat(cycle.text()).contains("no cycles");

        JsonNode availability = hub.api()
                .get(
                        "/api/v1/sites/" + site + "/availability?from=" + local("00:00") + "&until=" + local("23:00"),
                        tenant.token())
                .json();
        Map<String, JsonNode> byId = new java.util.HashMap<>();
        availability.get("resources").forEach(r -> byId.put(r.get("id").asText(), r));
        assertThat(byId.get(east).get("busy")).hasSize(2); // its own booking and the whole hall's
        assertThat(byId.get(hall).get("busy")).hasSize(1);
        assertThat(availability.toString()).doesNotContain(member).doesNotContain("bk_");
    }

    @Test
    void badInputIsRefusedWithWhatToFix() {
        String room = room(0, 0);
        Api.Response backwards = book(room, member, "11:00", "10:00");
        assertThat(backwards.status()).isEqualTo(422);
        assertThat(backwards.text()).contains("end").contains("after start");
        Api.Response unknown = hub.api()
                .post(
                        "/api/v1/bookings",
                        tenant.token(),
                        "{\"resourceId\":\"" + room + "\",\"memberId\":\"nobody\"," + "\"start\":\"" + local("10:00")
                                + "\",\"end\":\"" + local("11:00") + "\",\"price\":0}");
        assertThat(unknown.status()).isEqualTo(422);
        assertThat(unknown.text()).contains("price");
        Api.Response badRules = hub.api()
                .post(
                        "/api/v1/sites/" + site + "/resources",
                        tenant.token(),
                        "{\"name\":\"X\",\"kind\":\"hot-desk\",\"rules\":{\"granularityMinutes\":7,\"minMinutes\":600,"
                                + "\"maxMinutes\":60}}");
        assertThat(badRules.status()).isEqualTo(422);
        assertThat(badRules.text()).contains("granularityMinutes").contains("minMinutes (600) is more than");
        // Another tenant sees neither the resource nor the booking.
        String id = book(room, member, "10:00", "11:00").json().get("id").asText();
        TestHub.Tenant stranger = hub.newTenant("stranger");
        assertThat(hub.api().get("/api/v1/bookings/" + id, stranger.token()).status())
                .isEqualTo(404);
        assertThat(hub.api().get("/api/v1/resources/" + room, stranger.token()).status())
                .isEqualTo(404);
        assertThat(hub.api()
                        .post("/api/v1/bookings/" + id + "/cancel", stranger.token(), "")
                        .status())
                .isEqualTo(404);
    }

    @Test
    void rolesBookAsTheyMay() {
        String room = room(0, 0);
        String desk = token("front-desk");
        String technician = token("technician");
        Api.Response byDesk = hub.api()
                .post(
                        "/api/v1/bookings",
                        desk,
                        "{\"resourceId\":\"" + room + "\",\"memberId\":\"" + member + "\",\"start\":\"" + local("09:00")
                                + "\",\"end\":\"" + local("10:00") + "\"}");
        assertThat(byDesk.status()).as(byDesk.toString()).isEqualTo(201);
        Api.Response byTechnician = hub.api()
                .post(
                        "/api/v1/bookings",
                        technician,
                        "{\"resourceId\":\"" + room + "\",\"memberId\":\"" + member + "\",\"start\":\"" + local("12:00")
                                + "\",\"end\":\"" + local("13:00") + "\"}");
        assertThat(byTechnician.status()).isEqualTo(403);
        assertThat(hub.api()
                        .post("/api/v1/sites/" + site + "/resources", desk, "{\"name\":\"X\",\"kind\":\"hot-desk\"}")
                        .status())
                .isEqualTo(403);
    }

    private String token(String role) {
        Api.Response created = hub.api()
                .post(
                        "/api/v1/tokens",
                        tenant.token(),
                        "{\"name\":\"" + role + "\",\"role\":\"" + role + "\",\"sites\":[\"" + site + "\"]}");
        assertThat(created.status()).as(created.toString()).isEqualTo(201);
        return created.json().get("token").asText();
    }

    @Test
    void aThousandConcurrentRequestsForOneSlotLeaveExactlyOneBooking() throws Exception {
        String room = room(10, 10);
        List<String> members = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            members.add(hub.create(
                    "/api/v1/members",
                    tenant.token(),
                    "{\"email\":\"m" + i + "@example.com\",\"fullName\":\"M " + i + "\"}"));
        }
        ExecutorService pool = Executors.newFixedThreadPool(32);
        List<Future<Api.Response>> answers = new ArrayList<>();
        try {
            for (int i = 0; i < 1000; i++) {
                String who = members.get(i % members.size());
                // Every request overlaps every other: all start between 10:00 and 10:45 and last an hour.
                String start = "10:" + String.format("%02d", (i % 4) * 15);
                String end = "11:" + String.format("%02d", (i % 4) * 15);
                answers.add(pool.submit(() -> book(room, who, start, end)));
            }
            List<Api.Response> responses = new ArrayList<>();
            for (Future<Api.Response> answer : answers) {
                responses.add(answer.get(5, TimeUnit.MINUTES));
            }
            Map<Integer, Long> byStatus =
                    responses.stream().collect(Collectors.groupingBy(Api.Response::status, Collectors.counting()));
            assertThat(byStatus).as("statuses").isEqualTo(Map.of(201, 1L, 409, 999L));
            String winner = responses.stream()
                    .filter(r -> r.status() == 201)
                    .findFirst()
                    .orElseThrow()
                    .json()
                    .get("id")
                    .asText();
            assertThat(responses.stream()
                            .filter(r -> r.status() == 409)
                            .map(r -> r.json().at("/errors/0/message").asText())
                            .collect(Collectors.toSet()))
                    .containsExactly(winner);
        } finally {
            pool.shutdownNow();
        }
        assertThat(overlaps(hub)).isZero();
        long live = hub.hub().database().read(c -> Sql.one(
                        c,
                        "SELECT COUNT(*) FROM bookings WHERE resource_id = ? AND status = 'CONFIRMED'",
                        Sql.LONG,
                        room)
                .orElseThrow());
        assertThat(live).isEqualTo(1L);
    }

    /** Pairs of occupied intervals on one resource that overlap, over the whole store. */
    static long overlaps(TestHub hub) {
        return hub.hub().database().read(c -> Sql.one(
                        c,
                        "SELECT COUNT(*) FROM booking_blocks a JOIN booking_blocks b ON a.resource_id = b.resource_id"
                                + " AND a.booking_id < b.booking_id AND a.occupied_from < b.occupied_until"
                                + " AND b.occupied_from < a.occupied_until",
                        Sql.LONG)
                .orElseThrow());
    }
}
