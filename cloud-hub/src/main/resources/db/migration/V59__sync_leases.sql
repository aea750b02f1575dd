-- Issue 18 item 1: hub replicas. Each site's change log is published by one replica at a time: the
-- replica named in `holder` (a random id per hub process) until `expires_at` (epoch millis). The
-- holder renews its leases well before they expire; another replica takes over a lease once it has
-- expired (its holder died or lost the store), and a replica stopping cleanly gives its leases up.
-- A single hub on SQLite publishes every site and does not use this table. Portable SQL.
CREATE TABLE sync_leases (
    site_id     TEXT PRIMARY KEY REFERENCES sites (id),
    holder      TEXT NOT NULL,
    expires_at  BIGINT NOT NULL
);

CREATE INDEX sync_leases_holder ON sync_leases (holder);
