-- Issue 18 item 1: hub replicas share the sites' publish leases evenly. Each replica that takes
-- leases says it is alive here at every renewal (the same term as its leases); a replica holding more
-- than its share (sites / live replicas, rounded up) gives the rest up, and none takes more than its
-- share, so a replica that joins gets its part within a few renewals. Portable SQL.
CREATE TABLE sync_replicas (
    holder      TEXT PRIMARY KEY,
    expires_at  BIGINT NOT NULL
);
