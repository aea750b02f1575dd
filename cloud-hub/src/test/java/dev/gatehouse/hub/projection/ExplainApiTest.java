package dev.gatehouse.hub.projection;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.gatehouse.hub.members.People;
import dev.gatehouse.hub.store.StoreKind;
import dev.gatehouse.hub.testing.Api;
import dev.gatehouse.hub.testing.TestHub;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.AfterParameterizedClassInvocation;
import org.junit.jupiter.params.BeforeParameterizedClassInvocation;
import org.junit.jupiter.params.Parameter;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Explain runs the edge's policy engine over the hub's data: the answers an operator gets must be
 * the ones the door would give. One Berlin site, a weekday plan (with Sunday mornings) that is closed
 * on the site's holiday, and members in every state worth explaining; on both stores.
 */
@ParameterizedClass
@EnumSource(StoreKind.class)
class ExplainApiTest {
    static final String SCHEDULE = "[{\"day\":\"monday\",\"start\":\"08:00\",\"end\":\"18:00\"},"
            + "{\"day\":\"tuesday\",\"start\":\"08:00\",\"end\":\"18:00\"},"
            + "{\"day\":\"wednesday\",\"start\":\"08:00\",\"end\":\"18:00\"},"
            + "{\"day\":\"thursday\",\"start\":\"08:00\",\"end\":\"18:00\"},"
            + "{\"day\":\"friday\",\"start\":\"08:00\",\"end\":\"18:00\"},"
            + "{\"day\":\"sunday\",\"start\":\"08:00\",\"end\":\"12:00\"}]";

    static TestHub hub;
    static TestHub.Tenant tenant;
    static People people;
    static String site;
    static String door;
    static String otherDoor;
    static String plan;
    /** Members by the role they play in the table. */
    static final Map<String, String> members = new HashMap<>();
    /** Credentials by "member/kind". */
    static final Map<String, String> credentials = new HashMap<>();

    @Parameter
    StoreKind store;

    @BeforeParameterizedClassInvocation
    static void start(StoreKind kind) {
        hub = TestHub.start(kind);
        tenant = hub.newTenant("explain");
        people = new People(hub, tenant.token());
        site = people.site("Europe/Berlin");
        door = people.door(site);
        otherDoor = people.door(site);
        String group = people.group(site, door);
        // Friday 6 March 2026 is a holiday at this site.
        assertThat(hub.api()
                        .put(
                                "/api/v1/sites/" + site + "/holidays",
                                tenant.token(),
                                "{\"holidays\":[{\"date\":\"2026-03-06\",\"name\":\"Founders' day\"}]}")
                        .status())
                .isEqualTo(200);
        plan = people.plan(SCHEDULE, "closed", group);
        String ignoring = people.plan(SCHEDULE, "ignored", group);

        member("active", plan, "{}", "NFC_CARD", "ACTIVE");
        member("ignoresHolidays", ignoring, "{}", "NFC_CARD", "ACTIVE");
        member("suspended", plan, "{}", "NFC_CARD", "ACTIVE");
        hub.api().patch("/api/v1/members/" + members.get("suspended"), tenant.token(), "{\"status\":\"suspended\"}");
        member("expired", plan, "{\"validUntil\":\"2026-02-01T00:00:00Z\"}", "NFC_CARD", "ACTIVE");
        member("qrOnly", plan, "{}", "MEMBER_QR", "ACTIVE");
        member("lostCard", plan, "{}", "NFC_CARD", "LOST");
        // A member with a lost card and a working QR code presents the QR code.
        member("lostCardAndQr", plan, "{}", "NFC_CARD", "LOST");
        credentials.put(
                "lostCardAndQr/MEMBER_QR",
                people.credential(tenant.id(), members.get("lostCardAndQr"), "MEMBER_QR", "ACTIVE"));
        member("noCredential", plan, "{}", null, null);
    }

    private static void member(String role, String planId, String window, String type, String status) {
        String id = people.member(role.toLowerCase() + "@example.com");
        members.put(role, id);
        assertThat(people.assign(id, planId, window).status()).isEqualTo(201);
        if (type != null) {
            credentials.put(role + "/" + type, people.credential(tenant.id(), id, type, status));
        }
    }

    @AfterParameterizedClassInvocation
    static void stop() {
        members.clear();
        credentials.clear();
        hub.close();
    }

    Api.Response explain(String query) {
        return hub.api().get("/api/v1/explain?" + query, tenant.token());
    }

    JsonNode explain(String member, String doorId, String at) {
        Api.Response response = explain("memberId=" + member + "&doorId=" + doorId + "&at=" + at);
        assertThat(response.status()).as(response.toString()).isEqualTo(200);
        return response.json();
    }

