package dev.gatehouse.hub.members;

import dev.gatehouse.hub.changes.ChangeLog;
import dev.gatehouse.hub.store.Sql;
import dev.gatehouse.protocol.message.Change;
import dev.gatehouse.protocol.model.Member;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * Which sites' edges hold a member's display name: only the sites where the member has access now.
 * Every site gets every member (status and roles decide the member's credentials there), but the
 * name — for the kiosk's host list — only where a current plan of the member opens a door group of
 * the site ({@link #AT_SITE}, the hub kiosk's own host list), and only while the member is active.
 *
 * <p>{@code site_member_names} (V61) records the sites whose log carries the member with the name:
 * every change here appends the member to the sites whose state changes and updates the table in
 * the same transaction, so a site's snapshot ({@link #entitiesAt}) is the member as its log last
 * sent it. A plan that starts or ends with time changes nothing in a transaction: {@link #sweep}
 * catches those (the hub runs it every {@link SiteNameSweep#INTERVAL}). Every write here takes the
 * tenant's lock first ({@link ChangeLog#lockTenant}), so two writers never diff the same member at
 * once; a caller that appends to a site's log before calling takes it before that append.
 */
public final class SiteNames {
    /**
     * A member {@code m} with a current plan opening a door group at the site (parameters: site,
     * now, now): who has access there, for the hub kiosk's host list and the names the edges get.
     */
    public static final String AT_SITE = "EXISTS (SELECT 1 FROM member_plans mp"
            + " JOIN plan_door_groups pg ON pg.plan_id = mp.plan_id"
            + " JOIN door_groups g ON g.id = pg.door_group_id AND g.tenant_id = mp.tenant_id"
            + " WHERE mp.tenant_id = m.tenant_id AND mp.member_id = m.id AND g.site_id = ?"
            + " AND (mp.valid_from IS NULL OR mp.valid_from <= ?) AND (mp.valid_until IS NULL OR mp.valid_until > ?))";

    /** The same as {@link #AT_SITE}, as (site, member) pairs of one tenant (parameters: tenant, now, now). */
    private static final String ACCESS = "SELECT DISTINCT g.site_id, mp.member_id FROM member_plans mp"
            + " JOIN plan_door_groups pg ON pg.plan_id = mp.plan_id"
            + " JOIN door_groups g ON g.id = pg.door_group_id AND g.tenant_id = mp.tenant_id"
            + " WHERE mp.tenant_id = ? AND (mp.valid_from IS NULL OR mp.valid_from <= ?)"
            + " AND (mp.valid_until IS NULL OR mp.valid_until > ?)";

    private SiteNames() {}

    /**
     * The member changed (created, renamed, status or roles, dunning): appends it to every site of
     * the tenant, with its name where it has access and without elsewhere, and records where the
     * name went. In the caller's transaction, after the member's row is written.
     */
    public static void memberChanged(Connection c, String tenantId, String memberId, Instant now) throws SQLException {
        ChangeLog.lockTenant(c, tenantId);
        Member member = MemberStore.entity(c, tenantId, memberId).orElseThrow();
        Set<String> named = desired(c, tenantId, member, now);
        for (String siteId : ChangeLog.siteIds(c, tenantId)) {
            ChangeLog.append(
                    c,
                    tenantId,
                    siteId,
                    List.of(new Change.Upsert(named.contains(siteId) ? member : member.withoutName())),
                    now);
        }
        record(c, tenantId, memberId, sent(c, tenantId, memberId), named);
    }

    /**
     * The member's access may have changed (a plan given, changed or taken, a plan's door groups
     * edited): appends the member with its name to the sites where it now has access and had not,
     * and without it to those where it had and has not. In the caller's transaction.
     */
    public static void follow(Connection c, String tenantId, String memberId, Instant now) throws SQLException {
        ChangeLog.lockTenant(c, tenantId);
        java.util.Optional<Member> found = MemberStore.entity(c, tenantId, memberId);
        if (found.isEmpty()) {
            return;
        }
        Member member = found.get();
        Set<String> named = desired(c, tenantId, member, now);
        Set<String> sent = sent(c, tenantId, memberId);
        for (String siteId : new TreeSet<>(union(named, sent))) {
            if (named.contains(siteId) != sent.contains(siteId)) {
                ChangeLog.append(
                        c,
                        tenantId,
                        siteId,
                        List.of(new Change.Upsert(named.contains(siteId) ? member : member.withoutName())),
                        now);
            }
        }
        record(c, tenantId, memberId, sent, named);
    }

    /**
     * What time changed for the tenant's members: names to the sites where a plan has started, away
     * from those where one has ended. Answers how many members' entries it appended (0: nothing was
     * due). In the caller's write transaction; {@link #isDue} tells first, in a read, whether to.
     */
    public static int sweep(Connection c, String tenantId, Instant now) throws SQLException {
        ChangeLog.lockTenant(c, tenantId);
        Map<String, Map<String, Boolean>> due = due(c, tenantId, now);
        Map<String, Member> members = new HashMap<>();
        for (Member member : MemberStore.entities(c, tenantId)) {
            members.put(member.id().value(), member);
        }
        int appended = 0;
        for (Map.Entry<String, Map<String, Boolean>> site : due.entrySet()) {
            List<Change> changes = new ArrayList<>();
            for (Map.Entry<String, Boolean> entry : site.getValue().entrySet()) {
                Member member = members.get(entry.getKey());
                if (entry.getValue()) {
                    changes.add(new Change.Upsert(member));
                    Sql.update(
                            c,
                            "INSERT INTO site_member_names (site_id, member_id, tenant_id) VALUES (?, ?, ?)",
                            site.getKey(),
                            entry.getKey(),
                            tenantId);
                } else {
                    if (member != null) {
                        changes.add(new Change.Upsert(member.withoutName()));
                    }
                    Sql.update(
                            c,
                            "DELETE FROM site_member_names WHERE site_id = ? AND member_id = ?",
                            site.getKey(),
                            entry.getKey());
                }
            }
            ChangeLog.append(c, tenantId, site.getKey(), changes, now);
            appended += changes.size();
        }
        return appended;
    }

    /** Whether {@link #sweep} has anything to do for the tenant. */
    public static boolean isDue(Connection c, String tenantId, Instant now) throws SQLException {
        return !due(c, tenantId, now).isEmpty();
    }

    /**
     * What a site's log is behind on, by site and then member: true to send the name, false to take
     * it away. Sites and members sorted.
     */
    private static Map<String, Map<String, Boolean>> due(Connection c, String tenantId, Instant now)
            throws SQLException {
        Set<String> named = new HashSet<>();
        for (Member member : MemberStore.entities(c, tenantId)) {
            if (member.displayName().isPresent()) {
                named.add(member.id().value());
            }
        }
        Set<List<String>> should = new HashSet<>();
        for (List<String> pair :
                Sql.list(c, ACCESS, row -> List.of(row.getString(1), row.getString(2)), tenantId, now, now)) {
            if (named.contains(pair.get(1))) {
                should.add(pair);
            }
        }
        Set<List<String>> sent = new HashSet<>(Sql.list(
                c,
                "SELECT site_id, member_id FROM site_member_names WHERE tenant_id = ?",
                row -> List.of(row.getString(1), row.getString(2)),
                tenantId));
        Map<String, Map<String, Boolean>> due = new TreeMap<>();
        for (List<String> pair : should) {
            if (!sent.contains(pair)) {
                due.computeIfAbsent(pair.get(0), s -> new TreeMap<>()).put(pair.get(1), true);
            }
        }
        for (List<String> pair : sent) {
            if (!should.contains(pair)) {
                due.computeIfAbsent(pair.get(0), s -> new TreeMap<>()).put(pair.get(1), false);
            }
        }
        return due;
    }

    /** The tenant's members as the site's log has them: each with its name only where it went. */
    public static List<Member> entitiesAt(Connection c, String tenantId, String siteId) throws SQLException {
        Set<String> named = namedAt(c, tenantId, siteId);
        List<Member> members = new ArrayList<>();
        for (Member member : MemberStore.entities(c, tenantId)) {
            members.add(named.contains(member.id().value()) ? member : member.withoutName());
        }
        return members;
    }

    /** The site's members that its log carries with a name, as it carries them. */
    public static List<Member> namedMembersAt(Connection c, String tenantId, String siteId) throws SQLException {
        return entitiesAt(c, tenantId, siteId).stream()
                .filter(member -> member.displayName().isPresent())
                .toList();
    }

    /** The ids of the members whose name the site's log carries. */
    static Set<String> namedAt(Connection c, String tenantId, String siteId) throws SQLException {
        return new HashSet<>(Sql.list(
                c,
                "SELECT member_id FROM site_member_names WHERE tenant_id = ? AND site_id = ?",
                Sql.STRING,
                tenantId,
                siteId));
    }

    /** The sites where the member's name belongs now: none for a member without one (not active). */
    private static Set<String> desired(Connection c, String tenantId, Member member, Instant now) throws SQLException {
        if (member.displayName().isEmpty()) {
            return Set.of();
        }
        return new HashSet<>(Sql.list(
                c,
                ACCESS + " AND mp.member_id = ?",
                Sql.STRING,
                tenantId,
                now,
                now,
                member.id().value()));
    }

    private static Set<String> sent(Connection c, String tenantId, String memberId) throws SQLException {
        return new HashSet<>(Sql.list(
                c,
                "SELECT site_id FROM site_member_names WHERE tenant_id = ? AND member_id = ?",
                Sql.STRING,
                tenantId,
                memberId));
    }

    private static void record(Connection c, String tenantId, String memberId, Set<String> sent, Set<String> named)
            throws SQLException {
        for (String siteId : sent) {
            if (!named.contains(siteId)) {
                Sql.update(c, "DELETE FROM site_member_names WHERE site_id = ? AND member_id = ?", siteId, memberId);
            }
        }
        for (String siteId : new TreeSet<>(named)) {
            if (!sent.contains(siteId)) {
                Sql.update(
                        c,
                        "INSERT INTO site_member_names (site_id, member_id, tenant_id) VALUES (?, ?, ?)",
                        siteId,
                        memberId,
                        tenantId);
            }
        }
    }

    private static Set<String> union(Set<String> a, Set<String> b) {
        Set<String> all = new HashSet<>(a);
        all.addAll(b);
        return all;
    }
}
