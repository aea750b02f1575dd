package dev.gatehouse.hub.billing;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.gatehouse.hub.store.StoreKind;
import dev.gatehouse.hub.testing.Api;
import dev.gatehouse.hub.testing.MovableClock;
import dev.gatehouse.hub.testing.TestHub;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.AfterParameterizedClassInvocation;
import org.junit.jupiter.params.BeforeParameterizedClassInvocation;
import org.junit.jupiter.params.Parameter;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Manual payments (bank transfers, cash) through the API on both stores: recorded once per
 * idempotency key however often a request is retried, refused with a clear error and no change for
 * every bad input, an invoice's open balance always its total less its payments, due dates from the
 * tenant's payment terms, and the unpaid list dunning will read.
 */
@ParameterizedClass
@EnumSource(StoreKind.class)
class PaymentsApiTest {
    static MovableClock clock;
    static TestHub hub;

    @Parameter
    StoreKind store;

    private TestHub.Tenant tenant;
    private String site;
    private String monthly;

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
    void catalogue() {
        clock.moveTo(Instant.parse("2027-03-10T11:00:00Z"));
        tenant = hub.newTenant("payments");
        site = Billing.berlin(hub, tenant);
        monthly = Billing.monthly(hub, tenant, "Monthly", 19900);
        Api.Response vat =
                hub.api().patch("/api/v1/billing/tax", tenant.token(), "{\"name\":\"USt.\",\"rateBasisPoints\":1900}");
        assertThat(vat.status()).as(vat.toString()).isEqualTo(200);
    }

    /** A member on Monthly since 10 March, invoiced 16806 (14123 and 19 % tax). */
    private JsonNode invoiced(String name) {
        JsonNode invoice = Billing.invoiced(hub, tenant, site, monthly, name);
        assertThat(invoice.get("total").asLong()).isEqualTo(16806);
        return invoice;
    }

    private Api.Response pay(String invoice, String body) {
        return hub.api().post("/api/v1/invoices/" + invoice + "/payments", tenant.token(), body);
    }

    private static String transfer(long amount, String key) {
        return "{\"amount\":" + amount + ",\"method\":\"bank-transfer\",\"reference\":\"SEPA 2027-03-12\""
                + ",\"idempotencyKey\":\"" + key + "\"}";
    }

    /** The invoice's payments read back, checking the invariant every time: open = total − Σ payments. */
    private JsonNode balance(String invoice) {
        return Billing.balance(hub, tenant, invoice);
    }

    @Test
    void aTransferIsRecordedOnceHoweverOftenItIsRetried() {
        // An operator's client retries after a timeout: the bank sent the money once, the books say once.
        String invoice = invoiced("ada").get("id").asText();
        Api.Response first = pay(invoice, transfer(6806, "transfer-ada-0001"));
        assertThat(first.status()).as(first.toString()).isEqualTo(201);
        assertThat(first.json().get("provider").asText()).isEqualTo("manual");
        assertThat(first.json().get("method").asText()).isEqualTo("bank-transfer");
        for (int i = 0; i < 3; i++) {
            Api.Response again = pay(invoice, transfer(6806, "transfer-ada-0001"));
            assertThat(again.status()).as(again.toString()).isEqualTo(200);
            assertThat(again.json().get("id")).isEqualTo(first.json().get("id"));
        }
        // The key may come as the Idempotency-Key header too: the same payment.
        Api.Response byHeader = withHeader(
                invoice, "{\"amount\":6806,\"method\":\"bank-transfer\",\"reference\":\"x\"}", "transfer-ada-0001");
        assertThat(byHeader.status()).as(byHeader.toString()).isEqualTo(200);
        assertThat(byHeader.json().get("id")).isEqualTo(first.json().get("id"));
        JsonNode after = balance(invoice);
        assertThat(after.get("items")).hasSize(1);
        assertThat(after.get("open").asLong()).isEqualTo(10000);

        // The rest, with a new key, settles it; the invoice itself never changed.
        assertThat(pay(invoice, transfer(10000, "transfer-ada-0002")).status()).isEqualTo(201);
        assertThat(balance(invoice).get("open").asLong()).isZero();
        assertThat(hub.api()
                        .get("/api/v1/invoices/" + invoice, tenant.token())
                        .json()
                        .get("total")
                        .asLong())
                .isEqualTo(16806);
        assertThat(unpaid(Instant.parse("2027-06-01T00:00:00Z"))).isEmpty();
    }

