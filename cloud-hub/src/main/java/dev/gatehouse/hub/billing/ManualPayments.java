package dev.gatehouse.hub.billing;

import dev.gatehouse.hub.store.StoreResult;

/** Bank transfers and cash: an operator records what arrived, under the request's idempotency key. */
public record ManualPayments(PaymentStore store) implements PaymentProvider {
    @Override
    public Payment.Provider kind() {
        return Payment.Provider.MANUAL;
    }

    @Override
    public StoreResult<Collected> collect(String tenantId, String invoiceId, Request request) {
        return store.recordManual(tenantId, invoiceId, request);
    }
}
