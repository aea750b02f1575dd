-- Issue 17 item 8: data retention per tenant. NULL keeps the data for as long as the tenant exists.
CREATE TABLE privacy_settings (
    tenant_id               TEXT PRIMARY KEY REFERENCES tenants (id),
    -- access events older than this many days are deleted (the doors' history, the access log)
    access_events_days      INTEGER,
    -- members cancelled longer ago than this many days are erased (anonymised; the ledger keeps its rows)
    cancelled_members_days  INTEGER,
    updated_at              BIGINT NOT NULL
);

-- When a member was erased; an erased member's row keeps only its id, so invoices and events that
-- name it still add up, and nothing in it says who the person was.
ALTER TABLE members ADD COLUMN erased_at BIGINT;
