package dev.gatehouse.hub.mqtt;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.gatehouse.hub.bookings.BookingCheckIns;
import dev.gatehouse.hub.changes.LoggedChange;
import dev.gatehouse.hub.store.Sql;
import dev.gatehouse.hub.store.StoreKind;
import dev.gatehouse.hub.sync.SyncStore;
import dev.gatehouse.hub.testing.Api;
import dev.gatehouse.hub.testing.FakeEdge;
import dev.gatehouse.hub.testing.TestHub;
import dev.gatehouse.protocol.message.Change;
import dev.gatehouse.protocol.model.Booking;
import dev.gatehouse.protocol.topic.Channel;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.AfterParameterizedClassInvocation;
import org.junit.jupiter.params.BeforeParameterizedClassInvocation;
import org.junit.jupiter.params.Parameter;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Check-in and no-show release at the hub, on both stores, over the real embedded broker: a booking of
 * a resource that asks for check-in carries it to sites whose edges all read it; an edge's check-in or
 * release changes the booking once, whichever side is first and however often it is resent; a check-in
 * made in time stands against a release the hub made first (the booking comes back, or, its time booked
 * again, the rebooking stays, the credits go back and the conflict is recorded); and a report about
 * another site's booking, or one that breaks the booking's times, changes nothing.
 */
@ParameterizedClass
@EnumSource(StoreKind.class)
class BookingCheckInTest {
    static TestHub hub;

    @Parameter
    StoreKind store;

    @BeforeParameterizedClassInvocation
    static void start(StoreKind kind) {
        hub = TestHub.startWithBroker(kind);
    }

    @AfterParameterizedClassInvocation
    static void stop() {
        hub.close();
    }

    /** A site with one edge (connected, reporting {@code features}), a room with check-in, two members. */
    private record Site(EdgeDevices.Device device, FakeEdge edge, String door, String room, String ada, String bob)
            implements AutoCloseable {
        @Override
        public void close() {
            edge.close();
        }
    }

    private Site site(String prefix, List<String> features) throws Exception {
        EdgeDevices.Device d = EdgeDevices.provisioned(hub, prefix);
        FakeEdge edge = EdgeDevices.connect(hub, d);
        edge.publish(IngestTest.topic(d, Channel.STATE), EdgeMessages.state(d.site(), d.id(), features));
        await().atMost(IngestTest.WAIT).until(() -> String.join(",", features).equals(features(d)));
        String door = IngestTest.door(d);
        String room = hub.create(
                "/api/v1/sites/" + d.site() + "/resources",
                d.token(),
                "{\"name\":\"Room Ada\",\"kind\":\"meeting-room\",\"creditsPerHour\":4,\"doorIds\":[\"" + door
                        + "\"],\"rules\":{\"checkInOpensBeforeMinutes\":15,\"releaseAfterMinutes\":10}}");
        String ada = hub.create(
                "/api/v1/members", d.token(), "{\"email\":\"ada@example.com\",\"fullName\":\"Ada Lovelace\"}");
        String bob = hub.create(
                "/api/v1/members", d.token(), "{\"email\":\"bob@example.com\",\"fullName\":\"Bob Builder\"}");
        return new Site(d, edge, door, room, ada, bob);
    }

    private static String features(EdgeDevices.Device d) {
        return hub.hub()
                .database()
                .read(c -> Sql.one(c, "SELECT COALESCE(features, '-') FROM devices WHERE id = ?", Sql.STRING, d.id()))
                .orElse("-");
    }

    /** Books {@code room} from {@code start} for an hour; the override lets a test book in the past. */
    private static JsonNode book(Site s, String member, Instant start, String more) {
        Api.Response booked = hub.api()
                .post(
                        "/api/v1/bookings",
                        s.device().token(),
                        "{\"resourceId\":\"" + s.room() + "\",\"memberId\":\"" + member + "\",\"start\":\"" + start
                                + "\",\"end\":\"" + start.plus(Duration.ofHours(1))
                                + "\",\"overrideReason\":\"test at a chosen time\"" + more + "}");
        assertThat(booked.status()).as(booked.toString()).isEqualTo(201);
        return booked.json();
    }

