package dev.gatehouse.hub.billing;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.gatehouse.hub.members.People;
import dev.gatehouse.hub.store.StoreKind;
import dev.gatehouse.hub.testing.Api;
import dev.gatehouse.hub.testing.TestHub;
import java.time.Instant;
import java.util.List;
import java.util.stream.StreamSupport;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.Parameter;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Pausing a subscription on both stores, with time travel: the pause starts at the next period, its
 * periods are not charged and count in no MRR, the door plan is off from the pause's start (what the
 * edges decide offline) and back with the billing run after its end; a pause not begun can be
 * lifted, one under way cannot; a cancellation in a pause credits nothing; bad pauses change nothing.
 */
@ParameterizedClass
@EnumSource(StoreKind.class)
class SubscriptionPauseTest extends TimeTravelHub {
    /** 10:00 in Berlin on Wednesday 10 March 2027. */
    private static final Instant SOLD = Instant.parse("2027-03-10T09:00:00Z");
    /** Midnight on 1 April 2027 in Berlin (summer time). */
    private static final Instant APRIL = Instant.parse("2027-03-31T22:00:00Z");
    /** Midnight on 1 June 2027 in Berlin. */
    private static final Instant JUNE = Instant.parse("2027-05-31T22:00:00Z");

    @Parameter
    StoreKind store;

    private TestHub.Tenant tenant;
    private String door;
    private String member;
    private String subscription;

    @BeforeEach
    void subscribed() {
        clock.moveTo(SOLD);
        tenant = hub.newTenant("pause");
        People people = new People(hub, tenant.token());
        String site = Billing.berlin(hub, tenant);
        door = people.door(site);
        String plan = people.plan("[]", "ignored", people.group(site, door));
        String pkg = hub.create(
                "/api/v1/packages",
                tenant.token(),
                "{\"name\":\"Monthly\",\"kind\":\"membership\",\"price\":19900,\"interval\":\"month\",\"planId\":\""
                        + plan + "\"}");
        member = Billing.member(hub, tenant, "ada");
        people.credential(tenant.id(), member, "NFC_CARD", "ACTIVE");
        Api.Response sold = hub.api()
                .post(
                        "/api/v1/subscriptions",
                        tenant.token(),
                        "{\"memberId\":\"" + member + "\",\"packageId\":\"" + pkg + "\",\"siteId\":\"" + site
                                + "\",\"anchor\":\"2027-03-01\"}");
        assertThat(sold.status()).as(sold.toString()).isEqualTo(201);
        subscription = sold.json().get("subscription").get("id").asText();
    }

    private Api.Response pause(String body) {
        return hub.api().post("/api/v1/subscriptions/" + subscription + "/pause", tenant.token(), body);
    }

    private JsonNode subscription() {
        Api.Response read = hub.api().get("/api/v1/subscriptions/" + subscription, tenant.token());
        assertThat(read.status()).as(read.toString()).isEqualTo(200);
        return read.json();
    }

    private String door(Instant at) {
        return explain(tenant, member, door, at);
    }

    /** The member's charges as "kind amount periodStart". */
    private List<String> charges() {
        Api.Response answer = hub.api().get("/api/v1/members/" + member + "/charges", tenant.token());
        assertThat(answer.status()).as(answer.toString()).isEqualTo(200);
        return StreamSupport.stream(answer.json().get("items").spliterator(), false)
                .map(c -> c.get("kind").asText() + " " + c.get("amount").asLong() + " "
                        + (c.has("periodStart") ? c.get("periodStart").asText() : "-"))
                .toList();
    }

    private void run(Instant at) {
        clock.moveTo(at);
        Api.Response ran = hub.api().post("/api/v1/billing/run", tenant.token(), "");
        assertThat(ran.status()).as(ran.toString()).isEqualTo(200);
    }

    private int mrrSubscriptions() {
        Api.Response mrr = hub.api().get("/api/v1/billing/mrr", tenant.token());
        assertThat(mrr.status()).as(mrr.toString()).isEqualTo(200);
        int count = 0;
        for (JsonNode item : mrr.json().get("items")) {
            count += item.get("subscriptions").asInt();
        }
        return count;
    }

