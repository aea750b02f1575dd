-- Issue 15 item 2, approval and time-limited holds: a resource may make its members' requests wait
-- for an operator's approval. A waiting request holds its occupied time (no one else can book it)
-- until it is approved, declined, or lapses at hold_until; declined or lapsed, its credits come back.

-- 0: bookings are confirmed at once; 1-168: a member's request waits, holding its time this long.
ALTER TABLE resources ADD COLUMN approval_hold_hours INTEGER NOT NULL DEFAULT 0;

-- When a waiting request lapses: its hold, or its start if that comes first.
ALTER TABLE bookings ADD COLUMN hold_until BIGINT;
-- Who approved or declined it (an operator's actor id, or 'hub' for a lapse), when, and why not.
ALTER TABLE bookings ADD COLUMN decided_at BIGINT;
ALTER TABLE bookings ADD COLUMN decided_by TEXT;
ALTER TABLE bookings ADD COLUMN decline_reason TEXT;
-- The hub's sweep: waiting requests by their hold's end.
CREATE INDEX bookings_hold ON bookings (status, hold_until);
