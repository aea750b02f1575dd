package dev.gatehouse.hub.billing;

import static org.assertj.core.api.Assertions.assertThat;

import dev.gatehouse.hub.members.People;
import dev.gatehouse.hub.store.StoreKind;
import dev.gatehouse.hub.testing.Api;
import dev.gatehouse.hub.testing.TestHub;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.Parameter;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Team plans with seats on both stores: the subscriber holds the first seat and pays once; each
 * seated member gets the package's door plan, a freed seat takes it away, a full team refuses one
 * more; a pause, a cancellation and a change of package reach every seat; a seat of a plan a member
 * also holds by another subscription leaves that plan alone; bad seats change nothing.
 */
@ParameterizedClass
@EnumSource(StoreKind.class)
class TeamSeatsTest extends TimeTravelHub {
    private static final Instant SOLD = Instant.parse("2027-03-10T09:00:00Z");

    @Parameter
    StoreKind store;

    private TestHub.Tenant tenant;
    private People people;
    private String site;
    private String door;
    private String plan;
    private String team;
    private String lead;
    private String subscription;

    @BeforeEach
    void team() {
        clock.moveTo(SOLD);
        tenant = hub.newTenant("seats");
        people = new People(hub, tenant.token());
        site = Billing.berlin(hub, tenant);
        door = people.door(site);
        plan = people.plan("[]", "ignored", people.group(site, door));
        team = hub.create(
                "/api/v1/packages",
                tenant.token(),
                "{\"name\":\"Team of 3\",\"kind\":\"team\",\"price\":99000,\"interval\":\"month\",\"seats\":3,"
                        + "\"planId\":\"" + plan + "\"}");
        lead = member("lead");
        subscription = Billing.subscribe(hub, tenant, lead, team, site)
                .get("subscription")
                .get("id")
                .asText();
    }

    private String member(String name) {
        String id = Billing.member(hub, tenant, name);
        people.credential(tenant.id(), id, "NFC_CARD", "ACTIVE");
        return id;
    }

    private Api.Response seat(String member) {
        return hub.api().put("/api/v1/subscriptions/" + subscription + "/seats/" + member, tenant.token(), "");
    }

    private Api.Response free(String member) {
        return hub.api().delete("/api/v1/subscriptions/" + subscription + "/seats/" + member, tenant.token());
    }

    private List<String> seated() {
        Api.Response read = hub.api().get("/api/v1/subscriptions/" + subscription + "/seats", tenant.token());
        assertThat(read.status()).as(read.toString()).isEqualTo(200);
        assertThat(read.json().get("seats").asInt()).isEqualTo(3);
        List<String> members = new ArrayList<>();
        read.json().get("members").forEach(m -> members.add(m.asText()));
        return members;
    }

    private String door(String member) {
        return explain(tenant, member, door, clock.instant());
    }

    @Test
    void seatedMembersPassTheDoorsAFullTeamRefusesOneMoreAndAFreedSeatEndsIt() {
        String ada = member("ada");
        String bob = member("bob");
        String eve = member("eve");
        assertThat(seated()).containsExactly(lead);
        assertThat(door(ada)).isEqualTo("denied no-access-to-door");

        assertThat(seat(ada).status()).isEqualTo(201);
        Api.Response again = seat(ada);
        assertThat(again.status()).as("seated already").isEqualTo(200);
        assertThat(seat(bob).status()).isEqualTo(201);
        assertThat(door(ada)).isEqualTo("granted");
        assertThat(door(bob)).isEqualTo("granted");

        Api.Response full = seat(eve);
        assertThat(full.status()).isEqualTo(409);
        assertThat(full.text()).contains("all 3 seats");
        assertThat(door(eve)).isEqualTo("denied no-access-to-door");

        assertThat(free(bob).status()).isEqualTo(200);
        assertThat(door(bob)).isEqualTo("denied no-access-to-door");
        assertThat(seat(eve).status()).isEqualTo(201);
        assertThat(seated()).hasSize(3).startsWith(lead).contains(ada, eve);

        // One price for the team: the lead's charges only.
        Api.Response charges = hub.api().get("/api/v1/members/" + ada + "/charges", tenant.token());
        assertThat(charges.json().get("items")).isEmpty();
    }