    @Test
    void everyBadPaymentIsRefusedClearlyAndChangesNothing() {
        String invoice = invoiced("ada").get("id").asText();
        assertThat(pay(invoice, transfer(6806, "transfer-ada-0001")).status()).isEqualTo(201);
        JsonNode before = balance(invoice);

        Api.Response over = pay(invoice, transfer(10001, "over-0001"));
        assertThat(over.status()).isEqualTo(409);
        assertThat(over.text()).contains("more than the open balance of 10000");
        Api.Response francs = pay(
                invoice,
                "{\"amount\":100,\"currency\":\"CHF\",\"method\":\"cash\",\"reference\":\"till\""
                        + ",\"idempotencyKey\":\"chf-000001\"}");
        assertThat(francs.status()).isEqualTo(422);
        assertThat(francs.text()).contains("currency").contains("is in EUR");
        Api.Response zero = pay(invoice, transfer(0, "zero-000001"));
        assertThat(zero.status()).isEqualTo(422);
        assertThat(zero.text()).contains("amount");
        Api.Response negative = pay(invoice, transfer(-500, "negative-01"));
        assertThat(negative.status()).isEqualTo(422);
        Api.Response fraction = pay(
                invoice, "{\"amount\":12.5,\"method\":\"cash\",\"reference\":\"r\",\"idempotencyKey\":\"frac-0001\"}");
        assertThat(fraction.status()).isEqualTo(422);
        Api.Response noKey = pay(invoice, "{\"amount\":100,\"method\":\"cash\",\"reference\":\"till\"}");
        assertThat(noKey.status()).isEqualTo(422);
        assertThat(noKey.text()).contains("idempotencyKey");
        Api.Response badMethod = pay(
                invoice, "{\"amount\":100,\"method\":\"cheque\",\"reference\":\"r\",\"idempotencyKey\":\"m-0000001\"}");
        assertThat(badMethod.status()).isEqualTo(422);
        assertThat(badMethod.text()).contains("bank-transfer");
        // A key already used for another amount: a conflict, not a second payment.
        Api.Response reused = pay(invoice, transfer(100, "transfer-ada-0001"));
        assertThat(reused.status()).isEqualTo(409);
        assertThat(reused.text()).contains("was used for a payment of 6806");
        Api.Response unknown = pay("inv_nothing", transfer(100, "unknown-001"));
        assertThat(unknown.status()).isEqualTo(404);
        Api.Response rival = hub.api()
                .post(
                        "/api/v1/invoices/" + invoice + "/payments",
                        hub.newTenant("payments-rival").token(),
                        transfer(100, "rival-00001"));
        assertThat(rival.status()).isEqualTo(404);
        Api.Response desk = hub.api()
                .post(
                        "/api/v1/invoices/" + invoice + "/payments",
                        Billing.token(hub, tenant, "front-desk"),
                        transfer(100, "desk-000001"));
        assertThat(desk.status()).isEqualTo(403);

        assertThat(balance(invoice)).isEqualTo(before);
    }

    @Test
    void aCreditNoteIsNotPaid() {
        String ada = invoiced("ada").get("memberId").asText();
        String sub = hub.api()
                .get("/api/v1/members/" + ada + "/subscriptions", tenant.token())
                .json()
                .at("/items/0/id")
                .asText();
        clock.moveTo(Instant.parse("2027-03-12T11:00:00Z"));
        assertThat(hub.api()
                        .post("/api/v1/subscriptions/" + sub + "/cancel", tenant.token(), "{\"when\":\"now\"}")
                        .status())
                .isEqualTo(200);
        JsonNode credit = hub.api()
                .post("/api/v1/members/" + ada + "/invoices", tenant.token(), "")
                .json();
        assertThat(credit.get("kind").asText()).isEqualTo("credit-note");
        Api.Response refused = pay(credit.get("id").asText(), transfer(100, "credit-0001"));
        assertThat(refused.status()).isEqualTo(409);
        assertThat(refused.text()).contains("is a credit note");
        assertThat(balance(credit.get("id").asText()).get("items")).isEmpty();
        // A credit note is money owed to the member, never an unpaid invoice.
        assertThat(unpaid(Instant.parse("2027-06-01T00:00:00Z")))
                .extracting(u -> u.get("number").asText())
                .containsExactly("INV-000001");
    }

