package dev.gatehouse.hub.external;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.gatehouse.hub.members.People;
import dev.gatehouse.hub.store.StoreKind;
import dev.gatehouse.hub.testing.Api;
import dev.gatehouse.hub.testing.TestHub;
import java.time.Instant;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.AfterParameterizedClassInvocation;
import org.junit.jupiter.params.BeforeParameterizedClassInvocation;
import org.junit.jupiter.params.Parameter;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Doors for other platforms, on both stores: a coworking platform that keeps its own members and
 * billing gives and takes access by its own ids — the generic API and Nexudus's Custom ACS webhook —
 * idempotently, in order whatever order its notifications arrive in, never touching access the
 * member holds otherwise, and refusing bad input with nothing changed.
 */
@ParameterizedClass
@EnumSource(StoreKind.class)
class ExternalAccessApiTest {
    private static final Instant NOW = Instant.parse("2026-12-07T10:00:00Z");
    private static final String UNTIL = "2026-12-31T20:00:00Z";

    static TestHub hub;

    @Parameter
    StoreKind store;

    private TestHub.Tenant tenant;
    private People people;
    private String door;
    private String plan;
    private String otherPlan;

    @BeforeParameterizedClassInvocation
    static void start(StoreKind kind) {
        hub = TestHub.start(kind);
    }

    @AfterParameterizedClassInvocation
    static void stop() {
        hub.close();
    }

    @BeforeEach
    void site() {
        tenant = hub.newTenant("external");
        people = new People(hub, tenant.token());
        String site = people.site("Europe/Berlin");
        door = people.door(site);
        plan = people.plan("[]", "ignored", people.group(site, door));
        otherPlan = people.plan("[]", "ignored", people.group(site, people.door(site)));
    }

    private Api.Response put(String system, String id, String body) {
        return hub.api().put("/api/v1/external-access/" + system + "/" + id, tenant.token(), body);
    }

    private static String state(String email, String plans, String extra) {
        return "{\"email\":\"" + email + "\",\"fullName\":\"Grace Hopper\",\"plans\":" + plans + extra + "}";
    }

    private String planUntil(String planId, String until) {
        return "[{\"planId\":\"" + planId + "\",\"validUntil\":\"" + until + "\"}]";
    }

    /** What the doors decide for the member at the door at {@code at}: "granted" or "denied reason". */
    private String door(String member, Instant at) {
        people.credential(tenant.id(), member, "NFC_CARD", "ACTIVE");
        return people.decision(member, door, at);
    }

    private int members(String email) {
        Api.Response found = hub.api().get("/api/v1/members?q=" + email, tenant.token());
        assertThat(found.status()).as(found.toString()).isEqualTo(200);
        return found.json().get("items").size();
    }

    private JsonNode heldPlans(String member) {
        Api.Response held = hub.api().get("/api/v1/members/" + member + "/plans", tenant.token());
        assertThat(held.status()).as(held.toString()).isEqualTo(200);
        return held.json().get("items");
    }

