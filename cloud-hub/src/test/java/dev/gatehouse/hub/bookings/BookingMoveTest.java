package dev.gatehouse.hub.bookings;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.gatehouse.hub.changes.LoggedChange;
import dev.gatehouse.hub.store.StoreKind;
import dev.gatehouse.hub.testing.Api;
import dev.gatehouse.hub.testing.TestHub;
import dev.gatehouse.protocol.message.Change;
import dev.gatehouse.protocol.model.Booking;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalTime;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.AfterParameterizedClassInvocation;
import org.junit.jupiter.params.BeforeParameterizedClassInvocation;
import org.junit.jupiter.params.Parameter;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Moving a booking (PATCH) on both stores: it keeps its id, the new time passes the same engine and
 * collision check as a new booking, a refusal leaves it exactly as it was, and the doors follow.
 */
@ParameterizedClass
@EnumSource(StoreKind.class)
class BookingMoveTest {
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
        BookingSite fixture = BookingSite.create(hub, "move");
        tenant = fixture.tenant();
        site = fixture.site();
        door = fixture.door();
        member = fixture.member();
        other = fixture.other();
        day = LocalDate.now(BERLIN).plusDays(3);
    }

    private String room(String rules) {
        return hub.create(
                "/api/v1/sites/" + site + "/resources",
                tenant.token(),
                "{\"name\":\"Room Ada\",\"kind\":\"meeting-room\",\"pricePerHour\":2500," + "\"doorIds\":[\"" + door
                        + "\"],\"rules\":{" + rules + "}}");
    }

    private Instant local(String time) {
        return day.atTime(LocalTime.parse(time)).atZone(BERLIN).toInstant();
    }

    private JsonNode book(String room, String who, String from, String to) {
        Api.Response booked = hub.api()
                .post(
                        "/api/v1/bookings",
                        tenant.token(),
                        "{\"resourceId\":\"" + room + "\",\"memberId\":\"" + who + "\",\"title\":\"Pitch\",\"start\":\""
                                + local(from) + "\",\"end\":\"" + local(to) + "\"}");
        assertThat(booked.status()).as(booked.toString()).isEqualTo(201);
        return booked.json();
    }

    private Api.Response move(String id, String from, String to) {
        return hub.api()
                .patch(
                        "/api/v1/bookings/" + id,
                        tenant.token(),
                        "{\"start\":\"" + local(from) + "\",\"end\":\"" + local(to) + "\"}");
    }

    private JsonNode current(String id) {
        return hub.api().get("/api/v1/bookings/" + id, tenant.token()).json();
    }

    @Test
    void aBookingPaidWithCreditsMovesButKeepsItsLength() {
        // Its credits were debited from the member's ledger when it was made: a new length would change
        // them with no ledger entry, so only a move of the same length is taken.
        String room = hub.create(
                "/api/v1/sites/" + site + "/resources",
                tenant.token(),
                "{\"name\":\"Booth\",\"kind\":\"phone-booth\",\"creditsPerHour\":2}");
        String id = book(room, member, "10:00", "11:00").get("id").asText();
        Api.Response longer = move(id, "10:00", "12:00");
        assertThat(longer.status()).as(longer.toString()).isEqualTo(409);
        assertThat(longer.text()).contains("paid with 2 credits");
        Api.Response moved = move(id, "13:00", "14:00");
        assertThat(moved.status()).as(moved.toString()).isEqualTo(200);
        assertThat(moved.json().get("credits").asLong()).isEqualTo(2);
    }

    @Test
    void aMoveKeepsTheIdScalesThePriceAndTheDoorsFollow() {
        String room = room("");
        JsonNode booking = book(room, member, "10:00", "11:30");
        String id = booking.get("id").asText();
        assertThat(booking.get("price").asLong()).isEqualTo(3750);
        long head = hub.hub().stores().changes().head(tenant.id(), site);

        Api.Response moved = move(id, "14:00", "15:00");
        assertThat(moved.status()).as(moved.toString()).isEqualTo(200);
        assertThat(moved.json().get("id").asText()).isEqualTo(id);
        assertThat(moved.json().get("start").asText()).isEqualTo(local("14:00").toString());
        // The rate fixed at booking time: 90 minutes were 3,750, so 60 are 2,500.
        assertThat(moved.json().get("price").asLong()).isEqualTo(2500);
        assertThat(moved.json().get("title").asText()).isEqualTo("Pitch");

        // The edge gets the same booking with its new window.
        List<LoggedChange> log = hub.hub().stores().changes().read(tenant.id(), site, head, 100);
        assertThat(log).singleElement().satisfies(entry -> {
            Booking synced = (Booking) ((Change.Upsert) entry.change()).entity();
            assertThat(synced.id().value()).isEqualTo(id);
            assertThat(synced.start()).isEqualTo(local("14:00"));
            assertThat(synced.end()).isEqualTo(local("15:00"));
        });
        // The old time is free, the new one taken.
        book(room, other, "10:00", "11:00");
        assertThat(hub.api()
                        .post(
                                "/api/v1/bookings",
                                tenant.token(),
                                "{\"resourceId\":\"" + room + "\",\"memberId\":\"" + other + "\",\"start\":\""
                                        + local("14:30") + "\",\"end\":\"" + local("15:30") + "\"}")
                        .status())
                .isEqualTo(409);
        // Moving onto part of its own time is no collision with itself.
        assertThat(move(id, "13:30", "14:30").status()).isEqualTo(200);
        // A new title alone checks nothing and keeps the time.
        Api.Response retitled =
                hub.api().patch("/api/v1/bookings/" + id, tenant.token(), "{\"title\":\"Board meeting\"}");
        assertThat(retitled.json().get("title").asText()).isEqualTo("Board meeting");
        assertThat(retitled.json().get("start").asText())
                .isEqualTo(local("13:30").toString());
        assertThat(hub.api()
                        .get("/api/v1/audit?action=booking.move", tenant.token())
                        .json()
                        .get("items"))
                .hasSize(3);
    }

    @Test
    void aRefusedMoveListsEveryBrokenRuleOrTheCollisionAndLeavesTheBookingAsItWas() {
        String room = room(
                "\"openingHours\":[" + everyDay("08:00", "20:00") + "],\"granularityMinutes\":30,\"minMinutes\":30");
        String id = book(room, member, "10:00", "11:00").get("id").asText();
        String held = book(room, other, "16:00", "17:00").get("id").asText();
        JsonNode before = current(id);

        Api.Response late = move(id, "19:45", "20:45");
        assertThat(late.status()).as(late.toString()).isEqualTo(422);
        assertThat(late.json().get("errors"))
                .extracting(e -> e.get("field").asText())
                .containsExactly("granularity", "opening-hours");

        Api.Response collides = move(id, "16:30", "17:30");
        assertThat(collides.status()).isEqualTo(409);
        assertThat(collides.json().at("/errors/0/message").asText()).isEqualTo(held);
        assertThat(collides.text()).doesNotContain(other);

        assertThat(current(id)).isEqualTo(before);
        // Its time is still held: nothing was set aside for good.
        assertThat(hub.api()
                        .post(
                                "/api/v1/bookings",
                                tenant.token(),
                                "{\"resourceId\":\"" + room + "\",\"memberId\":\"" + other + "\",\"start\":\""
                                        + local("10:00") + "\",\"end\":\"" + local("11:00") + "\"}")
                        .status())
                .isEqualTo(409);

        // An operator may move it outside the rules with a reason, never onto another booking.
        Api.Response overridden = hub.api()
                .patch(
                        "/api/v1/bookings/" + id,
                        tenant.token(),
                        "{\"start\":\"" + local("19:30") + "\",\"end\":\"" + local("20:30")
                                + "\",\"overrideReason\":\"late launch party\"}");
        assertThat(overridden.status()).as(overridden.toString()).isEqualTo(200);
        assertThat(overridden.json().get("overrideReason").asText()).isEqualTo("late launch party");

        hub.api().post("/api/v1/bookings/" + id + "/cancel", tenant.token(), "");
        Api.Response cancelled = move(id, "12:00", "13:00");
        assertThat(cancelled.status()).isEqualTo(409);
        assertThat(cancelled.text()).contains("cancelled");
    }

    @Test
    void aBookingDoesNotCountAgainstItsOwnLimitsWhenItMoves() {
        // One hour a day: the booking's own hour must not be counted twice when it moves within the day.
        String room = room("\"maxHoursPerDay\":1");
        String id = book(room, member, "10:00", "11:00").get("id").asText();
        Api.Response moved = move(id, "11:00", "12:00");
        assertThat(moved.status()).as(moved.toString()).isEqualTo(200);
        Api.Response longer = move(id, "11:00", "12:30");
        assertThat(longer.status()).isEqualTo(422);
        assertThat(longer.text()).contains("hours-per-day");
    }

    @Test
    void aRunningBookingMayBeLengthenedButNotMovedIntoThePast() {
        String room = room("");
        ZonedDateTime now = ZonedDateTime.now(BERLIN);
        ZonedDateTime start = now.withSecond(0)
                .withNano(0)
                .withMinute(now.getMinute() / 15 * 15)
                .minusMinutes(15);
        Api.Response running = hub.api()
                .post(
                        "/api/v1/bookings",
                        tenant.token(),
                        "{\"resourceId\":\"" + room + "\",\"memberId\":\"" + member + "\",\"start\":\""
                                + start.toInstant() + "\",\"end\":\""
                                + start.plusHours(1).toInstant()
                                + "\",\"overrideReason\":\"walked in\"}");
        assertThat(running.status()).as(running.toString()).isEqualTo(201);
        String id = running.json().get("id").asText();
        Api.Response longer = hub.api()
                .patch(
                        "/api/v1/bookings/" + id,
                        tenant.token(),
                        "{\"end\":\"" + start.plusMinutes(90).toInstant() + "\"}");
        assertThat(longer.status()).as(longer.toString()).isEqualTo(200);
        assertThat(longer.json().get("end").asText())
                .isEqualTo(start.plusMinutes(90).toInstant().toString());
        Api.Response earlier = hub.api()
                .patch(
                        "/api/v1/bookings/" + id,
                        tenant.token(),
                        "{\"start\":\"" + start.minusMinutes(15).toInstant() + "\"}");
        assertThat(earlier.status()).isEqualTo(422);
        assertThat(earlier.text()).contains("in-the-past");
        Api.Response backwards = hub.api()
                .patch(
                        "/api/v1/bookings/" + id,
                        tenant.token(),
                        "{\"end\":\"" + start.minusMinutes(15).toInstant() + "\"}");
        assertThat(backwards.status()).isEqualTo(422);
        assertThat(backwards.text()).contains("not after its start");
    }

    private static String everyDay(String from, String to) {
        StringBuilder windows = new StringBuilder();
        for (String d : List.of("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")) {
            windows.append(windows.isEmpty() ? "" : ",")
                    .append("{\"day\":\"")
                    .append(d)
                    .append("\",\"from\":\"")
                    .append(from)
                    .append("\",\"to\":\"")
                    .append(to)
                    .append("\"}");
        }
        return windows.toString();
    }
}
