-- The console's members pages (issue 12).

-- Finding a member by a card's label ("blue card"): the search matches the start of the lower-cased
-- label as a range, through this index, instead of reading every credential of the tenant.
CREATE INDEX credentials_label ON credentials (tenant_id, LOWER(label));

-- Enrolling a card by tapping it: an operator waits at a door for the next unknown card. The session
-- is in the store so any replica of the hub can serve the page's polling. It ends after 60 seconds,
-- or when the first unknown-card event at the door after its start became the member's credential.
CREATE TABLE card_enrollments (
    id             TEXT PRIMARY KEY,
    tenant_id      TEXT NOT NULL REFERENCES tenants (id),
    site_id        TEXT NOT NULL REFERENCES sites (id),
    door_id        TEXT NOT NULL REFERENCES doors (id),
    member_id      TEXT NOT NULL REFERENCES members (id),
    operator_id    TEXT NOT NULL,
    started_at     BIGINT NOT NULL,
    expires_at     BIGINT NOT NULL,
    credential_id  TEXT,
    outcome        TEXT
);
CREATE INDEX card_enrollments_member ON card_enrollments (tenant_id, member_id, started_at);