    @ParameterizedTest(name = "{0} at {1}: {2} {3}")
    @CsvSource({
        // within the weekday window (Wednesday 11:00 CET)
        "active,          2026-03-04T10:00:00Z, granted, member-grant,     2026-03-04T11:00:00+01:00",
        // after 18:00 local; 17:30 UTC would still be inside the window in UTC
        "active,          2026-03-04T17:30:00Z, denied,  outside-schedule, 2026-03-04T18:30:00+01:00",
        "active,          2026-03-07T10:00:00Z, denied,  outside-schedule, 2026-03-07T11:00:00+01:00",
        // the site's holiday closes a plan whose holidays are closed, not one that ignores them
        "active,          2026-03-06T10:00:00Z, denied,  site-holiday,     2026-03-06T11:00:00+01:00",
        "ignoresHolidays, 2026-03-06T10:00:00Z, granted, member-grant,     2026-03-06T11:00:00+01:00",
        "suspended,       2026-03-04T10:00:00Z, denied,  member-suspended, 2026-03-04T11:00:00+01:00",
        // the plan was given until 1 February
        "expired,         2026-03-04T10:00:00Z, denied,  grant-expired,    2026-03-04T11:00:00+01:00",
        "qrOnly,          2026-03-04T10:00:00Z, granted, member-grant,     2026-03-04T11:00:00+01:00",
        "lostCard,        2026-03-04T10:00:00Z, denied,  credential-lost,  2026-03-04T11:00:00+01:00",
        "lostCardAndQr,   2026-03-04T10:00:00Z, granted, member-grant,     2026-03-04T11:00:00+01:00",
        // Europe/Berlin springs forward on Sunday 29 March 2026: 06:30 UTC is 07:30 the week before
        // (outside 08:00-12:00) and 08:30 on the day itself (inside); 10:30 UTC is 11:30, then 12:30.
        "active,          2026-03-22T06:30:00Z, denied,  outside-schedule, 2026-03-22T07:30:00+01:00",
        "active,          2026-03-29T06:30:00Z, granted, member-grant,     2026-03-29T08:30:00+02:00",
        "active,          2026-03-22T10:30:00Z, granted, member-grant,     2026-03-22T11:30:00+01:00",
        "active,          2026-03-29T10:30:00Z, denied,  outside-schedule, 2026-03-29T12:30:00+02:00",
    })
    void theHubExplainsWhatTheDoorWouldDecide(
            String role, String at, String decision, String reasonOrBasis, String localTime) {
        JsonNode answer = explain(members.get(role), door, at);
        assertThat(answer.get("decision").asText()).isEqualTo(decision);
        assertThat(answer.get(decision.equals("granted") ? "basis" : "reason").asText())
                .isEqualTo(reasonOrBasis);
        assertThat(answer.get("sentence").asText()).isNotBlank();
        assertThat(answer.get("localTime").asText()).isEqualTo(localTime);
        assertThat(answer.get("timeZone").asText()).isEqualTo("Europe/Berlin");
        assertThat(answer.get("siteId").asText()).isEqualTo(site);
        assertThat(answer.get("at").asText()).isEqualTo(at);
    }

    @Test
    void aGrantNamesThePlanTheUnlockTimeAndTheCredentialPresented() {
        JsonNode answer = explain(members.get("active"), door, "2026-03-04T10:00:00Z");
        assertThat(answer.get("unlockSeconds").asInt()).isEqualTo(5);
        assertThat(answer.get("planId").asText()).isEqualTo(plan);
        assertThat(answer.get("grantId").asText()).isEqualTo("gr_" + members.get("active") + "_" + plan);
        assertThat(answer.get("sentence").asText()).isEqualTo("The member's plan covers this door now.");
        assertThat(answer.get("credentialId").asText()).isEqualTo(credentials.get("active/NFC_CARD"));
        assertThat(answer.get("credentialType").asText()).isEqualTo("nfc-card");
        assertThat(answer.has("reason")).isFalse();

        JsonNode denied = explain(members.get("active"), door, "2026-03-06T10:00:00Z");
        assertThat(denied.get("sentence").asText()).isEqualTo("The site is closed for a holiday on the member's plan.");
        assertThat(denied.has("unlockSeconds")).isFalse();
    }

    @Test
    void anInstantMayCarryAnyOffsetEvenUnencoded() {
        JsonNode encoded = explain(members.get("active"), door, "2026-03-04T11:00:00%2B01:00");
        JsonNode raw = explain(members.get("active"), door, "2026-03-04T11:00:00+01:00");
        assertThat(encoded.get("at").asText()).isEqualTo("2026-03-04T10:00:00Z");
        assertThat(raw.get("at").asText()).isEqualTo("2026-03-04T10:00:00Z");
    }

