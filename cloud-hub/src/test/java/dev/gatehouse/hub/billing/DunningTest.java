package dev.gatehouse.hub.billing;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.gatehouse.hub.changes.LoggedChange;
import dev.gatehouse.hub.members.People;
import dev.gatehouse.hub.store.StoreKind;
import dev.gatehouse.hub.testing.Api;
import dev.gatehouse.hub.testing.TestHub;
import dev.gatehouse.protocol.message.Change;
import dev.gatehouse.protocol.model.Member;
import dev.gatehouse.protocol.model.MemberStatus;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.Parameter;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Dunning on both stores, with time travel: an unpaid invoice moves its member past due, then
 * restricted (new bookings refused, doors still open), then suspended (the member entity every site
 * gets says suspended, and the edge's own policy engine denies them), each step audited; paying puts
 * them back at once, in the payment's transaction, and never lifts an operator's own suspension.
 */
@ParameterizedClass
@EnumSource(StoreKind.class)
class DunningTest extends TimeTravelHub {
    private static final String ALL_WEEK = "[{\"day\":\"monday\",\"start\":\"00:00\",\"end\":\"23:59\"},"
            + "{\"day\":\"tuesday\",\"start\":\"00:00\",\"end\":\"23:59\"},"
            + "{\"day\":\"wednesday\",\"start\":\"00:00\",\"end\":\"23:59\"},"
            + "{\"day\":\"thursday\",\"start\":\"00:00\",\"end\":\"23:59\"},"
            + "{\"day\":\"friday\",\"start\":\"00:00\",\"end\":\"23:59\"},"
            + "{\"day\":\"saturday\",\"start\":\"00:00\",\"end\":\"23:59\"},"
            + "{\"day\":\"sunday\",\"start\":\"00:00\",\"end\":\"23:59\"}]";
    private static final Instant SOLD = Instant.parse("2027-03-10T11:00:00Z");

    @Parameter
    StoreKind store;

    private TestHub.Tenant tenant;
    private People people;
    private String site;
    private String door;
    private String room;
    private String pkg;

    @BeforeEach
    void site() {
        clock.moveTo(SOLD);
        tenant = hub.newTenant("dunning");
        people = new People(hub, tenant.token());
        site = Billing.berlin(hub, tenant);
        door = people.door(site);
        String plan = people.plan(ALL_WEEK, "ignored", people.group(site, door));
        pkg = hub.create(
                "/api/v1/packages",
                tenant.token(),
                "{\"name\":\"Monthly\",\"kind\":\"membership\",\"price\":19900,\"interval\":\"month\",\"planId\":\""
                        + plan + "\"}");
        room = hub.create(
                "/api/v1/sites/" + site + "/resources",
                tenant.token(),
                "{\"name\":\"Room Ada\",\"kind\":\"meeting-room\",\"doorIds\":[\"" + door + "\"]}");
    }

    /** A member on the package since SOLD, with a card, invoiced at once: the invoice (due SOLD + 14 days). */
    private JsonNode invoicedMember(String name) {
        JsonNode invoice = Billing.invoiced(hub, tenant, site, pkg, name);
        people.credential(tenant.id(), invoice.get("memberId").asText(), "NFC_CARD", "ACTIVE");
        return invoice;
    }

    private List<JsonNode> run(Instant at) {
        clock.moveTo(at);
        Api.Response ran = hub.api().post("/api/v1/billing/dunning/run", tenant.token(), "");
        assertThat(ran.status()).as(ran.toString()).isEqualTo(200);
        return java.util.stream.StreamSupport.stream(ran.json().get("steps").spliterator(), false)
                .toList();
    }

    private String standing(String member) {
        return hub.api()
                .get("/api/v1/members/" + member + "/dunning", tenant.token())
                .json()
                .get("state")
                .asText();
    }

    /** What the edge's policy engine decides for the member at the door now (the hub's explain). */
    private String door(String member) {
        return explain(tenant, member, door, clock.instant());
    }

    /** The member entity as the site's edges last got it. */
    private MemberStatus synced(String member) {
        return hub.hub().stores().changes().read(tenant.id(), site, 0, 100_000).stream()
                .map(LoggedChange::change)
                .filter(change -> change instanceof Change.Upsert upsert
                        && upsert.entity() instanceof Member m
                        && m.id().value().equals(member))
                .map(change -> ((Member) ((Change.Upsert) change).entity()).status())
                .reduce((first, second) -> second)
                .orElseThrow();
    }

    private Api.Response book(String member) {
        Instant start = clock.instant().plus(Duration.ofDays(2)).truncatedTo(java.time.temporal.ChronoUnit.HOURS);
        return hub.api()
                .post(
                        "/api/v1/bookings",
                        tenant.token(),
                        "{\"resourceId\":\"" + room + "\",\"memberId\":\"" + member + "\",\"start\":\"" + start
                                + "\",\"end\":\"" + start.plus(Duration.ofHours(1)) + "\"}");
    }

    @Test
    void anUnpaidInvoiceMovesItsMemberStepByStepToTheDoorsAndPayingBringsThemBackAtOnce() {
        JsonNode invoice = invoicedMember("ada");
        String ada = invoice.get("memberId").asText();
        Instant due = Instant.parse(invoice.get("dueAt").asText());
        assertThat(due).isEqualTo(SOLD.plus(Duration.ofDays(14)));
        assertThat(run(due.minusSeconds(1))).isEmpty();
        assertThat(standing(ada)).isEqualTo("good");
        assertThat(door(ada)).isEqualTo("granted");

        assertThat(run(due.plus(Duration.ofDays(1)))).singleElement().satisfies(step -> {
            assertThat(step.get("from").asText()).isEqualTo("good");
            assertThat(step.get("to").asText()).isEqualTo("past-due");
            assertThat(step.get("invoiceId").asText())
                    .isEqualTo(invoice.get("id").asText());
        });
        assertThat(run(due.plus(Duration.ofDays(2)))).isEmpty();

        assertThat(run(due.plus(Duration.ofDays(14))))
                .singleElement()
                .satisfies(step -> assertThat(step.get("to").asText()).isEqualTo("restricted"));
        // Restricted: no new bookings, but the doors still open.
        Api.Response refused = book(ada);
        assertThat(refused.status()).as(refused.toString()).isEqualTo(422);
        assertThat(refused.text()).contains("billing").contains("invoices are overdue");
        assertThat(door(ada)).isEqualTo("granted");
        assertThat(synced(ada)).isEqualTo(MemberStatus.ACTIVE);

        assertThat(run(due.plus(Duration.ofDays(30))))
                .singleElement()
                .satisfies(step -> assertThat(step.get("to").asText()).isEqualTo("suspended"));
        // Suspended: every site's edges get the member suspended, and the door denies them.
        assertThat(synced(ada)).isEqualTo(MemberStatus.SUSPENDED);
        assertThat(door(ada)).isEqualTo("denied member-suspended");
        // The console's member page says so, beside the member's own status.
        var owner = hub.operator(tenant, "owner", "[]", clock);
        String page = hub.api()
                .withCookie("GET", "/console/members/" + ada, "gh_session=" + owner.cookieValue(), Optional.empty())
                .text();
        assertThat(page).contains("This member is active.").contains("every door denies this member");
        // The member's own record is not touched: dunning is its own state.
        assertThat(hub.api()
                        .get("/api/v1/members/" + ada, tenant.token())
                        .json()
                        .get("status")
                        .asText())
                .isEqualTo("active");

        // Paying restores access in the payment's own transaction, before any run.
        Api.Response paid = hub.api()
                .post(
                        "/api/v1/invoices/" + invoice.get("id").asText() + "/payments",
                        tenant.token(),
                        "{\"amount\":" + invoice.get("total").asLong()
                                + ",\"method\":\"bank-transfer\",\"reference\":\"SEPA\",\"idempotencyKey\":\"ada-late-1\"}");
        assertThat(paid.status()).as(paid.toString()).isEqualTo(201);
        assertThat(standing(ada)).isEqualTo("good");
        assertThat(synced(ada)).isEqualTo(MemberStatus.ACTIVE);
        assertThat(door(ada)).isEqualTo("granted");
        assertThat(book(ada).status()).isEqualTo(201);

        // Each step is in the audit log, by the hub's dunning.
        JsonNode audit = hub.api()
                .get("/api/v1/audit?resourceId=" + ada, tenant.token())
                .json()
                .get("items");
        List<String> actions = java.util.stream.StreamSupport.stream(audit.spliterator(), false)
                .filter(entry -> entry.get("action").asText().startsWith("dunning."))
                .map(entry -> entry.get("action").asText())
                .toList();
        assertThat(actions)
                .containsExactlyInAnyOrder(
                        "dunning.past-due", "dunning.restricted", "dunning.suspended", "dunning.good");
    }

    @Test
    void payingNeverLiftsAnOperatorsOwnSuspension() {
        JsonNode invoice = invoicedMember("bob");
        String bob = invoice.get("memberId").asText();
        Instant due = Instant.parse(invoice.get("dueAt").asText());
        run(due.plus(Duration.ofDays(30)));
        assertThat(standing(bob)).isEqualTo("suspended");
        assertThat(hub.api()
                        .patch("/api/v1/members/" + bob, tenant.token(), "{\"status\":\"suspended\"}")
                        .status())
                .isEqualTo(200);

        Api.Response paid = hub.api()
                .post(
                        "/api/v1/invoices/" + invoice.get("id").asText() + "/payments",
                        tenant.token(),
                        "{\"amount\":" + invoice.get("total").asLong()
                                + ",\"method\":\"cash\",\"reference\":\"desk\",\"idempotencyKey\":\"bob-000001\"}");
        assertThat(paid.status()).as(paid.toString()).isEqualTo(201);

        assertThat(standing(bob)).isEqualTo("good");
        assertThat(synced(bob)).isEqualTo(MemberStatus.SUSPENDED);
        assertThat(door(bob)).isEqualTo("denied member-suspended");
    }

    @Test
    void thresholdsAreFinancesAndMustNotDecrease() {
        Api.Response read = hub.api().get("/api/v1/billing/dunning", tenant.token());
        assertThat(read.json().toString()).isEqualTo("{\"pastDueDays\":1,\"restrictDays\":14,\"suspendDays\":30}");
        Api.Response backwards = hub.api().patch("/api/v1/billing/dunning", tenant.token(), "{\"restrictDays\":40}");
        assertThat(backwards.status()).isEqualTo(422);
        assertThat(backwards.text()).contains("must not decrease").contains("restricted (40) ≤ suspended (30)");
        assertThat(hub.api()
                        .patch(
                                "/api/v1/billing/dunning",
                                Billing.token(hub, tenant, "front-desk"),
                                "{\"suspendDays\":60}")
                        .status())
                .isEqualTo(403);
        assertThat(hub.api().get("/api/v1/billing/dunning", tenant.token()).json())
                .isEqualTo(read.json());

        Api.Response set = hub.api()
                .patch(
                        "/api/v1/billing/dunning",
                        tenant.token(),
                        "{\"pastDueDays\":3,\"restrictDays\":7,\"suspendDays\":10}");
        assertThat(set.status()).as(set.toString()).isEqualTo(200);
        JsonNode invoice = invoicedMember("cy");
        Instant due = Instant.parse(invoice.get("dueAt").asText());
        assertThat(run(due.plus(Duration.ofDays(2)))).isEmpty();
        assertThat(run(due.plus(Duration.ofDays(10)))).singleElement().satisfies(step -> {
            // A run that finds the member long overdue moves them straight to where they belong.
            assertThat(step.get("from").asText()).isEqualTo("good");
            assertThat(step.get("to").asText()).isEqualTo("suspended");
        });
    }
}
