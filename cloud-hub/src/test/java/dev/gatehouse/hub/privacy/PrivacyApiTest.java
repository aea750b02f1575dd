package dev.gatehouse.hub.privacy;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.gatehouse.hub.billing.Billing;
import dev.gatehouse.hub.members.People;
import dev.gatehouse.hub.store.Sql;
import dev.gatehouse.hub.store.StoreKind;
import dev.gatehouse.hub.testing.Api;
import dev.gatehouse.hub.testing.MovableClock;
import dev.gatehouse.hub.testing.TestHub;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
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
 * A person's data on both stores: one call exports everything held about a member (every table that
 * names them, no secret), one call erases them (nothing left that says who they were, the doors
 * forget their cards, the ledger and events keep their rows under the bare id), and each tenant's
 * retention periods delete old access events and erase members cancelled long ago.
 */
@ParameterizedClass
@EnumSource(StoreKind.class)
class PrivacyApiTest {
    private static final Instant NOW = Instant.parse("2027-03-10T08:00:00Z");

    static MovableClock clock;
    static TestHub hub;

    @Parameter
    StoreKind store;

    private TestHub.Tenant tenant;
    private People people;
    private String site;
    private String door;
    private String plan;

    @BeforeParameterizedClassInvocation
    static void start(StoreKind kind) {
        clock = MovableClock.standingStill();
        hub = TestHub.start(kind, clock, Optional.empty());
    }

    @AfterParameterizedClassInvocation
    static void stop() {
        hub.close();
    }

    @BeforeEach
    void tenant() {
        clock.moveTo(NOW);
        tenant = hub.newTenant("privacy");
        people = new People(hub, tenant.token());
        site = people.site("Europe/Berlin");
        door = people.door(site);
        plan = people.plan("[]", "ignored", people.group(site, door));
    }

    /** A member made through the API (so history and audit hold the name and e-mail) with a card and a plan. */
    private String memberWithCardAndPlan(String email) {
        String member = hub.create(
                "/api/v1/members",
                tenant.token(),
                "{\"email\":\"" + email + "\",\"fullName\":\"Ada Lovelace\",\"phone\":\"+49 30 1234567\"}");
        Api.Response card = hub.api()
                .post(
                        "/api/v1/members/" + member + "/credentials",
                        tenant.token(),
                        "{\"type\":\"nfc-card\",\"uid\":\"" + String.format("04%012X", email.hashCode() & 0xffffffffL)
                                + "\"}");
        assertThat(card.status()).as(card.toString()).isEqualTo(201);
        assertThat(people.assign(member, plan, "{}").status()).isEqualTo(201);
        return member;
    }

    private String cardHash(String member) {
        return hub.hub()
                .database()
                .read(c -> Sql.one(c, "SELECT card_hash FROM credentials WHERE member_id = ?", Sql.STRING, member))
                .orElseThrow();
    }

    private void accessEvent(String member, Instant at) {
        hub.hub()
                .database()
                .write(c -> Sql.update(
                        c,
                        "INSERT INTO access_events (id, tenant_id, site_id, door_id, device_id, at, granted, presented,"
                                + " member_id, clock, received_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                        UUID.randomUUID().toString(),
                        tenant.id(),
                        site,
                        door,
                        "dev-1",
                        at,
                        true,
                        "card",
                        member,
                        "trusted",
                        at));
    }

    private long accessEvents() {
        return hub.hub()
                .database()
                .read(c -> Sql.one(c, "SELECT COUNT(*) FROM access_events WHERE tenant_id = ?", Sql.LONG, tenant.id()))
                .orElseThrow();
    }

    private Api.Response erase(String member, String token) {
        return hub.api().post("/api/v1/members/" + member + "/erase", token, "");
    }