    @Test
    void aPlatformGivesAccessByItsOwnIdAndTakesItAway() {
        Api.Response given = put("officernd", "64f1c0ffee", state("grace@example.com", planUntil(plan, UNTIL), ""));
        assertThat(given.status()).as(given.toString()).isEqualTo(201);
        String member = given.json().get("memberId").asText();
        assertThat(given.json().get("plans").get(0).get("planId").asText()).isEqualTo(plan);
        assertThat(given.json().get("plans").get(0).get("validUntil").asText()).isEqualTo("2026-12-31T20:00:00Z");

        assertThat(door(member, NOW)).isEqualTo("granted");
        assertThat(door(member, Instant.parse(UNTIL))).isEqualTo("denied grant-expired");

        // The platform retries (its answer was lost): one member, one plan, the same state.
        Api.Response again = put("officernd", "64f1c0ffee", state("grace@example.com", planUntil(plan, UNTIL), ""));
        assertThat(again.status()).as(again.toString()).isEqualTo(200);
        assertThat(again.json().get("memberId").asText()).isEqualTo(member);
        assertThat(members("grace@example.com")).isEqualTo(1);
        assertThat(heldPlans(member)).hasSize(1);

        // The platform's own name and e-mail are the truth: a change reaches the member.
        Api.Response renamed =
                put("officernd", "64f1c0ffee", state("grace.hopper@example.com", planUntil(plan, UNTIL), ""));
        assertThat(renamed.status()).as(renamed.toString()).isEqualTo(200);
        Api.Response record = hub.api().get("/api/v1/members/" + member, tenant.token());
        assertThat(record.json().get("email").asText()).isEqualTo("grace.hopper@example.com");

        // An empty state takes the access away; the member and the link stay.
        Api.Response none = put("officernd", "64f1c0ffee", state("grace.hopper@example.com", "[]", ""));
        assertThat(none.status()).as(none.toString()).isEqualTo(200);
        assertThat(none.json().get("plans")).isEmpty();
        assertThat(door(member, NOW)).isEqualTo("denied no-access-to-door");

        assertThat(put("officernd", "64f1c0ffee", state("grace.hopper@example.com", planUntil(plan, UNTIL), ""))
                        .status())
                .isEqualTo(200);
        Api.Response ended = hub.api().delete("/api/v1/external-access/officernd/64f1c0ffee", tenant.token());
        assertThat(ended.status()).as(ended.toString()).isEqualTo(204);
        assertThat(door(member, NOW)).isEqualTo("denied no-access-to-door");
        assertThat(hub.api()
                        .get("/api/v1/external-access/officernd/64f1c0ffee", tenant.token())
                        .status())
                .isEqualTo(404);
        assertThat(hub.api()
                        .delete("/api/v1/external-access/officernd/64f1c0ffee", tenant.token())
                        .status())
                .isEqualTo(404);
    }

    @Test
    void anOlderStateArrivingLateNeverUndoesANewerOne() {
        Api.Response newer = put("acme-crm", "p-1", state("ada@example.com", planUntil(plan, UNTIL), ",\"version\":2"));
        assertThat(newer.status()).as(newer.toString()).isEqualTo(201);
        String member = newer.json().get("memberId").asText();

        // Version 1 (no access) was sent first but arrives second: nothing changes.
        Api.Response older = put("acme-crm", "p-1", state("ada@example.com", "[]", ",\"version\":1"));
        assertThat(older.status()).as(older.toString()).isEqualTo(200);
        assertThat(older.json().get("applied").asBoolean()).isFalse();
        assertThat(older.json().get("version").asLong()).isEqualTo(2);
        assertThat(door(member, NOW)).isEqualTo("granted");

        // The same version again (a duplicate delivery) changes nothing either.
        assertThat(put("acme-crm", "p-1", state("ada@example.com", "[]", ",\"version\":2"))
                        .json()
                        .get("applied")
                        .asBoolean())
                .isFalse();
        assertThat(door(member, NOW)).isEqualTo("granted");

        Api.Response later = put("acme-crm", "p-1", state("ada@example.com", "[]", ",\"version\":3"));
        assertThat(later.json().get("applied").asBoolean()).isTrue();
        assertThat(door(member, NOW)).isEqualTo("denied no-access-to-door");
    }

