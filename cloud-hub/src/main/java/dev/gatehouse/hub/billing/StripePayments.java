package dev.gatehouse.hub.billing;

import com.stripe.StripeClient;
import com.stripe.exception.StripeException;
import com.stripe.model.PaymentIntent;
import com.stripe.model.SetupIntent;
import com.stripe.model.checkout.Session;
import com.stripe.net.RequestOptions;
import com.stripe.param.CustomerCreateParams;
import com.stripe.param.PaymentIntentCreateParams;
import com.stripe.param.SetupIntentCreateParams;
import com.stripe.param.checkout.SessionCreateParams;
import dev.gatehouse.hub.store.StoreResult;
import java.net.URI;
import java.util.Locale;
import java.util.Optional;

/**
 * Stripe through its official client: one customer per member (created once), cards saved by
 * SetupIntent, an invoice charged by a PaymentIntent under an idempotency key derived from the
 * invoice, its open balance and its failed attempts — so a retried charge is the same PaymentIntent
 * and never a second charge. The payment itself is recorded when the webhook says the PaymentIntent
 * succeeded ({@link StripeStore#receive}). {@code apiBase} is Stripe's, or a test's stand-in.
 */
public record StripePayments(PaymentStore payments, StripeStore store, URI apiBase) implements PaymentProvider {

    /** A SetupIntent for the member's browser to confirm with Stripe.js. */
    public record Setup(String id, String clientSecret, String status, String customerId) {}

    @Override
    public Payment.Provider kind() {
        return Payment.Provider.STRIPE;
    }

    /** The member's customer, made at Stripe the first time (under a key naming the member, so once). */
    public StoreResult<StripeStore.Customer> customer(String tenantId, String memberId) {
        Optional<StripeStore.Customer> known = store.customer(tenantId, memberId);
        if (known.isPresent()) {
            return StoreResult.found(known.get());
        }
        Optional<StripeStore.Contact> member = store.contact(tenantId, memberId);
        if (member.isEmpty()) {
            return new StoreResult.NotFound<>("member", memberId);
        }
        StripeClient client = client(tenantId);
        try {
            com.stripe.model.Customer made = client.v1()
                    .customers()
                    .create(
                            CustomerCreateParams.builder()
                                    .setEmail(member.get().email())
                                    .setName(member.get().name())
                                    .putMetadata("gatehouse_tenant", tenantId)
                                    .putMetadata("gatehouse_member", memberId)
                                    .build(),
                            RequestOptions.builder()
                                    .setIdempotencyKey("gh-customer-" + tenantId + "-" + memberId)
                                    .build());
            return StoreResult.found(store.saveCustomer(tenantId, memberId, made.getId()));
        } catch (StripeException e) {
            throw StripeFailure.of("create the customer", e);
        }
    }

    /** A SetupIntent for the member's customer, to save a card for later (off-session) charges. */
    public StoreResult<Setup> setupIntent(String tenantId, String memberId) {
        StoreResult<StripeStore.Customer> customer = customer(tenantId, memberId);
        if (!(customer instanceof StoreResult.Found<StripeStore.Customer> found)) {
            return new StoreResult.NotFound<>("member", memberId);
        }
        try {
            SetupIntent intent = client(tenantId)
                    .v1()
                    .setupIntents()
                    .create(SetupIntentCreateParams.builder()
                            .setCustomer(found.value().customerId())
                            .setUsage(SetupIntentCreateParams.Usage.OFF_SESSION)
                            .addPaymentMethodType("card")
                            .putMetadata("gatehouse_member", memberId)
                            .build());
            return StoreResult.found(new Setup(
                    intent.getId(),
                    intent.getClientSecret(),
                    intent.getStatus(),
                    found.value().customerId()));
        } catch (StripeException e) {
            throw StripeFailure.of("create the SetupIntent", e);
        }
    }

