package dev.gatehouse.hub.billing;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.gatehouse.hub.changes.LoggedChange;
import dev.gatehouse.hub.store.StoreKind;
import dev.gatehouse.hub.testing.Api;
import dev.gatehouse.hub.testing.TestHub;
import dev.gatehouse.protocol.message.Change;
import dev.gatehouse.protocol.model.Grant;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.Parameter;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Subscriptions through the API on both stores, on a clock pinned to 10 March 2027 in Berlin: a sale
 * charges its first period (prorated from the anchor) and gives the package's door plan, which
 * reaches the edges' change log; a change mid-period credits the old price's days and charges the
 * new one's, and swaps the door plan; a cancellation at the period's end keeps the doors open until
 * then, one now credits the days after today and shuts them at once; a commitment holds; retries
 * and concurrent requests never charge twice; bad input changes nothing; roles and tenants hold.
 */
@ParameterizedClass
@EnumSource(StoreKind.class)
class SubscriptionApiTest extends TimeTravelHub {
    private static final Instant MARCH_10 = Instant.parse("2027-03-10T11:00:00Z");

    @Parameter
    StoreKind store;

    private TestHub.Tenant tenant;
    private String site;
    private String member;
    private String dayPlan;
    private String residentPlan;
    private String weekly;
    private String monthly;
    private String premium;
    private String dedicated;

    @BeforeEach
    void catalogue() {
        clock.moveTo(MARCH_10);
        tenant = hub.newTenant("subs");
        site = Billing.berlin(hub, tenant);
        String door = hub.create("/api/v1/sites/" + site + "/doors", tenant.token(), "{\"name\":\"Main\"}");
        String group = hub.create(
                "/api/v1/sites/" + site + "/door-groups",
                tenant.token(),
                "{\"name\":\"All\",\"doorIds\":[\"" + door + "\"]}");
        dayPlan = plan("Day", group);
        residentPlan = plan("Resident", group);
        member = hub.create("/api/v1/members", tenant.token(), "{\"email\":\"ada@example.com\",\"fullName\":\"Ada\"}");
        weekly = pkg("{\"name\":\"Weekly\",\"kind\":\"membership\",\"price\":8900,\"interval\":\"week\"}");
        monthly = pkg("{\"name\":\"Monthly\",\"kind\":\"membership\",\"price\":19900,\"interval\":\"month\","
                + "\"planId\":\"" + dayPlan + "\"}");
        premium = pkg("{\"name\":\"Premium\",\"kind\":\"membership\",\"price\":29900,\"interval\":\"month\","
                + "\"planId\":\"" + residentPlan + "\"}");
        dedicated = pkg("{\"name\":\"Dedicated\",\"kind\":\"membership\",\"price\":39900,\"interval\":\"month\","
                + "\"commitmentPeriods\":3,\"planId\":\"" + residentPlan + "\"}");
    }

    private String plan(String name, String group) {
        return hub.create(
                "/api/v1/plans", tenant.token(), "{\"name\":\"" + name + "\",\"doorGroupIds\":[\"" + group + "\"]}");
    }

    private String pkg(String body) {
        return hub.create("/api/v1/packages", tenant.token(), body);
    }

    private Api.Response subscribe(String pkg, String extra) {
        return hub.api()
                .post(
                        "/api/v1/subscriptions",
                        tenant.token(),
                        "{\"memberId\":\"" + member + "\",\"packageId\":\"" + pkg + "\",\"siteId\":\"" + site + "\""
                                + extra + "}");
    }

    private Api.Response action(String sub, String what, String body) {
        return hub.api().post("/api/v1/subscriptions/" + sub + "/" + what, tenant.token(), body);
    }

    private JsonNode charges() {
        Api.Response answer = hub.api().get("/api/v1/members/" + member + "/charges", tenant.token());
        assertThat(answer.status()).as(answer.toString()).isEqualTo(200);
        return answer.json();
    }

    /** The member's plans as the API lists them: plan id → validUntil (or "open"). */
    private List<String> plans() {
        List<String> plans = new ArrayList<>();
        hub.api()
                .get("/api/v1/members/" + member + "/plans", tenant.token())
                .json()
                .get("items")
                .forEach(item -> plans.add(item.get("planId").asText() + " until "
                        + (item.hasNonNull("validUntil")
                                ? item.get("validUntil").asText()
                                : "open")));
        return plans;
    }

