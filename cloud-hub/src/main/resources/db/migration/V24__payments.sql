-- Issue 16 item 6: payments behind one interface (manual/bank transfer and Stripe). Invoices stay
-- immutable: a payment is its own row, and an invoice's open balance is its total less the sum of
-- its payments (a refund is a negative payment). Each payment is written once under a key unique in
-- its tenant, so a retried request or a replayed webhook counts once.

-- Payment terms: an invoice is due this many days after it is issued.
ALTER TABLE billing_settings ADD COLUMN payment_terms_days INTEGER NOT NULL DEFAULT 14;
-- When the invoice is due (epoch ms): issued_at plus the terms in force when it was issued.
ALTER TABLE invoices ADD COLUMN due_at BIGINT;
UPDATE invoices SET due_at = issued_at + 14 * 86400000;

CREATE TABLE payments (
    id               TEXT PRIMARY KEY,
    tenant_id        TEXT NOT NULL REFERENCES tenants (id),
    invoice_id       TEXT NOT NULL REFERENCES invoices (id),
    member_id        TEXT NOT NULL REFERENCES members (id),
    -- MANUAL or STRIPE (Java names).
    provider         TEXT NOT NULL,
    -- How the money came: bank-transfer, cash, card, other (manual); card (Stripe).
    method           TEXT NOT NULL,
    -- Signed minor units in the invoice's currency: a refund is negative; never zero.
    amount           BIGINT NOT NULL CHECK (amount <> 0),
    currency         TEXT NOT NULL,
    -- The bank reference, or Stripe's PaymentIntent or charge id.
    reference        TEXT NOT NULL,
    -- Once per tenant: the client's Idempotency-Key, stripe:pi:{id}, stripe:refund:{charge}:{cumulative}.
    idempotency_key  TEXT NOT NULL,
    recorded_at      BIGINT NOT NULL,
    -- Who recorded it: an operator's or token's id, or stripe:{event id}.
    recorded_by      TEXT NOT NULL
);
CREATE UNIQUE INDEX payments_key ON payments (tenant_id, idempotency_key);
CREATE INDEX payments_invoice ON payments (tenant_id, invoice_id);

-- A tenant's Stripe account: both secrets sealed under the hub's master key; no row, no Stripe.
CREATE TABLE stripe_settings (
    tenant_id       TEXT PRIMARY KEY REFERENCES tenants (id),
    secret_key      TEXT NOT NULL,
    webhook_secret  TEXT NOT NULL,
    updated_at      BIGINT NOT NULL
);

-- One Stripe customer per member, created once; its default payment method once a SetupIntent succeeds.
CREATE TABLE stripe_customers (
    tenant_id          TEXT NOT NULL REFERENCES tenants (id),
    member_id          TEXT NOT NULL REFERENCES members (id),
    customer_id        TEXT NOT NULL,
    payment_method_id  TEXT,
    -- The SetupIntent's created (epoch seconds) that saved it: the newest wins in any order.
    payment_method_created  BIGINT,
    created_at         BIGINT NOT NULL,
    PRIMARY KEY (tenant_id, member_id)
);
CREATE UNIQUE INDEX stripe_customers_customer ON stripe_customers (tenant_id, customer_id);

-- The PaymentIntents the hub made for invoices, under the idempotency key it sent.
CREATE TABLE stripe_payment_intents (
    tenant_id          TEXT NOT NULL REFERENCES tenants (id),
    payment_intent_id  TEXT NOT NULL,
    invoice_id         TEXT NOT NULL REFERENCES invoices (id),
    idempotency_key    TEXT NOT NULL,
    amount             BIGINT NOT NULL,
    currency           TEXT NOT NULL,
    -- Stripe's status as last heard; SUCCEEDED is final (a late failure does not undo it).
    status             TEXT NOT NULL,
    last_error         TEXT,
    updated_at         BIGINT NOT NULL,
    PRIMARY KEY (tenant_id, payment_intent_id)
);
CREATE INDEX stripe_payment_intents_invoice ON stripe_payment_intents (tenant_id, invoice_id);

-- Every webhook event whose signature verified, once per event id: the inbox.
CREATE TABLE stripe_events (
    tenant_id    TEXT NOT NULL REFERENCES tenants (id),
    event_id     TEXT NOT NULL,
    type         TEXT NOT NULL,
    payload      TEXT NOT NULL,
    -- Stripe's created (epoch seconds).
    created      BIGINT NOT NULL,
    received_at  BIGINT NOT NULL,
    -- What applying it did: payment recorded, refund recorded, failure noted, ignored (and why).
    outcome      TEXT NOT NULL,
    PRIMARY KEY (tenant_id, event_id)
);
