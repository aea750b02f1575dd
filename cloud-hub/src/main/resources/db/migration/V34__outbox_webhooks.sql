-- Issue 17 item 4: a transactional outbox of domain events and signed webhooks out (Standard Webhooks).
-- An event row is written in the transaction of the change it describes; consumers (the webhook
-- fan-out, later connectors) read each tenant's events in seq order behind their own cursor.
CREATE TABLE outbox_heads (
    tenant_id TEXT NOT NULL PRIMARY KEY REFERENCES tenants (id),
    seq       BIGINT NOT NULL
);
CREATE TABLE outbox_events (
    tenant_id      TEXT NOT NULL REFERENCES tenants (id),
    seq            BIGINT NOT NULL,
    id             TEXT NOT NULL UNIQUE,
    type           TEXT NOT NULL,
    entity_id      TEXT,
    entity_version BIGINT,
    payload        TEXT NOT NULL,
    created_at     BIGINT NOT NULL,
    PRIMARY KEY (tenant_id, seq)
);
CREATE INDEX outbox_events_entity ON outbox_events (tenant_id, entity_id, entity_version);
CREATE TABLE outbox_cursors (
    consumer  TEXT NOT NULL,
    tenant_id TEXT NOT NULL REFERENCES tenants (id),
    seq       BIGINT NOT NULL,
    PRIMARY KEY (consumer, tenant_id)
);
-- secrets: the signing secret, and while a rotation's overlap lasts the previous one after a space,
-- sealed under the master key (SealedColumns.WEBHOOK_SECRETS).
CREATE TABLE webhook_endpoints (
    id               TEXT PRIMARY KEY,
    tenant_id        TEXT NOT NULL REFERENCES tenants (id),
    url              TEXT NOT NULL,
    description      TEXT NOT NULL DEFAULT '',
    event_types      TEXT NOT NULL DEFAULT '',
    enabled          BOOLEAN NOT NULL,
    disabled_reason  TEXT,
    secrets          TEXT NOT NULL,
    previous_until   BIGINT,
    failing_since    BIGINT,
    failures_in_row  INTEGER NOT NULL DEFAULT 0,
    created_at       BIGINT NOT NULL,
    updated_at       BIGINT NOT NULL
);
CREATE INDEX webhook_endpoints_tenant ON webhook_endpoints (tenant_id, created_at);
CREATE TABLE webhook_deliveries (
    id              TEXT PRIMARY KEY,
    tenant_id       TEXT NOT NULL REFERENCES tenants (id),
    endpoint_id     TEXT NOT NULL REFERENCES webhook_endpoints (id),
    event_id        TEXT NOT NULL REFERENCES outbox_events (id),
    event_type      TEXT NOT NULL,
    status          TEXT NOT NULL,
    attempts        INTEGER NOT NULL,
    step            INTEGER NOT NULL,
    next_attempt_at BIGINT NOT NULL,
    last_attempt_at BIGINT,
    last_status     INTEGER,
    last_error      TEXT,
    delivered_at    BIGINT,
    created_at      BIGINT NOT NULL,
    UNIQUE (endpoint_id, event_id)
);
CREATE INDEX webhook_deliveries_due ON webhook_deliveries (status, next_attempt_at);
CREATE INDEX webhook_deliveries_endpoint ON webhook_deliveries (tenant_id, endpoint_id, created_at);
CREATE TABLE webhook_attempts (
    delivery_id TEXT NOT NULL REFERENCES webhook_deliveries (id),
    attempt     INTEGER NOT NULL,
    tenant_id   TEXT NOT NULL REFERENCES tenants (id),
    endpoint_id TEXT NOT NULL,
    at          BIGINT NOT NULL,
    ok          BOOLEAN NOT NULL,
    status      INTEGER,
    error       TEXT,
    PRIMARY KEY (delivery_id, attempt)
);
CREATE INDEX webhook_attempts_endpoint ON webhook_attempts (endpoint_id, at);
