package dev.gatehouse.hub.billing;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.gatehouse.hub.members.People;
import dev.gatehouse.hub.store.StoreKind;
import dev.gatehouse.hub.testing.Api;
import dev.gatehouse.hub.testing.TestHub;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.Parameter;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Passes sold to members on both stores: a day pass opens the plan's doors for that day in the site's
 * zone and no longer, a 10-pass tops up a running pass, the price is charged once however often the
 * sale is retried, and bad input (not a pass, an unknown package, a day in the past, a member holding
 * the plan without limit) is refused with nothing written.
 */
@ParameterizedClass
@EnumSource(StoreKind.class)
class PassApiTest extends TimeTravelHub {
    /** 09:00 in Berlin on Wednesday 10 March 2027. */
    private static final Instant NOW = Instant.parse("2027-03-10T08:00:00Z");

    @Parameter
    StoreKind store;

    private TestHub.Tenant tenant;
    private People people;
    private String site;
    private String door;
    private String member;
    private String dayPass;
    private String tenPass;
    private String plan;

    @BeforeEach
    void catalogue() {
        clock.moveTo(NOW);
        tenant = hub.newTenant("passes");
        people = new People(hub, tenant.token());
        site = Billing.berlin(hub, tenant);
        door = people.door(site);
        plan = people.plan("[]", "ignored", people.group(site, door));
        dayPass = pass("Day Pass", 2500, 1, 1);
        tenPass = pass("10-Pass", 20000, 10, 180);
        member = Billing.member(hub, tenant, "ada");
        people.credential(tenant.id(), member, "NFC_CARD", "ACTIVE");
    }

    private String pass(String name, long price, int passes, int days) {
        return hub.create(
                "/api/v1/packages",
                tenant.token(),
                "{\"name\":\"" + name + "\",\"kind\":\"pass\",\"price\":" + price + ",\"interval\":\"one-off\","
                        + "\"passes\":" + passes + ",\"passValidDays\":" + days + ",\"planId\":\"" + plan + "\"}");
    }

    private Api.Response sell(String pkg, String firstDay, String key) {
        return hub.api()
                .post(
                        "/api/v1/members/" + member + "/passes",
                        tenant.token(),
                        "{\"packageId\":\"" + pkg + "\",\"siteId\":\"" + site + "\""
                                + (firstDay == null ? "" : ",\"firstDay\":\"" + firstDay + "\"")
                                + ",\"idempotencyKey\":\"" + key + "\"}");
    }

    /** The hub's explanation of what the site's doors decide for the member at {@code at}. */
    private String door(Instant at) {
        return explain(tenant, member, door, at);
    }

    private List<JsonNode> charges() {
        Api.Response answer = hub.api().get("/api/v1/members/" + member + "/charges", tenant.token());
        assertThat(answer.status()).as(answer.toString()).isEqualTo(200);
        return java.util.stream.StreamSupport.stream(answer.json().get("items").spliterator(), false)
                .toList();
    }

    @Test
    void aDayPassOpensTheDoorsForThatDayInTheSitesZoneAndIsChargedOnce() {
        assertThat(door(NOW)).isEqualTo("denied no-access-to-door");

        Api.Response sold = sell(dayPass, null, "desk-1");
        assertThat(sold.status()).as(sold.toString()).isEqualTo(201);
        JsonNode pass = sold.json();
        // Midnight to midnight in Berlin (UTC+1 in March before the change).
        assertThat(pass.get("validFrom").asText()).isEqualTo("2027-03-09T23:00:00Z");
        assertThat(pass.get("validUntil").asText()).isEqualTo("2027-03-10T23:00:00Z");
        assertThat(pass.get("entries").asInt()).isEqualTo(1);
        assertThat(pass.get("charge").get("kind").asText()).isEqualTo("pass");
        assertThat(pass.get("charge").get("amount").asLong()).isEqualTo(2500);

        assertThat(door(NOW)).isEqualTo("granted");
        assertThat(door(Instant.parse("2027-03-10T22:59:00Z"))).isEqualTo("granted");
        assertThat(door(Instant.parse("2027-03-10T23:00:00Z"))).isEqualTo("denied grant-expired");

        // The front desk's retry (a lost answer) sells nothing more.
        Api.Response again = sell(dayPass, null, "desk-1");
        assertThat(again.status()).as(again.toString()).isEqualTo(200);
        assertThat(again.json().get("charge").get("id").asText())
                .isEqualTo(pass.get("charge").get("id").asText());
        assertThat(charges()).hasSize(1);

        // On the invoice once.
        Api.Response issued = hub.api().post("/api/v1/members/" + member + "/invoices", tenant.token(), "");
        assertThat(issued.status()).as(issued.toString()).isEqualTo(201);
        assertThat(issued.json().get("lines")).hasSize(1);
    }

