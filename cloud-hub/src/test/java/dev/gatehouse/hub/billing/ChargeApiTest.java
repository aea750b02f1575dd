package dev.gatehouse.hub.billing;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.gatehouse.hub.store.Sql;
import dev.gatehouse.hub.store.StoreKind;
import dev.gatehouse.hub.testing.Api;
import dev.gatehouse.hub.testing.TestHub;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalTime;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.Parameter;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Booking overage and one-off charges on both stores: a booking beyond the member's credits is
 * charged once at its price fixed then, a cancellation in time (replayed ten times) credits it once,
 * and the billing run puts every booking charge on exactly one invoice line; a one-off charge is made
 * once per idempotency key, and bad input is refused with nothing written.
 */
@ParameterizedClass
@EnumSource(StoreKind.class)
class ChargeApiTest extends TimeTravelHub {
    private static final ZoneId BERLIN = ZoneId.of("Europe/Berlin");

    @Parameter
    StoreKind store;

    private TestHub.Tenant tenant;
    private String site;
    private String member;

    @BeforeEach
    void tenant() {
        clock.moveTo(Instant.parse("2027-03-10T09:00:00Z"));
        tenant = hub.newTenant("charges");
        site = Billing.berlin(hub, tenant);
        member = Billing.member(hub, tenant, "ada");
    }

    private List<JsonNode> charges() {
        Api.Response answer = hub.api().get("/api/v1/members/" + member + "/charges", tenant.token());
        assertThat(answer.status()).as(answer.toString()).isEqualTo(200);
        List<JsonNode> items = new ArrayList<>();
        answer.json().get("items").forEach(items::add);
        return items;
    }

    private List<JsonNode> run() {
        Api.Response ran = hub.api().post("/api/v1/billing/run", tenant.token(), "");
        assertThat(ran.status()).as(ran.toString()).isEqualTo(200);
        List<JsonNode> issued = new ArrayList<>();
        ran.json().get("issued").forEach(issued::add);
        return issued;
    }

    /** Every charge of the tenant's members is on exactly one line of one document. */
    private void everyChargeOnExactlyOneLine() {
        hub.hub().database().run(c -> {
            assertThat(Sql.list(
                            c,
                            "SELECT bc.id FROM billing_charges bc WHERE bc.tenant_id = ? AND (SELECT COUNT(*) FROM"
                                    + " invoice_lines l WHERE l.charge_id = bc.id) <> 1",
                            Sql.STRING,
                            tenant.id()))
                    .as("charges not on exactly one invoice line")
                    .isEmpty();
            assertThat(Sql.list(
                            c,
                            "SELECT bc.id FROM billing_charges bc JOIN invoice_lines l ON l.charge_id = bc.id"
                                    + " WHERE bc.tenant_id = ? AND (bc.invoice_id IS NULL OR bc.invoice_id <>"
                                    + " l.invoice_id)",
                            Sql.STRING,
                            tenant.id()))
                    .as("charges whose link and line disagree")
                    .isEmpty();
        });
    }

    @Nested
    class Overage {
        private String room;
        private final LocalDate day = LocalDate.of(2027, 3, 15);

        @BeforeEach
        void plan() {
            String plan = hub.create(
                    "/api/v1/plans",
                    tenant.token(),
                    "{\"name\":\"Flex\",\"doorGroupIds\":[],\"creditsPerMonth\":2,\"creditsOnly\":false}");
            Api.Response assigned = hub.api().put("/api/v1/members/" + member + "/plans/" + plan, tenant.token(), "{}");
            assertThat(assigned.status()).as(assigned.toString()).isEqualTo(201);
            // 2 credits and 25.00 an hour; cancellations refund until a day before the start.
            room = hub.create(
                    "/api/v1/sites/" + site + "/resources",
                    tenant.token(),
                    "{\"name\":\"Room Ada\",\"kind\":\"meeting-room\",\"pricePerHour\":2500,\"creditsPerHour\":2,"
                            + "\"rules\":{\"cancelWindowMinutes\":1440}}");
        }

