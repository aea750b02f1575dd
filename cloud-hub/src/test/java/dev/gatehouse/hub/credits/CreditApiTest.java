package dev.gatehouse.hub.credits;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.gatehouse.hub.store.Sql;
import dev.gatehouse.hub.store.StoreKind;
import dev.gatehouse.hub.testing.Api;
import dev.gatehouse.hub.testing.TestHub;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalTime;
import java.time.YearMonth;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.AfterParameterizedClassInvocation;
import org.junit.jupiter.params.BeforeParameterizedClassInvocation;
import org.junit.jupiter.params.Parameter;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Credits through the API on both stores: a booking draws from its month's allowance at the price
 * fixed then, a cancellation in time refunds once however often and however concurrently it is
 * replayed, a late one refunds nothing and says so, the shortfall is overage with its money, the month
 * is the site's, and only finance or member managers adjust — with a reason, audited.
 */
@ParameterizedClass
@EnumSource(StoreKind.class)
class CreditApiTest {
    private static final ZoneId BERLIN = ZoneId.of("Europe/Berlin");
    private static final ZoneId NEW_YORK = ZoneId.of("America/New_York");
    static TestHub hub;

    @Parameter
    StoreKind store;

    private TestHub.Tenant tenant;
    private String site;
    private String member;
    private LocalDate day;

    @BeforeParameterizedClassInvocation
    static void start(StoreKind kind) {
        hub = TestHub.start(kind);
    }

    @AfterParameterizedClassInvocation
    static void stop() {
        hub.close();
    }

    @BeforeEach
    void site() {
        tenant = hub.newTenant("credits");
        site = site("Berlin", BERLIN);
        member = member("ada");
        day = LocalDate.now(BERLIN).plusDays(3);
    }

    // ---- fixtures

    private String site(String name, ZoneId zone) {
        return hub.create(
                "/api/v1/sites",
                tenant.token(),
                "{\"name\":\"" + name + "\",\"address\":\"1 Main St\",\"timeZone\":\"" + zone.getId() + "\"}");
    }

    private String member(String name) {
        return hub.create(
                "/api/v1/members",
                tenant.token(),
                "{\"email\":\"" + name + "@example.com\",\"fullName\":\"" + name + " Member\"}");
    }

    /** A plan giving {@code credits} a month, held by {@code who} from {@code validFrom} (null: always). */
    private String plan(String who, int credits, boolean creditsOnly, Instant validFrom) {
        String plan = hub.create(
                "/api/v1/plans",
                tenant.token(),
                "{\"name\":\"Flex " + credits + "\",\"doorGroupIds\":[],\"creditsPerMonth\":" + credits
                        + ",\"creditsOnly\":" + creditsOnly + "}");
        Api.Response assigned = hub.api()
                .put(
                        "/api/v1/members/" + who + "/plans/" + plan,
                        tenant.token(),
                        validFrom == null ? "{}" : "{\"validFrom\":\"" + validFrom + "\"}");
        assertThat(assigned.status()).as(assigned.toString()).isEqualTo(201);
        return plan;
    }

    /** A room at 2 credits and 25.00 an hour, with the given cancellation window. */
    private String room(String at, int cancelWindowMinutes) {
        return hub.create(
                "/api/v1/sites/" + at + "/resources",
                tenant.token(),
                "{\"name\":\"Room Ada\",\"kind\":\"meeting-room\",\"pricePerHour\":2500,\"creditsPerHour\":2,"
                        + "\"rules\":{\"cancelWindowMinutes\":" + cancelWindowMinutes + "}}");
    }

    private Instant local(String time) {
        return day.atTime(LocalTime.parse(time)).atZone(BERLIN).toInstant();
    }

    private Api.Response book(String resource, String who, Instant start, Instant end) {
        return hub.api()
                .post(
                        "/api/v1/bookings",
                        tenant.token(),
                        "{\"resourceId\":\"" + resource + "\",\"memberId\":\"" + who + "\",\"start\":\"" + start
                                + "\",\"end\":\"" + end + "\"}");
    }

    private JsonNode booked(String resource, String who, Instant start, Instant end) {
        Api.Response booked = book(resource, who, start, end);
        assertThat(booked.status()).as(booked.toString()).isEqualTo(201);
        return booked.json();
    }

