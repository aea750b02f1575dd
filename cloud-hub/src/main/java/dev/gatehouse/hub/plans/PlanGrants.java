package dev.gatehouse.hub.plans;

import dev.gatehouse.hub.changes.ChangeLog;
import dev.gatehouse.hub.store.Query;
import dev.gatehouse.hub.store.Sql;
import dev.gatehouse.protocol.message.Change;
import dev.gatehouse.protocol.model.DoorGroupId;
import dev.gatehouse.protocol.model.Entity;
import dev.gatehouse.protocol.model.EntityKind;
import dev.gatehouse.protocol.model.Grant;
import dev.gatehouse.protocol.model.GrantId;
import dev.gatehouse.protocol.model.HolidayRule;
import dev.gatehouse.protocol.model.MemberId;
import dev.gatehouse.protocol.model.Schedule;
import dev.gatehouse.protocol.model.ScheduleId;
import dev.gatehouse.protocol.model.TimeWindow;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.DayOfWeek;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * What plans mean at the doors: at every site where a plan has a door group, a {@link Schedule} with
 * the plan's id (when the plan has windows) and one {@link Grant} per member holding the plan.
 *
 * <p>Plan and assignment writes compute the projection before and after the change, in the same
 * transaction, and {@link #appendDifference append the difference} to each affected site's log — so
 * an edit that moves a plan off a site removes its grants and schedule there. Call inside a {@code
 * Database} transaction.
 */
public final class PlanGrants {
    /** Windows in the order the API shows them and the schedule carries them: by day, then start. */
    static final Comparator<TimeWindow> WINDOW_ORDER =
            Comparator.comparing(TimeWindow::day).thenComparingInt(TimeWindow::startMinute);

    private static final String GRANT_PREFIX = "gr_";

    private PlanGrants() {}

    /** The grant id of a member's plan: {@code gr_<memberId>_<planId>} (at most 45 characters with hub ids). */
    public static GrantId grantId(String memberId, String planId) {
        return GrantId.of(GRANT_PREFIX + memberId + "_" + planId);
    }

    /** The plan of a member's plan grant ({@link #grantId}); empty for any other grant. */
    static Optional<String> planOf(GrantId grant, String memberId) {
        String prefix = GRANT_PREFIX + memberId + "_";
        String id = grant.value();
        return id.startsWith(prefix) && id.length() > prefix.length()
                ? Optional.of(id.substring(prefix.length()))
                : Optional.empty();
    }

    /** The plan's door groups by the site they belong to, sites and groups sorted. */
    static Map<String, Set<DoorGroupId>> groupsBySite(Connection c, String tenantId, String planId)
            throws SQLException {
        Map<String, Set<DoorGroupId>> groups = new TreeMap<>();
        for (String[] row : Sql.list(
                c,
                "SELECT g.site_id, g.id FROM plan_door_groups pg JOIN door_groups g ON g.id = pg.door_group_id"
                        + " WHERE pg.plan_id = ? AND g.tenant_id = ?",
                rows -> new String[] {rows.getString(1), rows.getString(2)},
                planId,
                tenantId)) {
            groups.computeIfAbsent(row[0], site -> new TreeSet<>(Comparator.comparing(DoorGroupId::value)))
                    .add(DoorGroupId.of(row[1]));
        }
        return groups;
    }

    /** The plan's weekly windows, in {@link #WINDOW_ORDER}. */
    static List<TimeWindow> windows(Connection c, String planId) throws SQLException {
        List<TimeWindow> windows = new ArrayList<>(Sql.list(
                c,
                "SELECT day, start_minute, end_minute FROM plan_windows WHERE plan_id = ?",
                rows -> new TimeWindow(DayOfWeek.valueOf(rows.getString(1)), rows.getInt(2), rows.getInt(3)),
                planId));
        windows.sort(WINDOW_ORDER);
        return windows;
    }

    /**
     * What the plan puts at each site it covers, keyed by site, then by {@code KIND/key}: the plan's
     * schedule (when it has windows) and the grants of its holders — of one member only when
     * {@code memberId} is given. Empty when the tenant has no such plan.
     */
    public static Map<String, Map<String, Entity>> projection(
            Connection c, String tenantId, String planId, Optional<String> memberId) throws SQLException {
        Map<String, Map<String, Entity>> sites = new TreeMap<>();
        Optional<HolidayRule> rule = Sql.one(
                c,
                "SELECT holiday_rule FROM plans WHERE id = ? AND tenant_id = ?",
                rows -> HolidayRule.valueOf(rows.getString(1)),
                planId,
                tenantId);
        if (rule.isEmpty()) {
            return sites;
        }
        Map<String, Set<DoorGroupId>> groups = groupsBySite(c, tenantId, planId);
        if (groups.isEmpty()) {
            return sites;
        }
        List<TimeWindow> windows = windows(c, planId);
        Optional<ScheduleId> scheduleId = windows.isEmpty() ? Optional.empty() : Optional.of(ScheduleId.of(planId));
        Query holdersQuery = new Query(
                        "SELECT member_id, valid_from, valid_until, entries FROM member_plans"
                                + " WHERE plan_id = ? AND tenant_id = ?",
                        planId,
                        tenantId)
                .andIf(memberId, "member_id = ?")
                .append(" ORDER BY member_id");
        List<Holder> holders = Sql.list(c, holdersQuery, PlanGrants::holder);
        // An entry-limited holder's grant carries the days spent so far, the same at every site.
        Map<String, Optional<Grant.Entries>> entries = new TreeMap<>();
        for (Holder holder : holders) {
            Optional<Grant.Entries> limit = Optional.empty();
            if (holder.entries().isPresent()) {
                limit = Optional.of(PassDays.entries(
                        holder.entries().get(),
                        PassDays.spent(
                                c, tenantId, holder.memberId(), planId, holder.validFrom(), holder.validUntil())));
            }
            entries.put(holder.memberId(), limit);
        }
        for (Map.Entry<String, Set<DoorGroupId>> site : groups.entrySet()) {
            Map<String, Entity> entities = new TreeMap<>();
            if (scheduleId.isPresent()) {
                put(entities, new Schedule(scheduleId.get(), windows, rule.get()));
            }
            for (Holder holder : holders) {
                put(
                        entities,
                        new Grant(
                                grantId(holder.memberId(), planId),
                                MemberId.of(holder.memberId()),
                                site.getValue(),
                                Set.of(),
                                scheduleId,
                                holder.validFrom(),
                                holder.validUntil(),
                                entries.get(holder.memberId())));
            }
            sites.put(site.getKey(), entities);
        }
        return sites;
    }

    private record Holder(
            String memberId, Optional<Instant> validFrom, Optional<Instant> validUntil, Optional<Integer> entries) {}

    private static Holder holder(ResultSet rows) throws SQLException {
        return new Holder(
                rows.getString(1),
                Sql.instant(rows, 2),
                Sql.instant(rows, 3),
                Optional.ofNullable((Number) rows.getObject(4)).map(Number::intValue));
    }

    private static void put(Map<String, Entity> entities, Entity entity) {
        entities.put(entity.kind().name() + "/" + entity.key(), entity);
    }

    /**
     * The schedules and grants every plan puts at {@code siteId} — only the plans {@code memberId}
     * holds, and only that member's grants, when it is given.
     */
    public static List<Entity> entitiesAt(Connection c, String tenantId, String siteId, Optional<String> memberId)
            throws SQLException {
        Query plans = new Query(
                "SELECT DISTINCT pg.plan_id FROM plan_door_groups pg JOIN door_groups g ON g.id = pg.door_group_id"
                        + " WHERE g.site_id = ? AND g.tenant_id = ?",
                siteId,
                tenantId);
        if (memberId.isPresent()) {
            plans.and(
                    "pg.plan_id IN (SELECT plan_id FROM member_plans WHERE member_id = ? AND tenant_id = ?)",
                    memberId.get(),
                    tenantId);
        }
        plans.append(" ORDER BY pg.plan_id");
        List<Entity> entities = new ArrayList<>();
        for (String planId : Sql.list(c, plans, Sql.STRING)) {
            entities.addAll(projection(c, tenantId, planId, memberId)
                    .getOrDefault(siteId, Map.of())
                    .values());
        }
        return entities;
    }

    /**
     * Appends, site by site, what changed between two projections: upserts first (schedules before
     * the grants that name them), then removals (grants before their schedule).
     */
    static void appendDifference(
            Connection c,
            String tenantId,
            Map<String, Map<String, Entity>> before,
            Map<String, Map<String, Entity>> after,
            Instant at)
            throws SQLException {
        Set<String> siteIds = new TreeSet<>(before.keySet());
        siteIds.addAll(after.keySet());
        for (String siteId : siteIds) {
            Map<String, Entity> old = before.getOrDefault(siteId, Map.of());
            Map<String, Entity> now = after.getOrDefault(siteId, Map.of());
            List<Change> changes = new ArrayList<>();
            for (EntityKind kind : List.of(EntityKind.SCHEDULE, EntityKind.GRANT)) {
                for (Entity entity : now.values()) {
                    if (entity.kind() == kind && !entity.equals(old.get(kind.name() + "/" + entity.key()))) {
                        changes.add(new Change.Upsert(entity));
                    }
                }
            }
            for (EntityKind kind : List.of(EntityKind.GRANT, EntityKind.SCHEDULE)) {
                for (Map.Entry<String, Entity> entry : old.entrySet()) {
                    if (entry.getValue().kind() == kind && !now.containsKey(entry.getKey())) {
                        changes.add(new Change.Remove(kind, entry.getValue().key()));
                    }
                }
            }
            ChangeLog.append(c, tenantId, siteId, changes, at);
        }
    }
}
