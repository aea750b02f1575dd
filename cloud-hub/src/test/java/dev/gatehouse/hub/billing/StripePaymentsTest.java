package dev.gatehouse.hub.billing;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.gatehouse.hub.mqtt.MqttSettings;
import dev.gatehouse.hub.store.StoreKind;
import dev.gatehouse.hub.testing.Api;
import dev.gatehouse.hub.testing.MovableClock;
import dev.gatehouse.hub.testing.TestHub;
import dev.gatehouse.hub.web.Json;
import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.AfterParameterizedClassInvocation;
import org.junit.jupiter.params.BeforeParameterizedClassInvocation;
import org.junit.jupiter.params.Parameter;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Stripe through the official client against a local stand-in, on both stores: a customer once per
 * member, a card saved by SetupIntent, an invoice charged by a PaymentIntent whose idempotency key
 * makes a retry the same charge, and the payment recorded by the signed webhook — which the hub
 * accepts duplicated, reordered and late (within 300 s) with the same books, and refuses forged,
 * tampered or stale, writing nothing.
 */
@ParameterizedClass
@EnumSource(StoreKind.class)
class StripePaymentsTest {
    static MovableClock clock;
    static StripeStandIn stripe;
    static TestHub hub;

    @Parameter
    StoreKind store;

    private TestHub.Tenant tenant;
    private String site;
    private String monthly;
    private String secretKey;
    private String webhookSecret;

    @BeforeParameterizedClassInvocation
    static void start(StoreKind kind) {
        clock = MovableClock.standingStill();
        stripe = StripeStandIn.start(clock);
        hub = TestHub.start(
                kind,
                clock,
                Optional.empty(),
                MqttSettings.disabled(),
                config -> config.withStripeApiBase(stripe.apiBase()));
    }

    @AfterParameterizedClassInvocation
    static void stop() {
        hub.close();
        stripe.close();
    }

    @BeforeEach
    void stripeAccount() {
        clock.moveTo(Instant.parse("2027-03-10T11:00:00Z"));
        tenant = hub.newTenant("stripe");
        site = Billing.berlin(hub, tenant);
        monthly = Billing.monthly(hub, tenant, "Monthly", 19900);
        hub.api().patch("/api/v1/billing/tax", tenant.token(), "{\"name\":\"USt.\",\"rateBasisPoints\":1900}");
        secretKey = stripe.newSecretKey();
        webhookSecret = "whsec_" + Long.toHexString(System.nanoTime()) + "standinsecret";
        Api.Response set = setStripe(tenant, secretKey, webhookSecret);
        assertThat(set.status()).as(set.toString()).isEqualTo(200);
    }

    private Api.Response setStripe(TestHub.Tenant who, String key, String hook) {
        return hub.api()
                .put(
                        "/api/v1/billing/stripe",
                        who.token(),
                        "{\"secretKey\":\"" + key + "\",\"webhookSecret\":\"" + hook + "\"}");
    }

    private URI hubUrl() {
        return URI.create("http://127.0.0.1:" + hub.hub().port());
    }

    /** A member on Monthly since 10 March, invoiced 16806 (14123 and 19 % tax). */
    private Invoiced invoiced(String name) {
        JsonNode invoice = Billing.invoiced(hub, tenant, site, monthly, name);
        assertThat(invoice.get("total").asLong()).isEqualTo(16806);
        return new Invoiced(invoice.get("memberId").asText(), invoice.get("id").asText());
    }

    private record Invoiced(String member, String invoice) {}

    /** The member's card saved: a SetupIntent the member confirms, then Stripe's webhook about it. */
    private void cardSaved(String member) {
        Api.Response setup = hub.api().post("/api/v1/members/" + member + "/stripe/setup-intents", tenant.token(), "");
        assertThat(setup.status()).as(setup.toString()).isEqualTo(201);
        assertThat(setup.json().get("clientSecret").asText())
                .startsWith(setup.json().get("id").asText() + "_secret");
        ObjectNode confirmed =
                stripe.confirmSetupIntent(secretKey, setup.json().get("id").asText());
        StripeStandIn.Delivered saved = deliver(stripe.event("setup_intent.succeeded", confirmed));
        assertThat(saved.status()).as(saved.body()).isEqualTo(200);
    }