    private JsonNode cancel(JsonNode booking) {
        Api.Response cancelled =
                hub.api().post("/api/v1/bookings/" + booking.get("id").asText() + "/cancel", tenant.token(), "");
        assertThat(cancelled.status()).as(cancelled.toString()).isEqualTo(200);
        return cancelled.json();
    }

    private JsonNode statement(String who, YearMonth period) {
        Api.Response answer = hub.api().get("/api/v1/members/" + who + "/credits?period=" + period, tenant.token());
        assertThat(answer.status()).as(answer.toString()).isEqualTo(200);
        JsonNode statement = answer.json();
        // The balance shown is always the sum of the entries shown.
        long sum = 0;
        for (JsonNode entry : statement.get("entries")) {
            sum += entry.get("credits").asLong();
        }
        assertThat(statement.get("balance").asLong()).isEqualTo(sum);
        return statement;
    }

    private static List<String> kinds(JsonNode statement) {
        List<String> kinds = new ArrayList<>();
        statement
                .get("entries")
                .forEach(e -> kinds.add(
                        e.get("kind").asText() + " " + e.get("credits").asLong()));
        return kinds;
    }

    private YearMonth period() {
        return YearMonth.from(day);
    }

    private long refunds(String bookingId) {
        return hub.hub().database().read(c -> Sql.one(
                        c,
                        "SELECT COUNT(*) FROM credit_ledger WHERE booking_id = ? AND kind = 'REFUND'",
                        Sql.LONG,
                        bookingId)
                .orElseThrow());
    }

    private long ledgerRows() {
        return hub.hub().database().read(c -> Sql.one(
                        c, "SELECT COUNT(*) FROM credit_ledger WHERE tenant_id = ?", Sql.LONG, tenant.id())
                .orElseThrow());
    }

    // ---- behaviour

    @Nested
    class DebitAndRefund {
        @Test
        void aBookingDrawsFromItsMonthsAllowanceAndACancelInTimeRefundsItOnce() {
            plan(member, 10, false, null);
            String room = room(site, 1440);
            JsonNode booking = booked(room, member, local("10:00"), local("11:30"));
            // 1.5 hours at 2 credits an hour: 3 credits, fixed at booking and debited in its transaction.
            assertThat(booking.at("/creditLedger/period").asText()).isEqualTo(period().toString());
            assertThat(booking.at("/creditLedger/debited").asLong()).isEqualTo(3);
            assertThat(booking.at("/creditLedger/overage/credits").asLong()).isZero();
            assertThat(booking.at("/creditLedger/refund").isMissingNode()).isTrue();
            assertThat(kinds(statement(member, period()))).containsExactly("allowance 10", "debit -3");

            JsonNode cancelled = cancel(booking);
            assertThat(cancelled.at("/creditLedger/refund/inTime").asBoolean()).isTrue();
            assertThat(cancelled.at("/creditLedger/refund/credits").asLong()).isEqualTo(3);
            // A client that retries its cancel must not mint credits: ten replays, one refund.
            for (int i = 0; i < 10; i++) {
                assertThat(cancel(booking).at("/creditLedger/refund/credits").asLong())
                        .isEqualTo(3);
            }
            JsonNode statement = statement(member, period());
            assertThat(kinds(statement)).containsExactly("allowance 10", "debit -3", "refund 3");
            assertThat(statement.get("balance").asLong()).isEqualTo(10);
            assertThat(hub.api()
                            .get("/api/v1/bookings/" + booking.get("id").asText(), tenant.token())
                            .json()
                            .at("/creditLedger/refund/credits")
                            .asLong())
                    .isEqualTo(3);
        }

        @Test
        void aCancelReplayedTenTimesAtOnceRefundsOnce() throws Exception {
            plan(member, 10, false, null);
            String room = room(site, 1440);
            JsonNode booking = booked(room, member, local("10:00"), local("12:00"));
            ExecutorService pool = Executors.newFixedThreadPool(10);
            List<Future<Api.Response>> answers = new ArrayList<>();
            try {
                for (int i = 0; i < 10; i++) {
                    answers.add(pool.submit(() -> hub.api()
                            .post("/api/v1/bookings/" + booking.get("id").asText() + "/cancel", tenant.token(), "")));
                }
                for (Future<Api.Response> answer : answers) {
                    Api.Response response = answer.get(1, TimeUnit.MINUTES);
                    assertThat(response.status()).as(response.toString()).isEqualTo(200);
                    assertThat(response.json()
                                    .at("/creditLedger/refund/credits")
                                    .asLong())
                            .isEqualTo(4);
                }
            } finally {
                pool.shutdownNow();
            }
            assertThat(refunds(booking.get("id").asText())).isEqualTo(1);
            assertThat(statement(member, period()).get("balance").asLong()).isEqualTo(10);
        }

