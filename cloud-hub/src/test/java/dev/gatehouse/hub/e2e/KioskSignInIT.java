package dev.gatehouse.hub.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.icegreen.greenmail.util.GreenMail;
import com.icegreen.greenmail.util.GreenMailUtil;
import com.icegreen.greenmail.util.ServerSetupTest;
import dev.gatehouse.hub.store.Sql;
import dev.gatehouse.hub.store.StoreKind;
import dev.gatehouse.hub.testing.Api;
import dev.gatehouse.hub.testing.EdgeSite;
import dev.gatehouse.hub.testing.KioskClient;
import dev.gatehouse.hub.testing.SmtpSettings;
import dev.gatehouse.protocol.message.Envelope;
import dev.gatehouse.protocol.message.KioskEvent;
import jakarta.mail.internet.MimeMessage;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * A visitor signs in at the kiosk of a real edge agent while the hub is stopped, and the hub, back,
 * stores the sign-in once and mails the host once — also when the edge sends the same event again.
 * Real parts: the hub with its embedded MQTT broker and SQLite, the edge agent on simulated hardware
 * serving the kiosk over HTTP, GreenMail as the SMTP server.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class KioskSignInIT {

    private GreenMail smtp;
    private SyncedHub hub;
    private EdgeSite site;
    private KioskClient tablet;
    private String token;
    private String siteId;
    private String door;
    private String device;
    /** A plan opening the entrance: hosts hold it, so the edge gets their names. */
    private String plan;
    /** A plan opening only another site's door (a site without an edge). */
    private String elsewherePlan;

    @BeforeAll
    void start() throws Exception {
        Path dir = Files.createTempDirectory("gatehouse-kiosk-it");
        smtp = new GreenMail(ServerSetupTest.SMTP.dynamicPort());
        smtp.start();
        int port = smtp.getSmtp().getPort();
        hub = new SyncedHub(
                StoreKind.SQLITE,
                SyncedHub.embeddedOnFreePort(),
                config -> config.withMail(SmtpSettings.local(port, "desk@gatehouse.example", dir.resolve("hub-mail"))));
        Api.Response tenant =
                hub.api().post("/api/v1/tenants", hub.adminToken(), "{\"slug\":\"kiosk\",\"name\":\"Kiosk Co\"}");
        token = tenant.json().get("token").asText();
        siteId = create(
                "/api/v1/sites", "{\"name\":\"Lobby House\",\"address\":\"1 St\",\"timeZone\":\"Europe/Berlin\"}");
        door = create("/api/v1/sites/" + siteId + "/doors", "{\"name\":\"Entrance\",\"unlockSeconds\":1}");
        device = create("/api/v1/sites/" + siteId + "/devices", "{\"name\":\"Pi\"}");
        plan = plan(siteId, door);
        String elsewhere =
                create("/api/v1/sites", "{\"name\":\"Annex\",\"address\":\"2 St\",\"timeZone\":\"Europe/Berlin\"}");
        elsewherePlan = plan(elsewhere, create("/api/v1/sites/" + elsewhere + "/doors", "{\"name\":\"Annex door\"}"));
        Api.Response bundle = hub.api().post("/api/v1/devices/" + device + "/provision", token, "");
        site = EdgeSite.start(bundle.json(), door, dir.resolve("site"));
        tablet = KioskClient.start(site.agent, site.config, door);
    }

    @AfterAll
    void stop() {
        try (var k = tablet;
                var s = site;
                var h = hub) {
            // closed in reverse order, each even if another fails
        }
        if (smtp != null) {
            smtp.stop();
        }
    }

    private String create(String path, String json) {
        Api.Response response = hub.api().post(path, token, json);
        assertThat(response.status()).as("POST " + path + ": " + response).isEqualTo(201);
        return response.json().get("id").asText();
    }

    private String plan(String site, String doorId) {
        String group =
                create("/api/v1/sites/" + site + "/door-groups", "{\"name\":\"All\",\"doorIds\":[\"" + doorId + "\"]}");
        return create(
                "/api/v1/plans",
                "{\"name\":\"Desk\",\"doorGroupIds\":[\"" + group + "\"],\"schedule\":[],\"holidays\":\"ignored\"}");
    }

    /** A member holding {@code planId}; answers its id. */
    private String member(String email, String name, String planId) {
        String id = create("/api/v1/members", "{\"email\":\"" + email + "\",\"fullName\":\"" + name + "\"}");
        Api.Response assigned = hub.api().put("/api/v1/members/" + id + "/plans/" + planId, token, "{}");
        assertThat(assigned.status()).as(assigned.toString()).isLessThan(300);
        return id;
    }

    /** A single-use pass for the entrance hosted by {@code host}; answers its PIN. */
    private String invite(String host, String visitor) {
        Instant now = Instant.now().truncatedTo(ChronoUnit.SECONDS);
        Api.Response created = hub.api()
                .post(
                        "/api/v1/sites/" + siteId + "/visitor-passes",
                        token,
                        "{\"visitorName\":\"" + visitor + "\",\"hostMemberId\":\"" + host + "\",\"doorIds\":[\""
                                + door + "\"],\"validFrom\":\"" + now.minusSeconds(60) + "\",\"validUntil\":\""
                                + now.plus(Duration.ofHours(4)) + "\"}");
        assertThat(created.status()).as(created.toString()).isEqualTo(201);
        return created.json().get("pin").asText();
    }

    private void awaitInSync() {
        long head = hub.api()
                .get("/api/v1/sites/" + siteId, token)
                .json()
                .get("changeSeq")
                .asLong();
        await().atMost(Duration.ofSeconds(30)).until(() -> site.seq() >= head);
    }

    /** Types {@code pin} at the kiosk; answers the page the visitor sees. */
    private String signIn(String pin) throws Exception {
        HttpResponse<String> answer = tablet.signInWithPin(pin);
        assertThat(answer.statusCode()).as(answer.body()).isEqualTo(200);
        return answer.body();
    }

    private long storedRows(String eventId) {
        return hub.hub()
                .database()
                .read(c -> Sql.one(c, "SELECT COUNT(*) FROM kiosk_sign_ins WHERE id = ?", Sql.LONG, eventId))
                .orElseThrow();
    }

    private long outboxEvents(String eventId) {
        return hub.hub()
                .database()
                .read(c -> Sql.one(
                        c,
                        "SELECT COUNT(*) FROM outbox_events WHERE type = 'visitor.signed-in' AND entity_id = ?",
                        Sql.LONG,
                        eventId))
                .orElseThrow();
    }

    private List<MimeMessage> mailsTo(String address) {
        return List.of(smtp.getReceivedMessages()).stream()
                .filter(m -> {
                    try {
                        return GreenMailUtil.getAddressList(m.getAllRecipients())
                                .contains(address);
                    } catch (jakarta.mail.MessagingException e) {
                        throw new AssertionError(e);
                    }
                })
                .toList();
    }

    @Test
    void aSignInMadeWithTheHubStoppedIsStoredOnceAndTheHostMailedOnceEvenWhenTheEdgeSendsItAgain() throws Exception {
        String host = member("ada@kiosk.example", "Ada Host", plan);
        String pin = invite(host, "Grace Hopper");
        awaitInSync();
        // The edge reported that it sends kiosk events; the hub reads them from then on.
        await().atMost(Duration.ofSeconds(30)).until(() -> hub.hub()
                .database()
                .read(c -> Sql.one(c, "SELECT COALESCE(features, '') FROM devices WHERE id = ?", Sql.STRING, device))
                .orElse("")
                .contains(KioskEvent.FEATURE));

        hub.stop();
        await().atMost(Duration.ofSeconds(30)).until(() -> !site.agent.hubReachable());
        String welcome = signIn(pin);

        assertThat(welcome).contains("Signed in").contains("as soon as the connection is back");
        Envelope recorded = site.agent.cache().outbox().peek(100).stream()
                .filter(e -> e.payload() instanceof KioskEvent)
                .findFirst()
                .orElseThrow();
        assertThat(recorded.payloadAs(KioskEvent.class).offline()).isTrue();
        assertThat(mailsTo("ada@kiosk.example")).isEmpty();

        hub.start();
        await().atMost(Duration.ofSeconds(60)).until(() -> site.outboxDepth() == 0);
        await().atMost(Duration.ofSeconds(30))
                .until(() -> mailsTo("ada@kiosk.example").size() == 1);
        MimeMessage mail = mailsTo("ada@kiosk.example").getFirst();
        assertThat(mail.getSubject()).isEqualTo("Grace Hopper is here to see you at Lobby House (Kiosk Co)");
        assertThat(GreenMailUtil.getBody(mail)).contains("with your invitation").contains("offline");

        // The edge sends the same event again (as after a lost acknowledgement): acknowledged, not stored
        // or mailed again.
        site.agent.cache().outbox().append(recorded);
        await().atMost(Duration.ofSeconds(60)).until(() -> site.outboxDepth() == 0);
        assertThat(storedRows(recorded.id())).isEqualTo(1);
        assertThat(outboxEvents(recorded.id())).isEqualTo(1);
        hub.hub().hostNotices().sendDue();
        assertThat(mailsTo("ada@kiosk.example")).hasSize(1);

        // The visitor log lists it: who, whom, when, which kiosk, made offline, the host told.
        JsonNode log =
                hub.api().get("/api/v1/sites/" + siteId + "/visitor-log", token).json();
        JsonNode entry = log.get("items").get(0);
        assertThat(entry.get("id").asText()).isEqualTo(recorded.id());
        assertThat(entry.get("kind").asText()).isEqualTo("visitor-signed-in");
        assertThat(entry.get("visitorName").asText()).isEqualTo("Grace Hopper");
        assertThat(entry.get("hostMemberId").asText()).isEqualTo(host);
        assertThat(entry.get("hostName").asText()).isEqualTo("Ada Host");
        assertThat(entry.get("kioskId").asText())
                .isEqualTo(tablet.kiosk.paired().getFirst().id());
        assertThat(entry.get("madeOffline").asBoolean()).isTrue();
        assertThat(entry.get("hostNotice").asText()).isEqualTo("sent");
        assertThat(Instant.parse(entry.get("occurredAt").asText()))
                .isEqualTo(recorded.time().truncatedTo(ChronoUnit.MILLIS));
    }

    @Test
    void whileTheHubIsOnlineTheHostIsMailedWithoutAnyoneAsking() throws Exception {
        String host = member("bo@kiosk.example", "Bo Host", plan);
        // A member of the other site only: the edge never gets the name, so its kiosk cannot list it.
        String elsewhere = member("bob@kiosk.example", "Bob Elsewhere", elsewherePlan);
        String pin = invite(host, "Alan Turing");
        awaitInSync();
        await().atMost(Duration.ofSeconds(30)).until(() -> site.agent.hubReachable());

        String welcome = signIn(pin);

        assertThat(welcome).contains("is being told you are here");
        await().atMost(Duration.ofSeconds(30))
                .until(() -> mailsTo("bo@kiosk.example").size() == 1);
        assertThat(GreenMailUtil.getBody(mailsTo("bo@kiosk.example").getFirst()))
                .contains("Alan Turing signed in at Lobby House")
                .doesNotContain("offline");

        // A walk-in finds the host by two letters of the name the hub sent the edge (member-names).
        HttpResponse<String> hosts = tablet.get("hosts?q=bo");
        assertThat(hosts.body()).contains("Bo Host").contains("value=\"" + host + "\"");
        assertThat(hosts.body()).doesNotContain("Bob Elsewhere").doesNotContain(elsewhere);
        assertThat(site.agent.cache().kiosks().displayName(new dev.gatehouse.protocol.model.MemberId(elsewhere)))
                .isEmpty();
        HttpResponse<String> walkIn = tablet.signInWalkIn("Katherine Johnson", host);
        assertThat(walkIn.statusCode()).as(walkIn.body()).isEqualTo(200);
        assertThat(walkIn.body()).contains("Welcome, Katherine Johnson!").contains("Bo Host is being told");
        await().atMost(Duration.ofSeconds(30))
                .until(() -> mailsTo("bo@kiosk.example").size() == 2);
    }

    @Test
    @Order(Integer.MAX_VALUE) // last: the agreement it publishes would ask the other tests' walk-ins to sign
    void aWalkInSignsTheHubsAgreementAtTheEdgeAndTheHubRecordsTheSignatureAndTheVoucherOnce() throws Exception {
        String host = member("cy@kiosk.example", "Cy Host", plan);
        Api.Response agreement = hub.api()
                .post(
                        "/api/v1/agreements",
                        token,
                        "{\"siteId\":\"" + siteId + "\",\"title\":\"House rules\",\"body\":\"I, {visitorName},"
                                + " visiting {hostName}, keep the doors shut behind me.\"}");
        assertThat(agreement.status()).as(agreement.toString()).isEqualTo(201);
        Api.Response pool = hub.api()
                .sendBytes(
                        "POST",
                        "/api/v1/sites/" + siteId + "/wifi-vouchers",
                        token,
                        "code,minutes,expires\nLOBBY-1,240,\nLOBBY-2,240,\n"
                                .getBytes(java.nio.charset.StandardCharsets.UTF_8),
                        java.util.Optional.of("text/csv"));
        assertThat(pool.status()).as(pool.toString()).isEqualTo(201);
        await().atMost(Duration.ofSeconds(30)).until(() -> site.agent.hubReachable());
        awaitInSync();
        await().atMost(Duration.ofSeconds(30))
                .until(() -> site.agent.cache().agreement().isPresent()
                        && site.agent.cache().vouchersLeft(device, Instant.now()) == 2);

        HttpResponse<String> shown = tablet.signInWalkIn("Mary Jackson", host);
        assertThat(shown.body()).contains("I, Mary Jackson, visiting Cy Host, keep the doors shut behind me.");
        HttpResponse<String> welcome = tablet.signAgreement(shown.body(), "Mary Jackson");

        assertThat(welcome.statusCode()).as(welcome.body()).isEqualTo(200);
        assertThat(welcome.body()).contains("Welcome, Mary Jackson!").contains("LOBBY-");
        Envelope signedIn = site.agent.cache().outbox().peek(100).stream()
                .filter(e -> e.payload() instanceof KioskEvent kiosk
                        && kiosk.signature().isPresent())
                .findFirst()
                .orElseThrow();
        String voucher = signedIn.payloadAs(KioskEvent.class).voucher().orElseThrow();
        await().atMost(Duration.ofSeconds(60)).until(() -> site.outboxDepth() == 0);
        // Sent again (a lost acknowledgement): acknowledged, and nothing recorded twice.
        site.agent.cache().outbox().append(signedIn);
        await().atMost(Duration.ofSeconds(60)).until(() -> site.outboxDepth() == 0);

        assertThat(count("SELECT COUNT(*) FROM agreement_signatures WHERE event_id = ?", signedIn.id()))
                .isEqualTo(1);
        assertThat(count(
                        "SELECT COUNT(*) FROM agreement_signatures WHERE event_id = ? AND signer_name = 'Mary Jackson'"
                                + " AND source = ?",
                        signedIn.id(),
                        device))
                .isEqualTo(1);
        assertThat(count(
                        "SELECT COUNT(*) FROM wifi_vouchers WHERE id = ? AND issued_event_id = ?",
                        voucher,
                        signedIn.id()))
                .isEqualTo(1);
        assertThat(count(
                        "SELECT COUNT(*) FROM kiosk_sign_ins WHERE id = ? AND signature_id IS NOT NULL", signedIn.id()))
                .isEqualTo(1);
    }

    private long count(String sql, Object... params) {
        return hub.hub().database().read(c -> Sql.one(c, sql, Sql.LONG, params)).orElseThrow();
    }

    @Test
    void anotherTenantCannotReadTheSitesVisitorLog() {
        Api.Response other =
                hub.api().post("/api/v1/tenants", hub.adminToken(), "{\"slug\":\"other\",\"name\":\"Other\"}");
        String otherToken = other.json().get("token").asText();

        Api.Response answer = hub.api().get("/api/v1/sites/" + siteId + "/visitor-log", otherToken);

        assertThat(answer.status()).isEqualTo(404);
    }
}
