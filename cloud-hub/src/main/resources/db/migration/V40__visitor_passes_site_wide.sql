-- Issue 17 item 3 (visitors): a single-use visitor pass is spent for the whole site on its first use,
-- and a pass may carry a 6-digit PIN (stored only as its keyed hash).
--
-- used_at: the event time of the first use the hub received of a pass; a single-use pass then goes
-- to the site's edges as status "used" (or "revoked" to edges that predate it).
ALTER TABLE visitor_passes ADD COLUMN used_at BIGINT;
-- pin_hash: hex(HMAC-SHA256(tenant card key, "gh-pin-v1:" || site || ":" || pin)); the PIN itself is
-- shown once and never stored. NULL once the pass is revoked or over: the PIN is free again.
ALTER TABLE visitor_passes ADD COLUMN pin_hash TEXT;
CREATE UNIQUE INDEX visitor_passes_pin ON visitor_passes (site_id, pin_hash) WHERE pin_hash IS NOT NULL;

-- Every use of a visitor pass that an edge reported (a granted access event naming the pass), once
-- per event: several edges cut off from each other may each admit a single-use pass once, and the
-- hub shows every one.
CREATE TABLE visitor_pass_uses (
    tenant_id    TEXT NOT NULL REFERENCES tenants (id),
    pass_id      TEXT NOT NULL REFERENCES visitor_passes (id) ON DELETE CASCADE,
    device_id    TEXT NOT NULL,
    event_id     TEXT NOT NULL,
    site_id      TEXT NOT NULL,
    door_id      TEXT NOT NULL,
    presented    TEXT NOT NULL,
    at           BIGINT NOT NULL,
    received_at  BIGINT NOT NULL,
    PRIMARY KEY (tenant_id, pass_id, device_id, event_id)
);