    @Test
    void concurrentRetriesAndRacingPaymentsCountOnce() throws Exception {
        String invoice = invoiced("ada").get("id").asText();
        ExecutorService pool = Executors.newFixedThreadPool(8);
        try {
            // Eight retries of one payment, at once: one payment.
            List<Callable<Api.Response>> retries = new ArrayList<>();
            for (int i = 0; i < 8; i++) {
                retries.add(() -> pay(invoice, transfer(6806, "race-retry-01")));
            }
            List<Integer> statuses = new ArrayList<>();
            for (Future<Api.Response> answer : pool.invokeAll(retries)) {
                statuses.add(answer.get().status());
            }
            assertThat(statuses.stream().filter(s -> s == 201)).hasSize(1);
            assertThat(statuses).containsOnly(201, 200);
            // Eight different payments of the whole rest, at once: only one fits the balance.
            List<Callable<Api.Response>> racing = new ArrayList<>();
            for (int i = 0; i < 8; i++) {
                String key = "race-rest-0" + i;
                racing.add(() -> pay(invoice, transfer(10000, key)));
            }
            statuses.clear();
            for (Future<Api.Response> answer : pool.invokeAll(racing)) {
                statuses.add(answer.get().status());
            }
            assertThat(statuses.stream().filter(s -> s == 201)).hasSize(1);
            assertThat(statuses).containsOnly(201, 409);
        } finally {
            pool.shutdownNow();
        }
        JsonNode after = balance(invoice);
        assertThat(after.get("items")).hasSize(2);
        assertThat(after.get("open").asLong()).isZero();
    }

    @Test
    void invoicesAreDueAfterTheTermsAndUnpaidOnesCountTheirDaysOverdue() {
        assertThat(hub.api()
                        .get("/api/v1/billing/payment-terms", tenant.token())
                        .json()
                        .get("days")
                        .asInt())
                .isEqualTo(14);
        Api.Response terms = hub.api().patch("/api/v1/billing/payment-terms", tenant.token(), "{\"days\":10}");
        assertThat(terms.status()).as(terms.toString()).isEqualTo(200);
        assertThat(hub.api()
                        .patch("/api/v1/billing/payment-terms", tenant.token(), "{\"days\":-1}")
                        .status())
                .isEqualTo(422);
        JsonNode invoice = invoiced("ada");
        assertThat(invoice.get("dueAt").asText()).isEqualTo("2027-03-20T11:00:00Z");

        assertThat(unpaid(Instant.parse("2027-03-15T00:00:00Z")))
                .singleElement()
                .satisfies(u -> {
                    assertThat(u.get("open").asLong()).isEqualTo(16806);
                    assertThat(u.get("daysOverdue").asLong()).isZero();
                });
        // Two whole days and a bit past the due moment.
        assertThat(unpaid(Instant.parse("2027-03-22T12:00:00Z")))
                .singleElement()
                .satisfies(u -> assertThat(u.get("daysOverdue").asLong()).isEqualTo(2));
        // Half paid: still unpaid, for the rest.
        pay(invoice.get("id").asText(), transfer(8000, "half-000001"));
        assertThat(unpaid(Instant.parse("2027-03-22T12:00:00Z")))
                .singleElement()
                .satisfies(u -> assertThat(u.get("open").asLong()).isEqualTo(8806));
        pay(invoice.get("id").asText(), transfer(8806, "rest-000001"));
        assertThat(unpaid(Instant.parse("2027-03-22T12:00:00Z"))).isEmpty();
    }

    private List<JsonNode> unpaid(Instant asOf) {
        Api.Response list = hub.api().get("/api/v1/billing/unpaid?asOf=" + asOf, tenant.token());
        assertThat(list.status()).as(list.toString()).isEqualTo(200);
        List<JsonNode> items = new ArrayList<>();
        list.json().get("items").forEach(items::add);
        return items;
    }

    private Api.Response withHeader(String invoice, String body, String key) {
        HttpRequest request = HttpRequest.newBuilder(URI.create(
                        "http://127.0.0.1:" + hub.hub().port() + "/api/v1/invoices/" + invoice + "/payments"))
                .timeout(Duration.ofSeconds(30))
                .header("Authorization", "Bearer " + tenant.token())
                .header("Content-Type", "application/json")
                .header("Idempotency-Key", key)
                .POST(HttpRequest.BodyPublishers.ofString(body))
                .build();
        try (HttpClient client = HttpClient.newHttpClient()) {
            HttpResponse<String> response = client.send(request, HttpResponse.BodyHandlers.ofString());
            return new Api.Response(response.statusCode(), response.headers(), response.body());
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
