package dev.gatehouse.hub.connectors.quickbooks;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.gatehouse.hub.connectors.StandIn;
import dev.gatehouse.hub.testing.Api;
import dev.gatehouse.hub.testing.TestHub;
import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * One tenant's QuickBooks connector as the tests drive it through the hub's API: configured, connected
 * through the OAuth2 flow against the stand-in, enabled; its members, customers and jobs.
 */
record QuickBooksTenant(TestHub hub, QuickBooksStandIn qbo, TestHub.Tenant tenant) {
    static final String PATH = "/api/v1/connectors/quickbooks";

    Api api() {
        return hub.api();
    }

    Api.Response put(String json) {
        return api().put(PATH, tenant.token(), json);
    }

    /** Configures (with {@code extraSettings}, a JSON object's fields or empty), connects and enables. */
    void connectAndEnable(String extraSettings) {
        Api.Response configured = put("{\"clientId\":\"" + QuickBooksStandIn.CLIENT_ID + "\",\"clientSecret\":\""
                + QuickBooksStandIn.CLIENT_SECRET + "\",\"itemId\":\"1\",\"taxCodeId\":\"TAX\""
                + (extraSettings.isEmpty() ? "" : "," + extraSettings) + "}");
        assertThat(configured.status()).as(configured.toString()).isEqualTo(200);
        Api.Response back = callback(state(), qbo.issueCode());
        assertThat(back.status()).as(back.toString()).isEqualTo(200);
        Api.Response enabled = api().post(PATH + "/enable", tenant.token(), "");
        assertThat(enabled.status()).as(enabled.toString()).isEqualTo(200);
    }

    /** Starts the connect flow and answers its state, checking the authorization URL on the way. */
    String state() {
        Api.Response started = api().post(PATH + "/connect", tenant.token(), "");
        assertThat(started.status()).as(started.toString()).isEqualTo(200);
        URI url = URI.create(started.json().get("authorizationUrl").asText());
        assertThat(url.getPath()).isEqualTo("/connect/oauth2");
        assertThat(StandIn.form(url.getRawQuery()))
                .containsEntry("client_id", QuickBooksStandIn.CLIENT_ID)
                .containsEntry("response_type", "code")
                .containsEntry("scope", "com.intuit.quickbooks.accounting");
        return StandIn.form(url.getRawQuery()).get("state");
    }

    Api.Response callback(String state, String code) {
        return api().send(
                        "GET",
                        "/connectors/oauth/callback?code=" + code + "&state=" + state + "&realmId="
                                + QuickBooksStandIn.REALM,
                        null,
                        Optional.empty(),
                        Optional.empty());
    }

    /** A member named {@code name} and the tenant's slug, at {@code name@slug.example}; answers its id. */
    String member(String name) {
        return hub.create(
                "/api/v1/members",
                tenant.token(),
                "{\"email\":\"" + email(name) + "\",\"fullName\":\"" + name + " " + tenant.slug() + "\"}");
    }

    String email(String name) {
        return name + "@" + tenant.slug() + ".example";
    }

    /** The customers at QuickBooks with the member's e-mail. */
    List<ObjectNode> customers(String name) {
        return qbo.customers().stream()
                .filter(c -> c.path("PrimaryEmailAddr").path("Address").asText().equals(email(name)))
                .toList();
    }

    Optional<ObjectNode> customer(String name) {
        return customers(name).stream().findFirst();
    }

    /** The tenant's jobs in that state (wire name), or all but none when {@code status} is empty. */
    List<JsonNode> jobs(String status) {
        Api.Response answer = api().get(PATH + "/jobs" + (status.isEmpty() ? "" : "?status=" + status), tenant.token());
        assertThat(answer.status()).as(answer.toString()).isEqualTo(200);
        List<JsonNode> items = new ArrayList<>();
        answer.json().get("items").forEach(items::add);
        return items;
    }

    /** Issues an invoice of one charge to the member; answers the invoice as the API shows it. */
    JsonNode invoice(String memberId, String description, long amount) {
        Api.Response charged = api().post(
                        "/api/v1/members/" + memberId + "/charges",
                        tenant.token(),
                        "{\"description\":\"" + description + "\",\"amount\":" + amount
                                + ",\"currency\":\"EUR\",\"idempotencyKey\":\"" + memberId + "-"
                                + description.replaceAll("[^A-Za-z0-9]", "-") + "\"}");
        assertThat(charged.status()).as(charged.toString()).isEqualTo(201);
        Api.Response issued = api().post("/api/v1/members/" + memberId + "/invoices", tenant.token(), "");
        assertThat(issued.status()).as(issued.toString()).isIn(200, 201);
        return issued.json();
    }
}
