package dev.gatehouse.hub.billing;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.gatehouse.hub.store.StoreKind;
import dev.gatehouse.hub.testing.Api;
import dev.gatehouse.hub.testing.TestHub;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.AfterParameterizedClassInvocation;
import org.junit.jupiter.params.BeforeParameterizedClassInvocation;
import org.junit.jupiter.params.Parameter;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The package catalogue through the API on both stores: packages are data (price, interval,
 * commitment, the door plan, credits, passes, seats), in the tenant's one currency; bad input is
 * refused field by field and changes nothing; finance changes the catalogue, the front desk reads
 * it, others neither; another tenant sees none of it; every change is audited.
 */
@ParameterizedClass
@EnumSource(StoreKind.class)
class PackageApiTest {
    static TestHub hub;

    @Parameter
    StoreKind store;

    private TestHub.Tenant tenant;
    private String plan;

    @BeforeParameterizedClassInvocation
    static void start(StoreKind kind) {
        hub = TestHub.start(kind);
    }

    @AfterParameterizedClassInvocation
    static void stop() {
        hub.close();
    }

    @BeforeEach
    void tenant() {
        tenant = hub.newTenant("packages");
        plan = hub.create("/api/v1/plans", tenant.token(), "{\"name\":\"Members\",\"doorGroupIds\":[]}");
    }

    private Api.Response post(String token, String body) {
        return hub.api().post("/api/v1/packages", token, body);
    }

    private List<String> names(String query) {
        Api.Response listed = hub.api().get("/api/v1/packages" + query, tenant.token());
        assertThat(listed.status()).as(listed.toString()).isEqualTo(200);
        List<String> names = new ArrayList<>();
        listed.json().get("items").forEach(item -> names.add(item.get("name").asText()));
        return names;
    }

    private String token(String role) {
        return Billing.token(hub, tenant, role);
    }

    @Test
    void theSeedCatalogueIsDataThatReadsBackAsSent() {
        Api.Response monthly = post(
                tenant.token(),
                "{\"name\":\"Monthly\",\"kind\":\"membership\",\"price\":24900,\"interval\":\"month\","
                        + "\"commitmentPeriods\":3,\"planId\":\"" + plan + "\",\"credits\":{\"meeting-room\":8},"
                        + "\"publicSale\":true,\"description\":\"Any desk, any day\"}");
        assertThat(monthly.status()).as(monthly.toString()).isEqualTo(201);
        JsonNode m = monthly.json();
        assertThat(m.get("id").asText()).startsWith("pkg");
        assertThat(m.get("price").asLong()).isEqualTo(24900);
        assertThat(m.get("currency").asText()).isEqualTo("EUR");
        assertThat(m.get("interval").asText()).isEqualTo("month");
        assertThat(m.get("commitmentPeriods").asInt()).isEqualTo(3);
        assertThat(m.get("planId").asText()).isEqualTo(plan);
        assertThat(m.at("/credits/meeting-room").asLong()).isEqualTo(8);
        assertThat(m.get("passes").isNull()).isTrue();
        assertThat(m.get("seats").asInt()).isEqualTo(1);

        Api.Response tenPass = post(
                tenant.token(),
                "{\"name\":\"10-Pass\",\"kind\":\"pass\",\"price\":18000,\"interval\":\"one-off\",\"passes\":10,"
                        + "\"passValidDays\":180,\"planId\":\"" + plan + "\"}");
        assertThat(tenPass.status()).as(tenPass.toString()).isEqualTo(201);
        assertThat(tenPass.json().get("passes").asInt()).isEqualTo(10);
        assertThat(tenPass.json().get("passValidDays").asInt()).isEqualTo(180);
        Api.Response team = post(
                tenant.token(),
                "{\"name\":\"Team of 5\",\"kind\":\"team\",\"price\":99000,\"interval\":\"month\",\"seats\":5}");
        assertThat(team.status()).as(team.toString()).isEqualTo(201);
        assertThat(team.json().get("seats").asInt()).isEqualTo(5);

        Api.Response one = hub.api().get("/api/v1/packages/" + m.get("id").asText(), tenant.token());
        assertThat(one.json()).isEqualTo(m);
        assertThat(names("")).containsExactly("10-Pass", "Monthly", "Team of 5");
    }

