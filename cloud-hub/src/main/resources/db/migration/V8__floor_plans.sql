-- Issue 12, console: a site's floor plan (an SVG the console checked before storing it: no script,
-- no event handlers, no external references, no DOCTYPE) and where each door sits on it, in percent
-- of the plan's width and height. A door's position goes with the door.
CREATE TABLE floor_plans (
    site_id     TEXT PRIMARY KEY REFERENCES sites (id) ON DELETE CASCADE,
    tenant_id   TEXT NOT NULL REFERENCES tenants (id),
    svg         TEXT NOT NULL,
    updated_at  BIGINT NOT NULL
);

CREATE TABLE door_positions (
    door_id    TEXT PRIMARY KEY REFERENCES doors (id) ON DELETE CASCADE,
    tenant_id  TEXT NOT NULL REFERENCES tenants (id),
    site_id    TEXT NOT NULL REFERENCES sites (id) ON DELETE CASCADE,
    x          INTEGER NOT NULL,
    y          INTEGER NOT NULL
);
CREATE INDEX door_positions_site ON door_positions (tenant_id, site_id);
