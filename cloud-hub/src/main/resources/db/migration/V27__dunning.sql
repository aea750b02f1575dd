-- Issue 16 item 5: dunning that reaches the doors. A member whose oldest unpaid invoice is overdue
-- moves through past-due → restricted (no new bookings) → suspended (doors denied: the member entity
-- the edges get says suspended) on the tenant's day thresholds; paying moves them back at once. The
-- member's own status (an operator's suspension) is never touched: dunning is its own row.
ALTER TABLE billing_settings ADD COLUMN dunning_past_due_days INTEGER NOT NULL DEFAULT 1;
ALTER TABLE billing_settings ADD COLUMN dunning_restrict_days INTEGER NOT NULL DEFAULT 14;
ALTER TABLE billing_settings ADD COLUMN dunning_suspend_days INTEGER NOT NULL DEFAULT 30;

CREATE TABLE member_dunning (
    member_id    TEXT PRIMARY KEY REFERENCES members (id),
    tenant_id    TEXT NOT NULL REFERENCES tenants (id),
    -- PAST_DUE, RESTRICTED or SUSPENDED; no row: in good standing.
    state        TEXT NOT NULL,
    -- The oldest unpaid invoice, which set the state.
    invoice_id   TEXT NOT NULL,
    since        BIGINT NOT NULL,
    updated_at   BIGINT NOT NULL
);
CREATE INDEX member_dunning_tenant ON member_dunning (tenant_id, state);
