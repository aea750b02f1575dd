-- Issue 12, console settings. A tenant's logo, shown in the console's header, on its sign-in pages
-- and in the member portal. Either an SVG the hub checked (no script, no event handlers, no external
-- references) kept as text, or a PNG the hub decoded and wrote again, kept as base64 text so one
-- portable column type serves SQLite and PostgreSQL.
CREATE TABLE tenant_logos (
    tenant_id     TEXT PRIMARY KEY REFERENCES tenants (id),
    content_type  TEXT NOT NULL,
    body          TEXT NOT NULL,
    updated_at    BIGINT NOT NULL
);

-- The TOTP time step of the last code an operator's second factor accepted: a code works once, so one
-- seen over a shoulder or in a proxy's log cannot sign in again within its 90-second window.
ALTER TABLE operator_accounts ADD COLUMN totp_last_step BIGINT;
