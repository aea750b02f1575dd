-- Issue 17 item 7: doors for other platforms. An existing coworking platform (Nexudus, OfficeRnD, …)
-- keeps its members and billing and drives Gatehouse's doors by its own ids: each of its people is
-- linked to one Gatehouse member, and the plans that link gave are remembered so that taking access
-- away never touches a plan the member holds otherwise.
CREATE TABLE external_members (
    tenant_id    TEXT NOT NULL REFERENCES tenants (id),
    system       TEXT NOT NULL,
    external_id  TEXT NOT NULL,
    member_id    TEXT NOT NULL REFERENCES members (id),
    -- the platform's version of the last state applied (its timestamp in ms, or its own counter):
    -- an older or repeated state changes nothing, so a late retry never undoes a newer change
    version      BIGINT,
    created_at   BIGINT NOT NULL,
    updated_at   BIGINT NOT NULL,
    PRIMARY KEY (tenant_id, system, external_id)
);
-- one person of a platform per member; also how an access event finds the member's platform ids
CREATE UNIQUE INDEX external_members_member ON external_members (tenant_id, member_id, system);

CREATE TABLE external_plans (
    tenant_id    TEXT NOT NULL,
    system       TEXT NOT NULL,
    external_id  TEXT NOT NULL,
    plan_id      TEXT NOT NULL REFERENCES plans (id) ON DELETE CASCADE,
    PRIMARY KEY (tenant_id, system, external_id, plan_id),
    FOREIGN KEY (tenant_id, system, external_id) REFERENCES external_members (tenant_id, system, external_id)
        ON DELETE CASCADE
);
