package dev.gatehouse.hub.agreements;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.gatehouse.hub.changes.ChangeLog;
import dev.gatehouse.hub.changes.LoggedChange;
import dev.gatehouse.hub.store.Sql;
import dev.gatehouse.hub.store.StoreKind;
import dev.gatehouse.hub.testing.Api;
import dev.gatehouse.hub.testing.TestHub;
import dev.gatehouse.hub.web.Json;
import dev.gatehouse.protocol.message.Change;
import dev.gatehouse.protocol.model.Agreement;
import dev.gatehouse.protocol.model.EntityKind;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.pdfbox.Loader;
import org.apache.pdfbox.pdmodel.PDDocument;
import org.apache.pdfbox.text.PDFTextStripper;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.AfterParameterizedClassInvocation;
import org.junit.jupiter.params.BeforeParameterizedClassInvocation;
import org.junit.jupiter.params.Parameter;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Versioned visitor agreements on both stores through the API: a version is immutable and carries
 * the hash of its text, a site's own agreement overrides the tenant's there and reaches the site's
 * change log, a signature of a forged or altered document is refused and nothing is kept, recording
 * is idempotent per sign-in event, a new version must be signed again, the signed PDF is the text the
 * visitor read; roles and a second tenant see and do only their share.
 */
@ParameterizedClass
@EnumSource(StoreKind.class)
class AgreementApiTest {
    static TestHub hub;

    @Parameter
    StoreKind store;

    @BeforeParameterizedClassInvocation
    static void start(StoreKind kind) {
        hub = TestHub.start(kind);
    }

    @AfterParameterizedClassInvocation
    static void stop() {
        hub.close();
    }

    private record Fixture(TestHub.Tenant tenant, String site, String annex) {}

    private static Fixture fixture(String prefix) {
        TestHub.Tenant tenant = hub.newTenant(prefix);
        String site = hub.create(
                "/api/v1/sites",
                tenant.token(),
                "{\"name\":\"HQ Berlin\",\"address\":\"x\",\"timeZone\":\"Europe/Berlin\"}");
        String annex = hub.create(
                "/api/v1/sites",
                tenant.token(),
                "{\"name\":\"Annex\",\"address\":\"y\",\"timeZone\":\"Europe/Berlin\"}");
        return new Fixture(tenant, site, annex);
    }

    private static String token(Fixture f, String role, String... sites) {
        String body = "{\"name\":\"" + role + "\",\"role\":\"" + role + "\",\"sites\":"
                + (sites.length == 0 ? "[]" : "[\"" + String.join("\",\"", sites) + "\"]") + "}";
        Api.Response created = hub.api().post("/api/v1/tokens", f.tenant().token(), body);
        assertThat(created.status()).as(created.toString()).isEqualTo(201);
        return created.json().get("token").asText();
    }

    private static Api.Response publish(String token, Optional<String> site, String title, String body) {
        var json = Json.MAPPER.createObjectNode();
        site.ifPresent(id -> json.put("siteId", id));
        json.put("title", title);
        json.put("body", body);
        return hub.api().post("/api/v1/agreements", token, json.toString());
    }

    private static JsonNode published(String token, Optional<String> site, String title, String body) {
        Api.Response response = publish(token, site, title, body);
        assertThat(response.status()).as(response.toString()).isEqualTo(201);
        return response.json();
    }

    private static Map<String, String> variables(String site) {
        return Map.of(
                "visitorName", "Ada Lovelace", "hostName", "Grace Hopper", "siteName", site, "date", "2026-12-07");
    }

    /** The body of a signature of {@code version} as a kiosk would send it, rendered from the published text. */
    private static String signature(String site, JsonNode version, String eventId, String email) {
        Agreement agreement = new Agreement(
                version.get("agreementId").asText(),
                version.get("version").asInt(),
                version.get("title").asText(),
                version.get("body").asText(),
                "HQ Berlin",
                version.get("sha256").asText());
        String rendered = Agreement.renderedSha256(agreement.render(variables("HQ Berlin")));
        return signature(site, version, version.get("sha256").asText(), rendered, eventId, email);
    }