    /** An invoiced member with a saved card, charged: the PaymentIntent as the stand-in keeps it. */
    private Charged charged(String name) {
        Invoiced invoiced = invoiced(name);
        cardSaved(invoiced.member());
        Api.Response charge = charge(invoiced.invoice());
        assertThat(charge.status()).as(charge.toString()).isEqualTo(202);
        String pi = charge.json().get("paymentIntentId").asText();
        ObjectNode intent = stripe.objects(secretKey, "payment_intent").stream()
                .filter(o -> o.get("id").asText().equals(pi))
                .findFirst()
                .orElseThrow();
        return new Charged(invoiced.member(), invoiced.invoice(), intent);
    }

    private record Charged(String member, String invoice, ObjectNode intent) {}

    private Api.Response charge(String invoice) {
        return hub.api().post("/api/v1/invoices/" + invoice + "/stripe/charge", tenant.token(), "");
    }

    private StripeStandIn.Delivered deliver(ObjectNode event) {
        return stripe.deliver(hubUrl(), tenant.id(), stripe.sign(event, webhookSecret));
    }

    private boolean stripeEnabled(TestHub.Tenant who) {
        return hub.api()
                .get("/api/v1/billing/stripe", who.token())
                .json()
                .get("enabled")
                .asBoolean();
    }

    private static ObjectNode somePaymentIntent() {
        return Json.MAPPER.createObjectNode().put("id", "pi_nowhere").put("object", "payment_intent");
    }

    private JsonNode balance(String invoice) {
        return Billing.balance(hub, tenant, invoice);
    }

    /** The member's Stripe customer, as the hub answers it (made at the first ask). */
    private JsonNode customer(String member) {
        Api.Response answer = hub.api().post("/api/v1/members/" + member + "/stripe/customer", tenant.token(), "");
        assertThat(answer.status()).as(answer.toString()).isEqualTo(200);
        return answer.json();
    }

    @Test
    void stripeIsOffUntilItsSecretsAreSetAndTheyAreNeverAnswered() {
        TestHub.Tenant off = hub.newTenant("stripe-off");
        assertThat(stripeEnabled(off)).isFalse();
        String member =
                hub.create("/api/v1/members", off.token(), "{\"email\":\"bo@example.com\",\"fullName\":\"Bo\"}");
        Api.Response refused = hub.api().post("/api/v1/members/" + member + "/stripe/customer", off.token(), "");
        assertThat(refused.status()).isEqualTo(409);
        assertThat(refused.text())
                .contains("Stripe is not set up for this tenant")
                .contains("PUT /api/v1/billing/stripe");
        StripeStandIn.Delivered nowhere = stripe.deliver(
                hubUrl(),
                off.id(),
                stripe.sign(stripe.event("payment_intent.succeeded", somePaymentIntent()), "whsec_anything1"));
        assertThat(nowhere.status()).isEqualTo(404);

        Api.Response bad = setStripe(off, "pk_test_notasecret", "nothook");
        assertThat(bad.status()).isEqualTo(422);
        assertThat(bad.text()).contains("secretKey").contains("webhookSecret");
        assertThat(stripeEnabled(off)).isFalse();

        // The tenant set up in @BeforeEach: masked, never the secrets, not in the audit log either.
        Api.Response shown = hub.api().get("/api/v1/billing/stripe", tenant.token());
        assertThat(shown.json().get("enabled").asBoolean()).isTrue();
        assertThat(shown.json().get("secretKey").asText())
                .startsWith("sk_test_…")
                .endsWith(secretKey.substring(secretKey.length() - 4));
        assertThat(shown.json().get("webhookPath").asText()).isEqualTo("/billing/stripe/webhook/" + tenant.id());
        assertThat(shown.text()).doesNotContain(secretKey).doesNotContain(webhookSecret);
        String audit = hub.api().get("/api/v1/audit", tenant.token()).text();
        assertThat(audit)
                .contains("billing.stripe.update")
                .doesNotContain(secretKey)
                .doesNotContain(webhookSecret);
        assertThat(hub.api()
                        .get("/api/v1/billing/stripe", Billing.token(hub, tenant, "front-desk"))
                        .status())
                .isEqualTo(403);
    }

