-- Issue 17 item 1, analytics: what a site's occupancies divide by. capacity: people the site holds
-- (physical occupancy); desks: desks it sells (sold occupancy); hot_desk_percent: the hot-desk
-- coefficient × 100 (250: 2.5 hot-desk memberships share one desk). NULL capacity or desks: the
-- metric falls back to its resources' capacities and says so.
CREATE TABLE analytics_site_targets (
    site_id           TEXT PRIMARY KEY REFERENCES sites (id),
    tenant_id         TEXT NOT NULL REFERENCES tenants (id),
    capacity          INTEGER,
    desks             INTEGER,
    hot_desk_percent  INTEGER NOT NULL,
    updated_at        BIGINT NOT NULL
);
CREATE INDEX analytics_site_targets_tenant ON analytics_site_targets (tenant_id, site_id);
