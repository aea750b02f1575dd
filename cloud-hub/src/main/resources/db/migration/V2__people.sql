-- Members and plans (issue #4, people): portable SQL for SQLite and PostgreSQL.

-- A member's history is read in the order it was written. Entries written within the same
-- millisecond (a PATCH and a plan assignment in quick succession) keep their order by seq, which
-- the writer numbers per member while holding the member's row.
ALTER TABLE member_history ADD COLUMN seq BIGINT NOT NULL DEFAULT 0;
CREATE INDEX member_history_order ON member_history (tenant_id, member_id, at, seq);

-- Keyset paging of member and plan lists in creation order.
CREATE INDEX members_created ON members (tenant_id, created_at, id);
CREATE INDEX plans_created ON plans (tenant_id, created_at, id);
CREATE INDEX member_plans_tenant ON member_plans (tenant_id, member_id);
