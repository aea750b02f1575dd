package dev.gatehouse.hub.credits;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.gatehouse.hub.store.Sql;
import dev.gatehouse.hub.store.StoreKind;
import dev.gatehouse.hub.testing.Api;
import dev.gatehouse.hub.testing.MovableClock;
import dev.gatehouse.hub.testing.TestHub;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.AfterParameterizedClassInvocation;
import org.junit.jupiter.params.BeforeParameterizedClassInvocation;
import org.junit.jupiter.params.Parameter;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * A package's credits reset per subscription period, on both stores, with the clock moved from one
 * period to the next: a booking draws from its subscription period's grant (not the calendar month),
 * the billing run grants each period once and, when it ends, expires what is left of it with one
 * entry, and a second run (or a third) writes nothing more. Bookings of kinds the package does not
 * cover still draw from the plans' monthly allowance.
 */
@ParameterizedClass
@EnumSource(StoreKind.class)
class PackageAllowanceResetTest {
    private static final ZoneId BERLIN = ZoneId.of("Europe/Berlin");
    /** The subscription starts on 20 January: its periods run from the 20th to the 20th. */
    private static final ZonedDateTime SALE = ZonedDateTime.of(2027, 1, 20, 9, 0, 0, 0, BERLIN);

    static MovableClock clock;
    static TestHub hub;

    @Parameter
    StoreKind store;

    private TestHub.Tenant tenant;
    private String member;
    private String room;
    private String booth;

    @BeforeParameterizedClassInvocation
    static void start(StoreKind kind) {
        clock = MovableClock.standingStill();
        hub = TestHub.start(kind, clock, Optional.empty());
    }

    @AfterParameterizedClassInvocation
    static void stop() {
        hub.close();
    }

    @BeforeEach
    void subscribed() {
        clock.moveTo(SALE.toInstant());
        tenant = hub.newTenant("reset");
        String site = hub.create(
                "/api/v1/sites", tenant.token(), "{\"name\":\"B\",\"address\":\"b\",\"timeZone\":\"Europe/Berlin\"}");
        member = hub.create("/api/v1/members", tenant.token(), "{\"email\":\"ada@example.com\",\"fullName\":\"Ada\"}");
        String plan = hub.create(
                "/api/v1/plans",
                tenant.token(),
                "{\"name\":\"Flex\",\"doorGroupIds\":[],\"creditsPerMonth\":3,\"creditsOnly\":false}");
        assertThat(hub.api()
                        .put("/api/v1/members/" + member + "/plans/" + plan, tenant.token(), "{}")
                        .status())
                .isEqualTo(201);
        String pkg = hub.create(
                "/api/v1/packages",
                tenant.token(),
                "{\"name\":\"Flexi\",\"kind\":\"membership\",\"price\":9900,\"interval\":\"month\","
                        + "\"credits\":{\"meeting-room\":8}}");
        Api.Response sold = hub.api()
                .post(
                        "/api/v1/subscriptions",
                        tenant.token(),
                        "{\"memberId\":\"" + member + "\",\"packageId\":\"" + pkg + "\",\"siteId\":\"" + site + "\"}");
        assertThat(sold.status()).as(sold.toString()).isEqualTo(201);
        room = resource(site, "Room", "meeting-room", 2, 3000);
        booth = resource(site, "Booth", "phone-booth", 1, 500);
    }

    private String resource(String site, String name, String kind, int credits, int price) {
        return hub.create(
                "/api/v1/sites/" + site + "/resources",
                tenant.token(),
                "{\"name\":\"" + name + "\",\"kind\":\"" + kind + "\",\"pricePerHour\":" + price
                        + ",\"creditsPerHour\":" + credits + "}");
    }

    private JsonNode book(String resource, ZonedDateTime start, int hours) {
        Api.Response booked = hub.api()
                .post(
                        "/api/v1/bookings",
                        tenant.token(),
                        "{\"resourceId\":\"" + resource + "\",\"memberId\":\"" + member + "\",\"start\":\""
                                + start.toInstant() + "\",\"end\":\""
                                + start.plusHours(hours).toInstant() + "\"}");
        assertThat(booked.status()).as(booked.toString()).isEqualTo(201);
        return booked.json();
    }

    private void run() {
        Api.Response ran = hub.api().post("/api/v1/billing/run", tenant.token(), "");
        assertThat(ran.status()).as(ran.toString()).isEqualTo(200);
    }

