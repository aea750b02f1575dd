-- Sync (issue #5): the compaction floor of each site's change log, and commands to edges.
-- Portable SQL for SQLite and PostgreSQL: text ids, epoch-millisecond BIGINT times.

-- Entries 1..compacted_seq of the site's log have been deleted: a sync.request with haveSeq below
-- it is answered with a snapshot.
ALTER TABLE sites ADD COLUMN compacted_seq BIGINT NOT NULL DEFAULT 0;

-- A signed command to a site's edges. action: the protocol action JSON (type, door, ...).
CREATE TABLE commands (
    id          TEXT PRIMARY KEY,
    tenant_id   TEXT NOT NULL REFERENCES tenants (id),
    site_id     TEXT NOT NULL REFERENCES sites (id),
    action      TEXT NOT NULL,
    issued_at   BIGINT NOT NULL,
    expires_at  BIGINT NOT NULL
);
CREATE INDEX commands_site ON commands (tenant_id, site_id, issued_at, id);

-- One row per device the command was published to. status: pending, done, rejected, expired
-- (a pending row past the command's expires_at reads as expired).
CREATE TABLE command_devices (
    command_id  TEXT NOT NULL REFERENCES commands (id) ON DELETE CASCADE,
    device_id   TEXT NOT NULL REFERENCES devices (id),
    status      TEXT NOT NULL,
    detail      TEXT,
    at          BIGINT,
    PRIMARY KEY (command_id, device_id)
);