    @Test
    void pausedPeriodsAreNotChargedTheDoorsCloseAndTheRunAfterItOpensThem() {
        List<String> sold = charges();
        assertThat(sold).containsExactly("prorated-start 14123 2027-03-01");

        Api.Response paused = pause("{\"periods\":2}");
        assertThat(paused.status()).as(paused.toString()).isEqualTo(200);
        JsonNode sub = paused.json().get("subscription");
        assertThat(sub.get("pausedFrom").asText()).isEqualTo(APRIL.toString());
        assertThat(sub.get("pausedUntil").asText()).isEqualTo(JUNE.toString());
        assertThat(sub.get("status").asText()).isEqualTo("active");

        // The edges decide the pause offline: the grant ends at its start.
        assertThat(door(APRIL.minusSeconds(60))).isEqualTo("granted");
        assertThat(door(APRIL)).isEqualTo("denied grant-expired");

        run(APRIL.plusSeconds(3600 * 30));
        assertThat(subscription().get("status").asText()).isEqualTo("paused");
        assertThat(mrrSubscriptions()).isZero();
        run(Instant.parse("2027-05-15T10:00:00Z"));
        assertThat(charges()).isEqualTo(sold);

        // The run after the pause charges June and gives the plan back from June's midnight.
        run(JUNE.plusSeconds(3600 * 8));
        assertThat(charges()).containsExactly("prorated-start 14123 2027-03-01", "period 19900 2027-06-01");
        JsonNode resumed = subscription();
        assertThat(resumed.get("status").asText()).isEqualTo("active");
        assertThat(resumed.get("pausedFrom").isNull()).isTrue();
        assertThat(door(JUNE.plusSeconds(3600 * 8))).isEqualTo("granted");
        assertThat(door(Instant.parse("2027-05-20T10:00:00Z"))).isEqualTo("denied grant-not-yet-valid");
        assertThat(mrrSubscriptions()).isEqualTo(1);
    }

    @Test
    void aPauseNotBegunIsLiftedOneUnderWayIsNot() {
        assertThat(pause("{\"periods\":1}").status()).isEqualTo(200);
        Api.Response lifted = hub.api().delete("/api/v1/subscriptions/" + subscription + "/pause", tenant.token());
        assertThat(lifted.status()).as(lifted.toString()).isEqualTo(200);
        assertThat(lifted.json().get("subscription").get("pausedFrom").isNull()).isTrue();
        assertThat(door(APRIL.plusSeconds(3600 * 24 * 10))).isEqualTo("granted");

        assertThat(pause("{\"periods\":1}").status()).isEqualTo(200);
        clock.moveTo(APRIL.plusSeconds(60));
        Api.Response late = hub.api().delete("/api/v1/subscriptions/" + subscription + "/pause", tenant.token());
        assertThat(late.status()).isEqualTo(409);
        assertThat(late.text()).contains("ends on its own at " + Instant.parse("2027-04-30T22:00:00Z"));
    }

    @Test
    void aCancellationInAPauseCreditsNothingAndEndsIt() {
        assertThat(pause("{\"periods\":2}").status()).isEqualTo(200);
        clock.moveTo(Instant.parse("2027-04-10T10:00:00Z"));
        Api.Response cancelled = hub.api()
                .post("/api/v1/subscriptions/" + subscription + "/cancel", tenant.token(), "{\"when\":\"now\"}");
        assertThat(cancelled.status()).as(cancelled.toString()).isEqualTo(200);
        assertThat(cancelled.json().get("charges")).isEmpty();
        assertThat(charges()).containsExactly("prorated-start 14123 2027-03-01");
        run(JUNE.plusSeconds(3600 * 8));
        assertThat(charges()).containsExactly("prorated-start 14123 2027-03-01");
        assertThat(door(JUNE.plusSeconds(3600 * 8))).isEqualTo("denied no-access-to-door");
    }

    @Test
    void badPausesAreRefusedAndChangeNothing() {
        assertThat(pause("{}").text()).contains("periods").contains("is required");
        assertThat(pause("{\"periods\":0}").status()).isEqualTo(422);
        assertThat(pause("{\"periods\":7}").status()).isEqualTo(422);
        assertThat(pause("{\"periods\":\"two\"}").status()).isEqualTo(422);
        assertThat(subscription().get("pausedFrom").isNull()).isTrue();

        assertThat(pause("{\"periods\":1}").status()).isEqualTo(200);
        Api.Response twice = pause("{\"periods\":1}");
        assertThat(twice.status()).isEqualTo(409);
        assertThat(twice.text()).contains("already");

        Api.Response none = hub.api().post("/api/v1/subscriptions/sub_nope/pause", tenant.token(), "{\"periods\":1}");
        assertThat(none.status()).isEqualTo(404);
        TestHub.Tenant other = hub.newTenant("pause-other");
        Api.Response foreign =
                hub.api().post("/api/v1/subscriptions/" + subscription + "/pause", other.token(), "{\"periods\":1}");
        assertThat(foreign.status()).isEqualTo(404);
    }
}
