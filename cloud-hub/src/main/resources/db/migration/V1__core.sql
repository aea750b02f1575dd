-- Gatehouse hub schema: one set of migrations for SQLite and PostgreSQL, so only portable SQL:
-- TEXT ids, BIGINT epoch milliseconds, INTEGER counters, BOOLEAN flags, no vendor functions.
-- Every tenant-owned row carries tenant_id and every query filters on it.

CREATE TABLE tenants (
    id            TEXT PRIMARY KEY,
    slug          TEXT NOT NULL UNIQUE,
    name          TEXT NOT NULL,
    primary_color TEXT,
    accent_color  TEXT,
    logo_url      TEXT,
    card_key      TEXT NOT NULL,
    created_at    BIGINT NOT NULL,
    updated_at    BIGINT NOT NULL
);

-- API tokens: tenant_id NULL marks a platform-admin token. Only the SHA-256 of a token is kept.
CREATE TABLE api_tokens (
    id           TEXT PRIMARY KEY,
    tenant_id    TEXT REFERENCES tenants (id),
    name         TEXT NOT NULL,
    token_hash   TEXT NOT NULL UNIQUE,
    hint         TEXT NOT NULL,
    created_at   BIGINT NOT NULL,
    revoked_at   BIGINT
);
CREATE INDEX api_tokens_tenant ON api_tokens (tenant_id, id);

-- The hub's ES256 keys per tenant: QR tokens and sync batches are signed with the active one.
CREATE TABLE signing_keys (
    kid          TEXT PRIMARY KEY,
    tenant_id    TEXT NOT NULL REFERENCES tenants (id),
    public_jwk   TEXT NOT NULL,
    private_jwk  TEXT NOT NULL,
    created_at   BIGINT NOT NULL,
    retired_at   BIGINT
);
CREATE INDEX signing_keys_tenant ON signing_keys (tenant_id, created_at);

CREATE TABLE sites (
    id          TEXT PRIMARY KEY,
    tenant_id   TEXT NOT NULL REFERENCES tenants (id),
    name        TEXT NOT NULL,
    address     TEXT NOT NULL,
    time_zone   TEXT NOT NULL,
    change_seq  BIGINT NOT NULL DEFAULT 0,
    created_at  BIGINT NOT NULL,
    updated_at  BIGINT NOT NULL
);
CREATE INDEX sites_tenant ON sites (tenant_id, id);

CREATE TABLE site_holidays (
    site_id    TEXT NOT NULL REFERENCES sites (id) ON DELETE CASCADE,
    tenant_id  TEXT NOT NULL REFERENCES tenants (id),
    day        TEXT NOT NULL,
    name       TEXT NOT NULL,
    PRIMARY KEY (site_id, day)
);

CREATE TABLE doors (
    id                    TEXT PRIMARY KEY,
    tenant_id             TEXT NOT NULL REFERENCES tenants (id),
    site_id               TEXT NOT NULL REFERENCES sites (id),
    name                  TEXT NOT NULL,
    unlock_seconds        INTEGER NOT NULL,
    untrusted_clock       TEXT NOT NULL,
    offline_mode          TEXT NOT NULL,
    offline_after_seconds BIGINT NOT NULL,
    created_at            BIGINT NOT NULL,
    updated_at            BIGINT NOT NULL
);
CREATE INDEX doors_site ON doors (tenant_id, site_id, id);

CREATE TABLE door_groups (
    id          TEXT PRIMARY KEY,
    tenant_id   TEXT NOT NULL REFERENCES tenants (id),
    site_id     TEXT NOT NULL REFERENCES sites (id),
    name        TEXT NOT NULL,
    created_at  BIGINT NOT NULL,
    updated_at  BIGINT NOT NULL
);
CREATE INDEX door_groups_site ON door_groups (tenant_id, site_id, id);

CREATE TABLE door_group_doors (
    group_id  TEXT NOT NULL REFERENCES door_groups (id) ON DELETE CASCADE,
    door_id   TEXT NOT NULL REFERENCES doors (id) ON DELETE CASCADE,
    PRIMARY KEY (group_id, door_id)
);
CREATE INDEX door_group_doors_door ON door_group_doors (door_id);

-- Edge agents. status: pending (created, not yet provisioned), active, retired.
CREATE TABLE devices (
    id            TEXT PRIMARY KEY,
    tenant_id     TEXT NOT NULL REFERENCES tenants (id),
    site_id       TEXT NOT NULL REFERENCES sites (id),
    name          TEXT NOT NULL,
    status        TEXT NOT NULL,
    public_key    TEXT,
    version       TEXT,
    last_seen_at  BIGINT,
    acked_seq     BIGINT,
    created_at    BIGINT NOT NULL,
    updated_at    BIGINT NOT NULL
);
CREATE INDEX devices_site ON devices (tenant_id, site_id, id);

CREATE TABLE members (
    id          TEXT PRIMARY KEY,
    tenant_id   TEXT NOT NULL REFERENCES tenants (id),
    email       TEXT NOT NULL,
    full_name   TEXT NOT NULL,
    phone       TEXT,
    company     TEXT,
    status      TEXT NOT NULL,
    roles       TEXT NOT NULL,
    created_at  BIGINT NOT NULL,
    updated_at  BIGINT NOT NULL,
    UNIQUE (tenant_id, email)
);
CREATE INDEX members_tenant ON members (tenant_id, id);

-- Every change to a member: which fields, from what, to what, by whom.
CREATE TABLE member_history (
    id         TEXT PRIMARY KEY,
    tenant_id  TEXT NOT NULL REFERENCES tenants (id),
    member_id  TEXT NOT NULL REFERENCES members (id),
    at         BIGINT NOT NULL,
    actor      TEXT NOT NULL,
    action     TEXT NOT NULL,
    changes    TEXT NOT NULL
);
CREATE INDEX member_history_member ON member_history (tenant_id, member_id, at);