    /** The member's grants the edges of the site were last sent, by their validity's end. */
    private List<Grant> syncedGrants() {
        java.util.Map<String, Grant> latest = new java.util.TreeMap<>();
        hub.hub().stores().changes().read(tenant.id(), site, 0, 10_000).stream()
                .map(LoggedChange::change)
                .forEach(change -> {
                    if (change instanceof Change.Upsert upsert
                            && upsert.entity() instanceof Grant grant
                            && grant.member().value().equals(member)) {
                        latest.put(grant.id().value(), grant);
                    } else if (change instanceof Change.Remove remove) {
                        latest.remove(remove.key());
                    }
                });
        return List.copyOf(latest.values());
    }

    @Test
    void aSaleChargesItsFirstPeriodAndOpensThePackagesDoors() {
        Api.Response sold = subscribe(monthly, ",\"anchor\":\"2027-03-01\"");
        assertThat(sold.status()).as(sold.toString()).isEqualTo(201);
        JsonNode sub = sold.json().get("subscription");
        assertThat(sub.get("price").asLong()).isEqualTo(19900);
        assertThat(sub.get("status").asText()).isEqualTo("active");
        assertThat(sub.get("planId").asText()).isEqualTo(dayPlan);
        // From 10 March in a month anchored on the 1st: 22 of 31 days, half-even (19900 × 22 / 31 = 14122.58).
        JsonNode first = sold.json().get("charges").get(0);
        assertThat(first.get("kind").asText()).isEqualTo("prorated-start");
        assertThat(first.get("amount").asLong()).isEqualTo(14123);
        assertThat(first.get("periodStart").asText()).isEqualTo("2027-03-01");
        assertThat(first.get("periodEnd").asText()).isEqualTo("2027-04-01");

        assertThat(plans()).containsExactly(dayPlan + " until open");
        assertThat(syncedGrants()).singleElement().satisfies(grant -> assertThat(grant.validUntil())
                .isEmpty());

        // A retried sale is refused, not charged again.
        Api.Response again = subscribe(monthly, "");
        assertThat(again.status()).isEqualTo(409);
        assertThat(charges().get("items")).hasSize(1);
        assertThat(charges().get("uninvoiced").asLong()).isEqualTo(14123);

        // Anchored on its own day (the default), the first period is whole.
        Api.Response week = subscribe(weekly, "");
        assertThat(week.json().at("/charges/0/kind").asText()).isEqualTo("period");
        assertThat(week.json().at("/charges/0/amount").asLong()).isEqualTo(8900);
        assertThat(week.json().at("/subscription/anchor").asText()).isEqualTo("2027-03-10");
    }

    @Test
    void anUpgradeCreditsTheOldDaysChargesTheNewAndSwapsTheDoorPlan() {
        String sub = subscribe(monthly, ",\"anchor\":\"2027-03-01\"")
                .json()
                .at("/subscription/id")
                .asText();
        Api.Response changed = action(sub, "change", "{\"packageId\":\"" + premium + "\"}");
        assertThat(changed.status()).as(changed.toString()).isEqualTo(200);
        JsonNode lines = changed.json().get("charges");
        assertThat(lines).hasSize(2);
        // 22 of 31 days: −19900 × 22 / 31 = −14123, +29900 × 22 / 31 = 21219 (21219.35).
        assertThat(lines.get(0).get("kind").asText()).isEqualTo("change-credit");
        assertThat(lines.get(0).get("amount").asLong()).isEqualTo(-14123);
        assertThat(lines.get(1).get("kind").asText()).isEqualTo("change-charge");
        assertThat(lines.get(1).get("amount").asLong()).isEqualTo(21219);
        assertThat(changed.json().at("/subscription/price").asLong()).isEqualTo(29900);
        assertThat(plans()).containsExactly(residentPlan + " until open");

        // The same change again is refused and charges nothing.
        assertThat(action(sub, "change", "{\"packageId\":\"" + premium + "\"}").status())
                .isEqualTo(409);
        // Another interval is a new subscription, not a change.
        Api.Response weekly = action(sub, "change", "{\"packageId\":\"" + this.weekly + "\"}");
        assertThat(weekly.status()).isEqualTo(422);
        assertThat(weekly.text()).contains("per week", "per month");
        assertThat(charges().get("items")).hasSize(3);
        assertThat(charges().get("uninvoiced").asLong()).isEqualTo(14123 - 14123 + 21219);
    }

