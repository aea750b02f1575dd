package dev.gatehouse.hub.bookings;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.gatehouse.hub.changes.LoggedChange;
import dev.gatehouse.hub.store.StoreKind;
import dev.gatehouse.hub.testing.Api;
import dev.gatehouse.hub.testing.MovableClock;
import dev.gatehouse.hub.testing.TestHub;
import dev.gatehouse.protocol.message.Change;
import dev.gatehouse.protocol.model.Booking;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalTime;
import java.time.ZoneId;
import java.time.temporal.ChronoUnit;
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
 * Approval and time-limited holds on both stores: a member's request on a resource that needs approval
 * waits, holding its time without opening its doors; an operator approves it (it reaches the edges),
 * declines it (time free, credits back once), or nobody decides and it lapses at the end of its hold
 * (the same). Each request is decided once.
 */
@ParameterizedClass
@EnumSource(StoreKind.class)
class BookingApprovalTest {
    private static final ZoneId BERLIN = ZoneId.of("Europe/Berlin");
    static MovableClock clock;
    static TestHub hub;

    @Parameter
    StoreKind store;

    private BookingSite at;
    private LocalDate day;

    @BeforeParameterizedClassInvocation
    static void start(StoreKind kind) {
        clock = new MovableClock();
        hub = TestHub.start(kind, clock, Optional.empty());
    }

    @AfterParameterizedClassInvocation
    static void stop() {
        hub.close();
    }

    @BeforeEach
    void site() {
        clock.set(Duration.ZERO);
        at = BookingSite.create(hub, "approve");
        day = LocalDate.now(BERLIN).plusDays(3);
        // Ada holds a plan of 10 credits a month: her requests debit credits a decline must bring back.
        String plan = hub.create(
                "/api/v1/plans", at.tenant().token(), "{\"name\":\"Flex\",\"doorGroupIds\":[],\"creditsPerMonth\":10}");
        Api.Response assigned = hub.api()
                .put(
                        "/api/v1/members/" + at.member() + "/plans/" + plan,
                        at.tenant().token(),
                        "{}");
        assertThat(assigned.status()).as(assigned.toString()).isEqualTo(201);
    }

    /** The boardroom: 2 credits an hour, its member's requests held {@code holdHours} for approval. */
    private String boardroom(int holdHours) {
        return hub.create(
                "/api/v1/sites/" + at.site() + "/resources",
                at.tenant().token(),
                "{\"name\":\"Boardroom\",\"kind\":\"meeting-room\",\"creditsPerHour\":2,\"doorIds\":[\"" + at.door()
                        + "\"],\"rules\":{\"approvalHoldHours\":" + holdHours + "}}");
    }

    private Instant local(String time) {
        return day.atTime(LocalTime.parse(time)).atZone(BERLIN).toInstant();
    }

    private Api.Response request(String resource, String who, String from, String to, String extra) {
        return hub.api()
                .post(
                        "/api/v1/bookings",
                        at.tenant().token(),
                        "{\"resourceId\":\"" + resource + "\",\"memberId\":\"" + who + "\",\"start\":\"" + local(from)
                                + "\",\"end\":\"" + local(to) + "\"" + extra + "}");
    }

    private JsonNode requested(String resource, String from, String to) {
        Api.Response answer = request(resource, at.member(), from, to, ",\"awaitApproval\":true");
        assertThat(answer.status()).as(answer.toString()).isEqualTo(201);
        return answer.json();
    }

    private Api.Response post(String path, String body) {
        return hub.api().post(path, at.tenant().token(), body);
    }

    private long balance() {
        Api.Response answer = hub.api()
                .get(
                        "/api/v1/members/" + at.member() + "/credits?period="
                                + java.time.YearMonth.from(day.atStartOfDay()),
                        at.tenant().token());
        assertThat(answer.status()).as(answer.toString()).isEqualTo(200);
        return answer.json().get("balance").asLong();
    }

