package dev.gatehouse.hub.billing;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.gatehouse.hub.audit.Audit;
import dev.gatehouse.hub.store.WireNames;
import dev.gatehouse.hub.tenants.Caller;
import dev.gatehouse.hub.tenants.Permission;
import dev.gatehouse.hub.web.Input;
import dev.gatehouse.hub.web.Json;
import dev.gatehouse.hub.web.PathIds;
import dev.gatehouse.hub.web.QueryParameters;
import dev.gatehouse.hub.web.StoreResults;
import io.helidon.http.HeaderNames;
import io.helidon.http.Status;
import io.helidon.webserver.http.HttpRules;
import io.helidon.webserver.http.HttpService;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * Payments (issue 16 item 6), for finance (and owners): manual payments and Stripe behind one
 * {@link PaymentProvider} interface, the tenant's payment terms, its Stripe secrets and the unpaid
 * invoices.
 *
 * <pre>
 * GET    /api/v1/invoices/{invoiceId}/payments         {invoice, total, paid, open, dueAt, items}
 * POST   /api/v1/invoices/{invoiceId}/payments         record a bank transfer or cash: 201; 200 replaying the same key
 * POST   /api/v1/invoices/{invoiceId}/stripe/charge    charge the open balance to the saved card: 202 the PaymentIntent
 * GET    /api/v1/billing/unpaid?asOf=                  invoices with an open balance and their days overdue
 * GET    /api/v1/billing/payment-terms                 {days}
 * PATCH  /api/v1/billing/payment-terms                 {days}: for invoices issued from now
 * GET    /api/v1/billing/stripe                        {enabled, secretKey, webhookSecret (masked), webhookPath}
 * PUT    /api/v1/billing/stripe                        {secretKey, webhookSecret}
 * DELETE /api/v1/billing/stripe                        Stripe off: 204
 * POST   /api/v1/members/{memberId}/stripe/customer    the member's Stripe customer, made once
 * POST   /api/v1/members/{memberId}/stripe/setup-intents  a SetupIntent to save a card: 201 {id, clientSecret}
 * </pre>
 */