        @Test
        void aLateCancellationRefundsNothingAndSaysSo() {
            plan(member, 10, false, null);
            // Refunds end 30 days before the start: a booking three days ahead is already late to cancel.
            String room = room(site, 30 * 24 * 60);
            JsonNode booking = booked(room, member, local("10:00"), local("11:00"));
            JsonNode cancelled = cancel(booking);
            assertThat(cancelled.at("/creditLedger/refund/inTime").asBoolean()).isFalse();
            assertThat(cancelled.at("/creditLedger/refund/credits").asLong()).isZero();
            assertThat(cancelled.at("/creditLedger/refund/reason").asText())
                    .contains("late")
                    .contains("nothing is refunded");
            cancel(booking);
            assertThat(kinds(statement(member, period()))).containsExactly("allowance 10", "debit -2", "refund 0");
            assertThat(statement(member, period()).get("balance").asLong()).isEqualTo(8);
        }

        @Test
        void aBookingOfNoCreditsTouchesNoLedger() {
            String desk = hub.create(
                    "/api/v1/sites/" + site + "/resources",
                    tenant.token(),
                    "{\"name\":\"Desk\",\"kind\":\"hot-desk\",\"pricePerHour\":500}");
            JsonNode booking = booked(desk, member, local("10:00"), local("11:00"));
            assertThat(booking.has("creditLedger")).isFalse();
            assertThat(cancel(booking).has("creditLedger")).isFalse();
            assertThat(ledgerRows()).isZero();
        }

        @Test
        void concurrentBookingsNeverSpendOneCreditTwice() throws Exception {
            plan(member, 10, false, null);
            List<String> rooms = new ArrayList<>();
            for (int i = 0; i < 8; i++) {
                rooms.add(room(site, 1440));
            }
            ExecutorService pool = Executors.newFixedThreadPool(8);
            List<Future<Api.Response>> answers = new ArrayList<>();
            try {
                // Eight rooms, one hour each at 2 credits: 16 credits wanted, 10 to spend.
                for (String room : rooms) {
                    answers.add(pool.submit(() -> book(room, member, local("10:00"), local("11:00"))));
                }
                long debited = 0;
                long overage = 0;
                for (Future<Api.Response> answer : answers) {
                    JsonNode booking = answer.get(1, TimeUnit.MINUTES).json();
                    long mine = booking.at("/creditLedger/debited").asLong();
                    long short_ = booking.at("/creditLedger/overage/credits").asLong();
                    assertThat(mine + short_).as(booking.toString()).isEqualTo(2);
                    debited += mine;
                    overage += short_;
                }
                assertThat(debited).isEqualTo(10);
                assertThat(overage).isEqualTo(6);
            } finally {
                pool.shutdownNow();
            }
            JsonNode statement = statement(member, period());
            assertThat(statement.get("balance").asLong()).isZero();
            assertThat(statement.at("/overage/credits").asLong()).isEqualTo(6);
            assertThat(statement.at("/overage/amount").asLong()).isEqualTo(7500);
        }
    }