    /**
     * Charges the invoice's open balance to the member's saved card. Refused, asking Stripe nothing:
     * an unknown invoice, a credit note, nothing open, no saved card.
     */
    @Override
    public StoreResult<Collected> collect(String tenantId, String invoiceId, Request request) {
        StoreResult<PaymentStore.Balance> read = payments.balance(tenantId, invoiceId);
        if (!(read instanceof StoreResult.Found<PaymentStore.Balance> found)) {
            return new StoreResult.NotFound<>("invoice", invoiceId);
        }
        Invoice invoice = found.value().invoice();
        long open = found.value().open();
        if (invoice.kind() == Invoice.Kind.CREDIT_NOTE) {
            return new StoreResult.Conflict<>(
                    invoice.documentNumber() + " is a credit note: there is nothing to charge");
        }
        if (open <= 0) {
            return new StoreResult.Conflict<>(invoice.documentNumber() + " has no open balance to charge");
        }
        Optional<StripeStore.Customer> customer = store.customer(tenantId, invoice.memberId());
        if (customer.flatMap(StripeStore.Customer::paymentMethodId).isEmpty()) {
            return new StoreResult.Conflict<>("member " + invoice.memberId()
                    + " has no card saved at Stripe: create a SetupIntent"
                    + " (POST /api/v1/members/{id}/stripe/setup-intents) and let the member confirm it first");
        }
        // The same invoice, balance and attempt give the same key: a retry is Stripe's replay, never a new charge.
        String key = "gh-" + invoiceId + "-" + open + "-" + (store.failedAttempts(tenantId, invoiceId) + 1);
        String currency = invoice.currency().toLowerCase(Locale.ROOT);
        try {
            PaymentIntent intent = client(tenantId)
                    .v1()
                    .paymentIntents()
                    .create(
                            PaymentIntentCreateParams.builder()
                                    .setAmount(open)
                                    .setCurrency(currency)
                                    .setCustomer(customer.get().customerId())
                                    .setPaymentMethod(
                                            customer.get().paymentMethodId().orElseThrow())
                                    .setOffSession(true)
                                    .setConfirm(true)
                                    .setDescription(invoice.documentNumber())
                                    .putMetadata("gatehouse_tenant", tenantId)
                                    .putMetadata("gatehouse_invoice", invoiceId)
                                    .build(),
                            RequestOptions.builder().setIdempotencyKey(key).build());
            store.savePaymentIntent(tenantId, intent.getId(), invoiceId, key, open, invoice.currency());
            return StoreResult.found(
                    new Collected.Pending(intent.getId(), intent.getStatus(), intent.getAmount(), invoice.currency()));
        } catch (StripeException e) {
            throw StripeFailure.of("create the PaymentIntent", e);
        }
    }

    /** A Checkout Session: Stripe's hosted payment page the buyer's browser is sent to. */
    public record Checkout(String sessionId, String url) {}

    /** Whether the tenant has set its Stripe keys, so that a buyer can pay online. */
    public boolean enabled(String tenantId) {
        return store.secrets(tenantId).isPresent();
    }

    /**
     * A Checkout Session ({@code mode=payment}) for a pending public purchase: one line of its amount
     * due, named by the purchase ({@code client_reference_id}, {@code metadata.gatehouse_purchase}),
     * under an idempotency key naming the purchase, so a retried request is the same session. The
     * purchase is completed by the webhook ({@code checkout.session.completed}), never by the return
     * to {@code successUrl}.
     */
    public Checkout checkout(
            String tenantId, PublicPurchases.Purchase purchase, String product, String successUrl, String cancelUrl) {
        try {
            Session session = client(tenantId)
                    .v1()
                    .checkout()
                    .sessions()
                    .create(
                            SessionCreateParams.builder()
                                    .setMode(SessionCreateParams.Mode.PAYMENT)
                                    .setClientReferenceId(purchase.id())
                                    .setCustomerEmail(purchase.email())
                                    .setSuccessUrl(successUrl)
                                    .setCancelUrl(cancelUrl)
                                    .addLineItem(SessionCreateParams.LineItem.builder()
                                            .setQuantity(1L)
                                            .setPriceData(SessionCreateParams.LineItem.PriceData.builder()
                                                    .setCurrency(
                                                            purchase.currency().toLowerCase(Locale.ROOT))
                                                    .setUnitAmount(purchase.amount())
                                                    .setProductData(
                                                            SessionCreateParams.LineItem.PriceData.ProductData.builder()
                                                                    .setName(product)
                                                                    .build())
                                                    .build())
                                            .build())
                                    .putMetadata("gatehouse_tenant", tenantId)
                                    .putMetadata("gatehouse_purchase", purchase.id())
                                    .setPaymentIntentData(SessionCreateParams.PaymentIntentData.builder()
                                            .putMetadata("gatehouse_purchase", purchase.id())
                                            .build())
                                    .build(),
                            RequestOptions.builder()
                                    .setIdempotencyKey("gh-checkout-" + purchase.id())
                                    .build());
            return new Checkout(session.getId(), session.getUrl());
        } catch (StripeException e) {
            throw StripeFailure.of("create the Checkout Session", e);
        }
    }

    private StripeClient client(String tenantId) {
        StripeStore.Secrets secrets = store.secrets(tenantId).orElseThrow(StripeFailure::notConfigured);
        return StripeClient.builder()
                .setApiKey(secrets.secretKey())
                .setApiBase(apiBase.toString().replaceAll("/+$", ""))
                .setConnectTimeout(10_000)
                .setReadTimeout(30_000)
                .setMaxNetworkRetries(2)
                .build();
    }
}
