-- Issue 17 item 2: sign-ins and check-ins at a kiosk served by a site's edge, ingested from the edge's
-- event.kiosk once per tenant and event id (the edge makes the id; a re-sent event changes nothing).
-- The host is told by mail after the row commits; notice_state records whether that mail went out
-- (PENDING, SENDING, SENT, FAILED with its error, NONE when there is no one to tell), so a failed mail
-- is retried and never loses the record.
CREATE TABLE kiosk_sign_ins (
    tenant_id        TEXT NOT NULL REFERENCES tenants (id),
    id               TEXT NOT NULL,
    site_id          TEXT NOT NULL REFERENCES sites (id),
    device_id        TEXT NOT NULL,
    kiosk_id         TEXT NOT NULL,
    kind             TEXT NOT NULL,
    pass_id          TEXT,
    member_id        TEXT,
    host_member_id   TEXT,
    visitor_name     TEXT,
    visitor_email    TEXT,
    made_offline     BOOLEAN NOT NULL,
    occurred_at      BIGINT NOT NULL,
    received_at      BIGINT NOT NULL,
    notice_state     TEXT NOT NULL,
    notice_attempts  INTEGER NOT NULL DEFAULT 0,
    notice_error     TEXT,
    noticed_at       BIGINT,
    PRIMARY KEY (tenant_id, id)
);
CREATE INDEX kiosk_sign_ins_site ON kiosk_sign_ins (tenant_id, site_id, occurred_at, id);
CREATE INDEX kiosk_sign_ins_notice ON kiosk_sign_ins (notice_state, received_at);