    @Test
    void anExportHoldsEverythingAboutTheMemberAndNoSecret() {
        String member = memberWithCardAndPlan("ada@example.com");
        String other = memberWithCardAndPlan("bob@example.com");
        accessEvent(member, NOW.minusSeconds(60));
        accessEvent(other, NOW.minusSeconds(30));
        assertThat(hub.api()
                        .put(
                                "/api/v1/external-access/officernd/ada-1",
                                tenant.token(),
                                "{\"email\":\"ada@example.com\",\"fullName\":\"Ada Lovelace\"}")
                        .status())
                .isEqualTo(201);

        Api.Response export = hub.api().get("/api/v1/members/" + member + "/export", tenant.token());
        assertThat(export.status()).as(export.toString()).isEqualTo(200);
        assertThat(export.headers().firstValue("Content-Disposition").orElse(""))
                .contains("attachment");
        JsonNode document = export.json();
        assertThat(document.get("member").get("email").asText()).isEqualTo("ada@example.com");
        assertThat(document.get("member").get("phone").asText()).isEqualTo("+49 30 1234567");
        JsonNode data = document.get("data");
        // Found through the catalogue, table by table: nobody listed them.
        assertThat(data.fieldNames())
                .toIterable()
                .contains("credentials", "member_plans", "member_history", "access_events", "external_members");
        assertThat(data.get("access_events")).hasSize(1);
        assertThat(data.get("access_events").get(0).get("at").asText()).isEqualTo("2027-03-10T07:59:00Z");
        assertThat(data.get("credentials").get(0).get("type").asText()).isEqualTo("NFC_CARD");
        // No secret and nobody else's data.
        assertThat(export.text()).doesNotContain(cardHash(member)).doesNotContain("card_hash");
        assertThat(export.text()).doesNotContain(other).doesNotContain("bob@example.com");

        // Taking a copy is on the record.
        Api.Response audit = hub.api().get("/api/v1/audit?action=member.export&resourceId=" + member, tenant.token());
        assertThat(audit.json().get("items")).hasSize(1);

        TestHub.Tenant elsewhere = hub.newTenant("elsewhere");
        assertThat(hub.api()
                        .get("/api/v1/members/" + member + "/export", elsewhere.token())
                        .status())
                .isEqualTo(404);
        // Invoices and every site's entries are more than a front desk may read: the owner exports.
        for (String role : List.of("read-only", "front-desk", "site-manager")) {
            String token = Billing.token(hub, tenant, role);
            assertThat(hub.api()
                            .get("/api/v1/members/" + member + "/export", token)
                            .status())
                    .as(role)
                    .isEqualTo(403);
        }
    }

