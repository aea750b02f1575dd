-- Issue 16 item 1: the days a member's entry-limited plan (a 10-pass, member_plans.entries) has
-- spent. The first granted entry of a site-local day spends it, decided offline at the edge; the hub
-- counts each distinct day once, whichever edge or site reports it first (duplicates and the same day
-- at two edges do nothing), in the transaction that stores the access event, and sends the grant with
-- its spent days to every site the plan covers.
CREATE TABLE pass_days (
    tenant_id      TEXT NOT NULL REFERENCES tenants (id),
    member_id      TEXT NOT NULL,
    plan_id        TEXT NOT NULL,
    -- The site-local date (YYYY-MM-DD, in the zone of site_id) of the first entry that day.
    day            TEXT NOT NULL,
    -- The access event that reported it first, and where.
    first_event_id TEXT NOT NULL,
    site_id        TEXT NOT NULL,
    device_id      TEXT NOT NULL,
    created_at     BIGINT NOT NULL,
    PRIMARY KEY (tenant_id, member_id, plan_id, day)
);
