package dev.gatehouse.hub.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.gatehouse.hub.store.StoreKind;
import dev.gatehouse.hub.testing.Api;
import dev.gatehouse.hub.testing.EdgeSite;
import dev.gatehouse.protocol.model.DenyReason;
import dev.gatehouse.protocol.model.MemberId;
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
 * A booking is the key to its room: a member whose plan opens no door books the room through the API,
 * and the room's door, decided at the edge from its synced cache, lets the member in for the booking
 * and its buffers, and stops as soon as the booking is cancelled.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class BookingDoorIT {
    private static final String CARD = "04B00C1D2E3F40";

    private SyncedHub hub;
    private EdgeSite site;
    private String token;
    private String siteId;
    private String door;

    @BeforeAll
    void start() throws Exception {
        Path dir = Files.createTempDirectory("gatehouse-booking-door");
        hub = new SyncedHub(StoreKind.SQLITE, SyncedHub.embeddedOnFreePort());
        Api.Response tenant =
                hub.api().post("/api/v1/tenants", hub.adminToken(), "{\"slug\":\"rooms\",\"name\":\"Rooms\"}");
        token = tenant.json().get("token").asText();
        siteId = create("/api/v1/sites", "{\"name\":\"Rooms\",\"address\":\"1 St\",\"timeZone\":\"Europe/Berlin\"}");
        String door = create("/api/v1/sites/" + siteId + "/doors", "{\"name\":\"Room Ada\",\"unlockSeconds\":1}");
        String device = create("/api/v1/sites/" + siteId + "/devices", "{\"name\":\"Pi\"}");
        Api.Response bundle = hub.api().post("/api/v1/devices/" + device + "/provision", token, "");
        site = EdgeSite.start(bundle.json(), door, dir.resolve("site"));
        this.door = door;
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

    private void awaitInSync() {
        long head = hub.api()
                .get("/api/v1/sites/" + siteId, token)
                .json()
                .get("changeSeq")
                .asLong();
        await().atMost(Duration.ofSeconds(30)).until(() -> site.seq() >= head);
    }

    @Test
    void theBookedMemberPassesTheRoomsDoorForTheBookingOnly() {
        // A member with a card and no plan: no door of the site opens for them.
        String member = create("/api/v1/members", "{\"email\":\"guest@rooms.example\",\"fullName\":\"Booking Guest\"}");
        create("/api/v1/members/" + member + "/credentials", "{\"type\":\"nfc-card\",\"uid\":\"" + CARD + "\"}");
        String room = create(
                "/api/v1/sites/" + siteId + "/resources",
                "{\"name\":\"Room Ada\",\"kind\":\"meeting-room\",\"doorIds\":[\"" + door + "\"],"
                        + "\"rules\":{\"bufferBeforeMinutes\":10}}");
        awaitInSync();
        assertThat(site.tap(CARD).decision()).isEqualTo(new Decision.Denied(DenyReason.NO_ACCESS_TO_DOOR));

        // A walk-in booked by the front desk from this minute (a start now is short notice: the
        // override says why, and is audited) opens the room at once.
        Instant start = Instant.now().truncatedTo(ChronoUnit.MINUTES);
        Api.Response booked = hub.api()
                .post(
                        "/api/v1/bookings",
                        token,
                        "{\"resourceId\":\"" + room + "\",\"memberId\":\"" + member + "\",\"start\":\"" + start
                                + "\",\"end\":\"" + start.plus(Duration.ofMinutes(30))
                                + "\",\"overrideReason\":\"walk-in at the front desk\"}");
        assertThat(booked.status()).as(booked.toString()).isEqualTo(201);
        awaitInSync();
        var granted = site.tap(CARD);
        assertThat(granted.decision()).isInstanceOf(Decision.Granted.class);
        assertThat(granted.accessEvent().member()).contains(MemberId.of(member));

        Api.Response cancelled =
                hub.api().post("/api/v1/bookings/" + booked.json().get("id").asText() + "/cancel", token, "");
        assertThat(cancelled.status()).isEqualTo(200);
        awaitInSync();
        assertThat(site.tap(CARD).decision()).isEqualTo(new Decision.Denied(DenyReason.NO_ACCESS_TO_DOOR));
    }
}
