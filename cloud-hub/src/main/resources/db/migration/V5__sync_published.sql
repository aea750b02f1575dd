-- Sync publishing that survives a restart: per site, the seq up to which the broker has accepted
-- (PUBACK) every sync.batch for every active device of the site. The hub resumes each site from
-- here when it starts, so entries committed but not yet accepted when it stopped are published
-- again (an edge takes a repeated batch as a harmless repeat). Portable SQL for SQLite and PostgreSQL.
CREATE TABLE sync_published (
    site_id     TEXT PRIMARY KEY REFERENCES sites (id),
    tenant_id   TEXT NOT NULL REFERENCES tenants (id),
    seq         BIGINT NOT NULL,
    updated_at  BIGINT NOT NULL
);

-- The hub before this version took every site's head as published at each start: existing sites
-- start there once more, rather than send their whole log again on the first start after upgrading.
INSERT INTO sync_published (site_id, tenant_id, seq, updated_at)
    SELECT id, tenant_id, change_seq, updated_at FROM sites;
