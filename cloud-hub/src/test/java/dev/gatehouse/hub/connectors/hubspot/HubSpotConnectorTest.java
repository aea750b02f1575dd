package dev.gatehouse.hub.connectors.hubspot;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.gatehouse.hub.connectors.ConnectorSettings;
import dev.gatehouse.hub.connectors.StandIn;
import dev.gatehouse.hub.outbox.EventType;
import dev.gatehouse.hub.outbox.Outbox;
import dev.gatehouse.hub.store.StoreKind;
import dev.gatehouse.hub.testing.Api;
import dev.gatehouse.hub.testing.MovableClock;
import dev.gatehouse.hub.testing.TestHub;
import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The HubSpot connector against a stand-in of the CRM API v3: the pre-flight finds custom properties
 * missing or of the wrong type and a deal stage the pipeline lacks; members become contacts with their
 * company associated, updated in place when they change; a sign-up becomes a won deal on the contact; a
 * 429 with {@code policyName} waits as that limit asks; OAuth2 tokens are refreshed on a 401. On SQLite
 * (the framework's storage runs on both stores in the QuickBooks test).
 */
class HubSpotConnectorTest {
    private static final String PATH = "/api/v1/connectors/hubspot";

    static MovableClock clock;
    static HubSpotStandIn hubspot;
    static TestHub hub;

    private TestHub.Tenant tenant;

    @BeforeAll
    static void start() {
        clock = MovableClock.standingStill();
        clock.moveTo(Instant.parse("2027-03-10T08:00:00Z"));
        hubspot = new HubSpotStandIn();
        hub = TestHub.start(
                StoreKind.SQLITE,
                clock,
                Optional.empty(),
                dev.gatehouse.hub.mqtt.MqttSettings.disabled(),
                config -> config.withConnectors(
                        ConnectorSettings.defaults().withBase(ConnectorSettings.HUBSPOT, hubspot.base())));
    }

    @AfterAll
    static void stop() {
        hub.close();
        hubspot.close();
    }

    @BeforeEach
    void newTenant() {
        tenant = hub.newTenant("crm");
    }

    private Api api() {
        return hub.api();
    }

    private void enableWithPrivateAppToken() {
        Api.Response put =
                api().put(PATH, tenant.token(), "{\"privateAppToken\":\"" + HubSpotStandIn.PRIVATE_APP_TOKEN + "\"}");
        assertThat(put.status()).as(put.toString()).isEqualTo(200);
        Api.Response enabled = api().post(PATH + "/enable", tenant.token(), "");
        assertThat(enabled.status()).as(enabled.toString()).isEqualTo(200);
    }

    private String member(String name, String company) {
        return hub.create(
                "/api/v1/members",
                tenant.token(),
                "{\"email\":\"" + email(name) + "\",\"fullName\":\"" + name + " Tester\",\"company\":\"" + company
                        + "\"}");
    }

    private String email(String name) {
        return name.toLowerCase() + "@" + tenant.slug() + ".example";
    }

    private Optional<ObjectNode> contact(String name) {
        return hubspot.objects("contacts").stream()
                .filter(c -> c.at("/properties/email").asText().equals(email(name)))
                .findFirst();
    }

    @Test
    void preflightFindsMissingAndMistypedPropertiesAndAnUnknownStage() {
        hubspot.dropProperty("deals", "gatehouse_signup_id");
        hubspot.property("contacts", "gatehouse_status", "number", false);
        hubspot.property("companies", "gatehouse_company_key", "string", false);
        try {
            api().put(
                            PATH,
                            tenant.token(),
                            "{\"privateAppToken\":\"" + HubSpotStandIn.PRIVATE_APP_TOKEN
                                    + "\",\"dealStage\":\"signed\"}");
            Api.Response refused = api().post(PATH + "/enable", tenant.token(), "");
            assertThat(refused.status()).isEqualTo(409);
            assertThat(refused.json().get("mismatches").findValuesAsText("code"))
                    .containsExactlyInAnyOrder(
                            "property-missing", "property-type", "property-not-unique", "deal-stage");
            assertThat(refused.text()).contains("gatehouse_signup_id", "type number", "no stage signed");
            assertThat(api().put(PATH, tenant.token(), "{\"dealStage\":\"closed won!\"}")
                            .status())
                    .isEqualTo(422);
        } finally {
            hubspot.property("deals", "gatehouse_signup_id", "string", true);
            hubspot.property("contacts", "gatehouse_status", "string", false);
            hubspot.property("companies", "gatehouse_company_key", "string", true);
        }
        api().put(PATH, tenant.token(), "{\"dealStage\":\"closedwon\"}");
        assertThat(api().get(PATH + "/preflight", tenant.token())
                        .json()
                        .get("ok")
                        .asBoolean())
                .isTrue();
        String shown = api().get(PATH, tenant.token()).text();
        assertThat(shown).contains("privateAppToken").doesNotContain(HubSpotStandIn.PRIVATE_APP_TOKEN);
    }

    @Test
    void membersBecomeContactsWithTheirCompanyAndASignUpAWonDealOnTheContact() {
        enableWithPrivateAppToken();
        String ada = member("Ada", "Analytical Engines Ltd");
        await().atMost(Duration.ofSeconds(20)).until(() -> contact("Ada").isPresent());
        ObjectNode made = contact("Ada").orElseThrow();
        assertThat(made.at("/properties/firstname").asText()).isEqualTo("Ada");
        assertThat(made.at("/properties/gatehouse_member_id").asText()).isEqualTo(ada);
        ObjectNode company = hubspot.objects("companies").stream()
                .filter(c -> c.at("/properties/name").asText().equals("Analytical Engines Ltd"))
                .findFirst()
                .orElseThrow();
        assertThat(hubspot.associations())
                .contains("contacts:" + made.get("id").asText() + "->companies:"
                        + company.get("id").asText());

        // A new address follows the contact (updated by its id, not upserted by e-mail again).
        api().patch("/api/v1/members/" + ada, tenant.token(), "{\"email\":\"ada.king@" + tenant.slug() + ".example\"}");
        await().atMost(Duration.ofSeconds(20)).until(() -> hubspot.objects("contacts").stream()
                .anyMatch(c -> c.get("id").equals(made.get("id"))
                        && c.at("/properties/email").asText().startsWith("ada.king@")));
        assertThat(hubspot.objects("contacts").stream()
                        .filter(c ->
                                c.at("/properties/gatehouse_member_id").asText().equals(ada)))
                .hasSize(1);

        // A sign-up on the public page (the event PublicPurchases writes with the sale; PublicPageTest
        // checks it is written) becomes a won deal on the contact, once even if the event is read twice.
        Map<String, Object> signup = new LinkedHashMap<>();
        signup.put("id", "pp_test1");
        signup.put("memberId", ada);
        signup.put("email", "ada.king@" + tenant.slug() + ".example");
        signup.put("fullName", "Ada Tester");
        signup.put("packageId", "pkg_monthly");
        signup.put("packageName", "Monthly");
        signup.put("amount", 23681);
        signup.put("currency", "EUR");
        signup.put("invoiceId", "inv_x");
        signup.put("paidAt", clock.instant().toString());
        hub.hub()
                .database()
                .run(c -> Outbox.emit(c, tenant.id(), EventType.SIGNUP_COMPLETED, "pp_test1", signup, clock.instant()));
        await().atMost(Duration.ofSeconds(20)).until(() -> hubspot.objects("deals").stream()
                .anyMatch(d -> d.at("/properties/gatehouse_signup_id").asText().equals("pp_test1")));
        ObjectNode deal = hubspot.objects("deals").stream()
                .filter(d -> d.at("/properties/gatehouse_signup_id").asText().equals("pp_test1"))
                .findFirst()
                .orElseThrow();
        assertThat(deal.at("/properties/amount").asText()).isEqualTo("236.81");
        assertThat(deal.at("/properties/dealstage").asText()).isEqualTo("closedwon");
        assertThat(deal.at("/properties/dealname").asText()).isEqualTo("Monthly – Ada Tester");
        assertThat(hubspot.associations())
                .contains("deals:" + deal.get("id").asText() + "->contacts:"
                        + made.get("id").asText());
    }

    @Test
    void aRateLimitWaitsAsItsPolicyAsks() {
        enableWithPrivateAppToken();
        hubspot.rateLimitNext(1, "TEN_SECONDLY_ROLLING");
        member("Grace", "Navy");
        await().atMost(Duration.ofSeconds(20))
                .until(() -> api().get(PATH, tenant.token()).json().hasNonNull("pausedUntil"));
        JsonNode shown = api().get(PATH, tenant.token()).json();
        assertThat(Instant.parse(shown.get("pausedUntil").asText()))
                .isEqualTo(clock.instant().plusSeconds(10));
        hub.hub().connectors().pass();
        assertThat(contact("Grace")).isEmpty();
        clock.advance(Duration.ofSeconds(10));
        hub.hub().connectors().wake();
        await().atMost(Duration.ofSeconds(20)).until(() -> contact("Grace").isPresent());
    }

    @Test
    void anOAuthConnectionRefreshesItsAccessTokenWhenHubSpotRefusesIt() {
        api().put(
                        PATH,
                        tenant.token(),
                        "{\"clientId\":\"" + HubSpotStandIn.CLIENT_ID + "\",\"clientSecret\":\""
                                + HubSpotStandIn.CLIENT_SECRET + "\"}");
        URI url = URI.create(api().post(PATH + "/connect", tenant.token(), "")
                .json()
                .get("authorizationUrl")
                .asText());
        assertThat(url.getPath()).isEqualTo("/oauth/authorize");
        String state = StandIn.form(url.getRawQuery()).get("state");
        Api.Response back = api().send(
                        "GET",
                        "/connectors/oauth/callback?code=" + hubspot.issueCode() + "&state=" + state,
                        null,
                        Optional.empty(),
                        Optional.empty());
        assertThat(back.status()).as(back.toString()).isEqualTo(200);
        assertThat(api().post(PATH + "/enable", tenant.token(), "").status()).isEqualTo(200);
        int refreshes = hubspot.refreshes();
        hubspot.expireAccessTokens();
        member("Hedy", "Film");
        await().atMost(Duration.ofSeconds(20)).until(() -> contact("Hedy").isPresent());
        assertThat(hubspot.refreshes()).isEqualTo(refreshes + 1);
        List<StandIn.Request> calls = hubspot.requests("POST", "/crm/v3/objects/contacts/batch/upsert");
        assertThat(calls.getLast().bearer()).startsWith("CJ-access-");
    }
}
