-- Issue 17 item 6: mail and parcels logged at the front desk, and announcements to members.

-- A letter or parcel waiting at a site's desk for a member, until it is handed over. The member is
-- told by mail after the row commits; notice_state records whether that mail went out (pending,
-- sent, failed with its error), so a failed mail is retried and never loses the record.
CREATE TABLE parcels (
    id                 TEXT PRIMARY KEY,
    tenant_id          TEXT NOT NULL REFERENCES tenants (id),
    site_id            TEXT NOT NULL REFERENCES sites (id),
    member_id          TEXT NOT NULL REFERENCES members (id),
    kind               TEXT NOT NULL,
    carrier            TEXT,
    tracking_number    TEXT,
    note               TEXT,
    shelf              TEXT,
    status             TEXT NOT NULL,
    logged_by          TEXT NOT NULL,
    logged_at          BIGINT NOT NULL,
    notice_state       TEXT NOT NULL,
    notice_attempts    INTEGER NOT NULL DEFAULT 0,
    notice_error       TEXT,
    noticed_at         BIGINT,
    collected_at       BIGINT,
    collected_by       TEXT,
    handed_over_by     TEXT,
    handed_over_label  TEXT
);
CREATE INDEX parcels_site ON parcels (tenant_id, site_id, logged_at, id);
CREATE INDEX parcels_member ON parcels (tenant_id, member_id, logged_at, id);
CREATE INDEX parcels_notice ON parcels (notice_state, logged_at);

-- A parcel's photo (taken at the desk) and the signature the member drew at pickup: checked JPEG or
-- PNG, base64 text (portable across both stores), one of each kind per parcel.
CREATE TABLE parcel_images (
    parcel_id     TEXT NOT NULL REFERENCES parcels (id),
    tenant_id     TEXT NOT NULL REFERENCES tenants (id),
    purpose       TEXT NOT NULL,
    content_type  TEXT NOT NULL,
    body          TEXT NOT NULL,
    PRIMARY KEY (parcel_id, purpose)
);

-- An announcement to the members of one site (site_id) or of the whole tenant (site_id NULL),
-- shown from publish_at until expires_at (NULL: no end) unless withdrawn.
CREATE TABLE announcements (
    id            TEXT PRIMARY KEY,
    tenant_id     TEXT NOT NULL REFERENCES tenants (id),
    site_id       TEXT REFERENCES sites (id),
    title         TEXT NOT NULL,
    body          TEXT NOT NULL,
    publish_at    BIGINT NOT NULL,
    expires_at    BIGINT,
    withdrawn_at  BIGINT,
    created_by    TEXT NOT NULL,
    created_at    BIGINT NOT NULL,
    updated_at    BIGINT NOT NULL
);
CREATE INDEX announcements_tenant ON announcements (tenant_id, publish_at, id);

-- One row per member an announcement was mailed to: the primary key makes the mail at most once per
-- member and announcement, across retries, replicas and restarts. A row is claimed (sending) before
-- the mail goes out and marked sent or failed after.
CREATE TABLE announcement_mails (
    announcement_id  TEXT NOT NULL REFERENCES announcements (id),
    member_id        TEXT NOT NULL REFERENCES members (id),
    tenant_id        TEXT NOT NULL REFERENCES tenants (id),
    state            TEXT NOT NULL,
    attempts         INTEGER NOT NULL,
    error            TEXT,
    at               BIGINT NOT NULL,
    PRIMARY KEY (announcement_id, member_id)
);
CREATE INDEX announcement_mails_state ON announcement_mails (state, at);