        private JsonNode book(String from, String to) {
            Instant start = day.atTime(LocalTime.parse(from)).atZone(BERLIN).toInstant();
            Instant end = day.atTime(LocalTime.parse(to)).atZone(BERLIN).toInstant();
            Api.Response booked = hub.api()
                    .post(
                            "/api/v1/bookings",
                            tenant.token(),
                            "{\"resourceId\":\"" + room + "\",\"memberId\":\"" + member + "\",\"start\":\"" + start
                                    + "\",\"end\":\"" + end + "\"}");
            assertThat(booked.status()).as(booked.toString()).isEqualTo(201);
            return booked.json();
        }

        @Test
        void overageIsChargedOnceAndInvoicedOnExactlyOneLine() {
            // Three hours: 6 credits, the month's allowance covers 2; 4 credits of 6 are overage, 4/6 of 75.00.
            book("10:00", "13:00");
            List<JsonNode> charges = charges();
            assertThat(charges).hasSize(1);
            assertThat(charges.getFirst().get("kind").asText()).isEqualTo("booking-overage");
            assertThat(charges.getFirst().get("amount").asLong()).isEqualTo(5000);
            assertThat(charges.getFirst().get("currency").asText()).isEqualTo("EUR");

            List<JsonNode> first = run();
            assertThat(first).hasSize(1);
            assertThat(first.getFirst().get("lines")).hasSize(1);
            assertThat(first.getFirst().get("subtotal").asLong()).isEqualTo(5000);
            assertThat(run()).as("a second run finds nothing more to issue").isEmpty();
            everyChargeOnExactlyOneLine();
        }

        @Test
        void overageIsInvoicedWithTheMembersOtherCharges() {
            // A subscription's period, a booking's overage and a one-off: one document, a line each, in
            // the order they were written.
            String monthly = Billing.monthly(hub, tenant, "Monthly", 19900);
            Billing.subscribe(hub, tenant, member, monthly, site);
            book("10:00", "13:00");
            Api.Response oneOff = hub.api()
                    .post(
                            "/api/v1/members/" + member + "/charges",
                            tenant.token(),
                            "{\"description\":\"Locker key\",\"amount\":700,\"currency\":\"EUR\","
                                    + "\"idempotencyKey\":\"locker-1\"}");
            assertThat(oneOff.status()).as(oneOff.toString()).isEqualTo(201);

            List<JsonNode> issued = run();
            assertThat(issued).hasSize(1);
            assertThat(issued.getFirst().get("lines"))
                    .extracting(line -> line.get("amount").asLong())
                    .containsExactly(19900L, 5000L, 700L);
            assertThat(issued.getFirst().get("subtotal").asLong()).isEqualTo(19900 + 5000 + 700);
            everyChargeOnExactlyOneLine();
        }

        @Test
        void cancellingInTimeTenTimesCreditsTheOverageOnce() {
            JsonNode booking = book("10:00", "12:00"); // 4 credits: 2 covered, 2 overage = 25.00
            assertThat(run()).hasSize(1); // the overage is invoiced before the cancellation
            for (int i = 0; i < 10; i++) {
                Api.Response cancelled = hub.api()
                        .post("/api/v1/bookings/" + booking.get("id").asText() + "/cancel", tenant.token(), "");
                assertThat(cancelled.status()).as(cancelled.toString()).isEqualTo(200);
            }
            List<JsonNode> charges = charges();
            assertThat(charges)
                    .extracting(
                            c -> c.get("kind").asText() + " " + c.get("amount").asLong())
                    .containsExactly("booking-overage 2500", "booking-overage-credit -2500");
            List<JsonNode> issued = run();
            assertThat(issued).hasSize(1);
            assertThat(issued.getFirst().get("kind").asText()).isEqualTo("credit-note");
            assertThat(issued.getFirst().get("subtotal").asLong()).isEqualTo(-2500);
            everyChargeOnExactlyOneLine();
        }

        @Test
        void aLateCancellationLeavesTheOverageDue() {
            JsonNode booking = book("10:00", "12:00");
            clock.moveTo(day.atTime(9, 0).atZone(BERLIN).toInstant()); // inside the day's window
            Api.Response cancelled =
                    hub.api().post("/api/v1/bookings/" + booking.get("id").asText() + "/cancel", tenant.token(), "");
            assertThat(cancelled.status()).as(cancelled.toString()).isEqualTo(200);
            assertThat(charges()).extracting(c -> c.get("kind").asText()).containsExactly("booking-overage");
        }
    }

    @Nested
    class OneOff {
        private Api.Response charge(String token, String who, String body) {
            return hub.api().post("/api/v1/members/" + who + "/charges", token, body);
        }

