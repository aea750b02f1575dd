-- Issue #5, MQTT: device credentials and state, event keys per device, door events.
-- Portable SQL only (SQLite and PostgreSQL run this same file).

-- A device's MQTT password, only as SHA-256 hex; NULL until it is provisioned.
ALTER TABLE devices ADD COLUMN mqtt_password_hash TEXT;
-- Its last device.state (acked_seq holds cacheSeq, version the agent version, last_seen_at when the
-- hub received it): the edge's clock, health (ok, degraded, fault, offline), outbox depth, problems
-- (a JSON array of strings) and the state's own time.
ALTER TABLE devices ADD COLUMN clock TEXT;
ALTER TABLE devices ADD COLUMN health TEXT;
ALTER TABLE devices ADD COLUMN outbox_depth BIGINT;
ALTER TABLE devices ADD COLUMN problems TEXT;
ALTER TABLE devices ADD COLUMN state_at BIGINT;

-- Access events are idempotent per device: the protocol keys an event by (device, id), the device
-- being the one the topic names. SQLite cannot change a primary key, so the table is rebuilt (the
-- same statements serve PostgreSQL).
CREATE TABLE access_events_v3 (
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
    PRIMARY KEY (tenant_id, device_id, id)
);
INSERT INTO access_events_v3 (id, tenant_id, site_id, door_id, device_id, at, granted, basis, reason, presented,
        card_hash, member_id, credential_id, pass_id, clock, received_at)
    SELECT id, tenant_id, site_id, door_id, device_id, at, granted, basis, reason, presented,
        card_hash, member_id, credential_id, pass_id, clock, received_at
    FROM access_events;
DROP TABLE access_events;
ALTER TABLE access_events_v3 RENAME TO access_events;
CREATE INDEX access_events_door ON access_events (tenant_id, door_id, at, id);
CREATE INDEX access_events_site ON access_events (tenant_id, site_id, at, id);
CREATE INDEX access_events_member ON access_events (tenant_id, member_id, at, id);
CREATE INDEX access_events_at ON access_events (tenant_id, at, id);
-- The live feed (SSE) reads a tenant's events in the order the hub stored them.
CREATE INDEX access_events_received ON access_events (tenant_id, received_at, device_id, id);

-- Door and reader conditions the edges report (event.door), idempotent per device like access events.
CREATE TABLE door_events (
    id           TEXT NOT NULL,
    tenant_id    TEXT NOT NULL REFERENCES tenants (id),
    site_id      TEXT NOT NULL,
    door_id      TEXT NOT NULL,
    device_id    TEXT NOT NULL,
    at           BIGINT NOT NULL,
    kind         TEXT NOT NULL,
    detail       TEXT,
    received_at  BIGINT NOT NULL,
    PRIMARY KEY (tenant_id, device_id, id)
);
CREATE INDEX door_events_site ON door_events (tenant_id, site_id, at, id);