    private List<Booking> syncedBookings() {
        return hub.hub().stores().changes().read(at.tenant().id(), at.site(), 0, 1000).stream()
                .map(LoggedChange::change)
                .filter(Change.Upsert.class::isInstance)
                .map(c -> ((Change.Upsert) c).entity())
                .filter(Booking.class::isInstance)
                .map(Booking.class::cast)
                .toList();
    }

    @Test
    void aRequestHoldsItsTimeWithDoorsShutUntilApproved() {
        String room = boardroom(24);
        // The store keeps milliseconds.
        Instant asked = clock.instant().truncatedTo(ChronoUnit.MILLIS);
        JsonNode pending = requested(room, "10:00", "11:00");
        String id = pending.get("id").asText();
        assertThat(pending.get("status").asText()).isEqualTo("pending");
        // Held 24 hours from the request (its start is three days away), credits debited at the request.
        assertThat(Instant.parse(pending.at("/approval/holdUntil").asText()))
                .isBetween(asked.plus(Duration.ofHours(24)), clock.instant().plus(Duration.ofHours(24)));
        assertThat(pending.at("/approval/decidedAt").isMissingNode()).isTrue();
        assertThat(pending.at("/creditLedger/debited").asLong()).isEqualTo(2);
        assertThat(balance()).isEqualTo(8);
        // The edges never hear of it: its doors stay shut.
        assertThat(syncedBookings()).isEmpty();

        // Its time is held: nobody else books it, and availability shows it taken.
        Api.Response other = request(room, at.other(), "10:30", "11:30", "");
        assertThat(other.status()).isEqualTo(409);
        assertThat(other.json().at("/errors/0/message").asText()).isEqualTo(id);
        JsonNode busy = hub.api()
                .get(
                        "/api/v1/sites/" + at.site() + "/availability?from=" + local("00:00") + "&until="
                                + local("23:00"),
                        at.tenant().token())
                .json();
        assertThat(busy.at("/resources/0/busy/0/from").asText())
                .isEqualTo(local("10:00").toString());

        // The operators' queue lists it.
        JsonNode queue = hub.api()
                .get(
                        "/api/v1/sites/" + at.site() + "/bookings?status=pending&from=" + local("00:00") + "&until="
                                + local("23:00"),
                        at.tenant().token())
                .json();
        assertThat(queue.get("items")).extracting(b -> b.get("id").asText()).containsExactly(id);

        // Approved: confirmed, sent to the edges, audited; a second approval is refused and changes nothing.
        Api.Response approved = post("/api/v1/bookings/" + id + "/approve", "");
        assertThat(approved.status()).as(approved.toString()).isEqualTo(200);
        assertThat(approved.json().get("status").asText()).isEqualTo("confirmed");
        assertThat(approved.json().at("/approval/decidedBy").asText()).isNotEmpty();
        assertThat(syncedBookings()).extracting(b -> b.id().value()).containsExactly(id);
        Api.Response again = post("/api/v1/bookings/" + id + "/approve", "");
        assertThat(again.status()).isEqualTo(409);
        assertThat(again.json().get("type").asText()).endsWith("booking-approval");
        assertThat(syncedBookings()).hasSize(1);
        assertThat(hub.api()
                        .get("/api/v1/audit?action=booking.approve", at.tenant().token())
                        .text())
                .contains(id);
        assertThat(balance()).isEqualTo(8);
        assertThat(events(id)).containsExactly("booking.created", "booking.approved");
    }

    /** The booking's events in the outbox, oldest first: what webhooks and connectors hear. */
    private static List<String> events(String bookingId) {
        return hub.hub()
                .database()
                .read(c -> dev.gatehouse.hub.store.Sql.list(
                        c,
                        "SELECT type FROM outbox_events WHERE entity_id = ? ORDER BY seq",
                        dev.gatehouse.hub.store.Sql.STRING,
                        bookingId));
    }

