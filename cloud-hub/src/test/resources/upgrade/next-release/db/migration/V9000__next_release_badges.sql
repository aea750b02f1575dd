-- Test only: what the next release (N+1) adds, for RollingUpgradeIT and FutureSchemaTest. It is not
-- on the hub's class path: a test puts upgrade/next-release/ there for the N+1 replica alone, as a
-- newer hub jar would bring it. Additive, as the rolling-upgrade policy asks (MigrationPolicyTest
-- checks it): a new table, a nullable column and a column with a default on an existing table.
-- Version 9000, far above any real migration, so that it never collides with one.
CREATE TABLE member_badges (
    id          TEXT PRIMARY KEY,
    tenant_id   TEXT NOT NULL REFERENCES tenants (id),
    member_id   TEXT NOT NULL REFERENCES members (id),
    label       TEXT NOT NULL,
    created_at  BIGINT NOT NULL
);
CREATE INDEX member_badges_member ON member_badges (tenant_id, member_id);
ALTER TABLE members ADD COLUMN nickname TEXT;
ALTER TABLE members ADD COLUMN badge_count INTEGER NOT NULL DEFAULT 0;