    @Test
    void erasureLeavesNothingThatSaysWhoTheyWereAndTheDoorsForgetTheirCards() {
        String member = memberWithCardAndPlan("grace@example.com");
        String card = hub.api()
                .get("/api/v1/members/" + member + "/credentials", tenant.token())
                .json()
                .at("/items/0/id")
                .asText();
        hub.api().patch("/api/v1/members/" + member, tenant.token(), "{\"company\":\"Hopper Labs\"}");
        accessEvent(member, NOW.minusSeconds(60));
        Api.Response invited = hub.api()
                .post(
                        "/api/v1/sites/" + site + "/visitor-passes",
                        tenant.token(),
                        "{\"visitorName\":\"Vera Visitor\",\"visitorEmail\":\"vera@example.org\",\"hostMemberId\":\""
                                + member + "\",\"doorIds\":[\"" + door + "\"],\"validFrom\":\""
                                + NOW.plusSeconds(3600) + "\",\"validUntil\":\"" + NOW.plusSeconds(5 * 3600) + "\"}");
        assertThat(invited.status()).as(invited.toString()).isEqualTo(201);
        String pass = invited.json().get("id").asText();
        long head = people.head(site);

        // The front desk may export, not erase: erasure is the owner's call.
        String desk = Billing.token(hub, tenant, "front-desk");
        assertThat(erase(member, desk).status()).isEqualTo(403);

        Api.Response erased = erase(member, tenant.token());
        assertThat(erased.status()).as(erased.toString()).isEqualTo(200);
        assertThat(erased.json().get("credentialsRemoved").asInt()).isEqualTo(1);
        assertThat(erased.json().get("plansRemoved").asInt()).isEqualTo(1);
        assertThat(erased.json().get("kept").toString()).contains("1 access events");

        Api.Response record = hub.api().get("/api/v1/members/" + member, tenant.token());
        assertThat(record.json().get("fullName").asText()).isEqualTo("Erased member");
        assertThat(record.json().get("status").asText()).isEqualTo("cancelled");
        assertThat(record.json().has("phone") && !record.json().get("phone").isNull())
                .isFalse();
        // Nothing the hub answers about them holds a trace: not the record, the history, the audit log,
        // the search, nor the export.
        for (String path : List.of(
                "/api/v1/members/" + member,
                "/api/v1/members/" + member + "/history",
                "/api/v1/audit?resourceId=" + member,
                "/api/v1/members?q=grace",
                "/api/v1/members/" + member + "/export")) {
            Api.Response answer = hub.api().get(path, tenant.token());
            assertThat(answer.status()).as(path + " " + answer).isEqualTo(200);
            assertThat(answer.text())
                    .as(path)
                    .doesNotContain("grace@example.com")
                    .doesNotContain("Ada Lovelace")
                    .doesNotContain("1234567")
                    .doesNotContain("Hopper Labs");
        }
        assertThat(hub.api()
                        .get("/api/v1/members?q=grace", tenant.token())
                        .json()
                        .get("items"))
                .isEmpty();

        // A visitor they invited no longer gets in for a host who is gone, and is no longer named.
        Api.Response hosted = hub.api().get("/api/v1/visitor-passes/" + pass, tenant.token());
        assertThat(hosted.json().get("status").asText()).isEqualTo("revoked");
        assertThat(hosted.text()).doesNotContain("Vera Visitor").doesNotContain("vera@example.org");
        assertThat(hub.api()
                        .get("/api/v1/audit?resourceId=" + pass, tenant.token())
                        .text())
                .doesNotContain("Vera Visitor")
                .doesNotContain("vera@example.org");

        // Webhooks and connectors not yet caught up send the redacted events.
        assertThat(new dev.gatehouse.hub.outbox.Outbox(hub.hub().database()).events(tenant.id(), 0, 1000))
                .isNotEmpty()
                .allSatisfy(event -> assertThat(event.payload())
                        .doesNotContain("grace@example.com")
                        .doesNotContain("Ada Lovelace"));

        // The doors forget the card and the grant through the change log; the event stays.
        assertThat(People.summary(people.changes(site, head)))
                .contains("remove CREDENTIAL " + card)
                .anyMatch(change -> change.startsWith("remove GRANT"));
        assertThat(accessEvents()).isEqualTo(1);

        // Once is enough: a second call answers the first.
        Api.Response again = erase(member, tenant.token());
        assertThat(again.status()).isEqualTo(200);
        assertThat(again.json().get("alreadyErased").asBoolean()).isTrue();
        assertThat(again.json().get("erasedAt").asText())
                .isEqualTo(erased.json().get("erasedAt").asText());
        assertThat(hub.api()
                        .get("/api/v1/audit?action=member.erase&resourceId=" + member, tenant.token())
                        .json()
                        .get("items"))
                .hasSize(1);

        TestHub.Tenant elsewhere = hub.newTenant("elsewhere");
        assertThat(erase(member, elsewhere.token()).status()).isEqualTo(404);
    }

