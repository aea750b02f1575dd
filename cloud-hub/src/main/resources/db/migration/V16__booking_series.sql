-- Issue 15, recurring bookings: a series is an RFC 5545 recurrence (DTSTART local in the site's zone,
-- RRULE, RDATE, EXDATE); its occurrences are ordinary bookings that point back to it.
CREATE TABLE booking_series (
    id                TEXT PRIMARY KEY,
    tenant_id         TEXT NOT NULL REFERENCES tenants (id),
    site_id           TEXT NOT NULL REFERENCES sites (id),
    resource_id       TEXT NOT NULL REFERENCES resources (id),
    member_id         TEXT NOT NULL REFERENCES members (id),
    title             TEXT NOT NULL,
    -- The TZID the series was expanded in: the site's zone when it was made.
    time_zone         TEXT NOT NULL,
    -- DTSTART as a local date-time (2027-03-01T09:00:00) in time_zone.
    first_start       TEXT NOT NULL,
    duration_minutes  INTEGER NOT NULL,
    -- The RRULE as it stands: "this and following" replaces COUNT or UNTIL by an earlier UNTIL.
    rrule             TEXT NOT NULL,
    -- Comma-separated local date-times in time_zone; '' for none. EXDATE holds the dates left out when
    -- the series was made (asked for, or skipped as conflicts); a cancelled occurrence adds its own
    -- RECURRENCE-ID through its booking row.
    rdates            TEXT NOT NULL,
    exdates           TEXT NOT NULL,
    status            TEXT NOT NULL,
    -- Set by "this and following" (and a cancel of the whole series): no occurrence from then on.
    ends_before       BIGINT,
    override_reason   TEXT,
    created_by        TEXT NOT NULL,
    created_at        BIGINT NOT NULL,
    updated_at        BIGINT NOT NULL,
    cancelled_at      BIGINT
);
CREATE INDEX booking_series_site ON booking_series (tenant_id, site_id, id);

-- An occurrence: its series and its RECURRENCE-ID, the original start (epoch ms) it keeps when moved.
ALTER TABLE bookings ADD COLUMN series_id TEXT REFERENCES booking_series (id);
ALTER TABLE bookings ADD COLUMN recurrence_id BIGINT;
CREATE UNIQUE INDEX bookings_series_occurrence ON bookings (series_id, recurrence_id);

-- iCalendar feeds behind secret addresses, one per resource and one per member. Only the SHA-256 of
-- the secret is kept (256 random bits: no dictionary to try); a new secret replaces the row.
CREATE TABLE calendar_feeds (
    id           TEXT PRIMARY KEY,
    tenant_id    TEXT NOT NULL REFERENCES tenants (id),
    kind         TEXT NOT NULL,
    subject_id   TEXT NOT NULL,
    secret_hash  TEXT NOT NULL UNIQUE,
    created_at   BIGINT NOT NULL,
    UNIQUE (tenant_id, kind, subject_id)
);