    private static JsonNode booking(Site s, String id) {
        return hub.api().get("/api/v1/bookings/" + id, s.device().token()).json();
    }

    private static boolean absent(JsonNode node) {
        return node == null || node.isNull() || node.isMissingNode();
    }

    private static Instant minute() {
        return Instant.now().truncatedTo(ChronoUnit.MINUTES);
    }

    private static List<String> outcomes(String bookingId) {
        return hub.hub()
                .database()
                .read(c -> Sql.list(
                        c,
                        "SELECT outcome FROM booking_events WHERE booking_id = ? ORDER BY received_at, id",
                        Sql.STRING,
                        bookingId));
    }

    private static void report(Site s, byte[] event) throws Exception {
        s.edge().publish(IngestTest.topic(s.device(), Channel.EVENTS), event);
    }

    private static BookingCheckIns checkIns() {
        return new BookingCheckIns(hub.hub().database(), hub.hub().stores().clock());
    }

    private static Booking lastSynced(Site s) {
        SyncStore sync = new SyncStore(hub.hub().database());
        List<LoggedChange> log = sync.range(s.device().tenantId(), s.device().site(), 0, 10_000)
                .orElseThrow()
                .changes();
        return log.reversed().stream()
                .map(LoggedChange::change)
                .filter(change -> change instanceof Change.Upsert upsert && upsert.entity() instanceof Booking)
                .map(change -> (Booking) ((Change.Upsert) change).entity())
                .findFirst()
                .orElseThrow();
    }

    @Test
    void anEdgesCheckInCountsOnceAndAReleaseAfterItChangesNothing() throws Exception {
        try (Site s = site("checkin", List.of(Booking.FEATURE))) {
            Instant start = minute().minus(Duration.ofMinutes(2));
            JsonNode made = book(
                    s,
                    s.ada(),
                    start,
                    ",\"invitees\":[\"" + s.bob() + "\"],\"joinLink\":\"https://meet.example.com/x\"");
            String id = made.get("id").asText();
            assertThat(made.at("/checkIn/releaseAt").asText())
                    .isEqualTo(start.plus(Duration.ofMinutes(10)).toString());
            assertThat(absent(made.at("/checkIn/checkedInAt"))).isTrue();
            assertThat(made.get("invitees")).hasSize(1);

            // The site's edge reads bookings-v2: it gets the whole booking.
            Booking synced = lastSynced(s);
            assertThat(synced.checkIn()).isPresent();
            assertThat(synced.invitees()).extracting(m -> m.value()).containsExactly(s.bob());
            assertThat(synced.joinLink()).contains("https://meet.example.com/x");

            // Bob, invited, taps in; the edge sends the report twice (its ack was lost).
            Instant tap = Instant.now().truncatedTo(ChronoUnit.MILLIS);
            String event = EdgeMessages.eventId();
            byte[] checkIn = EdgeMessages.checkedIn(event, tap, s.device().site(), id, s.bob(), s.door());
            // The copy goes once the first is acknowledged: two copies in one ingest batch are
            // acknowledged once, and the test would wait for a second ack that never comes.
            report(s, checkIn);
            await().atMost(IngestTest.WAIT)
                    .until(() -> IngestTest.ackedIds(s.edge()).contains(event));
            report(s, checkIn);
            await().atMost(IngestTest.WAIT)
                    .until(() -> IngestTest.ackedIds(s.edge()).stream()
                                    .filter(event::equals)
                                    .count()
                            == 2);
            JsonNode after = booking(s, id);
            assertThat(after.at("/checkIn/checkedInAt").asText()).isEqualTo(tap.toString());
            assertThat(after.at("/checkIn/checkedInBy").asText())
                    .isEqualTo(s.device().id() + "/" + s.door());
            assertThat(outcomes(id)).containsExactly("checked-in");
            // Every edge of the site learns of it.
            assertThat(lastSynced(s).checkIn().orElseThrow().checkedIn()).contains(tap);

            // A release decided later elsewhere (an edge that never heard of the check-in) does nothing.
            report(
                    s,
                    EdgeMessages.released(
                            EdgeMessages.eventId(),
                            start.plus(Duration.ofMinutes(10)),
                            s.device().site(),
                            id));
            await().atMost(IngestTest.WAIT).until(() -> outcomes(id).size() == 2);
            assertThat(outcomes(id)).containsExactly("checked-in", "already-checked-in");
            checkIns().releaseDue();
            assertThat(booking(s, id).get("status").asText()).isEqualTo("confirmed");
        }
    }