    @Test
    void aPauseAndACancellationReachEverySeat() {
        String ada = member("ada");
        assertThat(seat(ada).status()).isEqualTo(201);
        Api.Response paused =
                hub.api().post("/api/v1/subscriptions/" + subscription + "/pause", tenant.token(), "{\"periods\":1}");
        assertThat(paused.status()).as(paused.toString()).isEqualTo(200);
        Instant pause = Instant.parse(
                paused.json().get("subscription").get("pausedFrom").asText());
        assertThat(explain(tenant, ada, door, pause.minusSeconds(1))).isEqualTo("granted");
        assertThat(explain(tenant, ada, door, pause)).isEqualTo("denied grant-expired");
        assertThat(explain(tenant, lead, door, pause)).isEqualTo("denied grant-expired");

        Api.Response lifted = hub.api().delete("/api/v1/subscriptions/" + subscription + "/pause", tenant.token());
        assertThat(lifted.status()).isEqualTo(200);
        assertThat(explain(tenant, ada, door, pause)).isEqualTo("granted");

        Api.Response cancelled = hub.api()
                .post("/api/v1/subscriptions/" + subscription + "/cancel", tenant.token(), "{\"when\":\"now\"}");
        assertThat(cancelled.status()).isEqualTo(200);
        assertThat(door(ada)).isEqualTo("denied no-access-to-door");
        assertThat(door(lead)).isEqualTo("denied no-access-to-door");
        assertThat(seat(member("late")).status()).isEqualTo(409);
    }

    @Test
    void aSeatLeavesAPlanTheMemberHoldsByTheirOwnSubscriptionAlone() {
        String ada = member("ada");
        String solo = hub.create(
                "/api/v1/packages",
                tenant.token(),
                "{\"name\":\"Monthly\",\"kind\":\"membership\",\"price\":19900,\"interval\":\"month\",\"planId\":\""
                        + plan + "\"}");
        Billing.subscribe(hub, tenant, ada, solo, site);
        assertThat(seat(ada).status()).isEqualTo(201);
        assertThat(free(ada).status()).isEqualTo(200);
        assertThat(door(ada)).isEqualTo("granted");
    }

    @Test
    void badSeatsAreRefusedAndChangeNothing() {
        Api.Response lead = free(this.lead);
        assertThat(lead.status()).isEqualTo(409);
        assertThat(lead.text()).contains("subscriber");
        assertThat(seat("mem_nope").status()).isEqualTo(422);
        assertThat(free(member("never")).status()).isEqualTo(404);

        TestHub.Tenant other = hub.newTenant("seats-other");
        String stranger = new People(hub, other.token()).member("stranger@example.com");
        assertThat(seat(stranger).status()).isEqualTo(422);
        Api.Response foreign =
                hub.api().put("/api/v1/subscriptions/" + subscription + "/seats/" + stranger, other.token(), "");
        assertThat(foreign.status()).isEqualTo(404);

        String monthly = Billing.monthly(hub, tenant, "Monthly", 19900);
        String single = Billing.subscribe(hub, tenant, member("solo"), monthly, site)
                .get("subscription")
                .get("id")
                .asText();
        Api.Response notATeam =
                hub.api().put("/api/v1/subscriptions/" + single + "/seats/" + member("x"), tenant.token(), "");
        assertThat(notATeam.status()).isEqualTo(409);
        assertThat(notATeam.text()).contains("not to a team package");
        assertThat(seated()).containsExactly(this.lead);

        String viewer = Billing.token(hub, tenant, "read-only");
        Api.Response refused =
                hub.api().put("/api/v1/subscriptions/" + subscription + "/seats/" + member("y"), viewer, "");
        assertThat(refused.status()).isEqualTo(403);
        assertThat(seated()).containsExactly(this.lead);
    }
}