    @Test
    void cancellingAtThePeriodsEndKeepsTheDoorsUntilThenAndNowCreditsTheRest() {
        String sub = subscribe(monthly, ",\"anchor\":\"2027-03-01\"")
                .json()
                .at("/subscription/id")
                .asText();
        Api.Response atEnd = action(sub, "cancel", "{\"when\":\"period-end\"}");
        assertThat(atEnd.status()).as(atEnd.toString()).isEqualTo(200);
        // The end of March in Berlin (CEST from the 28th): 31 March 22:00 UTC.
        assertThat(atEnd.json().at("/subscription/endsAt").asText()).isEqualTo("2027-03-31T22:00:00Z");
        assertThat(atEnd.json().at("/subscription/status").asText()).isEqualTo("cancelling");
        assertThat(atEnd.json().get("charges")).isEmpty();
        assertThat(plans()).containsExactly(dayPlan + " until 2027-03-31T22:00:00Z");
        assertThat(syncedGrants()).singleElement().satisfies(grant -> assertThat(grant.validUntil())
                .contains(Instant.parse("2027-03-31T22:00:00Z")));
        assertThat(action(sub, "cancel", "{\"when\":\"now\"}").status()).isEqualTo(409);

        Api.Response week = subscribe(weekly, "");
        String weekSub = week.json().at("/subscription/id").asText();
        clock.moveTo(MARCH_10.plus(java.time.Duration.ofDays(2)));
        Api.Response now = action(weekSub, "cancel", "{\"when\":\"now\"}");
        assertThat(now.status()).as(now.toString()).isEqualTo(200);
        // Wednesday to Tuesday; cancelled on Friday the 12th: Saturday to Tuesday credited, 4 of 7 days.
        assertThat(now.json().at("/charges/0/kind").asText()).isEqualTo("cancel-credit");
        assertThat(now.json().at("/charges/0/amount").asLong()).isEqualTo(-5086);
        assertThat(now.json().at("/subscription/status").asText()).isEqualTo("ended");
        // A cancel replayed credits nothing more.
        assertThat(action(weekSub, "cancel", "{\"when\":\"now\"}").status()).isEqualTo(409);
        assertThat(charges().get("items")).hasSize(3);
    }

    @Test
    void aPlanGivenByTwoSubscriptionsStaysWhileOneRuns() {
        // Premium and Dedicated both give the resident plan: ending one must not shut the doors.
        String premiumSub = subscribe(premium, "").json().at("/subscription/id").asText();
        subscribe(dedicated, "");
        assertThat(action(premiumSub, "cancel", "{\"when\":\"now\"}").status()).isEqualTo(200);
        assertThat(plans()).containsExactly(residentPlan + " until open");
        Api.Response future = action(
                subscribe(monthly, "").json().at("/subscription/id").asText(),
                "change",
                "{\"packageId\":\"" + premium + "\",\"at\":\"2027-04-01T00:00:00Z\"}");
        assertThat(future.status()).isEqualTo(422);
        assertThat(future.text()).contains("in the future");
    }

    @Test
    void aCommitmentHoldsUntilItsEnd() {
        String sub = subscribe(dedicated, "").json().at("/subscription/id").asText();
        JsonNode subscription =
                hub.api().get("/api/v1/subscriptions/" + sub, tenant.token()).json();
        assertThat(subscription.get("committedUntil").asText()).isEqualTo("2027-06-10");
        Api.Response now = action(sub, "cancel", "{\"when\":\"now\"}");
        assertThat(now.status()).isEqualTo(409);
        assertThat(now.text()).contains("committed until 2027-06-10");
        Api.Response atEnd = action(sub, "cancel", "{\"when\":\"period-end\"}");
        assertThat(atEnd.json().at("/subscription/endsAt").asText()).isEqualTo("2027-06-09T22:00:00Z");
        assertThat(plans()).containsExactly(residentPlan + " until 2027-06-09T22:00:00Z");
    }