-- A plan: door groups (each at one site) on one weekly schedule. No windows means at any time.
CREATE TABLE plans (
    id            TEXT PRIMARY KEY,
    tenant_id     TEXT NOT NULL REFERENCES tenants (id),
    name          TEXT NOT NULL,
    description   TEXT,
    holiday_rule  TEXT NOT NULL,
    created_at    BIGINT NOT NULL,
    updated_at    BIGINT NOT NULL
);
CREATE INDEX plans_tenant ON plans (tenant_id, id);

CREATE TABLE plan_door_groups (
    plan_id        TEXT NOT NULL REFERENCES plans (id) ON DELETE CASCADE,
    door_group_id  TEXT NOT NULL REFERENCES door_groups (id),
    PRIMARY KEY (plan_id, door_group_id)
);
CREATE INDEX plan_door_groups_group ON plan_door_groups (door_group_id);

CREATE TABLE plan_windows (
    plan_id       TEXT NOT NULL REFERENCES plans (id) ON DELETE CASCADE,
    day           TEXT NOT NULL,
    start_minute  INTEGER NOT NULL,
    end_minute    INTEGER NOT NULL,
    PRIMARY KEY (plan_id, day, start_minute)
);

CREATE TABLE member_plans (
    member_id    TEXT NOT NULL REFERENCES members (id),
    plan_id      TEXT NOT NULL REFERENCES plans (id),
    tenant_id    TEXT NOT NULL REFERENCES tenants (id),
    valid_from   BIGINT,
    valid_until  BIGINT,
    created_at   BIGINT NOT NULL,
    PRIMARY KEY (member_id, plan_id)
);
CREATE INDEX member_plans_plan ON member_plans (plan_id);

-- Credentials: an NFC card only as the keyed hash of its UID (never the UID), or a member QR.
CREATE TABLE credentials (
    id           TEXT PRIMARY KEY,
    tenant_id    TEXT NOT NULL REFERENCES tenants (id),
    member_id    TEXT NOT NULL REFERENCES members (id),
    type         TEXT NOT NULL,
    card_hash    TEXT,
    label        TEXT,
    status       TEXT NOT NULL,
    valid_from   BIGINT,
    valid_until  BIGINT,
    created_at   BIGINT NOT NULL,
    updated_at   BIGINT NOT NULL,
    UNIQUE (tenant_id, card_hash)
);
CREATE INDEX credentials_member ON credentials (tenant_id, member_id);

CREATE TABLE visitor_passes (
    id              TEXT PRIMARY KEY,
    tenant_id       TEXT NOT NULL REFERENCES tenants (id),
    site_id         TEXT NOT NULL REFERENCES sites (id),
    host_member_id  TEXT REFERENCES members (id),
    visitor_name    TEXT NOT NULL,
    visitor_email   TEXT,
    valid_from      BIGINT NOT NULL,
    valid_until     BIGINT NOT NULL,
    single_use      BOOLEAN NOT NULL,
    status          TEXT NOT NULL,
    created_at      BIGINT NOT NULL,
    updated_at      BIGINT NOT NULL
);
CREATE INDEX visitor_passes_site ON visitor_passes (tenant_id, site_id, id);

CREATE TABLE visitor_pass_door_groups (
    pass_id        TEXT NOT NULL REFERENCES visitor_passes (id) ON DELETE CASCADE,
    door_group_id  TEXT NOT NULL REFERENCES door_groups (id),
    PRIMARY KEY (pass_id, door_group_id)
);

CREATE TABLE visitor_pass_doors (
    pass_id  TEXT NOT NULL REFERENCES visitor_passes (id) ON DELETE CASCADE,
    door_id  TEXT NOT NULL REFERENCES doors (id),
    PRIMARY KEY (pass_id, door_id)
);

-- Access decisions reported by the edges; id is the edge's event id, so ingest is idempotent.
-- The key is (tenant_id, id): one tenant's device can never claim, and so suppress, another's event id.
CREATE TABLE access_events (
    id             TEXT NOT NULL,
    tenant_id      TEXT NOT NULL REFERENCES tenants (id),
    site_id        TEXT NOT NULL,
    door_id        TEXT NOT NULL,
    device_id      TEXT NOT NULL,
    at             BIGINT NOT NULL,
    granted        BOOLEAN NOT NULL,
    basis          TEXT,
    reason         TEXT,
    presented      TEXT NOT NULL,
    card_hash      TEXT,
    member_id      TEXT,
    credential_id  TEXT,
    pass_id        TEXT,
    clock          TEXT NOT NULL,
    received_at    BIGINT NOT NULL,
    PRIMARY KEY (tenant_id, id)
);
CREATE INDEX access_events_door ON access_events (tenant_id, door_id, at, id);
CREATE INDEX access_events_site ON access_events (tenant_id, site_id, at, id);
CREATE INDEX access_events_member ON access_events (tenant_id, member_id, at, id);
CREATE INDEX access_events_at ON access_events (tenant_id, at, id);

-- Per-site change log: seq 1, 2, 3… without gaps, appended in the writer's transaction, read by sync.
CREATE TABLE site_changes (
    site_id     TEXT NOT NULL REFERENCES sites (id),
    seq         BIGINT NOT NULL,
    tenant_id   TEXT NOT NULL REFERENCES tenants (id),
    kind        TEXT NOT NULL,
    entity_key  TEXT NOT NULL,
    op          TEXT NOT NULL,
    body        TEXT,
    at          BIGINT NOT NULL,
    PRIMARY KEY (site_id, seq)
);
