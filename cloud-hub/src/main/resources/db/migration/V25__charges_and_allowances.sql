-- Issue 16 items 3 and 4: booking overage and one-off charges on invoices, and credit allowances per
-- package period.

-- A package's credits (package_credits) are granted per subscription period into a pool of their
-- own: entries with a resource kind, whose period is the subscription's period as start/end
-- (YYYY-MM-DD/YYYY-MM-DD, the site's days). A plan's monthly allowance stays the pool of entries
-- without a resource kind, whose period is YYYY-MM. A pool's balance is the sum of its entries.
ALTER TABLE credit_ledger ADD COLUMN resource_kind TEXT;
-- On GRANT and EXPIRY entries: the subscription whose period they open and close.
ALTER TABLE credit_ledger ADD COLUMN subscription_id TEXT REFERENCES subscriptions (id);
-- On a GRANT: the end of its period, when the billing run writes the EXPIRY that takes what is left.
ALTER TABLE credit_ledger ADD COLUMN expires_at BIGINT;
-- One grant and one expiry per subscription, period and resource kind, however runs race or retry.
CREATE UNIQUE INDEX credit_ledger_grant_once ON credit_ledger (subscription_id, period, resource_kind, kind)
    WHERE subscription_id IS NOT NULL;
CREATE INDEX credit_ledger_expiring ON credit_ledger (tenant_id, expires_at) WHERE expires_at IS NOT NULL;

-- Booking overage (BOOKING_OVERAGE, its refund BOOKING_OVERAGE_CREDIT) and one-off charges
-- (ONE_OFF) are billing_charges rows like a subscription's: keyed by the booking, or by the
-- idempotency key the client sent, so that a replay writes nothing more. No column changes.