    @Test
    void aReleaseFreesTheTimeOnceWhicheverSideIsFirst() throws Exception {
        try (Site s = site("release", List.of(Booking.FEATURE))) {
            // Due in a few seconds: the edge, on its own clock, is first; the hub's sweep comes after.
            Instant start = Instant.now()
                    .truncatedTo(ChronoUnit.SECONDS)
                    .minus(Duration.ofMinutes(10))
                    .plusSeconds(5);
            String id = book(s, s.ada(), start, "").get("id").asText();
            Instant due = start.plus(Duration.ofMinutes(10));

            // An edge with a clock running early cannot release before the release time.
            report(
                    s,
                    EdgeMessages.released(
                            EdgeMessages.eventId(),
                            due.minusSeconds(1),
                            s.device().site(),
                            id));
            await().atMost(IngestTest.WAIT).until(() -> outcomes(id).size() == 1);
            assertThat(outcomes(id)).containsExactly("release-not-due");
            assertThat(booking(s, id).get("status").asText()).isEqualTo("confirmed");

            report(
                    s,
                    EdgeMessages.released(
                            EdgeMessages.eventId(), due, s.device().site(), id));
            await().atMost(IngestTest.WAIT).until(() -> outcomes(id).size() == 2);
            JsonNode released = booking(s, id);
            assertThat(released.get("status").asText()).isEqualTo("released");
            assertThat(released.get("releasedBy").asText()).isEqualTo(s.device().id());
            assertThat(released.get("releasedAt").asText()).isEqualTo(due.toString());
            // Its time is free: the room's availability shows nothing busy.
            JsonNode free = hub.api()
                    .get(
                            "/api/v1/sites/" + s.device().site() + "/availability?from=" + start + "&until="
                                    + start.plus(Duration.ofHours(2)),
                            s.device().token())
                    .json();
            assertThat(free.at("/resources/0/busy")).isEmpty();
            // The edges drop it; the hub's sweep, coming second, changes nothing.
            assertThat(lastRemoved(s)).isEqualTo(id);
            await().atMost(IngestTest.WAIT).until(() -> Instant.now().isAfter(due));
            checkIns().releaseDue();
            // No refund for a no-show: its debit stands alone.
            assertThat(ledgerKinds(id)).containsExactly("DEBIT");
            // Another edge of the site, reporting the same release, changes nothing either.
            EdgeDevices.Device second = EdgeDevices.another(hub, s.device(), "pi-second");
            try (FakeEdge other = EdgeDevices.connect(hub, second)) {
                other.publish(
                        IngestTest.topic(second, Channel.EVENTS),
                        EdgeMessages.released(EdgeMessages.eventId(), due, second.site(), id));
                await().atMost(IngestTest.WAIT).until(() -> outcomes(id).size() == 3);
            }
            assertThat(outcomes(id)).containsExactly("release-not-due", "released", "already-released");
            assertThat(booking(s, id).get("releasedBy").asText())
                    .isEqualTo(s.device().id());
            // Receivers hear of the release once, whoever reported it.
            assertThat(bookingEvents(id)).containsExactly("booking.created", "booking.released");
        }
    }

    /** The booking's events in the outbox, oldest first. */
    static List<String> bookingEvents(String bookingId) {
        return hub.hub()
                .database()
                .read(c -> Sql.list(
                        c, "SELECT type FROM outbox_events WHERE entity_id = ? ORDER BY seq", Sql.STRING, bookingId));
    }

    private static String lastRemoved(Site s) {
        SyncStore sync = new SyncStore(hub.hub().database());
        List<LoggedChange> log = sync.range(s.device().tenantId(), s.device().site(), 0, 10_000)
                .orElseThrow()
                .changes();
        return ((Change.Remove) log.getLast().change()).key();
    }