    @Test
    void stripesRefusalIsPassedOnAndStripeCanBeTurnedOff() {
        // A key Stripe does not know: its own message comes back, as a 502 (the hub's request was fine).
        TestHub.Tenant wrong = hub.newTenant("stripe-wrong");
        assertThat(setStripe(wrong, "sk_test_notknownatstripe", "whsec_notknownatstripe")
                        .status())
                .isEqualTo(200);
        String member =
                hub.create("/api/v1/members", wrong.token(), "{\"email\":\"cy@example.com\",\"fullName\":\"Cy\"}");
        Api.Response refused = hub.api().post("/api/v1/members/" + member + "/stripe/customer", wrong.token(), "");
        assertThat(refused.status()).isEqualTo(502);
        assertThat(refused.text())
                .contains("Stripe did not create the customer")
                .contains("Invalid API Key");
        assertThat(hub.api()
                        .post("/api/v1/members/" + member + "/stripe/customer", wrong.token(), "")
                        .status())
                .isEqualTo(502);

        // Turned off: the secrets are gone, and so is the webhook endpoint.
        assertThat(hub.api().delete("/api/v1/billing/stripe", tenant.token()).status())
                .isEqualTo(204);
        assertThat(stripeEnabled(tenant)).isFalse();
        ObjectNode anything = stripe.event("payment_intent.succeeded", somePaymentIntent());
        assertThat(deliver(anything).status()).isEqualTo(404);
    }

    @Test
    void aSavedCardPaysTheInvoiceOnceWhenTheWebhookSaysItSucceeded() {
        Invoiced ada = invoiced("ada");
        // The customer is made once, however often it is asked for.
        String customer = customer(ada.member()).get("customerId").asText();
        assertThat(customer(ada.member()).get("customerId").asText()).isEqualTo(customer);
        assertThat(stripe.objects(secretKey, "customer"))
                .singleElement()
                .satisfies(c -> assertThat(c.get("email").asText()).isEqualTo("ada@example.com"));

        // No card yet: nothing is asked of Stripe.
        Api.Response noCard = charge(ada.invoice());
        assertThat(noCard.status()).isEqualTo(409);
        assertThat(noCard.text()).contains("no card saved");
        assertThat(stripe.objects(secretKey, "payment_intent")).isEmpty();

        cardSaved(ada.member());
        JsonNode withCard = customer(ada.member());
        assertThat(withCard.get("paymentMethodId").asText()).startsWith("pm_card_visa");

        assertThat(stripe.objects(secretKey, "setup_intent")).singleElement().satisfies(seti -> {
            assertThat(seti.get("customer").asText()).isEqualTo(customer);
            assertThat(seti.get("usage").asText()).isEqualTo("off_session");
        });
        Api.Response first = charge(ada.invoice());
        assertThat(first.status()).as(first.toString()).isEqualTo(202);
        assertThat(first.json().get("status").asText()).isEqualTo("processing");
        assertThat(first.json().get("amount").asLong()).isEqualTo(16806);
        // A retried charge is the same PaymentIntent: Stripe replays it under the invoice's key.
        Api.Response retry = charge(ada.invoice());
        assertThat(retry.json().get("paymentIntentId")).isEqualTo(first.json().get("paymentIntentId"));
        assertThat(stripe.requests(secretKey).stream().filter("POST /v1/payment_intents"::equals))
                .hasSize(2);
        ObjectNode intent = stripe.objects(secretKey, "payment_intent").getFirst();
        assertThat(stripe.objects(secretKey, "payment_intent")).hasSize(1);
        assertThat(intent.at("/metadata/gatehouse_invoice").asText()).isEqualTo(ada.invoice());
        assertThat(intent.get("customer").asText()).isEqualTo(customer);
        assertThat(intent.get("payment_method").asText())
                .isEqualTo(withCard.get("paymentMethodId").asText());
        assertThat(intent.get("currency").asText()).isEqualTo("eur");
        // Not paid until Stripe says so.
        assertThat(balance(ada.invoice()).get("open").asLong()).isEqualTo(16806);

        StripeStandIn.Delivered paid = deliver(stripe.event("payment_intent.succeeded", stripe.succeeded(intent)));
        assertThat(paid.status()).as(paid.body()).isEqualTo(200);
        assertThat(paid.json().get("outcome").asText()).isEqualTo("payment of 16806 recorded");
        JsonNode after = balance(ada.invoice());
        assertThat(after.get("open").asLong()).isZero();
        assertThat(after.get("items")).singleElement().satisfies(p -> {
            assertThat(p.get("provider").asText()).isEqualTo("stripe");
            assertThat(p.get("reference").asText()).isEqualTo(intent.get("id").asText());
        });
        Api.Response nothingOpen = charge(ada.invoice());
        assertThat(nothingOpen.status()).isEqualTo(409);
        assertThat(nothingOpen.text()).contains("no open balance");
    }

