package dev.gatehouse.hub.privacy;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.gatehouse.hub.credentials.VisitorPrivacyStore;
import dev.gatehouse.hub.kiosk.KioskSignIns;
import dev.gatehouse.hub.mqtt.MqttSettings;
import dev.gatehouse.hub.store.StoreKind;
import dev.gatehouse.hub.testing.Api;
import dev.gatehouse.hub.testing.MovableClock;
import dev.gatehouse.hub.testing.TestHub;
import dev.gatehouse.hub.web.Json;
import dev.gatehouse.protocol.message.Envelope;
import dev.gatehouse.protocol.message.KioskEvent;
import dev.gatehouse.protocol.model.Agreement;
import dev.gatehouse.protocol.model.MemberId;
import dev.gatehouse.protocol.model.PassId;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.AfterParameterizedClassInvocation;
import org.junit.jupiter.params.BeforeParameterizedClassInvocation;
import org.junit.jupiter.params.Parameter;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * What a visitor leaves besides their pass, on both stores and a clock the test moves: their sign-ins
 * at the kiosks ({@code kiosk_sign_ins}) and the agreements they signed ({@code agreement_signatures})
 * fall under the visitor retention, export and erasure like the pass; a member's export and erasure
 * reach their kiosk check-ins, the agreements they signed and the visitors they hosted. A signature
 * that is anonymised keeps its agreement, version and hashes: it is still evidence that a document was
 * signed, no longer of who signed it.
 */
@ParameterizedClass
@EnumSource(StoreKind.class)
class VisitorRecordsPrivacyTest {
    private static final Instant NOW = Instant.parse("2027-05-03T08:00:00Z");
    private static final String GRACE = "grace@visitors.example";

    static MovableClock clock;
    static TestHub hub;

    @Parameter
    StoreKind store;

    private TestHub.Tenant tenant;
    private String site;
    private String host;
    private JsonNode agreement;

    @BeforeParameterizedClassInvocation
    static void start(StoreKind kind) {
        clock = MovableClock.standingStill();
        hub = TestHub.start(kind, clock, Optional.empty(), MqttSettings.disabled());
    }

    @AfterParameterizedClassInvocation
    static void stop() {
        hub.close();
    }

    @BeforeEach
    void aSiteWithAHostAndAnAgreement() {
        clock.moveTo(NOW);
        tenant = hub.newTenant("records");
        site = hub.create(
                "/api/v1/sites",
                tenant.token(),
                "{\"name\":\"HQ\",\"address\":\"Main Street 1\",\"timeZone\":\"Europe/Berlin\"}");
        host = member("ada@acme.example", "Ada Host");
        Api.Response published = hub.api()
                .post(
                        "/api/v1/agreements",
                        tenant.token(),
                        "{\"title\":\"Visitor NDA\",\"body\":\"I, {visitorName}, visiting {hostName}, keep quiet.\"}");
        assertThat(published.status()).as(published.toString()).isEqualTo(201);
        agreement = published.json();
    }

    private String member(String email, String name) {
        return hub.create(
                "/api/v1/members", tenant.token(), "{\"email\":\"" + email + "\",\"fullName\":\"" + name + "\"}");
    }

    /** Stores a kiosk event as ingest does, made at the tenant's site now; answers its id. */
    private String kiosk(KioskEvent event) {
        Envelope envelope = new Envelope(UUID.randomUUID().toString(), clock.instant(), event);
        hub.hub().database().write(c -> KioskSignIns.insert(c, tenant.id(), "pi-1", envelope, clock.instant()));
        return envelope.id();
    }

    private String walkIn(String name, String email, String hostId) {
        return kiosk(KioskEvent.walkIn(site, "k-lobby", MemberId.of(hostId), name, Optional.of(email), false));
    }

