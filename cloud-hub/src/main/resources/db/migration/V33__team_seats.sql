-- Issue 16 item 1: team plans with seats. The subscriber of a team package holds its first seat and
-- pays; each other seat is a member of the tenant who gets the package's door plan for as long as
-- the subscription gives it (pauses, cancellations and plan changes follow to every seat).
CREATE TABLE subscription_seats (
    subscription_id TEXT NOT NULL REFERENCES subscriptions (id),
    member_id       TEXT NOT NULL REFERENCES members (id),
    tenant_id       TEXT NOT NULL REFERENCES tenants (id),
    added_at        BIGINT NOT NULL,
    PRIMARY KEY (subscription_id, member_id)
);
CREATE INDEX subscription_seats_member ON subscription_seats (tenant_id, member_id);
