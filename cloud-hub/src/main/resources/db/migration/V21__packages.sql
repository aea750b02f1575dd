-- Issue 16 item 1: packages as data. A package is what a member or team buys: a price per interval,
-- a commitment, and what it entitles: a door plan (doors and schedules, synced to the edges through
-- the plan), credits per resource kind per period, N entries with an expiry (a pass), seats (a team).
-- Money in minor units of the tenant's billing currency, never floating point.

-- The tenant's billing settings; a tenant without a row bills in EUR (the demo's and the default).
CREATE TABLE billing_settings (
    tenant_id   TEXT PRIMARY KEY REFERENCES tenants (id),
    currency    TEXT NOT NULL,
    updated_at  BIGINT NOT NULL
);

CREATE TABLE packages (
    id                  TEXT PRIMARY KEY,
    tenant_id           TEXT NOT NULL REFERENCES tenants (id),
    name                TEXT NOT NULL,
    description         TEXT NOT NULL,
    -- MEMBERSHIP, PASS, ADD_ON or TEAM (Java names, as the store keeps enums).
    kind                TEXT NOT NULL,
    price               BIGINT NOT NULL CHECK (price >= 0),
    currency            TEXT NOT NULL,
    -- BillingInterval: DAY, WEEK, MONTH, YEAR or ONE_OFF.
    billing_interval    TEXT NOT NULL,
    -- The fewest periods a subscription runs before it may end; 0: none.
    commitment_periods  INTEGER NOT NULL,
    plan_id             TEXT REFERENCES plans (id),
    -- A pass: its entries, and the days it stays valid from purchase.
    passes              INTEGER,
    pass_valid_days     INTEGER,
    seats               INTEGER NOT NULL,
    -- Sold on the tenant's public page to people who are not members yet.
    public_sale         BOOLEAN NOT NULL,
    -- ACTIVE or RETIRED: a retired package is sold no more; its subscriptions run on.
    status              TEXT NOT NULL,
    created_at          BIGINT NOT NULL,
    updated_at          BIGINT NOT NULL
);
CREATE UNIQUE INDEX packages_name ON packages (tenant_id, name);

-- Credits a package grants per period, per resource kind (hot-desk, meeting-room ...).
CREATE TABLE package_credits (
    package_id     TEXT NOT NULL REFERENCES packages (id) ON DELETE CASCADE,
    resource_kind  TEXT NOT NULL,
    credits        BIGINT NOT NULL CHECK (credits >= 0),
    PRIMARY KEY (package_id, resource_kind)
);