    /** Records the agreement signed at {@code eventId} as a kiosk renders it; answers the signature. */
    private JsonNode sign(String eventId, Optional<String> passId, String name, String email, String hostName) {
        Map<String, String> variables =
                Map.of("visitorName", name, "hostName", hostName, "siteName", "HQ", "date", "2027-05-03");
        Agreement published = new Agreement(
                agreement.get("agreementId").asText(),
                agreement.get("version").asInt(),
                agreement.get("title").asText(),
                agreement.get("body").asText(),
                "HQ",
                agreement.get("sha256").asText());
        var body = Json.MAPPER.createObjectNode();
        body.put("siteId", site);
        body.put("eventId", eventId);
        body.put("agreementId", published.id());
        body.put("version", published.version());
        body.put("sha256", published.sha256());
        body.put("renderedSha256", Agreement.renderedSha256(published.render(variables)));
        body.put("signerName", name);
        body.put("signerEmail", email);
        passId.ifPresent(id -> body.put("passId", id));
        variables.forEach(body.putObject("variables")::put);
        Api.Response signed = hub.api().post("/api/v1/agreement-signatures", tenant.token(), body.toString());
        assertThat(signed.status()).as(signed.toString()).isEqualTo(201);
        return signed.json();
    }

    private JsonNode signature(String id) {
        return hub.api()
                .get("/api/v1/agreement-signatures/" + id, tenant.token())
                .json();
    }

    private JsonNode logEntry(String id) {
        for (JsonNode item : hub.api()
                .get("/api/v1/sites/" + site + "/visitor-log?limit=500", tenant.token())
                .json()
                .get("items")) {
            if (item.get("id").asText().equals(id)) {
                return item;
            }
        }
        throw new AssertionError("sign-in " + id + " is not in the visitor log");
    }

    private boolean hasSigned(String email) {
        return hub.api()
                .get("/api/v1/agreement-signatures/status?siteId=" + site + "&email=" + email, tenant.token())
                .json()
                .get("signedCurrent")
                .asBoolean();
    }

    private String audit(String action) {
        return hub.api().get("/api/v1/audit?action=" + action, tenant.token()).text();
    }

    /** The signature no longer says who signed, and still proves which text was signed. */
    private void assertAnonymised(JsonNode before, String signerName) {
        JsonNode after = signature(before.get("id").asText());
        assertThat(after.get("signerName").asText()).isEqualTo(signerName);
        assertThat(after.get("signerEmail").isNull()).isTrue();
        assertThat(after.at("/variables/visitorName").asText()).isEqualTo(signerName);
        assertThat(after.has("anonymisedAt")).isTrue();
        for (String kept : new String[] {"agreementId", "version", "sha256", "renderedSha256", "eventId", "signedAt"}) {
            assertThat(after.get(kept)).as(kept).isEqualTo(before.get(kept));
        }
    }

    @Test
    void aWalkInsSignInAndSignatureAreKeptForTheRetentionPeriodThenAnonymisedWithTheirEvidenceKept() {
        String walkIn = walkIn("Grace Hopper", GRACE, host);
        JsonNode signed = sign(walkIn, Optional.empty(), "Grace Hopper", GRACE, "Ada Host");
        String checkIn = kiosk(KioskEvent.member(site, "k-lobby", MemberId.of(host), false));
        VisitorPrivacyStore visitors = new VisitorPrivacyStore(hub.hub().database(), clock);

        clock.moveTo(NOW.plus(Duration.ofDays(30)).minusSeconds(60));
        visitors.sweep();
        assertThat(logEntry(walkIn).get("visitorName").asText()).isEqualTo("Grace Hopper");
        assertThat(signature(signed.get("id").asText()).get("signerEmail").asText())
                .isEqualTo(GRACE);
        assertThat(hasSigned(GRACE)).isTrue();

        clock.moveTo(NOW.plus(Duration.ofDays(30)));
        assertThat(visitors.sweep()).isEqualTo(2);

        JsonNode entry = logEntry(walkIn);
        assertThat(entry.get("visitorName").asText()).isEqualTo(VisitorPrivacyStore.ANONYMISED);
        assertThat(entry.has("visitorEmail")).isFalse();
        assertThat(entry.get("hostMemberId").asText())
                .as("the log still says a visitor came for Ada")
                .isEqualTo(host);
        assertAnonymised(signed, VisitorPrivacyStore.ANONYMISED);
        assertThat(hasSigned(GRACE)).as("an anonymised visitor signs again").isFalse();
        assertThat(audit("agreement.sign")).doesNotContain(GRACE).doesNotContain("Grace Hopper");
        assertThat(logEntry(checkIn).get("memberId").asText())
                .as("a member's check-in is theirs, not a visitor's")
                .isEqualTo(host);
        // Once: the next run finds nothing to do.
        clock.advance(Duration.ofDays(1));
        assertThat(visitors.sweep()).isZero();
    }

