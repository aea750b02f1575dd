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

    @Test
    void aMemberWhoseInvoiceGoesUnpaidIsSuspendedAtTheDoorAndLetInAgainOncePaid() {
        // Issue 16's dunning at a simulated site: the edge decides from its synced cache.
        String card = "04D0AA1D2E3F41";
        String group = create(
                "/api/v1/sites/" + siteId + "/door-groups", "{\"name\":\"Rooms\",\"doorIds\":[\"" + door + "\"]}");
        String plan = create(
                "/api/v1/plans",
                "{\"name\":\"Resident\",\"doorGroupIds\":[\"" + group
                        + "\"],\"schedule\":[],\"holidays\":\"ignored\"}");
        String pkg = create(
                "/api/v1/packages",
                "{\"name\":\"Monthly\",\"kind\":\"membership\",\"price\":19900,\"interval\":\"month\",\"planId\":\""
                        + plan + "\"}");
        String member = create("/api/v1/members", "{\"email\":\"late@rooms.example\",\"fullName\":\"Late Payer\"}");
        create("/api/v1/members/" + member + "/credentials", "{\"type\":\"nfc-card\",\"uid\":\"" + card + "\"}");
        Api.Response sold = hub.api()
                .post(
                        "/api/v1/subscriptions",
                        token,
                        "{\"memberId\":\"" + member + "\",\"packageId\":\"" + pkg + "\",\"siteId\":\"" + siteId
                                + "\"}");
        assertThat(sold.status()).as(sold.toString()).isEqualTo(201);
        String invoice = create("/api/v1/members/" + member + "/invoices", "");
        awaitInSync();
        assertThat(site.tap(card).decision()).isInstanceOf(Decision.Granted.class);

        // The invoice fell due 31 days ago (the hub's clock is the system's here: the due date is moved
        // instead of the clock).
        hub.hub()
                .database()
                .run(c -> dev.gatehouse.hub.store.Sql.update(
                        c,
                        "UPDATE invoices SET due_at = ? WHERE id = ?",
                        Instant.now().minus(Duration.ofDays(31)),
                        invoice));
        Api.Response ran = hub.api().post("/api/v1/billing/dunning/run", token, "");
        assertThat(ran.json().at("/steps/0/to").asText()).isEqualTo("suspended");
        awaitInSync();
        assertThat(site.tap(card).decision()).isEqualTo(new Decision.Denied(DenyReason.MEMBER_SUSPENDED));

        long total = hub.api()
                .get("/api/v1/invoices/" + invoice, token)
                .json()
                .get("total")
                .asLong();
        Api.Response paid = hub.api()
                .post(
                        "/api/v1/invoices/" + invoice + "/payments",
                        token,
                        "{\"amount\":" + total
                                + ",\"method\":\"bank-transfer\",\"reference\":\"SEPA\",\"idempotencyKey\":\"late-payer-1\"}");
        assertThat(paid.status()).as(paid.toString()).isEqualTo(201);
        awaitInSync();
        assertThat(site.tap(card).decision()).isInstanceOf(Decision.Granted.class);
    }
}
