-- Issue 17 item 3 (visitors): members invite visitors from the portal. The doors an invitation opens
-- are the site's door groups the operator marks for visitors (PATCH /api/v1/door-groups/{id}
-- {"forVisitors": true}); a site with none takes no invitations from members (fail closed).
ALTER TABLE door_groups ADD COLUMN for_visitors BOOLEAN NOT NULL DEFAULT FALSE;
-- Who made the pass: 'operator' (console, API) or 'member' (the host, from the portal).
ALTER TABLE visitor_passes ADD COLUMN invited_by TEXT NOT NULL DEFAULT 'operator';
CREATE INDEX visitor_passes_host ON visitor_passes (tenant_id, host_member_id, valid_from);