    private static List<String> ledgerKinds(String bookingId) {
        return hub.hub()
                .database()
                .read(c -> Sql.list(
                        c, "SELECT kind FROM credit_ledger WHERE booking_id = ? ORDER BY seq", Sql.STRING, bookingId));
    }

    @Test
    void aCheckInMadeInTimeStandsAgainstTheHubsRelease() throws Exception {
        try (Site s = site("late", List.of(Booking.FEATURE))) {
            Instant start = minute().minus(Duration.ofMinutes(30));
            String id = book(s, s.ada(), start, "").get("id").asText();
            checkIns().releaseDue(); // or the hub's own sweep, at most ten seconds later
            assertThat(booking(s, id).get("releasedBy").asText()).isEqualTo(BookingCheckIns.HUB);

            // The edge was offline: Ada's tap five minutes after the start reaches the hub now.
            Instant tap = start.plus(Duration.ofMinutes(5));
            report(
                    s,
                    EdgeMessages.checkedIn(
                            EdgeMessages.eventId(), tap, s.device().site(), id, s.ada(), s.door()));
            await().atMost(IngestTest.WAIT).until(() -> !outcomes(id).isEmpty());
            assertThat(outcomes(id)).containsExactly("restored");
            JsonNode back = booking(s, id);
            assertThat(back.get("status").asText()).isEqualTo("confirmed");
            assertThat(absent(back.path("releasedAt"))).isTrue();
            assertThat(back.at("/checkIn/checkedInAt").asText()).isEqualTo(tap.toString());
            assertThat(lastSynced(s).id().value()).isEqualTo(id);
        }
    }

    @Test
    void aRebookingStandsAndTheCheckedInMemberGetsTheCreditsBack() throws Exception {
        try (Site s = site("conflict", List.of(Booking.FEATURE))) {
            Instant start = minute().minus(Duration.ofMinutes(30));
            String id = book(s, s.ada(), start, "").get("id").asText();
            checkIns().releaseDue();
            assertThat(booking(s, id).get("status").asText()).isEqualTo("released");
            // The freed time is booked again, by Bob.
            String rebooking = book(s, s.bob(), minute().plus(Duration.ofMinutes(1)), "")
                    .get("id")
                    .asText();

            Instant tap = start.plus(Duration.ofMinutes(4));
            report(
                    s,
                    EdgeMessages.checkedIn(
                            EdgeMessages.eventId(), tap, s.device().site(), id, s.ada(), s.door()));
            await().atMost(IngestTest.WAIT).until(() -> !outcomes(id).isEmpty());
            assertThat(outcomes(id)).containsExactly("conflict-recorded");
            assertThat(booking(s, id).get("status").asText()).isEqualTo("released");
            assertThat(booking(s, rebooking).get("status").asText()).isEqualTo("confirmed");
            assertThat(ledgerKinds(id)).containsExactly("DEBIT", "REFUND");
            long refunded = hub.hub()
                    .database()
                    .read(c -> Sql.one(c, "SELECT SUM(credits) FROM credit_ledger WHERE booking_id = ?", Sql.LONG, id))
                    .orElseThrow();
            assertThat(refunded).isZero();

            JsonNode conflicts = hub.api()
                    .get(
                            "/api/v1/sites/" + s.device().site() + "/booking-conflicts",
                            s.device().token())
                    .json();
            assertThat(conflicts.get("items")).hasSize(1);
            assertThat(conflicts.at("/items/0/bookingId").asText()).isEqualTo(id);
            assertThat(conflicts.at("/items/0/rebookingId").asText()).isEqualTo(rebooking);
            assertThat(conflicts.at("/items/0/refundedCredits").asLong()).isEqualTo(4);
        }
    }

