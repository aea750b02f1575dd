package dev.gatehouse.hub.credentials;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.gatehouse.hub.mqtt.MqttSettings;
import dev.gatehouse.hub.privacy.VisitorPrivacyStore;
import dev.gatehouse.hub.store.Sql;
import dev.gatehouse.hub.store.StoreKind;
import dev.gatehouse.hub.testing.Api;
import dev.gatehouse.hub.testing.MovableClock;
import dev.gatehouse.hub.testing.TestHub;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.AfterParameterizedClassInvocation;
import org.junit.jupiter.params.BeforeParameterizedClassInvocation;
import org.junit.jupiter.params.Parameter;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Visitors' personal data, on both stores, on a clock the test moves: kept for the tenant's
 * retention period after the pass ends (30 days unless set), then anonymised by the sweep with the
 * pass and its door uses kept; exported and erased for one visitor in one call each, audited; one
 * tenant's period and visitors are not another's.
 */
@ParameterizedClass
@EnumSource(StoreKind.class)
class VisitorPrivacyApiTest {
    private static final Instant NOW = Instant.parse("2027-05-03T08:00:00Z");
    static MovableClock clock;
    static TestHub hub;
    static Sites sites;

    @Parameter
    StoreKind store;

    private TestHub.Tenant tenant;
    private String site;
    private String door;

    @BeforeParameterizedClassInvocation
    static void start(StoreKind kind) {
        clock = MovableClock.standingStill();
        hub = TestHub.start(kind, clock, Optional.empty(), MqttSettings.disabled());
        sites = new Sites(hub);
    }

    @AfterParameterizedClassInvocation
    static void stop() {
        hub.close();
    }

    @BeforeEach
    void aTenantWithADoor() {
        clock.moveTo(NOW);
        tenant = hub.newTenant("privacy");
        site = sites.site(tenant);
        door = sites.door(tenant, site);
    }

    /** A pass for today 09:00–17:00 UTC, for Grace. */
    private String pass(TestHub.Tenant owner, String siteId, String doorId) {
        return hub.create(
                "/api/v1/sites/" + siteId + "/visitor-passes",
                owner.token(),
                "{\"visitorName\":\"Grace Hopper\",\"visitorEmail\":\"grace@visitors.example\",\"doorIds\":[\"" + doorId
                        + "\"],\"validFrom\":\"2027-05-03T09:00:00Z\",\"validUntil\":\"2027-05-03T17:00:00Z\"}");
    }

    private JsonNode view(String passId) {
        return hub.api().get("/api/v1/visitor-passes/" + passId, tenant.token()).json();
    }

    private int sweep() {
        return new VisitorPrivacyStore(hub.hub().database(), clock).sweep();
    }

    /** A use of the pass, as ingest records it from an edge's access event. */
    private void used(String passId) {
        hub.hub()
                .database()
                .run(c -> Sql.update(
                        c,
                        "INSERT INTO visitor_pass_uses (tenant_id, pass_id, device_id, event_id, site_id, door_id,"
                                + " presented, at, received_at) VALUES (?, ?, 'dev-1', 'ev-1', ?, ?, 'visitor-qr', ?, ?)",
                        tenant.id(),
                        passId,
                        site,
                        door,
                        Instant.parse("2027-05-03T09:05:00Z"),
                        Instant.parse("2027-05-03T09:05:01Z")));
    }

    private static Optional<Long> anonymisedAt(String passId) {
        return hub.hub()
                .database()
                .<Optional<Long>>read(c -> Sql.one(
                        c,
                        "SELECT anonymised_at FROM visitor_passes WHERE id = ? AND anonymised_at IS NOT NULL",
                        Sql.LONG,
                        passId));
    }

    private long audited(String action) {
        return hub.api()
                .get("/api/v1/audit?action=" + action, tenant.token())
                .json()
                .get("items")
                .size();
    }

    @Test
    void aVisitorIsKeptThirtyDaysAfterThePassEndsThenAnonymisedWithThePassAndItsUsesKept() {
        String pass = pass(tenant, site, door);
        used(pass);
        assertThat(hub.api()
                        .get("/api/v1/visitor-retention", tenant.token())
                        .json()
                        .get("days")
                        .asInt())
                .isEqualTo(30);

        clock.moveTo(Instant.parse("2027-06-02T16:59:00Z")); // 29 days 23:59 after the end
        sweep();
        assertThat(view(pass).get("visitorName").asText()).isEqualTo("Grace Hopper");

        clock.moveTo(Instant.parse("2027-06-02T17:00:00Z")); // 30 days after the end
        assertThat(sweep()).isPositive();
        JsonNode after = view(pass);
        assertThat(after.get("visitorName").asText()).isEqualTo(VisitorPrivacyStore.ANONYMISED);
        assertThat(after.toString()).doesNotContain("grace@visitors.example");
        assertThat(after.get("uses").asInt())
                .as("the access log keeps the visit")
                .isEqualTo(1);
        // Once is enough: the sweep does not touch it again.
        assertThat(anonymisedAt(pass)).contains(clock.instant().toEpochMilli());
        clock.advance(Duration.ofDays(1));
        sweep();
        assertThat(anonymisedAt(pass))
                .contains(Instant.parse("2027-06-02T17:00:00Z").toEpochMilli());
    }

