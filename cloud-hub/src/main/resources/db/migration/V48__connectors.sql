-- Issue 17 item 5: connectors (QuickBooks Online, HubSpot, Slack). Each reads the outbox behind its own
-- cursor, writes one job per event it takes in the drain's transaction, and a worker performs the jobs
-- against the service, upserting by external id through connector_mappings.

-- A tenant's connector: its settings (JSON, no secrets), its credentials (JSON sealed under the master
-- key: SealedColumns.CONNECTOR_CREDENTIALS), a pending OAuth2 state (its SHA-256) and until when the
-- service asked us to wait (a 429's Retry-After).
CREATE TABLE connector_settings (
    id               TEXT PRIMARY KEY,
    tenant_id        TEXT NOT NULL REFERENCES tenants (id),
    connector        TEXT NOT NULL,
    enabled          BOOLEAN NOT NULL,
    settings         TEXT NOT NULL,
    credentials      TEXT NOT NULL,
    oauth_state      TEXT UNIQUE,
    oauth_state_until BIGINT,
    paused_until     BIGINT,
    last_error       TEXT,
    created_at       BIGINT NOT NULL,
    updated_at       BIGINT NOT NULL,
    UNIQUE (tenant_id, connector)
);

-- One event a connector must carry to its service. Jobs of one entity run in event order (seq);
-- entity_version NULL for entities without versions (issued invoices, payments, notifications). A job
-- keeps the event's data itself (no reference to outbox_events), so the outbox's retention may prune
-- the event while the job waits.
CREATE TABLE connector_jobs (
    id              TEXT PRIMARY KEY,
    tenant_id       TEXT NOT NULL REFERENCES tenants (id),
    connector       TEXT NOT NULL,
    event_id        TEXT NOT NULL,
    event_seq       BIGINT NOT NULL,
    event_type      TEXT NOT NULL,
    entity_kind     TEXT NOT NULL,
    entity_id       TEXT NOT NULL,
    entity_version  BIGINT,
    data            TEXT NOT NULL,
    status          TEXT NOT NULL,
    attempts        INTEGER NOT NULL,
    next_attempt_at BIGINT NOT NULL,
    last_error      TEXT,
    result          TEXT,
    created_at      BIGINT NOT NULL,
    finished_at     BIGINT,
    UNIQUE (connector, event_id)
);
CREATE INDEX connector_jobs_due ON connector_jobs (status, next_attempt_at);
CREATE INDEX connector_jobs_entity ON connector_jobs (tenant_id, connector, entity_kind, entity_id, event_seq);
CREATE INDEX connector_jobs_list ON connector_jobs (tenant_id, connector, created_at);
CREATE INDEX connector_jobs_entity_latest ON connector_jobs (tenant_id, entity_id, event_seq);

-- What a Gatehouse entity is called at the service: its id there, the version last applied (forward
-- only) and the service's concurrency token (QuickBooks' SyncToken).
CREATE TABLE connector_mappings (
    tenant_id     TEXT NOT NULL REFERENCES tenants (id),
    connector     TEXT NOT NULL,
    entity_kind   TEXT NOT NULL,
    entity_id     TEXT NOT NULL,
    external_id   TEXT NOT NULL,
    last_version  BIGINT NOT NULL,
    sync_token    TEXT,
    updated_at    BIGINT NOT NULL,
    PRIMARY KEY (tenant_id, connector, entity_kind, entity_id)
);
