-- Issue 16 item 3: invoices and credit notes. Issued from a member's uninvoiced charges, immutable
-- once issued (the hub has no statement that changes an issued document's amounts or lines; a
-- correction is a credit note), numbered without gaps per tenant and series: the number is taken
-- from invoice_series in the transaction that writes the document, so a rollback returns it.
ALTER TABLE billing_settings ADD COLUMN tax_name TEXT NOT NULL DEFAULT 'VAT';
-- The tax rate in basis points: 1900 is 19 %.
ALTER TABLE billing_settings ADD COLUMN tax_rate_bp INTEGER NOT NULL DEFAULT 0;

CREATE TABLE invoice_series (
    tenant_id    TEXT NOT NULL REFERENCES tenants (id),
    -- INV for invoices, CN for credit notes.
    series       TEXT NOT NULL,
    last_number  BIGINT NOT NULL,
    PRIMARY KEY (tenant_id, series)
);

CREATE TABLE invoices (
    id           TEXT PRIMARY KEY,
    tenant_id    TEXT NOT NULL REFERENCES tenants (id),
    member_id    TEXT NOT NULL REFERENCES members (id),
    -- INVOICE or CREDIT_NOTE.
    kind         TEXT NOT NULL,
    series       TEXT NOT NULL,
    number       BIGINT NOT NULL,
    currency     TEXT NOT NULL,
    -- Minor units; a credit note's are negative. total = subtotal + tax.
    subtotal     BIGINT NOT NULL,
    tax_name     TEXT NOT NULL,
    tax_rate_bp  INTEGER NOT NULL,
    tax          BIGINT NOT NULL,
    total        BIGINT NOT NULL,
    issued_at    BIGINT NOT NULL,
    UNIQUE (tenant_id, series, number)
);
CREATE INDEX invoices_member ON invoices (tenant_id, member_id, issued_at);

CREATE TABLE invoice_lines (
    invoice_id   TEXT NOT NULL REFERENCES invoices (id),
    line_no      INTEGER NOT NULL,
    -- Every charge is on exactly one line of one document.
    charge_id    TEXT NOT NULL UNIQUE REFERENCES billing_charges (id),
    description  TEXT NOT NULL,
    amount       BIGINT NOT NULL,
    PRIMARY KEY (invoice_id, line_no)
);