public record PaymentService(
        PaymentStore store, ManualPayments manual, StripePayments stripe, Audit audit, Clock clock, int maxBody)
        implements HttpService {
    private static final Pattern KEY = Pattern.compile("[\\x21-\\x7e]{8,255}");
    private static final Pattern SECRET_KEY = Pattern.compile("(sk|rk)_(test|live)_[A-Za-z0-9]{8,247}");
    private static final Pattern WEBHOOK_SECRET = Pattern.compile("whsec_[A-Za-z0-9+/=]{8,250}");
    /** The highest single payment: ten million in major units of a two-decimal currency. */
    private static final long MAX_AMOUNT = 1_000_000_000L;

    /** How the money came, for a payment an operator records. */
    public enum Method {
        BANK_TRANSFER,
        CASH,
        CARD,
        OTHER
    }

    @Override
    public void routing(HttpRules rules) {
        rules.get("/invoices/{invoiceId}/payments", this::payments)
                .post("/invoices/{invoiceId}/payments", this::record)
                .post("/invoices/{invoiceId}/stripe/charge", this::charge)
                .get("/billing/unpaid", this::unpaid)
                .get("/billing/payment-terms", this::terms)
                .patch("/billing/payment-terms", this::setTerms)
                .get("/billing/stripe", this::stripeSettings)
                .put("/billing/stripe", this::setStripe)
                .delete("/billing/stripe", this::removeStripe)
                .post("/members/{memberId}/stripe/customer", this::customer)
                .post("/members/{memberId}/stripe/setup-intents", this::setupIntent);
    }

    private void payments(ServerRequest req, ServerResponse res) {
        Caller.Operator caller = Caller.require(req, Permission.FINANCE);
        String id = PathIds.id(req, "invoiceId", "invoice");
        Json.ok(res, json(StoreResults.value(store.balance(caller.tenantId(), id))));
    }

    private void record(ServerRequest req, ServerResponse res) {
        Caller.Operator caller = Caller.require(req, Permission.FINANCE);
        String id = PathIds.id(req, "invoiceId", "invoice");
        PaymentProvider.Request request = manualRequest(
                Input.of(Json.object(req, maxBody), MANUAL_FIELDS),
                req.headers().first(HeaderNames.create("Idempotency-Key")),
                caller.actor().id());
        PaymentProvider.Collected collected = StoreResults.value(manual.collect(caller.tenantId(), id, request));
        switch (collected) {
            case PaymentProvider.Collected.Recorded recorded
            when recorded.replayed() -> Json.ok(res, json(recorded.payment()));
            case PaymentProvider.Collected.Recorded recorded -> {
                audit.record(req, caller, "payment.record", "invoice", id, null, null, json(recorded.payment()));
                Json.created(res, json(recorded.payment()));
            }
            case PaymentProvider.Collected.Pending pending ->
                throw new IllegalStateException("a manual payment is never pending: " + pending);
        }
    }

    /** The fields of a manual payment's body. */
    public static final String[] MANUAL_FIELDS = {"amount", "currency", "method", "reference", "idempotencyKey"};

    /**
     * A manual payment's body (and the {@code Idempotency-Key} header, when sent) read into a request;
     * every problem in one {@link dev.gatehouse.hub.web.ApiException} naming its field. The console's
     * payment form is read here too, so it accepts exactly what the API accepts.
     */
    public static PaymentProvider.Request manualRequest(Input input, Optional<String> header, String requestedBy) {
        Optional<Long> amount = input.wholeNumber("amount", 1, MAX_AMOUNT);
        if (!input.has("amount")) {
            input.error("amount", "is required: minor units of the invoice's currency, 2500 for 25.00");
        }
        Optional<String> currency = input.optionalText("currency", 3);
        Optional<Method> method = input.enumValue("method", Method.class);
        if (!input.has("method")) {
            input.error("method", "is required: one of " + WireNames.choices(Method.class));
        }
        String reference = input.text("reference", 140);
        Optional<String> key = idempotencyKey(header, input);
        input.done();
        return new PaymentProvider.Request(
                amount, currency, WireNames.wire(method.orElseThrow()), reference, key, requestedBy);
    }

    /** The key from the Idempotency-Key header or the idempotencyKey field; required, one value. */
    private static Optional<String> idempotencyKey(Optional<String> header, Input input) {
        Optional<String> field = input.optionalText("idempotencyKey", 255);
        if (header.isPresent() && field.isPresent() && !header.get().equals(field.get())) {
            input.error("idempotencyKey", "differs from the Idempotency-Key header; send one key");
            return Optional.empty();
        }
        Optional<String> key = header.or(() -> field);
        if (key.isEmpty()) {
            input.error(
                    "idempotencyKey",
                    "is required (or the Idempotency-Key header): a key of your own, new for each payment, the"
                            + " same when you retry, so a retried request records the payment once");
        } else if (!KEY.matcher(key.get()).matches()) {
            input.error("idempotencyKey", "must be 8 to 255 printable ASCII characters without spaces");
            return Optional.empty();
        }
        return key;
    }

    private void charge(ServerRequest req, ServerResponse res) {
        Caller.Operator caller = Caller.require(req, Permission.FINANCE);
        String id = PathIds.id(req, "invoiceId", "invoice");
        PaymentProvider.Collected collected = StoreResults.value(stripe.collect(
                caller.tenantId(),
                id,
                new PaymentProvider.Request(
                        Optional.empty(),
                        Optional.empty(),
                        "card",
                        "",
                        Optional.empty(),
                        caller.actor().id())));
        switch (collected) {
            case PaymentProvider.Collected.Pending pending -> {
                ObjectNode body = Json.MAPPER
                        .createObjectNode()
                        .put("invoiceId", id)
                        .put("paymentIntentId", pending.reference())
                        .put("status", pending.status())
                        .put("amount", pending.amount())
                        .put("currency", pending.currency());
                audit.record(req, caller, "payment.stripe.charge", "invoice", id, null, null, body);
                Json.send(res, Status.ACCEPTED_202, body);
            }
            case PaymentProvider.Collected.Recorded recorded ->
                throw new IllegalStateException("Stripe records payments by webhook: " + recorded);
        }
    }

    private void unpaid(ServerRequest req, ServerResponse res) {
        Caller.Operator caller = Caller.require(req, Permission.FINANCE);
        Instant asOf = new QueryParameters(req.query(), List.of("asOf"))
                .instant("asOf")
                .orElse(clock.instant());
        ArrayNode items = Json.MAPPER.createArrayNode();
        for (PaymentStore.Unpaid u : store.unpaid(caller.tenantId(), asOf)) {
            items.addObject()
                    .put("invoiceId", u.invoiceId())
                    .put("memberId", u.memberId())
                    .put("number", u.number())
                    .put("currency", u.currency())
                    .put("total", u.total())
                    .put("open", u.open())
                    .put("dueAt", u.dueAt().toString())
                    .put("daysOverdue", u.daysOverdue());
        }
        ObjectNode body = Json.MAPPER.createObjectNode().put("asOf", asOf.toString());
        body.set("items", items);
        Json.ok(res, body);
    }

    private void terms(ServerRequest req, ServerResponse res) {
        Caller.Operator caller = Caller.require(req, Permission.VIEW_MEMBERS);
        Json.ok(res, Map.of("days", store.terms(caller.tenantId())));
    }

    private void setTerms(ServerRequest req, ServerResponse res) {
        Caller.Operator caller = Caller.require(req, Permission.FINANCE);
        Input input = Input.of(Json.object(req, maxBody), "days");
        Optional<Integer> days = input.integer("days", 0, 365);
        if (!input.has("days")) {
            input.error("days", "is required: an invoice is due this many days after it is issued (0 to 365)");
        }
        input.done();
        int before = store.terms(caller.tenantId());
        int after = store.setTerms(caller.tenantId(), days.orElseThrow());
        audit.record(
                req,
                caller,
                "billing.payment-terms.update",
                "tenant",
                caller.tenantId(),
                null,
                Map.of("days", before),
                Map.of("days", after));
        Json.ok(res, Map.of("days", after));
    }

    private void stripeSettings(ServerRequest req, ServerResponse res) {
        Caller.Operator caller = Caller.require(req, Permission.FINANCE);
        Json.ok(res, stripeView(caller.tenantId()));
    }

    private void setStripe(ServerRequest req, ServerResponse res) {
        Caller.Operator caller = Caller.require(req, Permission.FINANCE);
        Input input = Input.of(Json.object(req, maxBody), "secretKey", "webhookSecret");
        String key = input.text("secretKey", 255);
        if (!key.isEmpty() && !SECRET_KEY.matcher(key).matches()) {
            input.error("secretKey", "is not a Stripe secret or restricted key (sk_live_…, sk_test_…, rk_…)");
        }
        String hook = input.text("webhookSecret", 256);
        if (!hook.isEmpty() && !WEBHOOK_SECRET.matcher(hook).matches()) {
            input.error("webhookSecret", "is not a webhook signing secret (whsec_…, shown by the webhook endpoint)");
        }
        input.done();
        ObjectNode before = stripeView(caller.tenantId());
        stripe.store().setSecrets(caller.tenantId(), new StripeStore.Secrets(key, hook));
        ObjectNode after = stripeView(caller.tenantId());
        audit.record(req, caller, "billing.stripe.update", "tenant", caller.tenantId(), null, before, after);
        Json.ok(res, after);
    }

    private void removeStripe(ServerRequest req, ServerResponse res) {
        Caller.Operator caller = Caller.require(req, Permission.FINANCE);
        ObjectNode before = stripeView(caller.tenantId());
        if (stripe.store().removeSecrets(caller.tenantId())) {
            audit.record(req, caller, "billing.stripe.remove", "tenant", caller.tenantId(), null, before, null);
        }
        res.status(Status.NO_CONTENT_204).send();
    }

    /** The settings with the secrets masked: the API never answers them. */
    private ObjectNode stripeView(String tenantId) {
        Optional<StripeStore.Secrets> secrets = stripe.store().secrets(tenantId);
        ObjectNode node = Json.MAPPER.createObjectNode().put("enabled", secrets.isPresent());
        secrets.ifPresent(s -> node.put("secretKey", StripeStore.mask(s.secretKey()))
                .put("webhookSecret", StripeStore.mask(s.webhookSecret())));
        return node.put("webhookPath", StripeWebhookService.PATH + tenantId);
    }

    private void customer(ServerRequest req, ServerResponse res) {
        Caller.Operator caller = Caller.require(req, Permission.FINANCE);
        String member = PathIds.id(req, "memberId", "member");
        boolean existed = stripe.store().customer(caller.tenantId(), member).isPresent();
        StripeStore.Customer customer = StoreResults.value(stripe.customer(caller.tenantId(), member));
        ObjectNode body = Json.MAPPER
                .createObjectNode()
                .put("memberId", customer.memberId())
                .put("customerId", customer.customerId());
        customer.paymentMethodId().ifPresent(pm -> body.put("paymentMethodId", pm));
        if (!existed) {
            audit.record(req, caller, "payment.stripe.customer", "member", member, null, null, body);
        }
        Json.ok(res, body);
    }

    private void setupIntent(ServerRequest req, ServerResponse res) {
        Caller.Operator caller = Caller.require(req, Permission.FINANCE);
        String member = PathIds.id(req, "memberId", "member");
        StripePayments.Setup setup = StoreResults.value(stripe.setupIntent(caller.tenantId(), member));
        ObjectNode body = Json.MAPPER
                .createObjectNode()
                .put("id", setup.id())
                .put("clientSecret", setup.clientSecret())
                .put("status", setup.status())
                .put("customerId", setup.customerId());
        audit.record(
                req,
                caller,
                "payment.stripe.setup-intent",
                "member",
                member,
                null,
                null,
                Map.of("id", setup.id(), "customerId", setup.customerId()));
        Json.created(res, body);
    }

    /** A payment as the API answers it and the audit log records it. */
    public static ObjectNode json(Payment p) {
        return Json.MAPPER
                .createObjectNode()
                .put("id", p.id())
                .put("invoiceId", p.invoiceId())
                .put("memberId", p.memberId())
                .put("provider", WireNames.wire(p.provider()))
                .put("method", p.method())
                .put("amount", p.amount())
                .put("currency", p.currency())
                .put("reference", p.reference())
                .put("recordedAt", p.recordedAt().toString())
                .put("recordedBy", p.recordedBy());
    }

    static ObjectNode json(PaymentStore.Balance b) {
        ObjectNode node = Json.MAPPER
                .createObjectNode()
                .put("invoiceId", b.invoice().id())
                .put("number", b.invoice().documentNumber())
                .put("currency", b.invoice().currency())
                .put("total", b.invoice().total())
                .put("paid", b.paid())
                .put("open", b.open())
                .put("dueAt", b.invoice().dueAt().toString());
        ArrayNode items = node.putArray("items");
        b.payments().forEach(p -> items.add(json(p)));
        return node;
    }
}
