-- Issue 14, config pushed from the hub. A door's held-open threshold and office hours may be set on the
-- hub; NULL means "the edge's own configuration decides". office_hours is a JSON array of
-- {"day":"monday","start":"08:00","end":"09:30"} ('[]': no office hours, pushed). The hub pushes them
-- only to sites whose active edges all list the door-policy feature (devices.features, comma-separated,
-- from their device.state).
ALTER TABLE doors ADD COLUMN held_open_seconds BIGINT;
ALTER TABLE doors ADD COLUMN office_hours TEXT;
ALTER TABLE devices ADD COLUMN features TEXT;
