-- Issue 16 item 2: subscriptions and the charges they make. A subscription sells a package to a
-- member at a price fixed then; the package's door plan is the member's for as long as it runs (the
-- plan assignment reaches the edges through the change log, as any other). Each amount it owes or is
-- owed is a row in billing_charges under a key that makes a retried operation charge once; invoices
-- (issue 16 item 3) take uninvoiced charges.
CREATE TABLE subscriptions (
    id                TEXT PRIMARY KEY,
    tenant_id         TEXT NOT NULL REFERENCES tenants (id),
    member_id         TEXT NOT NULL REFERENCES members (id),
    -- The site whose zone counts the days.
    site_id           TEXT NOT NULL REFERENCES sites (id),
    package_id        TEXT NOT NULL REFERENCES packages (id),
    -- The door plan it gives (the package's when sold or last changed); none for a package without one.
    plan_id           TEXT,
    price             BIGINT NOT NULL CHECK (price >= 0),
    currency          TEXT NOT NULL,
    billing_interval  TEXT NOT NULL,
    -- Periods run from this date (YYYY-MM-DD, the site's calendar).
    anchor            TEXT NOT NULL,
    -- Cancellation before this date (YYYY-MM-DD) ends at it at the earliest; null: no commitment.
    committed_until   TEXT,
    -- ACTIVE, CANCELLING (runs to ends_at), or ENDED.
    status            TEXT NOT NULL,
    started_at        BIGINT NOT NULL,
    ends_at           BIGINT,
    changes           INTEGER NOT NULL,
    -- Periods are charged up to this day (YYYY-MM-DD, excluded): the billing run charges the next
    -- period once this day has come.
    charged_through   TEXT NOT NULL,
    created_at        BIGINT NOT NULL,
    updated_at        BIGINT NOT NULL
);
CREATE INDEX subscriptions_member ON subscriptions (tenant_id, member_id);

CREATE TABLE billing_charges (
    id               TEXT PRIMARY KEY,
    tenant_id        TEXT NOT NULL REFERENCES tenants (id),
    member_id        TEXT NOT NULL REFERENCES members (id),
    subscription_id  TEXT REFERENCES subscriptions (id),
    -- PERIOD, PRORATED_START, CHANGE_CREDIT, CHANGE_CHARGE, CANCEL_CREDIT.
    kind             TEXT NOT NULL,
    description      TEXT NOT NULL,
    -- Signed minor units: a credit is negative.
    amount           BIGINT NOT NULL,
    currency         TEXT NOT NULL,
    period_start     TEXT,
    period_end       TEXT,
    -- What the charge is for, once: a retried or concurrent operation cannot charge twice.
    charge_key       TEXT NOT NULL,
    -- The invoice that bills it; null until invoiced.
    invoice_id       TEXT,
    created_at       BIGINT NOT NULL,
    -- The member's charges numbered 1, 2, 3 … in the order written (under the member's row lock):
    -- invoice lines keep that order.
    ordinal          BIGINT NOT NULL
);
CREATE UNIQUE INDEX billing_charges_key ON billing_charges (tenant_id, charge_key);
CREATE UNIQUE INDEX billing_charges_member ON billing_charges (tenant_id, member_id, ordinal);
