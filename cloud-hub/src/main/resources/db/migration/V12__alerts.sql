-- Issue 14, fleet alerts. An alert is open while its condition lasts (a device offline, a device
-- reporting problems such as a reader fault, a door forced or held open, a device's clock not trusted,
-- a device's cache too far behind its site) and cleared when it ends. At most one open alert per
-- tenant, kind and subject: every hub replica evaluates the same conditions, and this index makes
-- opening idempotent. notified_at / cleared_notified_at record that the tenant's channels were told,
-- claimed by one replica with a conditional update so each mail goes out once.
CREATE TABLE alerts (
    id                   TEXT PRIMARY KEY,
    tenant_id            TEXT NOT NULL REFERENCES tenants (id),
    site_id              TEXT NOT NULL REFERENCES sites (id),
    kind                 TEXT NOT NULL,
    subject_type         TEXT NOT NULL,
    subject_id           TEXT NOT NULL,
    subject_name         TEXT NOT NULL,
    detail               TEXT NOT NULL,
    opened_at            BIGINT NOT NULL,
    cleared_at           BIGINT,
    notified_at          BIGINT,
    cleared_notified_at  BIGINT
);
CREATE UNIQUE INDEX alerts_open ON alerts (tenant_id, kind, subject_id) WHERE cleared_at IS NULL;
CREATE INDEX alerts_tenant ON alerts (tenant_id, opened_at);

-- Where a tenant's alerts go, and its thresholds. No row: the tenant's owners, and the defaults.
CREATE TABLE alert_settings (
    tenant_id     TEXT PRIMARY KEY REFERENCES tenants (id),
    emails        TEXT NOT NULL,
    cache_behind  BIGINT NOT NULL,
    updated_at    BIGINT NOT NULL
);

-- Alert evaluation reads the door events received since its last pass, then each touched door's latest
-- condition; the console's door states read the latter too.
CREATE INDEX door_events_received ON door_events (received_at);
CREATE INDEX door_events_door ON door_events (tenant_id, door_id, at);
