package dev.gatehouse.hub.billing;

import dev.gatehouse.hub.store.StoreResult;
import java.util.Optional;

/**
 * One way to collect an invoice's open balance (issue 16 item 6): {@link ManualPayments} records
 * money an operator saw arrive (a bank transfer, cash); {@link StripePayments} asks Stripe to charge
 * the member's saved card, and the payment is recorded when Stripe's webhook says it succeeded. Both
 * write {@link Payment}s through {@link PaymentStore}, once per idempotency key.
 */
public sealed interface PaymentProvider permits ManualPayments, StripePayments {
    Payment.Provider kind();

    /** Collects for the invoice what {@code request} says; NotFound, Conflict or Invalid change nothing. */
    StoreResult<Collected> collect(String tenantId, String invoiceId, Request request);

    /**
     * What to collect: the amount (Stripe: the open balance when empty), its currency (the
     * invoice's when empty), how and with what reference, under which idempotency key (Stripe
     * derives its own from the invoice), and who asks.
     */
    record Request(
            Optional<Long> amount,
            Optional<String> currency,
            String method,
            String reference,
            Optional<String> idempotencyKey,
            String requestedBy) {}

    /** The outcome: money recorded now, or asked for and pending the provider's word. */
    sealed interface Collected permits Collected.Recorded, Collected.Pending {
        /** The payment, and whether it was already recorded under the same key (a replay). */
        record Recorded(Payment payment, boolean replayed) implements Collected {}

        /** The provider's reference (a PaymentIntent id) and status; a webhook records the payment. */
        record Pending(String reference, String status, long amount, String currency) implements Collected {}
    }
}