    @Test
    void aPassExportHoldsItsKioskSignInsAndSignaturesAndItsErasureAnonymisesThem() {
        String door = hub.create("/api/v1/sites/" + site + "/doors", tenant.token(), "{\"name\":\"Front\"}");
        String pass = hub.create(
                "/api/v1/sites/" + site + "/visitor-passes",
                tenant.token(),
                "{\"visitorName\":\"Grace Hopper\",\"visitorEmail\":\"" + GRACE + "\",\"hostMemberId\":\"" + host
                        + "\",\"doorIds\":[\"" + door + "\"],\"validFrom\":\"2027-05-03T09:00:00Z\","
                        + "\"validUntil\":\"2027-05-03T17:00:00Z\"}");
        String signIn = kiosk(KioskEvent.visitor(site, "k-lobby", PassId.of(pass), Optional.empty(), false));
        JsonNode signed = sign(signIn, Optional.of(pass), "Grace Hopper", GRACE, "Ada Host");

        Api.Response export = hub.api().get("/api/v1/visitor-passes/" + pass + "/export", tenant.token());

        assertThat(export.status()).as(export.toString()).isEqualTo(200);
        assertThat(export.json().get("kioskSignIns"))
                .singleElement()
                .satisfies(row -> assertThat(row.get("visitorEmail").asText()).isEqualTo(GRACE));
        assertThat(export.json().get("agreementSignatures")).singleElement().satisfies(row -> assertThat(
                        row.get("id").asText())
                .isEqualTo(signed.get("id").asText()));

        Api.Response erased = hub.api().post("/api/v1/visitor-passes/" + pass + "/erase", tenant.token(), "");

        assertThat(erased.status()).as(erased.toString()).isEqualTo(200);
        assertThat(logEntry(signIn).get("visitorName").asText()).isEqualTo(VisitorPrivacyStore.ANONYMISED);
        assertThat(logEntry(signIn).toString()).doesNotContain(GRACE);
        assertAnonymised(signed, VisitorPrivacyStore.ANONYMISED);
        assertThat(hub.api()
                        .get("/api/v1/visitor-passes/" + pass + "/export", tenant.token())
                        .text())
                .doesNotContain(GRACE)
                .doesNotContain("Grace Hopper");
        // The audit's record of the pass being made showed the visitor: it keeps who made it, not whom for.
        assertThat(audit("visitor-pass.create"))
                .contains(pass)
                .doesNotContain(GRACE)
                .doesNotContain("Grace Hopper");
    }

    @Test
    void aWalkInIsExportedAndErasedByTheirSignInInOneAuditedCallEach() {
        String walkIn = walkIn("Grace Hopper", GRACE, host);
        JsonNode signed = sign(walkIn, Optional.empty(), "Grace Hopper", GRACE, "Ada Host");

        Api.Response export = hub.api().get("/api/v1/kiosk-sign-ins/" + walkIn + "/export", tenant.token());

        assertThat(export.status()).as(export.toString()).isEqualTo(200);
        assertThat(export.json().at("/signIn/visitorName").asText()).isEqualTo("Grace Hopper");
        assertThat(export.json().at("/signIn/visitorEmail").asText()).isEqualTo(GRACE);
        assertThat(export.json().get("agreementSignatures")).hasSize(1);
        assertThat(audit("kiosk-sign-in.export")).contains(walkIn).doesNotContain(GRACE);

        TestHub.Tenant other = hub.newTenant("records-other");
        assertThat(hub.api()
                        .get("/api/v1/kiosk-sign-ins/" + walkIn + "/export", other.token())
                        .status())
                .isEqualTo(404);
        assertThat(hub.api()
                        .post("/api/v1/kiosk-sign-ins/" + walkIn + "/erase", other.token(), "")
                        .status())
                .isEqualTo(404);
        assertThat(logEntry(walkIn).get("visitorName").asText()).isEqualTo("Grace Hopper");

        Api.Response erased = hub.api().post("/api/v1/kiosk-sign-ins/" + walkIn + "/erase", tenant.token(), "");

        assertThat(erased.status()).as(erased.toString()).isEqualTo(200);
        assertThat(erased.text()).doesNotContain(GRACE).doesNotContain("Grace Hopper");
        assertThat(logEntry(walkIn).get("visitorName").asText()).isEqualTo(VisitorPrivacyStore.ANONYMISED);
        assertAnonymised(signed, VisitorPrivacyStore.ANONYMISED);
        assertThat(audit("kiosk-sign-in.erase")).contains(walkIn).doesNotContain("Grace Hopper");
    }

