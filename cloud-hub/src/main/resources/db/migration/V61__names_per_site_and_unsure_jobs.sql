-- Issue 17: a member's display name (for the kiosk's host list) reaches a site's edges only while the
-- member has access there (a current plan opening one of the site's door groups). One row per site
-- whose change log carries the member with the name; the hub keeps it in the transaction that appends
-- the member to the site (SiteNames), and a site's snapshot gives the name exactly where a row says.
-- Until now every active member's name went to every site: the rows below say so, and the hub's first
-- names sweep then sends each site the member without the name wherever the member has no access.
-- Portable SQL.
CREATE TABLE site_member_names (
    site_id   TEXT NOT NULL REFERENCES sites (id),
    member_id TEXT NOT NULL REFERENCES members (id),
    tenant_id TEXT NOT NULL REFERENCES tenants (id),
    PRIMARY KEY (site_id, member_id)
);
CREATE INDEX site_member_names_member ON site_member_names (tenant_id, member_id);

INSERT INTO site_member_names (site_id, member_id, tenant_id)
    SELECT s.id, m.id, m.tenant_id FROM sites s JOIN members m ON m.tenant_id = s.tenant_id
    WHERE m.status = 'ACTIVE';

-- Issue 17: a connector's call whose answer was lost (a timeout, a broken connection, a 5xx after the
-- service may have acted) leaves the job unsure: since when an attempt of the job may have reached the
-- service without the hub learning the outcome. Set when a job is claimed (so a hub that stops mid-call
-- leaves it set), put back when the attempt fails for certain (a refusal, a 429). The Slack connector
-- looks for its message from then on before posting again (chat.postMessage has no idempotency key).
ALTER TABLE connector_jobs ADD COLUMN unsure_since BIGINT;
