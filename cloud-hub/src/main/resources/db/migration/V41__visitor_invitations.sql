-- Issue 17 item 3 (visitors): members invite visitors from the portal. The doors an invitation opens
-- are the site's door groups the operator marks for visitors (PATCH /api/v1/door-groups/{id}
-- {"forVisitors": true}); a site with none takes no invitations from members (fail closed).
ALTER TABLE door_groups ADD COLUMN for_visitors BOOLEAN NOT NULL DEFAULT FALSE;
-- Who made the pass: 'operator' (console, API) or 'member' (the host, from the portal).
ALTER TABLE visitor_passes ADD COLUMN invited_by TEXT NOT NULL DEFAULT 'operator';
CREATE INDEX visitor_passes_host ON visitor_passes (tenant_id, host_member_id, valid_from);

-- Visitor data is kept for a period after the pass ends (per tenant, 30 days unless the tenant sets
-- another, PUT /api/v1/visitor-retention), then a daily sweep anonymises the visitor's name and
-- e-mail; the pass row stays (with its door uses) for the access log. anonymised_at: when that was
-- done, by the sweep or by an erasure (POST /api/v1/visitor-passes/{id}/erase).
ALTER TABLE tenants ADD COLUMN visitor_retention_days INTEGER NOT NULL DEFAULT 30;
ALTER TABLE visitor_passes ADD COLUMN anonymised_at BIGINT;
CREATE INDEX visitor_passes_retention ON visitor_passes (valid_until) WHERE anonymised_at IS NULL;