    @Test
    void aDeclinedRequestFreesItsTimeAndRefundsOnce() {
        String room = boardroom(24);
        String id = requested(room, "14:00", "16:00").get("id").asText();
        assertThat(balance()).isEqualTo(6);

        Api.Response noReason = post("/api/v1/bookings/" + id + "/decline", "{}");
        assertThat(noReason.status()).isEqualTo(422);
        assertThat(noReason.json().at("/errors/0/field").asText()).isEqualTo("reason");
        assertThat(balance()).isEqualTo(6);

        Api.Response declined = post("/api/v1/bookings/" + id + "/decline", "{\"reason\":\"Board meeting that day\"}");
        assertThat(declined.status()).as(declined.toString()).isEqualTo(200);
        JsonNode booking = declined.json();
        assertThat(booking.get("status").asText()).isEqualTo("declined");
        assertThat(booking.at("/approval/declineReason").asText()).isEqualTo("Board meeting that day");
        assertThat(booking.at("/creditLedger/refund/credits").asLong()).isEqualTo(4);
        assertThat(balance()).isEqualTo(10);

        // Replayed, or approved after: refused, and no second refund.
        assertThat(post("/api/v1/bookings/" + id + "/decline", "{\"reason\":\"again\"}")
                        .status())
                .isEqualTo(409);
        assertThat(post("/api/v1/bookings/" + id + "/approve", "").status()).isEqualTo(409);
        assertThat(balance()).isEqualTo(10);
        // Its time is free again.
        assertThat(request(room, at.other(), "14:00", "16:00", "").status()).isEqualTo(201);
        assertThat(syncedBookings()).extracting(b -> b.id().value()).doesNotContain(id);
        assertThat(events(id)).containsExactly("booking.created", "booking.declined");
    }

    @Test
    void anUnapprovedRequestLapsesAtTheEndOfItsHoldOnce() {
        String room = boardroom(1);
        String swept = requested(room, "09:00", "10:00").get("id").asText();
        String asked = requested(room, "11:00", "12:00").get("id").asText();
        assertThat(balance()).isEqualTo(6);
        BookingApprovals approvals = new BookingApprovals(hub.hub().database(), clock);
        assertThat(approvals.lapseDue()).isZero();

        clock.advance(Duration.ofMinutes(61));
        // An approval after the hold ended is too late: the request lapses there and then.
        Api.Response late = post("/api/v1/bookings/" + asked + "/approve", "");
        assertThat(late.status()).isEqualTo(409);
        assertThat(late.json().get("detail").asText()).contains("nobody decided");
        // The sweep lets the other lapse; run again it finds nothing.
        assertThat(approvals.lapseDue()).isEqualTo(1);
        assertThat(approvals.lapseDue()).isZero();
        for (String id : List.of(swept, asked)) {
            JsonNode booking =
                    hub.api().get("/api/v1/bookings/" + id, at.tenant().token()).json();
            assertThat(booking.get("status").asText()).isEqualTo("lapsed");
            assertThat(booking.at("/approval/decidedBy").asText()).isEqualTo("hub");
            assertThat(booking.at("/creditLedger/refund/credits").asLong()).isEqualTo(2);
        }
        assertThat(balance()).isEqualTo(10);
        assertThat(events(swept)).containsExactly("booking.created", "booking.lapsed");
        assertThat(events(asked)).containsExactly("booking.created", "booking.lapsed");
        assertThat(request(room, at.other(), "09:00", "12:00", "").status()).isEqualTo(201);
    }

    @Test
    void aHoldEndsAtTheStartWhenThatComesFirst() {
        String room = boardroom(168);
        JsonNode pending = requested(room, "10:00", "11:00");
        assertThat(pending.at("/approval/holdUntil").asText())
                .isEqualTo(local("10:00").toString());
    }