    @Test
    void aTenantsShorterPeriodAppliesToItsVisitorsOnlyAndIsAudited() {
        TestHub.Tenant other = hub.newTenant("privacy-other");
        String otherSite = sites.site(other);
        String theirs = pass(other, otherSite, sites.door(other, otherSite));
        String ours = pass(tenant, site, door);
        Api.Response set = hub.api().put("/api/v1/visitor-retention", tenant.token(), "{\"days\":7}");
        assertThat(set.status()).as(set.toString()).isEqualTo(200);
        assertThat(audited("visitor-retention.update")).isEqualTo(1);

        clock.moveTo(Instant.parse("2027-05-10T17:00:00Z"));
        sweep();

        assertThat(view(ours).get("visitorName").asText()).isEqualTo(VisitorPrivacyStore.ANONYMISED);
        assertThat(hub.api()
                        .get("/api/v1/visitor-passes/" + theirs, other.token())
                        .json()
                        .get("visitorName")
                        .asText())
                .isEqualTo("Grace Hopper");
    }

    @ParameterizedTest
    @ValueSource(strings = {"{\"days\":0}", "{\"days\":3651}", "{\"days\":\"week\"}", "{}", "{\"days\":7,\"x\":1}"})
    void aBadPeriodIsRefusedAndChangesNothing(String body) {
        Api.Response refused = hub.api().put("/api/v1/visitor-retention", tenant.token(), body);

        assertThat(refused.status()).as(refused.toString()).isIn(400, 422);
        assertThat(hub.api()
                        .get("/api/v1/visitor-retention", tenant.token())
                        .json()
                        .get("days")
                        .asInt())
                .isEqualTo(30);
    }

    @Test
    void oneCallExportsEverythingHeldAboutTheVisitorAndIsAudited() {
        String pass = pass(tenant, site, door);
        used(pass);

        Api.Response export = hub.api().get("/api/v1/visitor-passes/" + pass + "/export", tenant.token());

        assertThat(export.status()).as(export.toString()).isEqualTo(200);
        JsonNode body = export.json();
        assertThat(body.at("/pass/visitorName").asText()).isEqualTo("Grace Hopper");
        assertThat(body.at("/pass/visitorEmail").asText()).isEqualTo("grace@visitors.example");
        assertThat(body.get("uses")).hasSize(1);
        assertThat(body.at("/uses/0/doorId").asText()).isEqualTo(door);
        assertThat(body.get("retentionDays").asInt()).isEqualTo(30);
        assertThat(audited("visitor-pass.export")).isEqualTo(1);
        assertThat(hub.api()
                        .get("/api/v1/audit?action=visitor-pass.export", tenant.token())
                        .text())
                .as("the audit keeps no copy of the data")
                .doesNotContain("grace@visitors.example");
    }

    @Test
    void oneCallErasesTheVisitorNowRevokingThePassAndIsAuditedWithoutTheData() {
        String pass = pass(tenant, site, door);

        Api.Response erased = hub.api().post("/api/v1/visitor-passes/" + pass + "/erase", tenant.token(), "");

        assertThat(erased.status()).as(erased.toString()).isEqualTo(200);
        assertThat(erased.json().get("status").asText()).isEqualTo("revoked");
        assertThat(view(pass).get("visitorName").asText()).isEqualTo(VisitorPrivacyStore.ANONYMISED);
        assertThat(view(pass).toString()).doesNotContain("grace@visitors.example");
        assertThat(audited("visitor-pass.erase")).isEqualTo(1);
        String audit = hub.api()
                .get("/api/v1/audit?action=visitor-pass.erase", tenant.token())
                .text();
        assertThat(audit).doesNotContain("Grace Hopper").doesNotContain("grace@visitors.example");
    }

    @Test
    void anotherTenantsVisitorCannotBeExportedOrErased() {
        TestHub.Tenant other = hub.newTenant("privacy-foreign");
        String otherSite = sites.site(other);
        String theirs = pass(other, otherSite, sites.door(other, otherSite));

        assertThat(hub.api()
                        .get("/api/v1/visitor-passes/" + theirs + "/export", tenant.token())
                        .status())
                .isEqualTo(404);
        assertThat(hub.api()
                        .post("/api/v1/visitor-passes/" + theirs + "/erase", tenant.token(), "")
                        .status())
                .isEqualTo(404);
        assertThat(hub.api()
                        .get("/api/v1/visitor-passes/" + theirs, other.token())
                        .json()
                        .get("visitorName")
                        .asText())
                .isEqualTo("Grace Hopper");
    }
}