    private static String signature(
            String site, JsonNode version, String sha256, String rendered, String eventId, String email) {
        var json = Json.MAPPER.createObjectNode();
        json.put("siteId", site);
        json.put("eventId", eventId);
        json.put("agreementId", version.get("agreementId").asText());
        json.put("version", version.get("version").asInt());
        json.put("sha256", sha256);
        json.put("renderedSha256", rendered);
        json.put("signerName", "Ada Lovelace");
        json.put("signerEmail", email);
        var vars = json.putObject("variables");
        variables("HQ Berlin").forEach(vars::put);
        return json.toString();
    }

    private static List<Change> log(Fixture f, String site) {
        return hub
                .hub()
                .database()
                .read(c -> ChangeLog.read(c, f.tenant().id(), site, 0, Long.MAX_VALUE, 1000))
                .stream()
                .map(LoggedChange::change)
                .toList();
    }

    private static long signatures(Fixture f) {
        return hub.hub()
                .database()
                .read(c -> Sql.one(
                        c,
                        "SELECT count(*) FROM agreement_signatures WHERE tenant_id = ?",
                        Sql.LONG,
                        f.tenant().id()))
                .orElseThrow();
    }

    @Test
    void aSitesOwnAgreementOverridesTheTenantsThereAndEachVersionIsSentToItsSites() {
        Fixture f = fixture("agr-scope");
        JsonNode tenantWide = published(f.tenant().token(), Optional.empty(), "House rules", "Be kind, {visitorName}.");
        assertThat(tenantWide.get("sha256").asText())
                .isEqualTo(Agreement.sha256("House rules", "Be kind, {visitorName}."));
        JsonNode own = published(f.tenant().token(), Optional.of(f.site()), "HQ rules", "No photos at {siteName}.");

        assertThat(hub.api()
                        .get(
                                "/api/v1/sites/" + f.site() + "/agreement",
                                f.tenant().token())
                        .json()
                        .get("title")
                        .asText())
                .isEqualTo("HQ rules");
        assertThat(hub.api()
                        .get(
                                "/api/v1/sites/" + f.annex() + "/agreement",
                                f.tenant().token())
                        .json()
                        .get("title")
                        .asText())
                .isEqualTo("House rules");
        // The site's edges get the tenant's agreement, then it is removed for the site's own.
        assertThat(log(f, f.site()))
                .filteredOn(change -> change.kind() == EntityKind.AGREEMENT)
                .extracting(Change::key)
                .containsExactly(
                        tenantWide.get("agreementId").asText(),
                        tenantWide.get("agreementId").asText(),
                        own.get("agreementId").asText());
        assertThat(log(f, f.site()).getLast()).isInstanceOfSatisfying(Change.Upsert.class, upsert -> assertThat(
                        ((Agreement) upsert.entity()).siteName())
                .isEqualTo("HQ Berlin"));
        // A second tenant-wide version reaches the annex only: HQ keeps its own.
        long hqBefore = log(f, f.site()).size();
        JsonNode second =
                published(f.tenant().token(), Optional.empty(), "House rules", "Be kind and quiet, {visitorName}.");
        assertThat(second.get("version").asInt()).isEqualTo(2);
        assertThat(log(f, f.site())).hasSize((int) hqBefore);
        assertThat(log(f, f.annex()).getLast()).isInstanceOfSatisfying(Change.Upsert.class, upsert -> assertThat(
                        ((Agreement) upsert.entity()).version())
                .isEqualTo(2));
        // Version 1 is still there as it was published.
        JsonNode first = hub.api()
                .get(
                        "/api/v1/agreements/" + tenantWide.get("agreementId").asText() + "/versions/1",
                        f.tenant().token())
                .json();
        assertThat(first.get("body").asText()).isEqualTo("Be kind, {visitorName}.");
        assertThat(hub.api()
                        .get("/api/v1/agreements", f.tenant().token())
                        .json()
                        .get("items"))
                .hasSize(2);
    }

    @Test
    void aBadVersionIsRefusedNamingEveryProblemAndNothingIsPublished() {
        Fixture f = fixture("agr-bad");
        Api.Response bad = publish(f.tenant().token(), Optional.of(f.site()), " ", "Hello {visitor} from {company}");

        assertThat(bad.status()).as(bad.toString()).isEqualTo(422);
        assertThat(bad.text())
                .contains("title")
                .contains("{company}, {visitor}")
                .contains("{visitorName}");
        assertThat(publish(f.tenant().token(), Optional.of("site-nope"), "T", "B")
                        .status())
                .isEqualTo(404);
        assertThat(hub.api()
                        .get("/api/v1/agreements", f.tenant().token())
                        .json()
                        .get("items"))
                .isEmpty();
    }