    @Test
    void aPlanTheMemberHoldsOtherwiseIsNeverTakenAway() {
        String member = people.member("lin@example.com");
        assertThat(people.assign(member, plan, "{}").status()).isEqualTo(201);

        // Matched by e-mail: the platform's person is the member the front desk already made.
        Api.Response linked = put(
                "officernd",
                "lin-7",
                state(
                        "LIN@example.com",
                        "[{\"planId\":\"" + plan + "\",\"validUntil\":\"" + UNTIL + "\"},{\"planId\":\"" + otherPlan
                                + "\"}]",
                        ""));
        assertThat(linked.status()).as(linked.toString()).isEqualTo(201);
        assertThat(linked.json().get("memberId").asText()).isEqualTo(member);
        assertThat(linked.json().get("heldOtherwise"))
                .extracting(JsonNode::asText)
                .containsExactly(plan);
        assertThat(linked.json().get("plans"))
                .extracting(p -> p.get("planId").asText())
                .containsExactly(otherPlan);

        put("officernd", "lin-7", state("lin@example.com", "[]", ""));
        // The front desk's plan stays, without the platform's end; the platform's own plan is gone.
        assertThat(heldPlans(member)).extracting(p -> p.get("planId").asText()).containsExactly(plan);
        assertThat(heldPlans(member).get(0).has("validUntil")).isFalse();
        assertThat(door(member, Instant.parse("2027-06-01T10:00:00Z"))).isEqualTo("granted");

        // Another of the platform's people cannot take over the same member.
        Api.Response other = put("officernd", "lin-8", state("lin@example.com", "[]", ""));
        assertThat(other.status()).as(other.toString()).isEqualTo(409);
        assertThat(other.json().get("detail").asText()).contains("already linked to officernd id 'lin-7'");
    }

    @Test
    void nexudusCustomAcsListsAccessGroupsAndItsWebhookGivesAccessUntilItsSchedule() {
        Api.Response groups = hub.api().get("/api/v1/integrations/nexudus/access-groups", tenant.token());
        assertThat(groups.status()).as(groups.toString()).isEqualTo(200);
        assertThat(groups.json()).extracting(g -> g.get("id").asText()).containsExactlyInAnyOrder(plan, otherPlan);

        // Nexudus's documented payload, with its seven-digit fractions of a second.
        String notification = """
                {"time": "%s",
                 "business": {"id": 101, "name": "Space Plus", "uniqueId": "d4cb499b-ec2c-4208-ae9f-3699ed4e210e"},
                 "coworker": {"id": 3032, "email": "coworker@example.com",
                              "uniqueId": "4539cf82-ad6b-4832-90dc-83d1e8b43404", "accessPincode": "11546"},
                 "groups": [%s],
                 "schedule": [{"group": "%s", "expires_on": "%s"}]}""";
        Api.Response hooked = hub.api()
                .post(
                        "/api/v1/integrations/nexudus/webhook",
                        tenant.token(),
                        notification.formatted("2026-12-07T09:30:49.7961262Z", "\"" + plan + "\"", plan, UNTIL));
        assertThat(hooked.status()).as(hooked.toString()).isEqualTo(201);
        String member = hooked.json().get("memberId").asText();
        assertThat(hooked.json().get("externalId").asText()).isEqualTo("4539cf82-ad6b-4832-90dc-83d1e8b43404");
        assertThat(door(member, NOW)).isEqualTo("granted");
        assertThat(door(member, Instant.parse(UNTIL))).isEqualTo("denied grant-expired");
        // The PIN Nexudus sends is not kept anywhere.
        assertThat(hooked.text()).doesNotContain("11546");

        // An earlier notification delivered late changes nothing; a later one with no groups ends access.
        Api.Response late = hub.api()
                .post(
                        "/api/v1/integrations/nexudus/webhook",
                        tenant.token(),
                        notification.formatted("2026-12-07T09:00:00Z", "", plan, UNTIL));
        assertThat(late.json().get("applied").asBoolean()).isFalse();
        assertThat(door(member, NOW)).isEqualTo("granted");
        Api.Response ended = hub.api()
                .post(
                        "/api/v1/integrations/nexudus/webhook",
                        tenant.token(),
                        notification.formatted("2026-12-07T09:45:00Z", "", plan, UNTIL));
        assertThat(ended.status()).as(ended.toString()).isEqualTo(200);
        assertThat(door(member, NOW)).isEqualTo("denied no-access-to-door");

        // A group Gatehouse does not have: a clear refusal, nobody made, nothing changed.
        Api.Response unknown = hub.api()
                .post(
                        "/api/v1/integrations/nexudus/webhook",
                        tenant.token(),
                        notification
                                .formatted("2026-12-07T10:00:00Z", "\"no-such-plan\"", plan, UNTIL)
                                .replace("4539cf82", "5539cf82"));
        assertThat(unknown.status()).as(unknown.toString()).isEqualTo(422);
        assertThat(unknown.text()).contains("no-such-plan").contains("access-groups");
        assertThat(members("coworker@example.com")).isEqualTo(1);
    }