        private static String body(String key, long amount, String currency) {
            return "{\"description\":\"Replacement key card\",\"amount\":" + amount + ",\"currency\":\"" + currency
                    + "\",\"idempotencyKey\":\"" + key + "\"}";
        }

        @Test
        void aRetriedKeyChargesOnceAndTheRunInvoicesIt() {
            String finance = Billing.token(hub, tenant, "finance");
            Api.Response made = charge(finance, member, body("card-1", 1500, "EUR"));
            assertThat(made.status()).as(made.toString()).isEqualTo(201);
            assertThat(made.json().get("kind").asText()).isEqualTo("one-off");
            for (int i = 0; i < 3; i++) {
                Api.Response again = charge(finance, member, body("card-1", 1500, "EUR"));
                assertThat(again.status()).as(again.toString()).isEqualTo(200);
                assertThat(again.json().get("id").asText())
                        .isEqualTo(made.json().get("id").asText());
            }
            Api.Response reused = charge(finance, member, body("card-1", 9900, "EUR"));
            assertThat(reused.status()).as(reused.toString()).isEqualTo(409);
            assertThat(charges()).hasSize(1);

            List<JsonNode> issued = run();
            assertThat(issued).hasSize(1);
            assertThat(issued.getFirst().get("lines").get(0).get("description").asText())
                    .isEqualTo("Replacement key card");
            assertThat(issued.getFirst().get("subtotal").asLong()).isEqualTo(1500);
            // Retried after it was invoiced: still the one charge, nothing new to issue.
            assertThat(charge(finance, member, body("card-1", 1500, "EUR")).status())
                    .isEqualTo(200);
            assertThat(run()).isEmpty();
            everyChargeOnExactlyOneLine();
        }

        @Test
        void eightConcurrentRetriesOfOneKeyChargeOnce() throws Exception {
            // A client that times out and retries at once: the member's lock orders the requests, so the
            // first writes and the rest find its charge.
            ExecutorService pool = Executors.newFixedThreadPool(8);
            List<Api.Response> answers = new ArrayList<>();
            try {
                List<Callable<Api.Response>> calls = new ArrayList<>();
                for (int i = 0; i < 8; i++) {
                    calls.add(() -> charge(tenant.token(), member, body("desk-setup", 4000, "EUR")));
                }
                for (Future<Api.Response> answer : pool.invokeAll(calls)) {
                    answers.add(answer.get(60, TimeUnit.SECONDS));
                }
            } finally {
                pool.shutdownNow();
            }
            assertThat(answers).extracting(Api.Response::status).containsOnly(200, 201);
            assertThat(answers.stream().filter(a -> a.status() == 201)).hasSize(1);
            assertThat(answers.stream().map(a -> a.json().get("id").asText()).distinct())
                    .hasSize(1);
            assertThat(charges()).hasSize(1);
        }

        @Test
        void badInputIsRefusedClearlyAndWritesNothing() {
            TestHub.Tenant other = hub.newTenant("elsewhere");
            String stranger = Billing.member(hub, other, "eve");
            Api.Response negative = charge(tenant.token(), member, body("k1", -500, "EUR"));
            assertThat(negative.status()).isEqualTo(422);
            assertThat(negative.text()).contains("amount").contains("-500");
            assertThat(charge(tenant.token(), member, body("k2", 0, "EUR")).status())
                    .isEqualTo(422);
            Api.Response usd = charge(tenant.token(), member, body("k3", 500, "USD"));
            assertThat(usd.status()).isEqualTo(422);
            assertThat(usd.text()).contains("bills in EUR");
            assertThat(charge(tenant.token(), member, "{\"description\":\"x\",\"amount\":500,\"currency\":\"EUR\"}")
                            .text())
                    .contains("idempotencyKey");
            assertThat(charge(tenant.token(), "mem_nobody", body("k4", 500, "EUR"))
                            .status())
                    .isEqualTo(404);
            assertThat(charge(tenant.token(), stranger, body("k5", 500, "EUR")).status())
                    .as("another tenant's member")
                    .isEqualTo(404);
            assertThat(charge(Billing.token(hub, tenant, "front-desk"), member, body("k6", 500, "EUR"))
                            .status())
                    .isEqualTo(403);
            assertThat(charges()).isEmpty();
            assertThat(run()).isEmpty();
        }
    }
}
