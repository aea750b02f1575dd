package dev.gatehouse.hub.billing;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.gatehouse.hub.store.StoreKind;
import dev.gatehouse.hub.testing.Api;
import dev.gatehouse.hub.testing.TestHub;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.AfterParameterizedClassInvocation;
import org.junit.jupiter.params.BeforeParameterizedClassInvocation;
import org.junit.jupiter.params.Parameter;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * MRR on both stores: each running subscription's price normalised to a month and summed exactly,
 * rounded half-even once (one-off packages are never subscribed to); ended subscriptions out, one cancelled at its period's end in
 * until then; finance's figure only.
 */
@ParameterizedClass
@EnumSource(StoreKind.class)
class MrrTest {
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

    @Test
    void aMonthsShareIsRoundedHalfEvenOnceOverTheSum() {
        // 18/12 = 1.5 → 2 and 30/12 = 2.5 → 2: half-even, not half-up.
        assertThat(Mrr.monthly(18)).isEqualTo(2);
        assertThat(Mrr.monthly(30)).isEqualTo(2);
        assertThat(Mrr.monthly(31)).isEqualTo(3);
        assertThat(Mrr.twelveMonths(BillingInterval.DAY, 1500)).isEqualTo(547_500);
        assertThat(Mrr.twelveMonths(BillingInterval.WEEK, 5000)).isEqualTo(260_000);
        assertThat(Mrr.twelveMonths(BillingInterval.YEAR, 120_000)).isEqualTo(120_000);
        assertThat(Mrr.twelveMonths(BillingInterval.ONE_OFF, 9900)).isZero();
    }

    @Test
    void theRunningRecurringSubscriptionsMakeTheFigureAndNothingElse() {
        TestHub.Tenant tenant = hub.newTenant("mrr");
        String site = Billing.berlin(hub, tenant);
        String finance = Billing.token(hub, tenant, "finance");
        assertThat(mrr(finance).get("items")).isEmpty();

        String monthly = Billing.monthly(hub, tenant, "Monthly", 19_900);
        String yearly = pkg(tenant, "Yearly", "membership", 120_000, "year");
        String weekly = pkg(tenant, "Weekly", "membership", 5_000, "week");
        String daily = pkg(tenant, "Daily locker", "add-on", 1_500, "day");
        for (String p : new String[] {monthly, yearly, weekly, daily}) {
            subscribe(tenant, site, p);
        }
        String ended = subscribe(tenant, site, monthly);
        assertThat(cancel(tenant, ended, "now").status()).isEqualTo(200);
        String cancelling = subscribe(tenant, site, weekly);
        assertThat(cancel(tenant, cancelling, "period-end").status()).isEqualTo(200);

        JsonNode items = mrr(finance).get("items");

        // 12 × (19900 + 5000 × 52/12 × 2 + 1500 × 365/12) + 120000 = 1,426,300 → ÷ 12 = 118,858.33 → 118,858.
        assertThat(items).hasSize(1);
        assertThat(items.get(0).get("currency").asText()).isEqualTo("EUR");
        assertThat(items.get(0).get("mrr").asLong())
                .isEqualTo(Mrr.monthly(19_900L * 12 + 120_000 + 5_000L * 52 * 2 + 1_500L * 365))
                .isEqualTo(118_858);
        assertThat(items.get(0).get("subscriptions").asInt()).isEqualTo(5);
        assertThat(hub.api()
                        .get("/api/v1/billing/mrr", Billing.token(hub, tenant, "front-desk"))
                        .status())
                .isEqualTo(403);
    }

    private static String pkg(TestHub.Tenant tenant, String name, String kind, long price, String interval) {
        return hub.create(
                "/api/v1/packages",
                tenant.token(),
                "{\"name\":\"" + name + "\",\"kind\":\"" + kind + "\",\"price\":" + price + ",\"interval\":\""
                        + interval + "\"}");
    }

    private static String subscribe(TestHub.Tenant tenant, String site, String pkg) {
        String member = hub.create(
                "/api/v1/members",
                tenant.token(),
                "{\"email\":\"m" + System.nanoTime() + "@example.com\",\"fullName\":\"Member\"}");
        Api.Response sold = hub.api()
                .post(
                        "/api/v1/subscriptions",
                        tenant.token(),
                        "{\"memberId\":\"" + member + "\",\"packageId\":\"" + pkg + "\",\"siteId\":\"" + site + "\"}");
        assertThat(sold.status()).as(sold.toString()).isEqualTo(201);
        return sold.json().at("/subscription/id").asText();
    }

    private static Api.Response cancel(TestHub.Tenant tenant, String subscription, String when) {
        return hub.api()
                .post(
                        "/api/v1/subscriptions/" + subscription + "/cancel",
                        tenant.token(),
                        "{\"when\":\"" + when + "\"}");
    }

    private static JsonNode mrr(String token) {
        Api.Response read = hub.api().get("/api/v1/billing/mrr", token);
        assertThat(read.status()).as(read.toString()).isEqualTo(200);
        return read.json();
    }
}