    @Test
    void duplicatedAndReorderedWebhooksGiveTheSameBooksEveryTime() {
        // Stripe's retries and its network at worst: each event three times, in shuffled orders.
        for (long seed = 1; seed <= 3; seed++) {
            Charged charged = charged("m" + seed);
            ObjectNode intent = charged.intent();
            List<ObjectNode> events = List.of(
                    stripe.event("payment_intent.payment_failed", stripe.declined(intent)),
                    stripe.event("payment_intent.succeeded", stripe.succeeded(intent)),
                    stripe.event("charge.refunded", stripe.refundedCharge(intent, 5000)),
                    stripe.event("charge.refunded", stripe.refundedCharge(intent, 8000)));
            List<StripeStandIn.Delivered> answers =
                    stripe.deliverAll(hubUrl(), tenant.id(), webhookSecret, events, new StripeStandIn.Faults(3, seed));
            assertThat(answers).extracting(StripeStandIn.Delivered::status).containsOnly(200);
            assertThat(answers.stream().filter(a -> !a.json().get("duplicate").asBoolean()))
                    .hasSize(4);
            // Paid 16806 once, refunded 8000 in all, whichever order: 8000 open again.
            JsonNode books = balance(charged.invoice());
            assertThat(books.get("paid").asLong()).as("seed " + seed).isEqualTo(8806);
            assertThat(books.get("open").asLong()).isEqualTo(8000);
            // One payment; the refunds as the charge's refunded total grew as this order saw it (5000 then
            // 3000 more, or 8000 at once when the later total came first): 8000 either way.
            List<Long> amounts = books.get("items").findValues("amount").stream()
                    .map(JsonNode::asLong)
                    .toList();
            assertThat(amounts.stream().filter(a -> a > 0)).containsExactly(16806L);
            assertThat(amounts.stream()
                            .filter(a -> a < 0)
                            .mapToLong(Long::longValue)
                            .sum())
                    .isEqualTo(-8000);

            // Any number of times more, as new deliveries of the same events or as new events: no change.
            stripe.deliverAll(hubUrl(), tenant.id(), webhookSecret, events, new StripeStandIn.Faults(2, seed + 10));
            assertThat(deliver(stripe.event("payment_intent.succeeded", stripe.succeeded(intent)))
                            .json()
                            .get("outcome")
                            .asText())
                    .isEqualTo("payment already recorded");
            assertThat(deliver(stripe.event("charge.refunded", stripe.refundedCharge(intent, 5000)))
                            .json()
                            .get("outcome")
                            .asText())
                    .startsWith("refund already recorded");
            assertThat(balance(charged.invoice())).isEqualTo(books);
        }
    }

    @Test
    void webhooksDeliveredConcurrentlyCountOnce() throws Exception {
        // Stripe retries while the first delivery is still being applied: copies race each other.
        Charged charged = charged("ada");
        ObjectNode intent = charged.intent();
        List<ObjectNode> events = List.of(
                stripe.event("payment_intent.succeeded", stripe.succeeded(intent)),
                stripe.event("charge.refunded", stripe.refundedCharge(intent, 2000)),
                stripe.event("charge.refunded", stripe.refundedCharge(intent, 6000)));
        List<Callable<StripeStandIn.Delivered>> deliveries = new ArrayList<>();
        for (ObjectNode event : events) {
            for (int i = 0; i < 4; i++) {
                StripeStandIn.Signed signed = stripe.sign(event, webhookSecret);
                deliveries.add(() -> stripe.deliver(hubUrl(), tenant.id(), signed));
            }
        }
        ExecutorService pool = Executors.newFixedThreadPool(8);
        List<StripeStandIn.Delivered> answers = new ArrayList<>();
        try {
            for (Future<StripeStandIn.Delivered> answer : pool.invokeAll(deliveries)) {
                answers.add(answer.get(60, TimeUnit.SECONDS));
            }
        } finally {
            pool.shutdownNow();
        }
        assertThat(answers).extracting(StripeStandIn.Delivered::status).containsOnly(200);
        assertThat(answers.stream().filter(a -> !a.json().get("duplicate").asBoolean()))
                .hasSize(3);
        JsonNode books = balance(charged.invoice());
        assertThat(books.get("paid").asLong()).isEqualTo(16806 - 6000);
        assertThat(books.get("open").asLong()).isEqualTo(6000);
    }

