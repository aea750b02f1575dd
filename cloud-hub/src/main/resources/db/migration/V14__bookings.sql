-- Issue 15, bookings: a site's bookable resources (rooms, booths, desks, event spaces) with their
-- booking rules, and the bookings made on them.
CREATE TABLE resources (
    id                     TEXT PRIMARY KEY,
    tenant_id              TEXT NOT NULL REFERENCES tenants (id),
    site_id                TEXT NOT NULL REFERENCES sites (id),
    -- A part of a room that can be split: booking the whole blocks every part and the other way round.
    parent_id              TEXT REFERENCES resources (id),
    name                   TEXT NOT NULL,
    kind                   TEXT NOT NULL,
    capacity               INTEGER NOT NULL,
    amenities              TEXT NOT NULL,
    -- Where it sits on the site's floor plan, in percent of the plan's width and height.
    x                      INTEGER,
    y                      INTEGER,
    -- Money in minor units of the tenant's currency, credits in whole credits: never floating point.
    price_per_hour         BIGINT NOT NULL,
    credits_per_hour       BIGINT NOT NULL,
    status                 TEXT NOT NULL,
    granularity_minutes    INTEGER NOT NULL,
    min_minutes            INTEGER NOT NULL,
    max_minutes            INTEGER NOT NULL,
    min_notice_minutes     INTEGER NOT NULL,
    max_advance_days       INTEGER NOT NULL,
    buffer_before_minutes  INTEGER NOT NULL,
    buffer_after_minutes   INTEGER NOT NULL,
    max_hours_per_day      INTEGER NOT NULL,
    max_hours_per_week     INTEGER NOT NULL,
    cancel_window_minutes  INTEGER NOT NULL,
    -- JSON [{day, start, end}] in the site's zone; [] means at any time.
    opening_hours          TEXT NOT NULL,
    closed_on_holidays     BOOLEAN NOT NULL,
    created_at             BIGINT NOT NULL,
    updated_at             BIGINT NOT NULL
);
CREATE INDEX resources_site ON resources (tenant_id, site_id, id);
CREATE INDEX resources_parent ON resources (parent_id);

-- The doors a booking of the resource opens for its member.
CREATE TABLE resource_doors (
    resource_id  TEXT NOT NULL REFERENCES resources (id) ON DELETE CASCADE,
    door_id      TEXT NOT NULL REFERENCES doors (id),
    PRIMARY KEY (resource_id, door_id)
);

-- The plans whose members may book the resource; none means every member.
CREATE TABLE resource_plans (
    resource_id  TEXT NOT NULL REFERENCES resources (id) ON DELETE CASCADE,
    plan_id      TEXT NOT NULL REFERENCES plans (id),
    PRIMARY KEY (resource_id, plan_id)
);

CREATE TABLE bookings (
    id                TEXT PRIMARY KEY,
    tenant_id         TEXT NOT NULL REFERENCES tenants (id),
    site_id           TEXT NOT NULL REFERENCES sites (id),
    resource_id       TEXT NOT NULL REFERENCES resources (id),
    member_id         TEXT NOT NULL REFERENCES members (id),
    title             TEXT NOT NULL,
    start_at          BIGINT NOT NULL,
    end_at            BIGINT NOT NULL,
    -- The buffers fixed at booking time: occupied time is [start - before, end + after).
    buffer_before_ms  BIGINT NOT NULL,
    buffer_after_ms   BIGINT NOT NULL,
    status            TEXT NOT NULL,
    -- The price and credits fixed at booking time (a later change of the resource does not re-price).
    price             BIGINT NOT NULL,
    credits           BIGINT NOT NULL,
    override_reason   TEXT,
    created_by        TEXT NOT NULL,
    created_at        BIGINT NOT NULL,
    updated_at        BIGINT NOT NULL,
    cancelled_at      BIGINT
);
CREATE INDEX bookings_resource ON bookings (resource_id, start_at);
CREATE INDEX bookings_member ON bookings (tenant_id, member_id, start_at);
CREATE INDEX bookings_site ON bookings (tenant_id, site_id, start_at, id);

-- The occupied time of each live booking on every resource it blocks: the booked resource and all
-- its parts (a booking of a part thus meets a booking of the whole on the part). A cancelled booking
-- has none. Two rows of one resource never overlap: on PostgreSQL an exclusion constraint
-- (V14_1, postgresql only) guarantees it; on SQLite the single writer checks before it inserts.
CREATE TABLE booking_blocks (
    booking_id      TEXT NOT NULL REFERENCES bookings (id) ON DELETE CASCADE,
    resource_id     TEXT NOT NULL REFERENCES resources (id),
    occupied_from   BIGINT NOT NULL,
    occupied_until  BIGINT NOT NULL,
    PRIMARY KEY (resource_id, booking_id)
);
CREATE INDEX booking_blocks_time ON booking_blocks (resource_id, occupied_from, occupied_until);
CREATE INDEX booking_blocks_booking ON booking_blocks (booking_id);