    @Test
    void aForgedOrAlteredSignatureIsRefusedAndAGenuineOneIsRecordedOncePerSignIn() {
        Fixture f = fixture("agr-sign");
        JsonNode v1 = published(f.tenant().token(), Optional.of(f.site()), "NDA", "I, {visitorName}, keep quiet.");
        String forgedHash = Agreement.sha256("NDA", "I, {visitorName}, keep quiet. Unless I do not.");

        Api.Response forged = hub.api()
                .post(
                        "/api/v1/agreement-signatures",
                        f.tenant().token(),
                        signature(f.site(), v1, forgedHash, forgedHash, "ev-1", "ada@visitors.example"));
        Api.Response unpublished = hub.api()
                .post(
                        "/api/v1/agreement-signatures",
                        f.tenant().token(),
                        signature(f.site(), v1, v1.get("sha256").asText(), forgedHash, "ev-1", "ada@visitors.example"));

        assertThat(forged.status()).as(forged.toString()).isEqualTo(422);
        assertThat(forged.text()).contains("is not the hash of agreement");
        assertThat(unpublished.status()).isEqualTo(422);
        assertThat(unpublished.text()).contains("renderedSha256");
        assertThat(signatures(f)).isZero();

        Api.Response signed = hub.api()
                .post(
                        "/api/v1/agreement-signatures",
                        f.tenant().token(),
                        signature(f.site(), v1, "ev-1", "Ada@Visitors.example"));
        Api.Response again = hub.api()
                .post(
                        "/api/v1/agreement-signatures",
                        f.tenant().token(),
                        signature(f.site(), v1, "ev-1", "Ada@Visitors.example"));

        assertThat(signed.status()).as(signed.toString()).isEqualTo(201);
        assertThat(again.status()).isEqualTo(200);
        assertThat(again.json().get("id").asText())
                .isEqualTo(signed.json().get("id").asText());
        assertThat(signatures(f)).isOne();
    }

    @Test
    void theKioskIngestRecordsInItsOwnTransactionAndARefusalWritesNothing() {
        Fixture f = fixture("agr-ingest");
        JsonNode v1 = published(f.tenant().token(), Optional.empty(), "NDA", "Quiet, {visitorName}.");
        AgreementStore.NewSignature forged = new AgreementStore.NewSignature(
                f.site(),
                "ev-kiosk-1",
                v1.get("agreementId").asText(),
                7,
                v1.get("sha256").asText(),
                v1.get("sha256").asText(),
                "Ada",
                Optional.empty(),
                Optional.of("vp-1"),
                Map.of(),
                "pi-front",
                Instant.parse("2026-12-07T09:00:00Z"));

        AgreementStore.Recording refused = hub.hub()
                .database()
                .write(c -> AgreementStore.recordSignature(c, f.tenant().id(), forged, Instant.now()));

        assertThat(refused).isInstanceOfSatisfying(AgreementStore.Refused.class, r -> assertThat(r.reason())
                .contains("has no published version 7"));
        assertThat(signatures(f)).isZero();
    }

