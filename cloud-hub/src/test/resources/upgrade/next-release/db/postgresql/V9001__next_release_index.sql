-- Test only (see db/migration/V9000 beside it): the next release's index on a busy table, built
-- CONCURRENTLY so that replicas still on release N keep writing access events meanwhile. Flyway
-- runs a migration holding only such a statement outside a transaction; PostgreSQL only.
CREATE INDEX CONCURRENTLY IF NOT EXISTS access_events_device_at ON access_events (device_id, at);