    /** The member's entries of a pool as "KIND credits", in the order written. */
    private List<String> pool(String period, String kind) {
        return hub.hub()
                .database()
                .read(c -> Sql.list(
                        c,
                        "SELECT kind, credits FROM credit_ledger WHERE tenant_id = ? AND member_id = ? AND period = ?"
                                + " AND resource_kind = ? ORDER BY seq",
                        row -> row.getString(1) + " " + row.getLong(2),
                        tenant.id(),
                        member,
                        period,
                        kind));
    }

    @Test
    void theAllowanceResetsAtThePeriodsEndOnceHoweverOftenTheRunRuns() {
        run();
        String january = "2027-01-20/2027-02-20";
        assertThat(pool(january, "MEETING_ROOM")).containsExactly("GRANT 8");

        // Two hours of the room on 1 February: a new calendar month, the same subscription period.
        JsonNode first = book(room, ZonedDateTime.of(2027, 2, 1, 10, 0, 0, 0, BERLIN), 2);
        assertThat(first.at("/creditLedger/period").asText()).isEqualTo(january);
        assertThat(first.at("/creditLedger/debited").asLong()).isEqualTo(4);
        assertThat(pool(january, "MEETING_ROOM")).containsExactly("GRANT 8", "DEBIT -4");

        // The period ends on 20 February: the 4 left expire, the next period is granted its 8.
        clock.moveTo(ZonedDateTime.of(2027, 2, 20, 0, 30, 0, 0, BERLIN).toInstant());
        for (int i = 0; i < 3; i++) {
            run();
        }
        assertThat(pool(january, "MEETING_ROOM")).containsExactly("GRANT 8", "DEBIT -4", "EXPIRY -4");
        // The statement of the ended period: the sum of its entries is nothing left.
        Api.Response ended = hub.api()
                .get(
                        "/api/v1/members/" + member + "/credits?period=" + january + "&resourceKind=meeting-room",
                        tenant.token());
        assertThat(ended.status()).as(ended.toString()).isEqualTo(200);
        assertThat(ended.json().get("balance").asLong()).isZero();
        assertThat(ended.json().get("entries"))
                .extracting(e -> e.get("kind").asText())
                .containsExactly("grant", "debit", "expiry");
        Api.Response noKind = hub.api().get("/api/v1/members/" + member + "/credits?period=" + january, tenant.token());
        assertThat(noKind.status()).isEqualTo(422);
        assertThat(noKind.text()).contains("resourceKind");
        String february = "2027-02-20/2027-03-20";
        assertThat(pool(february, "MEETING_ROOM")).containsExactly("GRANT 8");

        // Five hours (10 credits) in the new period: 8 from the fresh grant, 2 as overage.
        JsonNode second = book(room, ZonedDateTime.of(2027, 3, 2, 10, 0, 0, 0, BERLIN), 5);
        assertThat(second.at("/creditLedger/period").asText()).isEqualTo(february);
        assertThat(second.at("/creditLedger/debited").asLong()).isEqualTo(8);
        assertThat(second.at("/creditLedger/overage/credits").asLong()).isEqualTo(2);

        // A phone booth is not in the package: it draws from the plan's month, as before packages.
        JsonNode call = book(booth, ZonedDateTime.of(2027, 3, 2, 16, 0, 0, 0, BERLIN), 1);
        assertThat(call.at("/creditLedger/period").asText()).isEqualTo("2027-03");
        Api.Response march = hub.api().get("/api/v1/members/" + member + "/credits?period=2027-03", tenant.token());
        assertThat(march.json().get("balance").asLong()).isEqualTo(2);
    }

    @Test
    void aPeriodThatEndsUnusedExpiresItsWholeGrant() {
        run();
        clock.moveTo(SALE.plusMonths(1).toInstant());
        run();
        clock.moveTo(SALE.plusMonths(2).toInstant());
        run();
        run();
        assertThat(pool("2027-01-20/2027-02-20", "MEETING_ROOM")).containsExactly("GRANT 8", "EXPIRY -8");
        assertThat(pool("2027-02-20/2027-03-20", "MEETING_ROOM")).containsExactly("GRANT 8", "EXPIRY -8");
        assertThat(pool("2027-03-20/2027-04-20", "MEETING_ROOM")).containsExactly("GRANT 8");
    }
}