    @Nested
    class Overage {
        @Test
        void theShortfallIsOverageWithItsMoneyAndACancelInTimeTakesItBack() {
            plan(member, 2, false, null);
            String room = room(site, 1440);
            // 3 credits (37.50) against 2: 2 debited, 1 credit of overage at 12.50.
            JsonNode first = booked(room, member, local("10:00"), local("11:30"));
            assertThat(first.at("/creditLedger/debited").asLong()).isEqualTo(2);
            assertThat(first.at("/creditLedger/overage/credits").asLong()).isEqualTo(1);
            assertThat(first.at("/creditLedger/overage/amount").asLong()).isEqualTo(1250);
            // Nothing left: all of the next is overage, at its full price.
            JsonNode second = booked(room, member, local("14:00"), local("15:00"));
            assertThat(second.at("/creditLedger/debited").asLong()).isZero();
            assertThat(second.at("/creditLedger/overage/credits").asLong()).isEqualTo(2);
            assertThat(second.at("/creditLedger/overage/amount").asLong()).isEqualTo(2500);
            JsonNode statement = statement(member, period());
            assertThat(statement.get("balance").asLong()).isZero();
            assertThat(statement.at("/overage/amount").asLong()).isEqualTo(3750);

            JsonNode cancelled = cancel(first);
            assertThat(cancelled.at("/creditLedger/refund/credits").asLong()).isEqualTo(2);
            assertThat(cancelled.at("/creditLedger/refund/overage/amount").asLong())
                    .isEqualTo(-1250);
            statement = statement(member, period());
            // What billing will invoice for the month: the second booking's overage only.
            assertThat(statement.at("/overage/credits").asLong()).isEqualTo(2);
            assertThat(statement.at("/overage/amount").asLong()).isEqualTo(2500);
            assertThat(statement.get("balance").asLong()).isEqualTo(2);
        }

        @Test
        void aCreditsOnlyPlanRefusesWhatTheBalanceDoesNotCoverUnlessAnOperatorOverrides() {
            plan(member, 2, true, null);
            String room = room(site, 1440);
            Api.Response refused = book(room, member, local("10:00"), local("11:30"));
            assertThat(refused.status()).as(refused.toString()).isEqualTo(422);
            assertThat(refused.json().at("/errors/0/field").asText()).isEqualTo("credits");
            assertThat(refused.json().at("/errors/0/message").asText())
                    .contains("2 credits left")
                    .contains("needs 3");
            // Refused means not written: no booking, no allowance, no debit.
            assertThat(ledgerRows()).isZero();
            assertThat(booked(room, member, local("10:00"), local("11:00"))
                            .at("/creditLedger/debited")
                            .asLong())
                    .isEqualTo(2);
            Api.Response overridden = hub.api()
                    .post(
                            "/api/v1/bookings",
                            tenant.token(),
                            "{\"resourceId\":\"" + room + "\",\"memberId\":\"" + member + "\",\"start\":\""
                                    + local("12:00") + "\",\"end\":\"" + local("13:00")
                                    + "\",\"overrideReason\":\"goodwill\"}");
            assertThat(overridden.status()).as(overridden.toString()).isEqualTo(201);
            assertThat(overridden.json().at("/creditLedger/overage/credits").asLong())
                    .isEqualTo(2);
        }
    }

    @Nested
    class Periods {
        @Test
        void aBookingDrawsFromTheMonthOfItsStartInItsSitesZone() {
            // Two months ahead, so both sides of the boundary lie in the future.
            YearMonth january = YearMonth.now(BERLIN).plusMonths(1);
            YearMonth february = january.plusMonths(1);
            Instant februaryInBerlin = february.atDay(1).atStartOfDay(BERLIN).toInstant();
            // The plan starts exactly as February starts in Berlin: not January's, all of February's.
            plan(member, 10, false, februaryInBerlin);
            String room = room(site, 1440);
            JsonNode lastOfJanuary = booked(room, member, februaryInBerlin.minusSeconds(30 * 60), februaryInBerlin);
            assertThat(lastOfJanuary.at("/creditLedger/period").asText()).isEqualTo(january.toString());
            assertThat(lastOfJanuary.at("/creditLedger/overage/credits").asLong())
                    .isEqualTo(1);
            // 00:30 on the 1st in Berlin is still the previous month in UTC: the site's month decides.
            JsonNode firstOfFebruary =
                    booked(room, member, februaryInBerlin.plusSeconds(30 * 60), februaryInBerlin.plusSeconds(60 * 60));
            assertThat(februaryInBerlin
                            .plusSeconds(30 * 60)
                            .atZone(java.time.ZoneOffset.UTC)
                            .getMonth())
                    .isEqualTo(january.getMonth());
            assertThat(firstOfFebruary.at("/creditLedger/period").asText()).isEqualTo(february.toString());
            assertThat(firstOfFebruary.at("/creditLedger/debited").asLong()).isEqualTo(1);
            assertThat(kinds(statement(member, january))).containsExactly("allowance 0", "debit 0");
            assertThat(kinds(statement(member, february))).containsExactly("allowance 10", "debit -1");

            // New York, the other way round: 20:00 on the last of January there is February in UTC.
            String newYork = site("New York", NEW_YORK);
            String bob = member("bob");
            String nyRoom = room(newYork, 1440);
            Instant evening =
                    january.atEndOfMonth().atTime(20, 0).atZone(NEW_YORK).toInstant();
            JsonNode booking = booked(nyRoom, bob, evening, evening.plusSeconds(30 * 60));
            assertThat(booking.at("/creditLedger/period").asText()).isEqualTo(january.toString());
        }
    }