    @Test
    void aKeyUsedForOnePassNeverSellsAnother() {
        assertThat(sell(dayPass, null, "desk-9").status()).isEqualTo(201);
        // The same key with the dearer pass: refused, not a free 10-pass.
        Api.Response other = sell(tenPass, null, "desk-9");
        assertThat(other.status()).isEqualTo(409);
        assertThat(other.text()).contains("was used for another sale");
        assertThat(charges()).hasSize(1);
        Api.Response plans = hub.api().get("/api/v1/members/" + member + "/plans", tenant.token());
        assertThat(plans.json().get("items").get(0).get("entries").get("limit").asInt())
                .isEqualTo(1);
    }

    @Test
    void aSecondPassOfThePlanTopsUpTheRunningOne() {
        assertThat(sell(tenPass, null, "ten-1").status()).isEqualTo(201);
        Api.Response topped = sell(tenPass, "2027-04-01", "ten-2");
        assertThat(topped.status()).as(topped.toString()).isEqualTo(201);
        assertThat(topped.json().get("entries").asInt()).isEqualTo(20);
        assertThat(topped.json().get("validFrom").asText()).isEqualTo("2027-03-09T23:00:00Z");
        // 1 April + 180 days = 28 September, midnight in Berlin (summer time).
        assertThat(topped.json().get("validUntil").asText()).isEqualTo("2027-09-27T22:00:00Z");
        assertThat(charges()).hasSize(2);
        assertThat(door(NOW.plus(Duration.ofDays(100)))).isEqualTo("granted");

        // Run out, a new pass replaces the old one.
        clock.moveTo(Instant.parse("2027-10-01T08:00:00Z"));
        Api.Response fresh = sell(dayPass, null, "day-late");
        assertThat(fresh.status()).as(fresh.toString()).isEqualTo(201);
        assertThat(fresh.json().get("entries").asInt()).isEqualTo(1);
        assertThat(fresh.json().get("validFrom").asText()).isEqualTo("2027-09-30T22:00:00Z");
    }

    @Test
    void badSalesAreRefusedAndChangeNothing() {
        String monthly = Billing.monthly(hub, tenant, "Monthly", 19900);
        Api.Response notAPass = sell(monthly, null, "k1");
        assertThat(notAPass.status()).isEqualTo(422);
        assertThat(notAPass.text()).contains("packageId").contains("is not a pass");

        Api.Response unknown = sell("pkg_nope", null, "k2");
        assertThat(unknown.status()).isEqualTo(422);
        assertThat(unknown.text()).contains("names no package of this tenant");

        Api.Response yesterday = sell(dayPass, "2027-03-09", "k3");
        assertThat(yesterday.status()).isEqualTo(422);
        assertThat(yesterday.text()).contains("firstDay").contains("a pass starts today (2027-03-10");

        Api.Response badKey = sell(dayPass, null, "no spaces");
        assertThat(badKey.status()).isEqualTo(422);
        assertThat(badKey.text()).contains("idempotencyKey");

        Api.Response otherSite = hub.api()
                .post(
                        "/api/v1/members/" + member + "/passes",
                        tenant.token(),
                        "{\"packageId\":\"" + dayPass + "\",\"siteId\":\"site_nope\",\"idempotencyKey\":\"k4\"}");
        assertThat(otherSite.status()).isEqualTo(404);

        // A member who holds the plan without limit gains nothing from a pass.
        assertThat(people.assign(member, plan, "{}").status()).isEqualTo(201);
        Api.Response redundant = sell(dayPass, null, "k5");
        assertThat(redundant.status()).isEqualTo(409);
        assertThat(redundant.text()).contains("without an entry limit");

        assertThat(charges()).isEmpty();

        // Another tenant's member is no member here; and the front desk role may sell, a viewer may not.
        TestHub.Tenant other = hub.newTenant("passes-other");
        Api.Response foreign = hub.api()
                .post(
                        "/api/v1/members/" + member + "/passes",
                        other.token(),
                        "{\"packageId\":\"" + dayPass + "\",\"siteId\":\"" + site + "\",\"idempotencyKey\":\"k6\"}");
        assertThat(foreign.status()).isIn(404, 422);
        assertThat(charges()).isEmpty();
    }
}
