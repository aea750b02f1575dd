package dev.gatehouse.hub.billing;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.gatehouse.hub.testing.Api;
import dev.gatehouse.hub.testing.TestHub;
import java.util.stream.StreamSupport;

/** What the billing tests set up alike: a Berlin site, packages, tokens of a role. */
public final class Billing {
    private Billing() {}

    public static String berlin(TestHub hub, TestHub.Tenant tenant) {
        return hub.create(
                "/api/v1/sites",
                tenant.token(),
                "{\"name\":\"Berlin\",\"address\":\"Torstr. 1\",\"timeZone\":\"Europe/Berlin\"}");
    }

    public static String monthly(TestHub hub, TestHub.Tenant tenant, String name, long price) {
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
    public static String token(TestHub hub, TestHub.Tenant tenant, String role) {
        Api.Response created = hub.api()
                .post("/api/v1/tokens", tenant.token(), "{\"name\":\"" + role + "\",\"role\":\"" + role + "\"}");
        assertThat(created.status()).as(created.toString()).isEqualTo(201);
        return created.json().get("token").asText();
    }

    /**
     * A member {@code name} sold {@code pkg} at the site from 10 March 2027 (anchor 1 March) and
     * invoiced at once: the document. With Monthly at 19900 and 19 % tax it is 14123 + 2683 = 16806.
     */
    static JsonNode invoiced(TestHub hub, TestHub.Tenant tenant, String site, String pkg, String name) {
        String member = hub.create(
                "/api/v1/members",
                tenant.token(),
                "{\"email\":\"" + name + "@example.com\",\"fullName\":\"" + name + "\"}");
        Api.Response sold = hub.api()
                .post(
                        "/api/v1/subscriptions",
                        tenant.token(),
                        "{\"memberId\":\"" + member + "\",\"packageId\":\"" + pkg + "\",\"siteId\":\"" + site
                                + "\",\"anchor\":\"2027-03-01\"}");
        assertThat(sold.status()).as(sold.toString()).isEqualTo(201);
        Api.Response issued = hub.api().post("/api/v1/members/" + member + "/invoices", tenant.token(), "");
        assertThat(issued.status()).as(issued.toString()).isEqualTo(201);
        return issued.json();
    }

    /** The invoice's payments read back, checking the invariant each time: open = total − Σ payments. */
    static JsonNode balance(TestHub hub, TestHub.Tenant tenant, String invoice) {
        Api.Response read = hub.api().get("/api/v1/invoices/" + invoice + "/payments", tenant.token());
        assertThat(read.status()).as(read.toString()).isEqualTo(200);
        JsonNode body = read.json();
        long sum = StreamSupport.stream(body.get("items").spliterator(), false)
                .mapToLong(p -> p.get("amount").asLong())
                .sum();
        assertThat(body.get("paid").asLong()).isEqualTo(sum);
        assertThat(body.get("open").asLong()).isEqualTo(body.get("total").asLong() - sum);
        return body;
    }
}