    @Nested
    class Adjustments {
        private Api.Response adjust(String token, String who, String body) {
            return hub.api().post("/api/v1/members/" + who + "/credits/adjustments", token, body);
        }

        private String token(String role) {
            Api.Response created = hub.api()
                    .post("/api/v1/tokens", tenant.token(), "{\"name\":\"" + role + "\",\"role\":\"" + role + "\"}");
            assertThat(created.status()).as(created.toString()).isEqualTo(201);
            return created.json().get("token").asText();
        }

        @Test
        void financeAndMemberManagersAdjustWithAReasonThatIsAudited() {
            String body = "{\"period\":\"" + period() + "\",\"credits\":5,\"reason\":\"projector was broken\"}";
            Api.Response byFinance = adjust(token("finance"), member, body);
            assertThat(byFinance.status()).as(byFinance.toString()).isEqualTo(201);
            assertThat(byFinance.json().get("kind").asText()).isEqualTo("adjustment");
            assertThat(byFinance.json().get("reason").asText()).isEqualTo("projector was broken");
            Api.Response byDesk = adjust(
                    token("front-desk"),
                    member,
                    "{\"period\":\"" + period() + "\",\"credits\":-2,\"reason\":\"typo\"}");
            assertThat(byDesk.status()).as(byDesk.toString()).isEqualTo(201);
            assertThat(adjust(token("read-only"), member, body).status()).isEqualTo(403);
            assertThat(adjust(token("technician"), member, body).status()).isEqualTo(403);
            assertThat(hub.api()
                            .get("/api/v1/members/" + member + "/credits?period=" + period(), token("technician"))
                            .status())
                    .isEqualTo(403);
            assertThat(hub.api()
                            .get("/api/v1/members/" + member + "/credits?period=" + period(), token("finance"))
                            .json()
                            .get("balance")
                            .asLong())
                    .isEqualTo(3);

            JsonNode audit = hub.api()
                    .get("/api/v1/audit?action=credits.adjust&resourceId=" + member, tenant.token())
                    .json()
                    .get("items");
            assertThat(audit).hasSize(2);
            assertThat(audit.findValuesAsText("reason")).containsExactlyInAnyOrder("projector was broken", "typo");
        }

        @Test
        void badInputIsRefusedNamingTheFieldAndChangesNothing() {
            Map<String, String> bodies = Map.ofEntries(
                    Map.entry("{\"period\":\"2026-12\",\"credits\":\"5\",\"reason\":\"r\"}", "credits"),
                    Map.entry("{\"period\":\"2026-12\",\"credits\":2.5,\"reason\":\"r\"}", "credits"),
                    Map.entry("{\"period\":\"2026-12\",\"credits\":0,\"reason\":\"r\"}", "credits"),
                    Map.entry("{\"period\":\"2026-12\",\"credits\":2000000,\"reason\":\"r\"}", "credits"),
                    Map.entry("{\"period\":\"2026-12\",\"reason\":\"r\"}", "credits"),
                    Map.entry("{\"period\":\"2026-12\",\"credits\":null,\"reason\":\"r\"}", "credits"),
                    Map.entry("{\"period\":\"2026-12\",\"credits\":5}", "reason"),
                    Map.entry("{\"period\":\"2026-12\",\"credits\":5,\"reason\":\"   \"}", "reason"),
                    Map.entry("{\"period\":\"2026-13\",\"credits\":5,\"reason\":\"r\"}", "period"),
                    Map.entry("{\"period\":\"2026-1\",\"credits\":5,\"reason\":\"r\"}", "period"),
                    Map.entry("{\"period\":202612,\"credits\":5,\"reason\":\"r\"}", "period"),
                    Map.entry("{\"credits\":5,\"reason\":\"r\"}", "period"),
                    Map.entry("{\"period\":\"2026-12\",\"credits\":5,\"reason\":\"r\",\"kind\":\"refund\"}", "kind"));
            long audited = hub.api()
                    .get("/api/v1/audit?action=credits.adjust", tenant.token())
                    .json()
                    .get("items")
                    .size();
            bodies.forEach((body, field) -> {
                Api.Response refused = adjust(tenant.token(), member, body);
                assertThat(refused.status()).as(body + " → " + refused).isEqualTo(422);
                assertThat(refused.json().get("errors").findValuesAsText("field"))
                        .as(body)
                        .contains(field);
            });
            for (String query : List.of("", "?period=2026-13", "?period=26-12", "?period=2026-12&x=1")) {
                assertThat(hub.api()
                                .get("/api/v1/members/" + member + "/credits" + query, tenant.token())
                                .status())
                        .as(query)
                        .isEqualTo(422);
            }
            assertThat(ledgerRows()).isZero();
            assertThat(hub.api()
                            .get("/api/v1/audit?action=credits.adjust", tenant.token())
                            .json()
                            .get("items")
                            .size())
                    .isEqualTo(audited);
            // The same body, well formed, is written: the refusals above were about the input alone.
            assertThat(adjust(tenant.token(), member, "{\"period\":\"2026-12\",\"credits\":5,\"reason\":\"r\"}")
                            .status())
                    .isEqualTo(201);
            assertThat(ledgerRows()).isEqualTo(1);
        }

