-- Issue 16 items 2 and 7: the tenant's public page. Someone who is not a member yet buys a public
-- package (a day pass, or a membership to sign up with) and pays online first. A purchase is written
-- before the browser goes to Stripe's Checkout and completed by Stripe's checkout.session.completed
-- webhook, which makes the member, sells the package, issues the invoice, records the payment and,
-- for a pass, the member-QR credential: all in that webhook's transaction, once.
CREATE TABLE public_purchases (
    id                   TEXT PRIMARY KEY,
    tenant_id            TEXT NOT NULL REFERENCES tenants (id),
    -- The unguessable part of the purchase's page address (and of the link mailed to the buyer).
    token                TEXT NOT NULL,
    package_id           TEXT NOT NULL REFERENCES packages (id),
    site_id              TEXT NOT NULL REFERENCES sites (id),
    -- A pass's first day at the site (YYYY-MM-DD); NULL for a membership.
    first_day            TEXT,
    email                TEXT NOT NULL,
    full_name            TEXT NOT NULL,
    -- What the buyer must pay, tax included, in minor units of the currency (the tenant's).
    amount               BIGINT NOT NULL CHECK (amount > 0),
    currency             TEXT NOT NULL,
    -- PENDING (sent to Checkout), PAID (sold, access given), PROBLEM (paid wrongly: no access).
    status               TEXT NOT NULL,
    -- The address the buyer's links start with (the hub's public URL, or the one they came to).
    link_base            TEXT NOT NULL,
    checkout_session_id  TEXT,
    checkout_url         TEXT,
    member_id            TEXT REFERENCES members (id),
    credential_id        TEXT,
    invoice_id           TEXT,
    payment_intent_id    TEXT,
    -- Why a paid purchase gave no access (an amount or currency that is not the one due).
    problem              TEXT,
    created_at           BIGINT NOT NULL,
    updated_at           BIGINT NOT NULL
);
CREATE UNIQUE INDEX public_purchases_token ON public_purchases (token);
CREATE INDEX public_purchases_tenant ON public_purchases (tenant_id, created_at);