    @Test
    void erasureWaitsUntilTheirSubscriptionIsCancelledAndChangesNothingBefore() {
        String berlin = Billing.berlin(hub, tenant);
        String member = memberWithCardAndPlan("lin@example.com");
        String monthly = Billing.monthly(hub, tenant, "Monthly", 19900);
        Api.Response sold = hub.api()
                .post(
                        "/api/v1/subscriptions",
                        tenant.token(),
                        "{\"memberId\":\"" + member + "\",\"packageId\":\"" + monthly + "\",\"siteId\":\"" + berlin
                                + "\"}");
        assertThat(sold.status()).as(sold.toString()).isEqualTo(201);
        String subscription = sold.json().get("subscription").get("id").asText();

        Api.Response refused = erase(member, tenant.token());
        assertThat(refused.status()).as(refused.toString()).isEqualTo(409);
        assertThat(refused.json().get("detail").asText()).contains(subscription).contains("cancel");
        assertThat(hub.api()
                        .get("/api/v1/members/" + member, tenant.token())
                        .json()
                        .get("email")
                        .asText())
                .isEqualTo("lin@example.com");
        assertThat(hub.api()
                        .get("/api/v1/members/" + member + "/credentials", tenant.token())
                        .json()
                        .get("items"))
                .hasSize(1);
    }

    @Test
    void retentionDeletesOldAccessEventsAndErasesMembersCancelledLongAgo() {
        Api.Response tooShort = hub.api().put("/api/v1/privacy/settings", tenant.token(), "{\"accessEventsDays\":5}");
        assertThat(tooShort.status()).isEqualTo(422);
        assertThat(tooShort.text()).contains("accessEventsDays").contains("30");
        assertThat(hub.api()
                        .get("/api/v1/privacy/settings", tenant.token())
                        .json()
                        .path("accessEventsDays")
                        .isIntegralNumber())
                .isFalse();

        Api.Response set = hub.api()
                .put(
                        "/api/v1/privacy/settings",
                        tenant.token(),
                        "{\"accessEventsDays\":30,\"cancelledMembersDays\":7}");
        assertThat(set.status()).as(set.toString()).isEqualTo(200);

        String staying = memberWithCardAndPlan("stays@example.com");
        String leaving = memberWithCardAndPlan("leaves@example.com");
        accessEvent(staying, NOW.minus(Duration.ofDays(40)));
        accessEvent(staying, NOW.minus(Duration.ofDays(20)));
        assertThat(hub.api()
                        .patch("/api/v1/members/" + leaving, tenant.token(), "{\"status\":\"cancelled\"}")
                        .status())
                .isEqualTo(200);

        // A tenant without periods keeps everything.
        TestHub.Tenant keeper = hub.newTenant("keeper");
        String kept =
                hub.create("/api/v1/members", keeper.token(), "{\"email\":\"kept@example.com\",\"fullName\":\"Kept\"}");
        hub.api().patch("/api/v1/members/" + kept, keeper.token(), "{\"status\":\"cancelled\"}");

        PersonalData data = new PersonalData(hub.hub().database(), clock);
        PersonalData.Swept early = data.sweep();
        assertThat(early.accessEventsDeleted()).isEqualTo(1);
        assertThat(early.membersErased()).isZero();
        assertThat(accessEvents()).isEqualTo(1);

        clock.advance(Duration.ofDays(8));
        PersonalData.Swept later = data.sweep();
        assertThat(later.membersErased()).isEqualTo(1);
        assertThat(hub.api()
                        .get("/api/v1/members/" + leaving, tenant.token())
                        .json()
                        .get("email")
                        .asText())
                .startsWith("erased-");
        assertThat(hub.api()
                        .get("/api/v1/members/" + staying, tenant.token())
                        .json()
                        .get("email")
                        .asText())
                .isEqualTo("stays@example.com");
        assertThat(hub.api()
                        .get("/api/v1/members/" + kept, keeper.token())
                        .json()
                        .get("email")
                        .asText())
                .isEqualTo("kept@example.com");
        // Running it again finds nothing more to do.
        assertThat(data.sweep()).isEqualTo(new PersonalData.Swept(0, 0));
    }
}