    @Test
    void operatorsBookAtOnceAndAMemberWithdrawsARequestInFull() {
        String room = boardroom(24);
        // An operator's own booking needs no approval.
        Api.Response direct = request(room, at.member(), "08:00", "09:00", "");
        assertThat(direct.json().get("status").asText()).isEqualTo("confirmed");
        // Without approval on the resource, a member's request is confirmed at once.
        String open = hub.create(
                "/api/v1/sites/" + at.site() + "/resources",
                at.tenant().token(),
                "{\"name\":\"Phone booth\",\"kind\":\"phone-booth\"}");
        assertThat(requested(open, "08:00", "09:00").get("status").asText()).isEqualTo("confirmed");
        // An override books at once; asking it to wait as well is a contradiction.
        Api.Response both =
                request(room, at.member(), "12:00", "13:00", ",\"awaitApproval\":true,\"overrideReason\":\"VIP\"");
        assertThat(both.status()).isEqualTo(422);
        assertThat(both.json().at("/errors/0/field").asText()).isEqualTo("awaitApproval");

        // Withdrawn before anyone decides: cancelled, credits back in full however late.
        String id = requested(room, "15:00", "16:00").get("id").asText();
        assertThat(balance()).isEqualTo(6);
        JsonNode cancelled = post("/api/v1/bookings/" + id + "/cancel", "").json();
        assertThat(cancelled.get("status").asText()).isEqualTo("cancelled");
        assertThat(cancelled.at("/creditLedger/refund/credits").asLong()).isEqualTo(2);
        assertThat(balance()).isEqualTo(8);
        assertThat(post("/api/v1/bookings/" + id + "/approve", "").status()).isEqualTo(409);
    }

    @Test
    void calendarFeedsShowAWaitingRequestAsTentative() throws Exception {
        String room = boardroom(24);
        String id = requested(room, "10:00", "11:00").get("id").asText();
        request(room, at.other(), "12:00", "13:00", "");
        for (String path : List.of("/api/v1/members/" + at.member(), "/api/v1/resources/" + room)) {
            Api.Response made = post(path + "/calendar-feed", "{}");
            assertThat(made.status()).as(made.toString()).isEqualTo(201);
            String feed = hub.api()
                    .get(java.net.URI.create(made.json().get("url").asText()).getPath(), null)
                    .text();
            List<String> statuses =
                    feed.lines().filter(l -> l.startsWith("STATUS:")).toList();
            if (path.contains("members")) {
                assertThat(statuses).as(path).containsExactly("STATUS:TENTATIVE");
            } else {
                assertThat(statuses).as(path).containsExactlyInAnyOrder("STATUS:TENTATIVE", "STATUS:CONFIRMED");
            }
        }
        post("/api/v1/bookings/" + id + "/decline", "{\"reason\":\"no\"}");
        Api.Response made = post("/api/v1/members/" + at.member() + "/calendar-feed", "{}");
        assertThat(hub.api()
                        .get(
                                java.net
                                        .URI
                                        .create(made.json().get("url").asText())
                                        .getPath(),
                                null)
                        .text())
                .doesNotContain("BEGIN:VEVENT");
    }

    @Test
    void onlyOperatorsWhoManageBookingsOfTheSiteDecide() {
        String room = boardroom(24);
        String id = requested(room, "10:00", "11:00").get("id").asText();
        TestHub.Tenant stranger = hub.newTenant("stranger");
        assertThat(hub.api()
                        .post("/api/v1/bookings/" + id + "/approve", stranger.token(), "")
                        .status())
                .isEqualTo(404);
        Api.Response readOnly = hub.api()
                .post(
                        "/api/v1/tokens",
                        at.tenant().token(),
                        "{\"name\":\"viewer\",\"role\":\"read-only\",\"sites\":[\"" + at.site() + "\"]}");
        String viewer = readOnly.json().get("token").asText();
        assertThat(hub.api()
                        .post("/api/v1/bookings/" + id + "/decline", viewer, "{\"reason\":\"no\"}")
                        .status())
                .isEqualTo(403);
        assertThat(hub.api()
                        .get(
                                "/api/v1/sites/" + at.site() + "/bookings?status=maybe&from=" + local("00:00")
                                        + "&until=" + local("23:00"),
                                at.tenant().token())
                        .status())
                .isEqualTo(422);
        JsonNode still =
                hub.api().get("/api/v1/bookings/" + id, at.tenant().token()).json();
        assertThat(still.get("status").asText()).isEqualTo("pending");
    }
}
