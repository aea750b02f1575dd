-- Issue 15 item 5, credits: a monthly allowance per plan, and an append-only ledger per member that
-- bookings draw from.

-- What a plan gives each calendar month, and whether its members may book beyond it (overage) at all.
ALTER TABLE plans ADD COLUMN credits_per_month BIGINT NOT NULL DEFAULT 0;
ALTER TABLE plans ADD COLUMN credits_only BOOLEAN NOT NULL DEFAULT FALSE;

-- One row per member with a ledger. Every ledger write first upserts it, which takes the row's lock
-- on PostgreSQL: a member's credit writes run one at a time, so two bookings never spend one credit.
CREATE TABLE credit_accounts (
    member_id      TEXT PRIMARY KEY REFERENCES members (id),
    tenant_id      TEXT NOT NULL REFERENCES tenants (id),
    opened_at      BIGINT NOT NULL,
    last_entry_at  BIGINT NOT NULL
);

-- The ledger: rows are only ever inserted, never updated or deleted. A period's balance is the sum
-- of its entries' credits; its overage (what billing invoices) the sum of their overage columns.
CREATE TABLE credit_ledger (
    id                TEXT PRIMARY KEY,
    tenant_id         TEXT NOT NULL REFERENCES tenants (id),
    member_id         TEXT NOT NULL REFERENCES members (id),
    -- The member's entries numbered 1, 2, 3… in the order they were written (under the account's lock).
    seq               BIGINT NOT NULL,
    -- The calendar month, YYYY-MM, in the zone of the booked resource's site.
    period            TEXT NOT NULL,
    -- ALLOWANCE, DEBIT, REFUND or ADJUSTMENT.
    kind              TEXT NOT NULL,
    -- Signed whole credits: an allowance and a refund add, a debit takes away.
    credits           BIGINT NOT NULL,
    booking_id        TEXT REFERENCES bookings (id),
    -- The part of a booking's credits the balance did not cover, and its money (minor units of the
    -- tenant's currency); a refund in time carries both negated.
    overage_credits   BIGINT NOT NULL,
    overage_amount    BIGINT NOT NULL,
    -- On a debit: the last moment a cancellation refunds it (the resource's window, fixed at booking).
    refundable_until  BIGINT,
    reason            TEXT NOT NULL,
    created_at        BIGINT NOT NULL,
    created_by        TEXT NOT NULL
);
CREATE UNIQUE INDEX credit_ledger_seq ON credit_ledger (member_id, seq);
CREATE INDEX credit_ledger_period ON credit_ledger (tenant_id, member_id, period, seq);
-- One allowance per member and period, and one debit and one refund per booking, however requests
-- race or replay.
CREATE UNIQUE INDEX credit_ledger_allowance_once ON credit_ledger (member_id, period) WHERE kind = 'ALLOWANCE';
CREATE UNIQUE INDEX credit_ledger_booking_once ON credit_ledger (booking_id, kind) WHERE booking_id IS NOT NULL;