    @Test
    void aFailureArrivingAfterTheSuccessDoesNotUndoIt() {
        Charged charged = charged("ada");
        deliver(stripe.event("payment_intent.succeeded", stripe.succeeded(charged.intent())));
        StripeStandIn.Delivered late =
                deliver(stripe.event("payment_intent.payment_failed", stripe.declined(charged.intent())));
        assertThat(late.status()).isEqualTo(200);
        assertThat(late.json().get("outcome").asText()).contains("has succeeded; a failure does not undo it");
        assertThat(balance(charged.invoice()).get("open").asLong()).isZero();

        // A failure on its own changes no balance, and the next charge is a new attempt (a new key).
        Charged bo = charged("bo");
        StripeStandIn.Delivered declined =
                deliver(stripe.event("payment_intent.payment_failed", stripe.declined(bo.intent())));
        assertThat(declined.json().get("outcome").asText()).isEqualTo("failure noted: Your card was declined.");
        assertThat(balance(bo.invoice()).get("open").asLong()).isEqualTo(16806);
        Api.Response again = charge(bo.invoice());
        assertThat(again.status()).isEqualTo(202);
        assertThat(again.json().get("paymentIntentId").asText())
                .isNotEqualTo(bo.intent().get("id").asText());
    }

    @Test
    void aLateWebhookIsAcceptedWithinTheToleranceAndRefusedAfterIt() {
        Charged charged = charged("ada");
        ObjectNode succeeded = stripe.event("payment_intent.succeeded", stripe.succeeded(charged.intent()));
        // Signed now, delivered 301 s later: refused, and nothing is written.
        StripeStandIn.Signed stale = stripe.sign(succeeded, webhookSecret);
        clock.advance(Duration.ofSeconds(301));
        StripeStandIn.Delivered refused = stripe.deliver(hubUrl(), tenant.id(), stale);
        assertThat(refused.status()).isEqualTo(400);
        assertThat(refused.body()).contains("tolerance").contains("nothing was recorded");
        assertThat(balance(charged.invoice()).get("open").asLong()).isEqualTo(16806);

        // Signed now, delivered 299 s later: accepted — and not a duplicate, so the refusal wrote nothing.
        StripeStandIn.Signed late = stripe.sign(succeeded, webhookSecret);
        clock.advance(Duration.ofSeconds(299));
        StripeStandIn.Delivered accepted = stripe.deliver(hubUrl(), tenant.id(), late);
        assertThat(accepted.status()).as(accepted.body()).isEqualTo(200);
        assertThat(accepted.json().get("duplicate").asBoolean()).isFalse();
        assertThat(balance(charged.invoice()).get("open").asLong()).isZero();
    }

    @Test
    void forgedAndTamperedWebhooksAreRefusedAndWriteNothing() {
        Charged charged = charged("ada");
        ObjectNode succeeded = stripe.event("payment_intent.succeeded", stripe.succeeded(charged.intent()));

        StripeStandIn.Delivered forged = stripe.deliver(hubUrl(), tenant.id(), stripe.forged(succeeded));
        assertThat(forged.status()).isEqualTo(400);
        assertThat(forged.body()).contains("does not verify");
        // Signed, then the amount raised on the way.
        StripeStandIn.Signed genuine = stripe.sign(succeeded, webhookSecret);
        StripeStandIn.Delivered tampered = stripe.deliver(
                hubUrl(), tenant.id(), genuine.tampered("\"amount_received\":16806", "\"amount_received\":99999"));
        assertThat(tampered.status()).isEqualTo(400);
        StripeStandIn.Delivered garbage =
                stripe.deliver(hubUrl(), tenant.id(), new StripeStandIn.Signed(genuine.payload(), "t=abc,v1=nothex"));
        assertThat(garbage.status()).isEqualTo(400);
        // Another tenant's endpoint: signed with this tenant's secret, so not its.
        TestHub.Tenant other = hub.newTenant("stripe-other");
        setStripe(other, stripe.newSecretKey(), "whsec_otherothersecret");
        assertThat(stripe.deliver(hubUrl(), other.id(), genuine).status()).isEqualTo(400);
        assertThat(balance(charged.invoice()).get("open").asLong()).isEqualTo(16806);

        // The genuine delivery is the first the inbox sees.
        StripeStandIn.Delivered real = stripe.deliver(hubUrl(), tenant.id(), genuine);
        assertThat(real.status()).isEqualTo(200);
        assertThat(real.json().get("duplicate").asBoolean()).isFalse();
        assertThat(balance(charged.invoice()).get("open").asLong()).isZero();
    }
}
