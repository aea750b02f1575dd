-- Issue 16 item 2: pausing a subscription. A pause runs from a period's start (the site's midnight)
-- for whole periods: those periods are not charged, give no package credits, and the door plan is
-- off from the pause's start until the billing run after its end gives it back. NULL: no pause set.
ALTER TABLE subscriptions ADD COLUMN paused_from BIGINT;
ALTER TABLE subscriptions ADD COLUMN paused_until BIGINT;
