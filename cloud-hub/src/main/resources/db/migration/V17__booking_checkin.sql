-- Issue 15 item 6, check-in and no-show release: a resource may require its bookings to be checked
-- in (by a tap at its door, or at the front desk); a booking without a check-in by start +
-- release_after is released, by the edge on its own clock or by the hub, whichever is first.

-- 0 release_after_minutes: the resource's bookings need no check-in.
ALTER TABLE resources ADD COLUMN check_in_opens_before_minutes INTEGER NOT NULL DEFAULT 0;
ALTER TABLE resources ADD COLUMN release_after_minutes INTEGER NOT NULL DEFAULT 0;

-- Fixed when the booking is made (NULL release_after_ms: no check-in needed), like its buffers.
ALTER TABLE bookings ADD COLUMN check_in_opens_before_ms BIGINT;
ALTER TABLE bookings ADD COLUMN release_after_ms BIGINT;
ALTER TABLE bookings ADD COLUMN join_link TEXT;
-- When and where the check-in was made: a device id and door, or an operator's actor id.
ALTER TABLE bookings ADD COLUMN checked_in_at BIGINT;
ALTER TABLE bookings ADD COLUMN checked_in_by TEXT;
-- When a no-show was released, and who decided first: a device id, or 'hub'.
ALTER TABLE bookings ADD COLUMN released_at BIGINT;
ALTER TABLE bookings ADD COLUMN released_by TEXT;
-- The hub's release sweep: live bookings that need a check-in, by their release time.
ALTER TABLE bookings ADD COLUMN release_at BIGINT;
CREATE INDEX bookings_release ON bookings (status, release_at);

-- Members invited to a booking: they pass its doors like its member.
CREATE TABLE booking_invitees (
    booking_id  TEXT NOT NULL REFERENCES bookings (id) ON DELETE CASCADE,
    member_id   TEXT NOT NULL REFERENCES members (id),
    PRIMARY KEY (booking_id, member_id)
);

-- Every event.booking an edge reported, once per device and id (an edge resends until acknowledged).
CREATE TABLE booking_events (
    tenant_id    TEXT NOT NULL REFERENCES tenants (id),
    device_id    TEXT NOT NULL,
    id           TEXT NOT NULL,
    site_id      TEXT NOT NULL,
    booking_id   TEXT NOT NULL,
    kind         TEXT NOT NULL,
    member_id    TEXT,
    door_id      TEXT,
    at           BIGINT NOT NULL,
    -- What the hub did with it: applied, or why not (already released, unknown booking, …).
    outcome      TEXT NOT NULL,
    received_at  BIGINT NOT NULL,
    PRIMARY KEY (tenant_id, device_id, id)
);
CREATE INDEX booking_events_booking ON booking_events (booking_id);

-- A check-in made at a door before the release time that reached the hub after the hub had released
-- the booking and rebooked its time: the rebooking stands, the checked-in member gets the credits
-- back, and the operator sees the conflict.
CREATE TABLE booking_conflicts (
    id                TEXT PRIMARY KEY,
    tenant_id         TEXT NOT NULL REFERENCES tenants (id),
    site_id           TEXT NOT NULL REFERENCES sites (id),
    booking_id        TEXT NOT NULL REFERENCES bookings (id),
    rebooking_id      TEXT NOT NULL REFERENCES bookings (id),
    member_id         TEXT NOT NULL REFERENCES members (id),
    checked_in_at     BIGINT NOT NULL,
    checked_in_by     TEXT NOT NULL,
    refunded_credits  BIGINT NOT NULL,
    detected_at       BIGINT NOT NULL,
    resolved_at       BIGINT,
    resolved_by       TEXT
);
CREATE UNIQUE INDEX booking_conflicts_once ON booking_conflicts (booking_id);
CREATE INDEX booking_conflicts_site ON booking_conflicts (tenant_id, site_id, detected_at);
