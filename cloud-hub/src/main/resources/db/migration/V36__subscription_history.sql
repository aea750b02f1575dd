-- Issue 17 item 1, analytics: the subscriptions table holds each subscription as it is now; the MRR
-- waterfall, cohorts and "as of" queries need it as it was. Every write to a subscription appends a
-- copy of the row here (revision 1, 2, 3 … per subscription, in the writer's transaction), with the
-- package's kind and seats as they were. Append-only: a revision is never changed or deleted.
CREATE TABLE subscription_history (
    tenant_id         TEXT NOT NULL REFERENCES tenants (id),
    subscription_id   TEXT NOT NULL REFERENCES subscriptions (id),
    revision          INTEGER NOT NULL,
    member_id         TEXT NOT NULL,
    site_id           TEXT NOT NULL,
    package_id        TEXT NOT NULL,
    -- MEMBERSHIP, PASS, ADD_ON or TEAM; seats: the package's seats then.
    package_kind      TEXT NOT NULL,
    seats             INTEGER NOT NULL,
    price             BIGINT NOT NULL,
    currency          TEXT NOT NULL,
    billing_interval  TEXT NOT NULL,
    status            TEXT NOT NULL,
    started_at        BIGINT NOT NULL,
    ends_at           BIGINT,
    committed_until   TEXT,
    paused_from       BIGINT,
    paused_until      BIGINT,
    -- The hub's clock when the write was made: the revision is what the ledger said from then on.
    recorded_at       BIGINT NOT NULL,
    PRIMARY KEY (subscription_id, revision)
);
CREATE INDEX subscription_history_recorded ON subscription_history (tenant_id, recorded_at);

-- Subscriptions written before this migration: their row as it is now, known from their creation
-- (the best that can be said of them; their earlier changes are not recorded anywhere).
INSERT INTO subscription_history (tenant_id, subscription_id, revision, member_id, site_id, package_id,
        package_kind, seats, price, currency, billing_interval, status, started_at, ends_at,
        committed_until, paused_from, paused_until, recorded_at)
    SELECT s.tenant_id, s.id, 1, s.member_id, s.site_id, s.package_id, p.kind, p.seats, s.price, s.currency,
        s.billing_interval, s.status, s.started_at, s.ends_at, s.committed_until, s.paused_from,
        s.paused_until, s.created_at
    FROM subscriptions s JOIN packages p ON p.id = s.package_id;
