package dev.gatehouse.hub.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.gatehouse.edge.access.Decided;
import dev.gatehouse.hub.bookings.BookingCheckIns;
import dev.gatehouse.hub.store.Sql;
import dev.gatehouse.hub.store.StoreKind;
import dev.gatehouse.hub.testing.Api;
import dev.gatehouse.hub.testing.EdgeSite;
import dev.gatehouse.protocol.model.Booking;
import dev.gatehouse.protocol.model.DenyReason;
import dev.gatehouse.protocol.policy.Decision;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * Check-in and no-show release decided at the edge with the hub stopped, then reconciled at the hub
 * once: a real edge agent syncs two bookings that need a check-in; with the hub down, one member taps
 * in (checked in at the door) and the other never comes (the edge releases the booking on its own
 * clock and the door stops granting it); when the hub is back, it learns both, and whatever order its
 * own release sweep and the edge's reports arrive in, each booking ends as the door decided, once.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class BookingCheckInIT {
    private static final String ADA_CARD = "04C0FFEE000001";
    private static final String BOB_CARD = "04C0FFEE000002";

    private SyncedHub hub;
    private EdgeSite site;
    private String token;
    private String siteId;
    private String door;
    private String device;

    @BeforeAll
    void start() throws Exception {
        Path dir = Files.createTempDirectory("gatehouse-booking-checkin");
        hub = new SyncedHub(StoreKind.SQLITE, SyncedHub.embeddedOnFreePort());
        Api.Response tenant =
                hub.api().post("/api/v1/tenants", hub.adminToken(), "{\"slug\":\"checkin\",\"name\":\"Check-in\"}");
        token = tenant.json().get("token").asText();
        siteId = create("/api/v1/sites", "{\"name\":\"Rooms\",\"address\":\"1 St\",\"timeZone\":\"Europe/Berlin\"}");
        door = create("/api/v1/sites/" + siteId + "/doors", "{\"name\":\"Rooms corridor\",\"unlockSeconds\":1}");
        device = create("/api/v1/sites/" + siteId + "/devices", "{\"name\":\"Pi\"}");
        Api.Response bundle = hub.api().post("/api/v1/devices/" + device + "/provision", token, "");
        site = EdgeSite.start(bundle.json(), door, dir.resolve("site"));
    }

    @AfterAll
    void stop() {
        if (site != null) {
            site.close();
        }
        if (hub != null) {
            hub.close();
        }
    }

    private String create(String path, String json) {
        Api.Response response = hub.api().post(path, token, json);
        assertThat(response.status()).as("POST " + path + ": " + response).isEqualTo(201);
        return response.json().get("id").asText();
    }

    private JsonNode booking(String id) {
        return hub.api().get("/api/v1/bookings/" + id, token).json();
    }

    private String book(String room, String member, Instant start) {
        return create(
                "/api/v1/bookings",
                "{\"resourceId\":\"" + room + "\",\"memberId\":\"" + member + "\",\"start\":\"" + start
                        + "\",\"end\":\"" + start.plus(Duration.ofHours(1))
                        + "\",\"overrideReason\":\"booked at the front desk after the start\"}");
    }

    private long reports(String bookingId) {
        return hub.hub()
                .database()
                .read(c -> Sql.one(c, "SELECT COUNT(*) FROM booking_events WHERE booking_id = ?", Sql.LONG, bookingId))
                .orElseThrow();
    }

    private void awaitInSync() {
        long head = hub.api()
                .get("/api/v1/sites/" + siteId, token)
                .json()
                .get("changeSeq")
                .asLong();
        await().atMost(Duration.ofSeconds(30)).until(() -> site.seq() >= head);
    }

    @Test
    void theDoorDecidesWhileTheHubIsDownAndTheHubTakesItOnce() throws Exception {
        String ada = create("/api/v1/members", "{\"email\":\"ada@checkin.example\",\"fullName\":\"Ada No-Show\"}");
        String bob = create("/api/v1/members", "{\"email\":\"bob@checkin.example\",\"fullName\":\"Bob Comes\"}");
        create("/api/v1/members/" + ada + "/credentials", "{\"type\":\"nfc-card\",\"uid\":\"" + ADA_CARD + "\"}");
        create("/api/v1/members/" + bob + "/credentials", "{\"type\":\"nfc-card\",\"uid\":\"" + BOB_CARD + "\"}");
        String rules = ",\"doorIds\":[\"" + door + "\"],\"rules\":{\"checkInOpensBeforeMinutes\":15,"
                + "\"releaseAfterMinutes\":5}}";
        String roomOne = create(
                "/api/v1/sites/" + siteId + "/resources", "{\"name\":\"Room One\",\"kind\":\"meeting-room\"" + rules);
        String roomTwo = create(
                "/api/v1/sites/" + siteId + "/resources", "{\"name\":\"Room Two\",\"kind\":\"meeting-room\"" + rules);
        // The agent reports that it reads check-in; only then does the hub ask for it.
        await().atMost(Duration.ofSeconds(30)).until(() -> hub.hub()
                .database()
                .read(c -> Sql.one(c, "SELECT COALESCE(features, '') FROM devices WHERE id = ?", Sql.STRING, device))
                .orElse("")
                .contains(Booking.FEATURE));

        // Both bookings began four and a half minutes ago: released at the door in thirty seconds.
        Instant start = Instant.now().truncatedTo(ChronoUnit.SECONDS).minus(Duration.ofSeconds(270));
        Instant releaseAt = start.plus(Duration.ofMinutes(5));
        String noShow = book(roomOne, ada, start);
        String comes = book(roomTwo, bob, start);
        assertThat(booking(noShow).at("/checkIn/releaseAt").asText()).isEqualTo(releaseAt.toString());
        awaitInSync();

        hub.stop();
        // Bob taps in: the booking opens the door and is checked in there.
        Decided bobIn = site.tap(BOB_CARD);
        assertThat(bobIn.decision()).isInstanceOf(Decision.Granted.class);
        assertThat(bobIn.checksIn()).map(id -> id.value()).contains(comes);
        Instant tapped = bobIn.event().time();
        // Ada never comes; the edge releases her booking on its own clock (it sweeps every 5 s).
        await().atMost(Duration.ofSeconds(90)).until(() -> Instant.now().isAfter(releaseAt.plusSeconds(7)));
        assertThat(site.tap(ADA_CARD).decision()).isEqualTo(new Decision.Denied(DenyReason.BOOKING_RELEASED));
        // Bob's booking, checked in, still opens the door after the release time.
        assertThat(site.tap(BOB_CARD).decision()).isInstanceOf(Decision.Granted.class);
        assertThat(site.outboxDepth()).isGreaterThanOrEqualTo(2);

        hub.start();
        await().atMost(Duration.ofSeconds(60)).until(() -> site.outboxDepth() == 0);
        JsonNode released = booking(noShow);
        assertThat(released.get("status").asText()).isEqualTo("released");
        // The edge's report or the hub's own sweep on restart, whichever came first: once.
        assertThat(released.get("releasedBy").asText()).isIn(device, BookingCheckIns.HUB);
        JsonNode checkedIn = booking(comes);
        assertThat(checkedIn.get("status").asText()).isEqualTo("confirmed");
        assertThat(Instant.parse(checkedIn.at("/checkIn/checkedInAt").asText()))
                .isEqualTo(tapped.truncatedTo(ChronoUnit.MILLIS));
        assertThat(checkedIn.at("/checkIn/checkedInBy").asText()).isEqualTo(device + "/" + door);
        assertThat(reports(noShow)).isEqualTo(1);
        assertThat(reports(comes)).isEqualTo(1);

        // Ada's room is free again; the hub's sweep has nothing more to do.
        new BookingCheckIns(hub.hub().database(), hub.hub().stores().clock()).releaseDue();
        assertThat(booking(comes).get("status").asText()).isEqualTo("confirmed");
        JsonNode free = hub.api()
                .get(
                        "/api/v1/sites/" + siteId + "/availability?from=" + start + "&until="
                                + start.plus(Duration.ofHours(2)),
                        token)
                .json();
        for (JsonNode resource : free.get("resources")) {
            if (resource.get("id").asText().equals(roomOne)) {
                assertThat(resource.get("busy")).isEmpty();
            } else {
                assertThat(resource.get("busy")).hasSize(1);
            }
        }
    }
}