    @Test
    void badInputIsRefusedWithWhatToFixAndChangesNothing() {
        TestHub.Tenant other = hub.newTenant("elsewhere");
        People elsewhere = new People(hub, other.token());
        String otherSite = elsewhere.site("UTC");
        String othersPlan = elsewhere.plan("[]", "ignored", elsewhere.group(otherSite, elsewhere.door(otherSite)));
        record Case(String system, String body, int status, String says) {}
        for (Case bad : new Case[] {
            new Case(
                    "officernd",
                    state("nobody@example.com", planUntil("no-such-plan", UNTIL), ""),
                    422,
                    "no-such-plan"),
            new Case("officernd", state("nobody@example.com", planUntil(othersPlan, UNTIL), ""), 422, othersPlan),
            new Case("officernd", state("not-an-address", "[]", ""), 422, "e-mail"),
            new Case("officernd", state("nobody@example.com", planUntil(plan, "tomorrow"), ""), 422, "plans[0]"),
            new Case(
                    "officernd",
                    state("nobody@example.com", "[{\"planId\":\"" + plan + "\"},{\"planId\":\"" + plan + "\"}]", ""),
                    422,
                    "again"),
            new Case("officernd", state("nobody@example.com", "[]", ",\"version\":-1"), 422, "version"),
            new Case("officernd", state("nobody@example.com", "[]", ",\"admin\":true"), 422, "unknown field"),
            new Case("Not_A_System", state("nobody@example.com", "[]", ""), 404, "platform"),
            new Case("officernd", "{\"email\":", 400, "JSON"),
        }) {
            Api.Response answer = put(bad.system(), "p-9", bad.body());
            assertThat(answer.status()).as(bad + " → " + answer).isEqualTo(bad.status());
            assertThat(answer.text()).as(bad.toString()).contains(bad.says());
        }
        assertThat(members("nobody@example.com")).isZero();

        // Another tenant sees no link of this one's.
        assertThat(put("officernd", "p-10", state("x@example.com", "[]", "")).status())
                .isEqualTo(201);
        assertThat(hub.api()
                        .get("/api/v1/external-access/officernd/p-10", other.token())
                        .status())
                .isEqualTo(404);
        assertThat(hub.api()
                        .delete("/api/v1/external-access/officernd/p-10", other.token())
                        .status())
                .isEqualTo(404);

        // A token that may only look cannot give access.
        Api.Response created =
                hub.api().post("/api/v1/tokens", tenant.token(), "{\"name\":\"viewer\",\"role\":\"read-only\"}");
        String viewer = created.json().get("token").asText();
        assertThat(hub.api()
                        .put(
                                "/api/v1/external-access/officernd/p-11",
                                viewer,
                                state("y@example.com", planUntil(plan, UNTIL), ""))
                        .status())
                .isEqualTo(403);

        // A cancelled member gets nothing, and nothing is half-applied.
        Api.Response linked = put("officernd", "p-12", state("z@example.com", "[]", ""));
        String member = linked.json().get("memberId").asText();
        assertThat(hub.api()
                        .patch("/api/v1/members/" + member, tenant.token(), "{\"status\":\"cancelled\"}")
                        .status())
                .isEqualTo(200);
        Api.Response refused = put("officernd", "p-12", state("z@example.com", planUntil(plan, UNTIL), ""));
        assertThat(refused.status()).as(refused.toString()).isEqualTo(409);
        assertThat(heldPlans(member)).isEmpty();
    }
}
