package dev.gatehouse.hub.billing;

import java.time.Instant;

/**
 * Money received for an invoice (or, negative, returned: a refund), in the invoice's currency and
 * minor units. Recorded once under its {@code idempotencyKey}, unique in the tenant, so a retried
 * request or a replayed webhook counts once. The invoice itself never changes: its open balance is
 * its total less the sum of its payments.
 */
public record Payment(
        String id,
        String invoiceId,
        String memberId,
        Provider provider,
        String method,
        long amount,
        String currency,
        String reference,
        String idempotencyKey,
        Instant recordedAt,
        String recordedBy) {
    public Payment {
        if (amount == 0) {
            throw new IllegalArgumentException("a payment of 0 is no payment");
        }
    }

    /** Who took the money: an operator recording a bank transfer (or cash), or Stripe. */
    public enum Provider {
        MANUAL,
        STRIPE
    }
}