    @Test
    void badInputIsRefusedFieldByFieldAndChangesNothing() {
        Api.Response negative = post(
                tenant.token(), "{\"name\":\"Cheap\",\"kind\":\"membership\",\"price\":-100,\"interval\":\"month\"}");
        assertThat(negative.status()).as(negative.toString()).isEqualTo(422);
        assertThat(negative.text()).contains("price", "never negative");

        Api.Response fraction = post(
                tenant.token(), "{\"name\":\"Odd\",\"kind\":\"membership\",\"price\":19.99,\"interval\":\"month\"}");
        assertThat(fraction.status()).isEqualTo(422);
        assertThat(fraction.text()).contains("minor units");

        Api.Response otherCurrency = post(
                tenant.token(),
                "{\"name\":\"Dollar\",\"kind\":\"membership\",\"price\":100,\"currency\":\"USD\",\"interval\":\"month\"}");
        assertThat(otherCurrency.status()).isEqualTo(422);
        assertThat(otherCurrency.text()).contains("currency", "bills in EUR");

        Api.Response pass = post(
                tenant.token(),
                "{\"name\":\"Pass\",\"kind\":\"pass\",\"price\":100,\"interval\":\"month\",\"seats\":3}");
        assertThat(pass.status()).isEqualTo(422);
        // Every problem at once, each under its field.
        assertThat(pass.text()).contains("interval", "one-off", "passes", "passValidDays", "seats");

        Api.Response unknownPlan = post(
                tenant.token(),
                "{\"name\":\"Ghost\",\"kind\":\"membership\",\"price\":100,\"interval\":\"month\",\"planId\":\"plan_none\"}");
        assertThat(unknownPlan.status()).isEqualTo(422);
        assertThat(unknownPlan.text()).contains("planId", "names no plan");

        Api.Response badCredits = post(
                tenant.token(),
                "{\"name\":\"Credits\",\"kind\":\"membership\",\"price\":100,\"interval\":\"month\","
                        + "\"credits\":{\"spaceship\":3,\"hot-desk\":-1}}");
        assertThat(badCredits.status()).isEqualTo(422);
        assertThat(badCredits.text()).contains("credits.spaceship", "credits.hot-desk");

        Api.Response unknownField = post(
                tenant.token(),
                "{\"name\":\"X\",\"kind\":\"membership\",\"price\":1,\"interval\":\"month\",\"vat\":19}");
        assertThat(unknownField.status()).isEqualTo(422);

        assertThat(names("?retired=true")).isEmpty();

        // A name is taken once per tenant.
        String body = "{\"name\":\"Weekly\",\"kind\":\"membership\",\"price\":7900,\"interval\":\"week\"}";
        assertThat(post(tenant.token(), body).status()).isEqualTo(201);
        Api.Response again = post(tenant.token(), body);
        assertThat(again.status()).isEqualTo(409);
        assertThat(again.text()).contains("a package named 'Weekly' exists");
        assertThat(names("")).containsExactly("Weekly");
    }

    @Test
    void aChangeKeepsWhatIsNotSentAndRetiringHidesItFromTheCatalogue() {
        String id = post(
                        tenant.token(),
                        "{\"name\":\"Day Pass\",\"kind\":\"pass\",\"price\":2500,\"interval\":\"one-off\",\"passes\":1,"
                                + "\"passValidDays\":1,\"publicSale\":true}")
                .json()
                .get("id")
                .asText();
        Api.Response raised = hub.api().patch("/api/v1/packages/" + id, tenant.token(), "{\"price\":2900}");
        assertThat(raised.status()).as(raised.toString()).isEqualTo(200);
        assertThat(raised.json().get("price").asLong()).isEqualTo(2900);
        assertThat(raised.json().get("passes").asInt()).isEqualTo(1);
        assertThat(raised.json().get("publicSale").asBoolean()).isTrue();

        Api.Response bad = hub.api().patch("/api/v1/packages/" + id, tenant.token(), "{\"price\":-1}");
        assertThat(bad.status()).isEqualTo(422);
        assertThat(hub.api()
                        .get("/api/v1/packages/" + id, tenant.token())
                        .json()
                        .get("price")
                        .asLong())
                .isEqualTo(2900);

        hub.api().patch("/api/v1/packages/" + id, tenant.token(), "{\"status\":\"retired\"}");
        assertThat(names("")).isEmpty();
        assertThat(names("?retired=true")).containsExactly("Day Pass");

        Api.Response audit = hub.api().get("/api/v1/audit?action=package.update", tenant.token());
        assertThat(audit.status()).as(audit.toString()).isEqualTo(200);
        assertThat(audit.json().get("items")).hasSize(2);
        assertThat(audit.json().get("items").toString()).contains("\"price\":2500", "\"price\":2900");
    }