    @Test
    void concurrentCancellationsCreditOnce() throws Exception {
        String sub = subscribe(monthly, "").json().at("/subscription/id").asText();
        ExecutorService pool = Executors.newFixedThreadPool(8);
        try {
            List<Callable<Integer>> calls = new ArrayList<>();
            for (int i = 0; i < 8; i++) {
                calls.add(() -> action(sub, "cancel", "{\"when\":\"now\"}").status());
            }
            List<Integer> statuses = new ArrayList<>();
            for (Future<Integer> status : pool.invokeAll(calls)) {
                statuses.add(status.get());
            }
            assertThat(statuses).containsOnly(200, 409).containsOnlyOnce(200);
        } finally {
            pool.shutdownNow();
        }
        assertThat(charges().get("items").findValuesAsText("kind")).containsOnlyOnce("cancel-credit");
    }

    @Test
    void badInputChangesNothing() {
        Api.Response pass = subscribe(
                pkg("{\"name\":\"Day Pass\",\"kind\":\"pass\",\"price\":2500,\"interval\":\"one-off\",\"passes\":1,"
                        + "\"passValidDays\":1}"),
                "");
        assertThat(pass.status()).isEqualTo(422);
        assertThat(pass.text()).contains("bought once");
        assertThat(subscribe("pkg_none", "").status()).isEqualTo(422);
        Api.Response anchor = subscribe(monthly, ",\"anchor\":\"2027-04-01\"");
        assertThat(anchor.status()).isEqualTo(422);
        assertThat(anchor.text()).contains("anchor");
        assertThat(subscribe(monthly, ",\"start\":\"yesterday\"").status()).isEqualTo(422);
        Api.Response farAway = subscribe(monthly, ",\"start\":\"2037-01-01T00:00:00Z\"");
        assertThat(farAway.status()).isEqualTo(422);
        assertThat(farAway.text()).contains("start", "a year after");
        String sub = subscribe(monthly, "").json().at("/subscription/id").asText();
        Api.Response when = action(sub, "cancel", "{\"when\":\"someday\"}");
        assertThat(when.status()).isEqualTo(422);
        assertThat(action(sub, "cancel", "{}").status()).isEqualTo(422);
        assertThat(charges().get("items")).hasSize(1);
        assertThat(plans()).containsExactly(dayPlan + " until open");
    }

    @Test
    void theDeskSellsFinanceReadsAndOtherTenantsSeeNothing() {
        String desk = token("front-desk");
        Api.Response sold = hub.api()
                .post(
                        "/api/v1/subscriptions",
                        desk,
                        "{\"memberId\":\"" + member + "\",\"packageId\":\"" + monthly + "\",\"siteId\":\"" + site
                                + "\"}");
        assertThat(sold.status()).as(sold.toString()).isEqualTo(201);
        String sub = sold.json().at("/subscription/id").asText();
        String finance = token("finance");
        assertThat(hub.api()
                        .get("/api/v1/members/" + member + "/charges", finance)
                        .status())
                .isEqualTo(200);
        assertThat(hub.api()
                        .post("/api/v1/subscriptions/" + sub + "/cancel", finance, "{\"when\":\"now\"}")
                        .status())
                .isEqualTo(403);
        assertThat(hub.api()
                        .get("/api/v1/members/" + member + "/charges", token("technician"))
                        .status())
                .isEqualTo(403);
        TestHub.Tenant other = hub.newTenant("subs-rival");
        assertThat(hub.api().get("/api/v1/subscriptions/" + sub, other.token()).status())
                .isEqualTo(404);
        assertThat(hub.api()
                        .post("/api/v1/subscriptions/" + sub + "/cancel", other.token(), "{\"when\":\"now\"}")
                        .status())
                .isEqualTo(404);
        assertThat(hub.api()
                        .get("/api/v1/members/" + member + "/charges", other.token())
                        .status())
                .isEqualTo(404);
        Api.Response audit = hub.api().get("/api/v1/audit?action=subscription.create", tenant.token());
        assertThat(audit.json().get("items")).hasSize(1);
    }

    private String token(String role) {
        return Billing.token(hub, tenant, role);
    }
}