        @Test
        void anotherTenantNeitherSeesNorAdjustsAMembersCredits() {
            assertThat(adjust(tenant.token(), member, "{\"period\":\"2026-12\",\"credits\":5,\"reason\":\"r\"}")
                            .status())
                    .isEqualTo(201);
            TestHub.Tenant stranger = hub.newTenant("stranger");
            Api.Response seen =
                    hub.api().get("/api/v1/members/" + member + "/credits?period=2026-12", stranger.token());
            assertThat(seen.status()).isEqualTo(404);
            assertThat(seen.text()).doesNotContain("\"balance\"");
            assertThat(adjust(stranger.token(), member, "{\"period\":\"2026-12\",\"credits\":99,\"reason\":\"r\"}")
                            .status())
                    .isEqualTo(404);
            assertThat(statement(member, YearMonth.of(2026, 12)).get("balance").asLong())
                    .isEqualTo(5);
            assertThat(hub.api()
                            .get("/api/v1/members/mem_nobody/credits?period=2026-12", tenant.token())
                            .status())
                    .isEqualTo(404);
        }
    }

    @Nested
    class Plans {
        @Test
        void aPlanCarriesItsMonthlyCreditsAndWhetherItIsCreditsOnly() {
            String plan = plan(member, 12, true, null);
            JsonNode shown =
                    hub.api().get("/api/v1/plans/" + plan, tenant.token()).json();
            assertThat(shown.get("creditsPerMonth").asLong()).isEqualTo(12);
            assertThat(shown.get("creditsOnly").asBoolean()).isTrue();
            JsonNode renamed = hub.api()
                    .patch("/api/v1/plans/" + plan, tenant.token(), "{\"name\":\"Flex\"}")
                    .json();
            assertThat(renamed.get("creditsPerMonth").asLong()).as("kept").isEqualTo(12);
            JsonNode changed = hub.api()
                    .patch("/api/v1/plans/" + plan, tenant.token(), "{\"creditsPerMonth\":4,\"creditsOnly\":false}")
                    .json();
            assertThat(changed.get("creditsPerMonth").asLong()).isEqualTo(4);
            assertThat(changed.get("creditsOnly").asBoolean()).isFalse();
            for (String body : List.of(
                    "{\"creditsPerMonth\":-1}",
                    "{\"creditsPerMonth\":\"4\"}",
                    "{\"creditsPerMonth\":null}",
                    "{\"creditsOnly\":\"yes\"}")) {
                Api.Response refused = hub.api().patch("/api/v1/plans/" + plan, tenant.token(), body);
                assertThat(refused.status()).as(body).isEqualTo(422);
            }
            assertThat(hub.api()
                            .get("/api/v1/plans/" + plan, tenant.token())
                            .json()
                            .get("creditsPerMonth")
                            .asLong())
                    .isEqualTo(4);
        }
    }
}
