package dev.gatehouse.hub.billing;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.gatehouse.hub.testing.Api;
import dev.gatehouse.hub.testing.TestHub;

/** What the billing tests set up alike: a Berlin site, packages, tokens of a role. */
final class Billing {
    private Billing() {}

    static String berlin(TestHub hub, TestHub.Tenant tenant) {
        return hub.create(
                "/api/v1/sites",
                tenant.token(),
                "{\"name\":\"Berlin\",\"address\":\"Torstr. 1\",\"timeZone\":\"Europe/Berlin\"}");
    }

    static String monthly(TestHub hub, TestHub.Tenant tenant, String name, long price) {
        return hub.create(
                "/api/v1/packages",
                tenant.token(),
                "{\"name\":\"" + name + "\",\"kind\":\"membership\",\"price\":" + price + ",\"interval\":\"month\"}");
    }

    /** A new member {@code name}@example.com of the tenant. */
    static String member(TestHub hub, TestHub.Tenant tenant, String name) {
        return hub.create(
                "/api/v1/members",
                tenant.token(),
                "{\"email\":\"" + name + "@example.com\",\"fullName\":\"" + name + "\"}");
    }

    /** Sells {@code packageId} to {@code member} at {@code site}; answers the sale's {subscription, charges}. */
    static JsonNode subscribe(TestHub hub, TestHub.Tenant tenant, String member, String packageId, String site) {
        Api.Response sold = hub.api()
                .post(
                        "/api/v1/subscriptions",
                        tenant.token(),
                        "{\"memberId\":\"" + member + "\",\"packageId\":\"" + packageId + "\",\"siteId\":\"" + site
                                + "\"}");
        assertThat(sold.status()).as(sold.toString()).isEqualTo(201);
        return sold.json();
    }

    /** A new API token of {@code role} in the tenant. */
    static String token(TestHub hub, TestHub.Tenant tenant, String role) {
        Api.Response created = hub.api()
                .post("/api/v1/tokens", tenant.token(), "{\"name\":\"" + role + "\",\"role\":\"" + role + "\"}");
        assertThat(created.status()).as(created.toString()).isEqualTo(201);
        return created.json().get("token").asText();
    }
}