    @Test
    void aDoorOutsideTheMembersPlansIsNotTheirs() {
        JsonNode answer = explain(members.get("active"), otherDoor, "2026-03-04T10:00:00Z");
        assertThat(answer.get("reason").asText()).isEqualTo("no-access-to-door");
    }

    @Test
    void aChosenCredentialIsPresentedAndMustBeTheMembers() {
        String qr = credentials.get("lostCardAndQr/MEMBER_QR");
        String lost = credentials.get("lostCardAndQr/NFC_CARD");
        String member = members.get("lostCardAndQr");
        JsonNode withLost = explain(
                        "memberId=" + member + "&doorId=" + door + "&at=2026-03-04T10:00:00Z&credentialId=" + lost)
                .json();
        assertThat(withLost.get("reason").asText()).isEqualTo("credential-lost");
        assertThat(withLost.get("credentialId").asText()).isEqualTo(lost);
        assertThat(explain("memberId=" + member + "&doorId=" + door + "&credentialId=" + qr)
                        .json()
                        .get("credentialType")
                        .asText())
                .isEqualTo("member-qr");

        Api.Response someoneElses =
                explain("memberId=" + members.get("active") + "&doorId=" + door + "&credentialId=" + qr);
        assertThat(someoneElses.status()).isEqualTo(422);
        assertThat(someoneElses.json().at("/errors/0/field").asText()).isEqualTo("credentialId");
        assertThat(explain("memberId=" + member + "&doorId=" + door + "&credentialId=cred_nothing")
                        .status())
                .isEqualTo(404);
    }

    @Test
    void aMemberWithNoCredentialHasNothingToPresent() {
        Api.Response answer = explain("memberId=" + members.get("noCredential") + "&doorId=" + door);
        assertThat(answer.status()).isEqualTo(409);
        assertThat(answer.json().get("detail").asText())
                .contains("no credential")
                .contains("enroll");
    }

    @Test
    void withoutAnInstantItExplainsNow() {
        Api.Response answer = explain("memberId=" + members.get("active") + "&doorId=" + door);
        assertThat(answer.status()).isEqualTo(200);
        assertThat(answer.json().get("at").asText()).endsWith("Z");
        assertThat(answer.json().get("decision").asText()).isIn("granted", "denied");
    }

    @Test
    void badQueriesNameTheParameter() {
        String member = members.get("active");
        for (String[] bad : new String[][] {
            {"doorId=" + door, "memberId"},
            {"memberId=" + member, "doorId"},
            {"memberId=" + member + "&doorId=" + door + "&at=2026-03-04T10:00:00", "at"},
            {"memberId=" + member + "&doorId=" + door + "&at=yesterday", "at"},
        }) {
            Api.Response response = explain(bad[0]);
            assertThat(response.status()).as(bad[0]).isEqualTo(422);
            assertThat(response.json().at("/errors/0/field").asText())
                    .as(bad[0])
                    .isEqualTo(bad[1]);
        }
        assertThat(explain("memberId=mem_unknown&doorId=" + door).status()).isEqualTo(404);
        assertThat(explain("memberId=" + member + "&doorId=door_unknown").status())
                .isEqualTo(404);
        assertThat(explain("memberId=a%20b&doorId=" + door).status()).isEqualTo(404);
    }

    @Test
    void anotherTenantsMemberAndDoorDoNotExist() {
        var stranger = hub.newTenant("stranger");
        People theirs = new People(hub, stranger.token());
        String theirSite = theirs.site("Europe/Berlin");
        String theirDoor = theirs.door(theirSite);
        String theirMember = theirs.member("x@example.com");
        theirs.credential(stranger.id(), theirMember, "NFC_CARD", "ACTIVE");

        Api.Response ownersMember = hub.api()
                .get("/api/v1/explain?memberId=" + members.get("active") + "&doorId=" + theirDoor, stranger.token());
        assertThat(ownersMember.status()).isEqualTo(404);
        assertThat(ownersMember.json().get("detail").asText()).contains("member");
        Api.Response ownersDoor =
                hub.api().get("/api/v1/explain?memberId=" + theirMember + "&doorId=" + door, stranger.token());
        assertThat(ownersDoor.status()).isEqualTo(404);
        assertThat(ownersDoor.json().get("detail").asText()).contains("door");
        Api.Response ownersCredential = hub.api()
                .get(
                        "/api/v1/explain?memberId=" + theirMember + "&doorId=" + theirDoor + "&credentialId="
                                + credentials.get("active/NFC_CARD"),
                        stranger.token());
        assertThat(ownersCredential.status()).isEqualTo(404);
    }
}