    @Test
    void aMembersExportAndErasureReachTheirCheckInsSignaturesAndTheVisitorsTheyHosted() {
        String cy = member("cy@acme.example", "Cy Member");
        String checkIn = kiosk(KioskEvent.member(site, "k-lobby", MemberId.of(cy), false));
        JsonNode cySigned = sign(UUID.randomUUID().toString(), Optional.empty(), "Cy Member", "Cy@Acme.example", "-");
        String hosted = walkIn("Grace Hopper", GRACE, host);
        JsonNode graceSigned = sign(hosted, Optional.empty(), "Grace Hopper", GRACE, "Ada Host");
        String door = hub.create("/api/v1/sites/" + site + "/doors", tenant.token(), "{\"name\":\"Front\"}");
        String pass = hub.create(
                "/api/v1/sites/" + site + "/visitor-passes",
                tenant.token(),
                "{\"visitorName\":\"Hedy Lamarr\",\"hostMemberId\":\"" + host + "\",\"doorIds\":[\"" + door
                        + "\"],\"validFrom\":\"2027-05-03T09:00:00Z\",\"validUntil\":\"2027-05-03T17:00:00Z\"}");
        // Signed at the front desk with the pass (no kiosk sign-in behind it).
        JsonNode hedySigned = sign(
                UUID.randomUUID().toString(), Optional.of(pass), "Hedy Lamarr", "hedy@visitors.example", "Ada Host");

        JsonNode export = hub.api()
                .get("/api/v1/members/" + cy + "/export", tenant.token())
                .json();

        assertThat(export.at("/data/kiosk_sign_ins"))
                .singleElement()
                .satisfies(row -> assertThat(row.get("id").asText()).isEqualTo(checkIn));
        assertThat(export.at("/data/agreement_signatures")).singleElement().satisfies(row -> assertThat(
                        row.get("id").asText())
                .isEqualTo(cySigned.get("id").asText()));

        // Erasing the host: the walk-in who came for them and the host's name in what they signed go.
        Api.Response hostErased = hub.api().post("/api/v1/members/" + host + "/erase", tenant.token(), "");
        assertThat(hostErased.status()).as(hostErased.toString()).isEqualTo(200);
        assertThat(logEntry(hosted).get("visitorName").asText()).isEqualTo(VisitorPrivacyStore.ANONYMISED);
        assertAnonymised(graceSigned, VisitorPrivacyStore.ANONYMISED);
        assertThat(signature(graceSigned.get("id").asText())
                        .at("/variables/hostName")
                        .asText())
                .isEqualTo(PersonalData.ERASED_NAME);
        assertAnonymised(hedySigned, VisitorPrivacyStore.ANONYMISED);
        assertThat(signature(hedySigned.get("id").asText())
                        .at("/variables/hostName")
                        .asText())
                .isEqualTo(PersonalData.ERASED_NAME);

        // Erasing the member: what they signed keeps its evidence, not their name; their check-in stays.
        Api.Response erased = hub.api().post("/api/v1/members/" + cy + "/erase", tenant.token(), "");
        assertThat(erased.status()).as(erased.toString()).isEqualTo(200);
        assertThat(erased.json().get("kept").toString()).contains("1 kiosk check-ins");
        assertAnonymised(cySigned, PersonalData.ERASED_NAME);
        assertThat(logEntry(checkIn).get("memberName").asText()).isEqualTo(PersonalData.ERASED_NAME);
        assertThat(audit("agreement.sign")).doesNotContain("Cy Member").doesNotContain(GRACE);
    }
}