    @Test
    void financeChangesTheCatalogueTheDeskReadsItAndOthersNeither() {
        String body = "{\"name\":\"Monthly\",\"kind\":\"membership\",\"price\":24900,\"interval\":\"month\"}";
        assertThat(post(token("front-desk"), body).status()).isEqualTo(403);
        assertThat(post(token("site-manager"), body).status()).isEqualTo(403);
        Api.Response byFinance = post(token("finance"), body);
        assertThat(byFinance.status()).as(byFinance.toString()).isEqualTo(201);
        String id = byFinance.json().get("id").asText();
        assertThat(hub.api().get("/api/v1/packages", token("front-desk")).status())
                .isEqualTo(200);
        assertThat(hub.api().get("/api/v1/packages", token("technician")).status())
                .isEqualTo(403);
        assertThat(hub.api()
                        .patch("/api/v1/packages/" + id, token("front-desk"), "{\"price\":1}")
                        .status())
                .isEqualTo(403);

        // Why: another operator must not learn a competitor's prices, nor change them.
        TestHub.Tenant other = hub.newTenant("rival");
        assertThat(hub.api().get("/api/v1/packages/" + id, other.token()).status())
                .isEqualTo(404);
        assertThat(hub.api()
                        .patch("/api/v1/packages/" + id, other.token(), "{\"price\":1}")
                        .status())
                .isEqualTo(404);
        assertThat(hub.api().get("/api/v1/packages", other.token()).json().get("items"))
                .isEmpty();
    }

    @Test
    void theCurrencyIsTheTenantsAndCannotChangeUnderItsPrices() {
        assertThat(hub.api()
                        .get("/api/v1/billing/settings", tenant.token())
                        .json()
                        .get("currency")
                        .asText())
                .isEqualTo("EUR");
        Api.Response bogus = hub.api().patch("/api/v1/billing/settings", tenant.token(), "{\"currency\":\"EURO\"}");
        assertThat(bogus.status()).isEqualTo(422);
        Api.Response unknown = hub.api().patch("/api/v1/billing/settings", tenant.token(), "{\"currency\":\"XYZ\"}");
        assertThat(unknown.status()).isEqualTo(422);
        assertThat(unknown.text()).contains("ISO 4217");

        Api.Response chf = hub.api().patch("/api/v1/billing/settings", tenant.token(), "{\"currency\":\"CHF\"}");
        assertThat(chf.status()).as(chf.toString()).isEqualTo(200);
        Api.Response priced = post(
                tenant.token(),
                "{\"name\":\"Monatlich\",\"kind\":\"membership\",\"price\":30000,\"interval\":\"month\"}");
        assertThat(priced.json().get("currency").asText()).isEqualTo("CHF");

        Api.Response back = hub.api().patch("/api/v1/billing/settings", tenant.token(), "{\"currency\":\"EUR\"}");
        assertThat(back.status()).isEqualTo(409);
        assertThat(back.text()).contains("Monatlich");
        assertThat(hub.api()
                        .get("/api/v1/billing/settings", tenant.token())
                        .json()
                        .get("currency")
                        .asText())
                .isEqualTo("CHF");
    }

    @Test
    void aPlanThatAPackageEntitlesCannotBeDeleted() {
        String id = post(
                        tenant.token(),
                        "{\"name\":\"Monthly\",\"kind\":\"membership\",\"price\":24900,\"interval\":\"month\","
                                + "\"planId\":\"" + plan + "\"}")
                .json()
                .get("id")
                .asText();
        Api.Response deleted = hub.api().delete("/api/v1/plans/" + plan, tenant.token());
        assertThat(deleted.status()).as(deleted.toString()).isEqualTo(409);
        assertThat(deleted.text()).contains("Monthly");
        hub.api().patch("/api/v1/packages/" + id, tenant.token(), "{\"planId\":null}");
        assertThat(hub.api().delete("/api/v1/plans/" + plan, tenant.token()).status())
                .isBetween(200, 204);
    }
}
