-- Issue 17 item 2 (kiosk; research K3, K6): versioned visitor agreements and Wi-Fi voucher pools,
-- synced to the sites' edges as the agreement and wifi-voucher entities (protocol feature
-- kiosk-supplies).

-- One agreement per scope: the tenant's (site_id NULL) or one site's, which overrides it there.
CREATE TABLE agreements (
    id               TEXT PRIMARY KEY,
    tenant_id        TEXT NOT NULL REFERENCES tenants (id),
    site_id          TEXT REFERENCES sites (id),
    -- '' for the tenant's agreement, else the site id: one agreement per scope (a NULL is never equal).
    scope            TEXT NOT NULL,
    current_version  INTEGER NOT NULL,
    created_at       BIGINT NOT NULL,
    updated_at       BIGINT NOT NULL
);
CREATE UNIQUE INDEX agreements_scope ON agreements (tenant_id, scope);

-- Published versions, never updated or deleted: sha256 is the hash of the canonical text
-- (protocol Agreement.sha256), which signatures record.
CREATE TABLE agreement_versions (
    agreement_id  TEXT NOT NULL REFERENCES agreements (id),
    version       INTEGER NOT NULL,
    tenant_id     TEXT NOT NULL REFERENCES tenants (id),
    title         TEXT NOT NULL,
    body          TEXT NOT NULL,
    sha256        TEXT NOT NULL,
    published_at  BIGINT NOT NULL,
    -- the account or token that published it
    published_by  TEXT NOT NULL,
    PRIMARY KEY (agreement_id, version)
);

-- One signature per sign-in event (the kiosk's event id): recording it again changes nothing.
CREATE TABLE agreement_signatures (
    id               TEXT PRIMARY KEY,
    tenant_id        TEXT NOT NULL REFERENCES tenants (id),
    site_id          TEXT NOT NULL REFERENCES sites (id),
    event_id         TEXT NOT NULL,
    agreement_id     TEXT NOT NULL,
    version          INTEGER NOT NULL,
    sha256           TEXT NOT NULL,
    rendered_sha256  TEXT NOT NULL,
    signer_name      TEXT NOT NULL,
    signer_email     TEXT,
    -- lower-case e-mail, for "has this person signed the current version"
    signer_key       TEXT,
    pass_id          TEXT,
    -- JSON of the variables the text was rendered with (visitorName, hostName, siteName, date)
    variables        TEXT NOT NULL,
    -- the kiosk's device (edge) or 'hub'
    source           TEXT NOT NULL,
    signed_at        BIGINT NOT NULL,
    recorded_at      BIGINT NOT NULL,
    FOREIGN KEY (agreement_id, version) REFERENCES agreement_versions (agreement_id, version)
);
CREATE UNIQUE INDEX agreement_signatures_event ON agreement_signatures (tenant_id, event_id);
CREATE INDEX agreement_signatures_signer ON agreement_signatures (tenant_id, signer_key, agreement_id, version);
CREATE INDEX agreement_signatures_site ON agreement_signatures (tenant_id, site_id, signed_at);

-- A site's Wi-Fi voucher pool: when it counts as low (an alert) and how many codes each edge holds.
CREATE TABLE wifi_pools (
    site_id        TEXT PRIMARY KEY REFERENCES sites (id),
    tenant_id      TEXT NOT NULL REFERENCES tenants (id),
    low_threshold  INTEGER NOT NULL,
    slice_size     INTEGER NOT NULL,
    updated_at     BIGINT NOT NULL
);

-- Each code sealed under the master key (context wifi_vouchers.code/<id>), beside its keyed hash
-- (HMAC under a key derived from the master key) so a duplicate is found without opening the pool.
-- device_id: the edge whose slice holds it; issued_*: handed out at a kiosk, by sign-in event.
CREATE TABLE wifi_vouchers (
    id                TEXT PRIMARY KEY,
    tenant_id         TEXT NOT NULL REFERENCES tenants (id),
    site_id           TEXT NOT NULL REFERENCES sites (id),
    code_sealed       TEXT NOT NULL,
    code_hash         TEXT NOT NULL,
    valid_minutes     INTEGER,
    expires_at        BIGINT,
    upload_id         TEXT NOT NULL,
    uploaded_at       BIGINT NOT NULL,
    device_id         TEXT,
    allocated_at      BIGINT,
    issued_at         BIGINT,
    issued_event_id   TEXT,
    issued_device_id  TEXT
);
CREATE UNIQUE INDEX wifi_vouchers_code ON wifi_vouchers (site_id, code_hash);
CREATE UNIQUE INDEX wifi_vouchers_event ON wifi_vouchers (tenant_id, issued_event_id)
    WHERE issued_event_id IS NOT NULL;
CREATE INDEX wifi_vouchers_slice ON wifi_vouchers (site_id, device_id, issued_at, id);