    @Test
    void reportsAboutAnotherSitesBookingOrByOutsidersChangeNothing() throws Exception {
        try (Site s = site("owner", List.of(Booking.FEATURE));
                Site stranger = site("stranger", List.of(Booking.FEATURE))) {
            Instant start = minute().minus(Duration.ofMinutes(5));
            String id = book(s, s.ada(), start, "").get("id").asText();
            // Another tenant's edge names the booking: unknown there.
            report(
                    stranger,
                    EdgeMessages.released(
                            EdgeMessages.eventId(),
                            start.plus(Duration.ofHours(1)),
                            stranger.device().site(),
                            id));
            // Bob is neither the booker nor invited.
            report(
                    s,
                    EdgeMessages.checkedIn(
                            EdgeMessages.eventId(),
                            start.plus(Duration.ofMinutes(1)),
                            s.device().site(),
                            id,
                            s.bob(),
                            s.door()));
            // A tap long before the window opens.
            report(
                    s,
                    EdgeMessages.checkedIn(
                            EdgeMessages.eventId(),
                            start.minus(Duration.ofHours(1)),
                            s.device().site(),
                            id,
                            s.ada(),
                            s.door()));
            await().atMost(IngestTest.WAIT).until(() -> outcomes(id).size() == 3);
            assertThat(outcomes(id))
                    .containsExactlyInAnyOrder("unknown-booking", "member-not-on-booking", "outside-check-in-window");
            JsonNode unchanged = booking(s, id);
            assertThat(unchanged.get("status").asText()).isEqualTo("confirmed");
            assertThat(absent(unchanged.at("/checkIn/checkedInAt"))).isTrue();
        }
    }

    @Test
    void aSiteWithAnOlderEdgeGetsTheFirstFormUntilItIsUpgraded() throws Exception {
        try (Site s = site("legacy", List.of("door-policy"))) {
            JsonNode made = book(s, s.ada(), minute().plus(Duration.ofHours(2)), ",\"invitees\":[\"" + s.bob() + "\"]");
            // Its edge could not enforce a check-in: the booking needs none.
            assertThat(absent(made.path("checkIn"))).isTrue();
            Booking first = lastSynced(s);
            assertThat(first.extended()).isFalse();
            assertThat(first.invitees()).isEmpty();

            // The edge is upgraded: the site's bookings are sent again, whole.
            long head = hub.hub()
                    .stores()
                    .changes()
                    .head(s.device().tenantId(), s.device().site());
            s.edge()
                    .publish(
                            IngestTest.topic(s.device(), Channel.STATE),
                            EdgeMessages.state(s.device().site(), s.device().id(), List.of(Booking.FEATURE)));
            await().atMost(IngestTest.WAIT)
                    .until(() -> hub.hub()
                                    .stores()
                                    .changes()
                                    .head(s.device().tenantId(), s.device().site())
                            > head);
            Booking resent = lastSynced(s);
            assertThat(resent.resource()).contains(s.room());
            assertThat(resent.invitees()).extracting(m -> m.value()).containsExactly(s.bob());
        }
    }

    @Test
    void theFrontDeskChecksInWithinTheWindowOnly() throws Exception {
        try (Site s = site("desk", List.of(Booking.FEATURE))) {
            String now = book(s, s.ada(), minute().minus(Duration.ofMinutes(2)), "")
                    .get("id")
                    .asText();
            String later = book(s, s.ada(), minute().plus(Duration.ofHours(5)), "")
                    .get("id")
                    .asText();

            Api.Response early = hub.api()
                    .post("/api/v1/bookings/" + later + "/check-in", s.device().token(), "");
            assertThat(early.status()).as(early.toString()).isEqualTo(409);
            assertThat(early.text()).contains("can be checked in from");

            Api.Response done = hub.api()
                    .post("/api/v1/bookings/" + now + "/check-in", s.device().token(), "");
            assertThat(done.status()).as(done.toString()).isEqualTo(200);
            assertThat(absent(done.json().at("/checkIn/checkedInAt"))).isFalse();
            Api.Response again = hub.api()
                    .post("/api/v1/bookings/" + now + "/check-in", s.device().token(), "");
            assertThat(again.status()).isEqualTo(200);
            assertThat(again.json().at("/checkIn/checkedInAt").asText())
                    .isEqualTo(done.json().at("/checkIn/checkedInAt").asText());
            checkIns().releaseDue();
            assertThat(booking(s, now).get("status").asText()).isEqualTo("confirmed");
            assertThat(Optional.ofNullable(
                            lastSynced(s).checkIn().orElseThrow().checkedIn().orElse(null)))
                    .isPresent();
        }
    }
}
