-- Issue 17 item 2: the kiosk the hub serves for a site that has no edge (/kiosk/). An operator makes a
-- one-time pairing code in the console (hub_kiosk_codes, only its SHA-256 kept, valid 10 minutes);
-- the tablet that types it gets a random token in an HttpOnly cookie, of which the hub keeps only the
-- SHA-256 (hub_kiosks.token_hash). Unpairing deletes the row: the cookie then opens nothing.
CREATE TABLE hub_kiosks (
    id          TEXT PRIMARY KEY,
    tenant_id   TEXT NOT NULL REFERENCES tenants (id),
    site_id     TEXT NOT NULL REFERENCES sites (id),
    name        TEXT NOT NULL,
    token_hash  TEXT NOT NULL,
    paired_at   BIGINT NOT NULL,
    -- the operator account that made the pairing code
    paired_by   TEXT NOT NULL
);
CREATE UNIQUE INDEX hub_kiosks_token ON hub_kiosks (token_hash);
CREATE INDEX hub_kiosks_site ON hub_kiosks (tenant_id, site_id, id);

CREATE TABLE hub_kiosk_codes (
    code_hash   TEXT PRIMARY KEY,
    tenant_id   TEXT NOT NULL REFERENCES tenants (id),
    site_id     TEXT NOT NULL REFERENCES sites (id),
    name        TEXT NOT NULL,
    created_by  TEXT NOT NULL,
    expires_at  BIGINT NOT NULL
);
