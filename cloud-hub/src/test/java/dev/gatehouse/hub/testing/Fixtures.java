package dev.gatehouse.hub.testing;

import dev.gatehouse.hub.members.MemberTerms;
import dev.gatehouse.hub.store.HubIds;
import java.sql.PreparedStatement;

/**
 * Rows that tests need before their own API exists. Members are inserted straight into the store
 * until the member API lands; then these helpers will call it instead.
 */
public final class Fixtures {
    private Fixtures() {}

    /** A new active member of the tenant, without roles; answers its id. */
    public static String member(TestHub hub, String tenantId) {
        return member(hub, tenantId, "ACTIVE");
    }

    /** A new member in {@code status} (ACTIVE, SUSPENDED or CANCELLED); answers its id. */
    public static String member(TestHub hub, String tenantId, String status) {
        String id = HubIds.next("mem");
        long now = System.currentTimeMillis();
        hub.hub().database().write(c -> {
            try (PreparedStatement insert = c.prepareStatement("INSERT INTO members (id, tenant_id, email, full_name,"
                    + " status, roles, created_at, updated_at) VALUES (?, ?, ?, ?, ?, '', ?, ?)")) {
                insert.setString(1, id);
                insert.setString(2, tenantId);
                insert.setString(3, id + "@members.example");
                insert.setString(4, "Member " + id);
                insert.setString(5, status);
                insert.setLong(6, now);
                insert.setLong(7, now);
                insert.executeUpdate();
            }
            MemberTerms.insert(
                    c, java.util.List.of(new MemberTerms.Row(tenantId, id, id + "@members.example", "Member " + id)));
            return null;
        });
        return id;
    }

    /** Sets a member's status (ACTIVE, SUSPENDED or CANCELLED) straight in the store. */
    public static void memberStatus(TestHub hub, String memberId, String status) {
        hub.hub().database().write(c -> {
            try (PreparedStatement update = c.prepareStatement("UPDATE members SET status = ? WHERE id = ?")) {
                update.setString(1, status);
                update.setString(2, memberId);
                return update.executeUpdate();
            }
        });
    }
}