    @Test
    void aNewVersionMustBeSignedAgainAndThePdfIsTheTextTheVisitorRead() throws Exception {
        Fixture f = fixture("agr-again");
        JsonNode v1 =
                published(f.tenant().token(), Optional.of(f.site()), "NDA", "I, {visitorName}, visit {hostName}.");
        String status = "/api/v1/agreement-signatures/status?siteId=" + f.site() + "&email=ada@visitors.example";
        assertThat(hub.api()
                        .get(status, f.tenant().token())
                        .json()
                        .get("signedCurrent")
                        .asBoolean())
                .isFalse();
        JsonNode sig = hub.api()
                .post(
                        "/api/v1/agreement-signatures",
                        f.tenant().token(),
                        signature(f.site(), v1, "ev-a", "ada@visitors.example"))
                .json();
        assertThat(hub.api()
                        .get(status, f.tenant().token())
                        .json()
                        .get("signedCurrent")
                        .asBoolean())
                .isTrue();

        JsonNode v2 = published(
                f.tenant().token(), Optional.of(f.site()), "NDA", "I, {visitorName}, visit {hostName} quietly.");

        assertThat(hub.api()
                        .get(status, f.tenant().token())
                        .json()
                        .get("signedCurrent")
                        .asBoolean())
                .isFalse();
        hub.api()
                .post(
                        "/api/v1/agreement-signatures",
                        f.tenant().token(),
                        signature(f.site(), v2, "ev-b", "ada@visitors.example"));
        assertThat(hub.api()
                        .get(status, f.tenant().token())
                        .json()
                        .get("signedCurrent")
                        .asBoolean())
                .isTrue();

        Api.Response pdf = hub.api()
                .get(
                        "/api/v1/agreement-signatures/" + sig.get("id").asText() + "/pdf",
                        f.tenant().token());
        assertThat(pdf.status()).isEqualTo(200);
        assertThat(pdf.contentType()).isEqualTo("application/pdf");
        byte[] raw = new AgreementService(
                        new AgreementStore(hub.hub().database(), java.time.Clock.systemUTC()), null, 0)
                .pdf(
                        f.tenant().id(),
                        new AgreementStore(hub.hub().database(), java.time.Clock.systemUTC())
                                .signature(f.tenant().id(), sig.get("id").asText())
                                .orElseThrow());
        try (PDDocument document = Loader.loadPDF(raw)) {
            String text = new PDFTextStripper().getText(document);
            assertThat(text)
                    .contains("I, Ada Lovelace, visit Grace Hopper.")
                    .contains(v1.get("sha256").asText())
                    .contains("ev-a");
        }
    }

    @Test
    void theFrontDeskSeesSignaturesButOnlyManagersOfEverySitePublishTenantWide() {
        Fixture f = fixture("agr-roles");
        String desk = token(f, "front-desk");
        String manager = token(f, "site-manager", f.site());
        String finance = token(f, "finance");

        assertThat(publish(desk, Optional.of(f.site()), "T", "B").status()).isEqualTo(403);
        assertThat(publish(manager, Optional.empty(), "T", "B").status()).isEqualTo(403);
        assertThat(publish(manager, Optional.of(f.annex()), "T", "B").status()).isEqualTo(404);
        JsonNode mine = published(manager, Optional.of(f.site()), "HQ", "Quiet, {visitorName}.");
        assertThat(hub.api().get("/api/v1/agreement-signatures", desk).status()).isEqualTo(200);
        assertThat(hub.api().get("/api/v1/agreements", desk).json().get("items"))
                .hasSize(1);
        assertThat(hub.api().get("/api/v1/agreements", finance).status()).isEqualTo(403);
        hub.api()
                .post(
                        "/api/v1/agreement-signatures",
                        f.tenant().token(),
                        signature(f.site(), mine, "ev-roles-1", "ada@visitors.example"));
        String annexManager = token(f, "site-manager", f.annex());
        assertThat(hub.api().get("/api/v1/agreement-signatures", manager).json().get("items"))
                .hasSize(1);
        assertThat(hub.api()
                        .get("/api/v1/agreement-signatures", annexManager)
                        .json()
                        .get("items"))
                .isEmpty();
        // Publishing is audited.
        assertThat(hub.api()
                        .get(
                                "/api/v1/audit?action=agreement.publish",
                                f.tenant().token())
                        .text())
                .contains(mine.get("agreementId").asText());
    }

    @Test
    void anotherTenantNeitherSeesNorSignsTheAgreement() {
        Fixture f = fixture("agr-iso-a");
        Fixture other = fixture("agr-iso-b");
        JsonNode v1 = published(f.tenant().token(), Optional.of(f.site()), "NDA", "Quiet, {visitorName}.");

        assertThat(hub.api()
                        .get("/api/v1/agreements", other.tenant().token())
                        .json()
                        .get("items"))
                .isEmpty();
        assertThat(hub.api()
                        .get(
                                "/api/v1/agreements/" + v1.get("agreementId").asText() + "/versions/1",
                                other.tenant().token())
                        .status())
                .isEqualTo(404);
        Api.Response foreign = hub.api()
                .post(
                        "/api/v1/agreement-signatures",
                        other.tenant().token(),
                        signature(other.site(), v1, "ev-x", "eve@x.example"));
        assertThat(foreign.status()).isEqualTo(422);
        assertThat(signatures(f)).isZero();
        assertThat(signatures(other)).isZero();
    }
}
