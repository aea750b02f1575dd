package dev.gatehouse.hub.plans;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.gatehouse.hub.changes.ChangeLog;
import dev.gatehouse.hub.members.MemberStore;
import dev.gatehouse.hub.sites.SiteStore;
import dev.gatehouse.hub.store.Cursor;
import dev.gatehouse.hub.store.Database;
import dev.gatehouse.hub.store.FieldError;
import dev.gatehouse.hub.store.HubIds;
import dev.gatehouse.hub.store.Keyset;
import dev.gatehouse.hub.store.Page;
import dev.gatehouse.hub.web.ApiException;
import dev.gatehouse.hub.web.Json;
import dev.gatehouse.hub.web.Times;
import dev.gatehouse.protocol.message.Change;
import dev.gatehouse.protocol.model.DoorGroupId;
import dev.gatehouse.protocol.model.Entity;
import dev.gatehouse.protocol.model.EntityKind;
import dev.gatehouse.protocol.model.Grant;
import dev.gatehouse.protocol.model.GrantId;
import dev.gatehouse.protocol.model.HolidayRule;
import dev.gatehouse.protocol.model.MemberId;
import dev.gatehouse.protocol.model.MemberStatus;
import dev.gatehouse.protocol.model.Schedule;
import dev.gatehouse.protocol.model.ScheduleId;
import dev.gatehouse.protocol.model.TimeWindow;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.time.DayOfWeek;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.UnaryOperator;

/**
 * Plans (door groups on a weekly schedule) and which members hold them.
 *
 * <p>What a plan means at the doors is its per-site projection: at every site where the plan has a
 * door group, a {@link Schedule} with the plan's id (when the plan has windows) and one
 * {@link Grant} per member holding the plan. Every write computes the projection before and after
 * the change, in the same transaction, and appends the difference to each affected site's log — so
 * an edit that moves a plan off a site removes its grants and schedule there.
 */
public final class PlanStore {
    private static final String COLUMNS = "id, name, description, holiday_rule, created_at, updated_at";

    private final Database database;
    private final Clock clock;

    public PlanStore(Database database, Clock clock) {
        this.database = database;
        this.clock = clock;
    }

    /** A plan's fields, validated by the web layer (door groups are checked here, in the transaction). */
    public record PlanInput(
            String name,
            Optional<String> description,
            List<String> doorGroupIds,
            List<TimeWindow> windows,
            HolidayRule holidays) {
        public PlanInput {
            doorGroupIds = List.copyOf(doorGroupIds);
            windows = windows.stream().sorted(WINDOW_ORDER).toList();
        }
    }

    static final Comparator<TimeWindow> WINDOW_ORDER =
            Comparator.comparing(TimeWindow::day).thenComparingInt(TimeWindow::startMinute);

    public record WindowView(String day, String start, String end) {
        static WindowView of(TimeWindow window) {
            return new WindowView(
                    SiteStore.wire(window.day().name()),
                    TimeWindow.format(window.startMinute()),
                    TimeWindow.format(window.endMinute()));
        }
    }

    /** A plan as the API shows it; {@code siteIds} are the sites its door groups belong to. */
    public record PlanView(
            String id,
            String name,
            String description,
            List<String> doorGroupIds,
            List<String> siteIds,
            List<WindowView> schedule,
            String holidays,
            int memberCount,
            String createdAt,
            String updatedAt) {}

    /** A plan held by a member, with its validity window (absent ends are open). */
    public record AssignmentView(
            String memberId, String planId, String planName, String validFrom, String validUntil, String assignedAt) {}

    /** The outcome of PUT: whether the member newly holds the plan, and the assignment now. */
    public record Assigned(boolean created, AssignmentView assignment) {}

    // ---- plans

    public PlanView create(String tenantId, PlanInput input) {
        String id = HubIds.next("plan");
        Instant now = clock.instant();
        database.write(c -> {
            requireGroups(c, tenantId, input.doorGroupIds());
            try (PreparedStatement insert =
                    c.prepareStatement("INSERT INTO plans (" + COLUMNS + ", tenant_id) VALUES (?, ?, ?, ?, ?, ?, ?)")) {
                insert.setString(1, id);
                insert.setString(2, input.name());
                insert.setString(3, input.description().orElse(null));
                insert.setString(4, input.holidays().name());
                insert.setLong(5, now.toEpochMilli());
                insert.setLong(6, now.toEpochMilli());
                insert.setString(7, tenantId);
                insert.executeUpdate();
            }
            writeGroupsAndWindows(c, id, input);
            appendDifference(c, tenantId, Map.of(), projection(c, tenantId, id, Optional.empty()), now);
            return null;
        });
        return find(tenantId, id).orElseThrow();
    }

    /** Applies {@code change} to the plan's current fields in one transaction; empty when there is no such plan. */
    public Optional<PlanView> update(String tenantId, String planId, UnaryOperator<PlanInput> change) {
        Instant now = clock.instant();
        boolean found = database.write(c -> {
            if (!lockPlan(c, tenantId, planId)) {
                return false;
            }
            PlanInput before = input(c, tenantId, planId).orElseThrow();
            PlanInput after = change.apply(before);
            if (!after.doorGroupIds().equals(before.doorGroupIds())) {
                requireGroups(c, tenantId, after.doorGroupIds());
            }
            Map<String, Map<String, Entity>> projected = projection(c, tenantId, planId, Optional.empty());
            try (PreparedStatement update = c.prepareStatement("UPDATE plans SET name = ?, description = ?,"
                    + " holiday_rule = ?, updated_at = ? WHERE id = ? AND tenant_id = ?")) {
                update.setString(1, after.name());
                update.setString(2, after.description().orElse(null));
                update.setString(3, after.holidays().name());
                update.setLong(4, now.toEpochMilli());
                update.setString(5, planId);
                update.setString(6, tenantId);
                update.executeUpdate();
            }
            for (String table : List.of("plan_door_groups", "plan_windows")) {
                try (PreparedStatement delete = c.prepareStatement("DELETE FROM " + table + " WHERE plan_id = ?")) {
                    delete.setString(1, planId);
                    delete.executeUpdate();
                }
            }
            writeGroupsAndWindows(c, planId, after);
            appendDifference(c, tenantId, projected, projection(c, tenantId, planId, Optional.empty()), now);
            return true;
        });
        return found ? find(tenantId, planId) : Optional.empty();
    }

    /** Deletes the plan; 409 while members hold it; false when there is no such plan. */
    public boolean delete(String tenantId, String planId) {
        Instant now = clock.instant();
        return database.write(c -> {
            if (!lockPlan(c, tenantId, planId)) {
                return false;
            }
            List<String> holders = new ArrayList<>();
            try (PreparedStatement statement = c.prepareStatement(
                    "SELECT member_id FROM member_plans WHERE plan_id = ? AND tenant_id = ? ORDER BY member_id")) {
                statement.setString(1, planId);
                statement.setString(2, tenantId);
                try (ResultSet rows = statement.executeQuery()) {
                    while (rows.next()) {
                        holders.add(rows.getString(1));
                    }
                }
            }
            if (!holders.isEmpty()) {
                throw ApiException.conflict("plan " + planId + " is held by " + holders.size() + " member(s) ("
                        + String.join(", ", holders.subList(0, Math.min(5, holders.size())))
                        + (holders.size() > 5 ? ", …" : "")
                        + "); remove it from them first: DELETE /api/v1/members/{memberId}/plans/" + planId);
            }
            Map<String, Map<String, Entity>> projected = projection(c, tenantId, planId, Optional.empty());
            try (PreparedStatement delete = c.prepareStatement("DELETE FROM plans WHERE id = ? AND tenant_id = ?")) {
                delete.setString(1, planId);
                delete.setString(2, tenantId);
                delete.executeUpdate();
            }
            appendDifference(c, tenantId, projected, Map.of(), now);
            return true;
        });
    }

    /** Takes the plan's row for the transaction; false when the tenant has no such plan. */
    private static boolean lockPlan(Connection c, String tenantId, String planId) throws SQLException {
        try (PreparedStatement touch =
                c.prepareStatement("UPDATE plans SET updated_at = updated_at WHERE id = ? AND tenant_id = ?")) {
            touch.setString(1, planId);
            touch.setString(2, tenantId);
            return touch.executeUpdate() == 1;
        }
    }

    /** 422 naming each {@code doorGroupIds[i]} that is not a door group of this tenant. */
    private static void requireGroups(Connection c, String tenantId, List<String> groupIds) throws SQLException {
        List<FieldError> errors = new ArrayList<>();
        for (int i = 0; i < groupIds.size(); i++) {
            if (SiteStore.groupSite(c, tenantId, groupIds.get(i)).isEmpty()) {
                errors.add(new FieldError(
                        "doorGroupIds[" + i + "]",
                        "no door group '" + groupIds.get(i)
                                + "'; list a site's door groups with GET /api/v1/sites/{siteId}/door-groups"));
            }
        }
        if (!errors.isEmpty()) {
            throw ApiException.invalid(errors);
        }
    }

    private static void writeGroupsAndWindows(Connection c, String planId, PlanInput input) throws SQLException {
        try (PreparedStatement insert =
                c.prepareStatement("INSERT INTO plan_door_groups (plan_id, door_group_id) VALUES (?, ?)")) {
            for (String groupId : new LinkedHashSet<>(input.doorGroupIds())) {
                insert.setString(1, planId);
                insert.setString(2, groupId);
                insert.addBatch();
            }
            insert.executeBatch();
        }
        try (PreparedStatement insert = c.prepareStatement(
                "INSERT INTO plan_windows (plan_id, day, start_minute, end_minute) VALUES (?, ?, ?, ?)")) {
            for (TimeWindow window : input.windows()) {
                insert.setString(1, planId);
                insert.setString(2, window.day().name());
                insert.setInt(3, window.startMinute());
                insert.setInt(4, window.endMinute());
                insert.addBatch();
            }
            insert.executeBatch();
        }
    }

    // ---- reads

    public Optional<PlanView> find(String tenantId, String planId) {
        return database.read(c -> view(c, tenantId, planId));
    }

    private static Optional<PlanView> view(Connection c, String tenantId, String planId) throws SQLException {
        try (PreparedStatement statement =
                c.prepareStatement("SELECT " + COLUMNS + " FROM plans WHERE id = ? AND tenant_id = ?")) {
            statement.setString(1, planId);
            statement.setString(2, tenantId);
            try (ResultSet rows = statement.executeQuery()) {
                return rows.next() ? Optional.of(view(c, tenantId, rows)) : Optional.empty();
            }
        }
    }

    private static PlanView view(Connection c, String tenantId, ResultSet rows) throws SQLException {
        String id = rows.getString(1);
        Map<String, Set<DoorGroupId>> groups = groupsBySite(c, tenantId, id);
        List<String> groupIds = groups.values().stream()
                .flatMap(Set::stream)
                .map(DoorGroupId::value)
                .sorted()
                .toList();
        return new PlanView(
                id,
                rows.getString(2),
                rows.getString(3),
                groupIds,
                List.copyOf(groups.keySet()),
                windows(c, id).stream().map(WindowView::of).toList(),
                SiteStore.wire(rows.getString(4)),
                holders(c, tenantId, id),
                Times.iso(rows.getLong(5)),
                Times.iso(rows.getLong(6)));
    }

    private static int holders(Connection c, String tenantId, String planId) throws SQLException {
        try (PreparedStatement statement =
                c.prepareStatement("SELECT COUNT(*) FROM member_plans WHERE plan_id = ? AND tenant_id = ?")) {
            statement.setString(1, planId);
            statement.setString(2, tenantId);
            try (ResultSet rows = statement.executeQuery()) {
                rows.next();
                return rows.getInt(1);
            }
        }
    }

    /** The plan's stored fields, for a PATCH to start from. */
    private static Optional<PlanInput> input(Connection c, String tenantId, String planId) throws SQLException {
        try (PreparedStatement statement = c.prepareStatement(
                "SELECT name, description, holiday_rule FROM plans WHERE id = ? AND tenant_id = ?")) {
            statement.setString(1, planId);
            statement.setString(2, tenantId);
            try (ResultSet rows = statement.executeQuery()) {
                if (!rows.next()) {
                    return Optional.empty();
                }
                List<String> groupIds = new ArrayList<>();
                try (PreparedStatement groups = c.prepareStatement(
                        "SELECT door_group_id FROM plan_door_groups WHERE plan_id = ? ORDER BY door_group_id")) {
                    groups.setString(1, planId);
                    try (ResultSet groupRows = groups.executeQuery()) {
                        while (groupRows.next()) {
                            groupIds.add(groupRows.getString(1));
                        }
                    }
                }
                return Optional.of(new PlanInput(
                        rows.getString(1),
                        Optional.ofNullable(rows.getString(2)),
                        groupIds,
                        windows(c, planId),
                        HolidayRule.valueOf(rows.getString(3))));
            }
        }
    }

    public Page<PlanView> list(String tenantId, int limit, Optional<Cursor> after) {
        List<PlanView> rows = database.read(c -> {
            List<PlanView> plans = new ArrayList<>();
            try (PreparedStatement statement =
                    c.prepareStatement("SELECT " + COLUMNS + " FROM plans WHERE tenant_id = ?"
                            + (after.isPresent() ? " AND (created_at > ? OR (created_at = ? AND id > ?))" : "")
                            + " ORDER BY created_at, id LIMIT ?")) {
                int i = 1;
                statement.setString(i++, tenantId);
                if (after.isPresent()) {
                    statement.setLong(i++, after.get().key());
                    statement.setLong(i++, after.get().key());
                    statement.setString(i++, after.get().id());
                }
                statement.setInt(i, limit + 1);
                try (ResultSet result = statement.executeQuery()) {
                    while (result.next()) {
                        plans.add(view(c, tenantId, result));
                    }
                }
            }
            return plans;
        });
        return Keyset.page(
                rows, limit, p -> new Cursor(Instant.parse(p.createdAt()).toEpochMilli(), p.id()));
    }

    // ---- members' plans

    /**
     * Gives the member the plan from {@code validFrom} until {@code validUntil} (either open), or
     * changes the window of a plan the member already holds. 404 for an unknown member or plan; 409
     * for a cancelled member.
     */
    public Assigned assign(
            String tenantId,
            String actor,
            String memberId,
            String planId,
            Optional<Instant> validFrom,
            Optional<Instant> validUntil) {
        Instant now = clock.instant();
        boolean created = database.write(c -> {
            if (!MemberStore.lock(c, tenantId, memberId)) {
                throw ApiException.notFound("member", memberId);
            }
            // The plan's row too: a plan edit diffs all its grants, so it must not run beside this one.
            if (!lockPlan(c, tenantId, planId)) {
                throw ApiException.notFound("plan", planId);
            }
            Optional<AssignmentView> current = assignment(c, tenantId, memberId, planId);
            if (current.isEmpty()
                    && MemberStore.status(c, tenantId, memberId).orElseThrow() == MemberStatus.CANCELLED) {
                throw ApiException.conflict(
                        "member " + memberId + " is cancelled; a cancelled member cannot be given a plan");
            }
            Map<String, Map<String, Entity>> before = projection(c, tenantId, planId, Optional.of(memberId));
            if (current.isEmpty()) {
                try (PreparedStatement insert = c.prepareStatement("INSERT INTO member_plans (member_id, plan_id,"
                        + " tenant_id, valid_from, valid_until, created_at) VALUES (?, ?, ?, ?, ?, ?)")) {
                    insert.setString(1, memberId);
                    insert.setString(2, planId);
                    insert.setString(3, tenantId);
                    setInstant(insert, 4, validFrom);
                    setInstant(insert, 5, validUntil);
                    insert.setLong(6, now.toEpochMilli());
                    insert.executeUpdate();
                }
            } else {
                try (PreparedStatement update = c.prepareStatement("UPDATE member_plans SET valid_from = ?,"
                        + " valid_until = ? WHERE member_id = ? AND plan_id = ? AND tenant_id = ?")) {
                    setInstant(update, 1, validFrom);
                    setInstant(update, 2, validUntil);
                    update.setString(3, memberId);
                    update.setString(4, planId);
                    update.setString(5, tenantId);
                    update.executeUpdate();
                }
            }
            ObjectNode window = windowNode(validFrom, validUntil);
            ObjectNode previous = current.map(a -> windowNode(instant(a.validFrom()), instant(a.validUntil())))
                    .orElse(null);
            if (previous == null || !previous.equals(window)) {
                ObjectNode changes = Json.MAPPER.createObjectNode();
                ObjectNode change = changes.putObject("plans." + planId);
                change.set("from", previous);
                change.set("to", window);
                MemberStore.recordHistory(c, tenantId, memberId, actor, "plan-assigned", changes, now);
            }
            appendDifference(c, tenantId, before, projection(c, tenantId, planId, Optional.of(memberId)), now);
            return current.isEmpty();
        });
        return new Assigned(
                created,
                database.read(c -> assignment(c, tenantId, memberId, planId)).orElseThrow());
    }

    /** Takes the plan away from the member; 404 for an unknown member or plan, or one the member does not hold. */
    public void unassign(String tenantId, String actor, String memberId, String planId) {
        Instant now = clock.instant();
        database.write(c -> {
            if (!MemberStore.lock(c, tenantId, memberId)) {
                throw ApiException.notFound("member", memberId);
            }
            // Same lock order as assign (member, then plan); the plan's lock keeps a concurrent plan
            // edit from diffing a projection that still holds this grant.
            lockPlan(c, tenantId, planId);
            AssignmentView current = assignment(c, tenantId, memberId, planId)
                    .orElseThrow(() -> new ApiException(
                            404,
                            "not-found",
                            "Not found",
                            "member " + memberId + " does not hold plan '" + planId + "'",
                            List.of()));
            Map<String, Map<String, Entity>> before = projection(c, tenantId, planId, Optional.of(memberId));
            try (PreparedStatement delete = c.prepareStatement(
                    "DELETE FROM member_plans WHERE member_id = ? AND plan_id = ? AND tenant_id = ?")) {
                delete.setString(1, memberId);
                delete.setString(2, planId);
                delete.setString(3, tenantId);
                delete.executeUpdate();
            }
            ObjectNode changes = Json.MAPPER.createObjectNode();
            ObjectNode change = changes.putObject("plans." + planId);
            change.set("from", windowNode(instant(current.validFrom()), instant(current.validUntil())));
            change.putNull("to");
            MemberStore.recordHistory(c, tenantId, memberId, actor, "plan-removed", changes, now);
            appendDifference(c, tenantId, before, projection(c, tenantId, planId, Optional.of(memberId)), now);
            return null;
        });
    }

    /** The plans the member holds, by plan id; empty when the tenant has no such member. */
    public Optional<List<AssignmentView>> assignments(String tenantId, String memberId) {
        return database.read(c -> {
            if (MemberStore.status(c, tenantId, memberId).isEmpty()) {
                return Optional.empty();
            }
            List<AssignmentView> assignments = new ArrayList<>();
            try (PreparedStatement statement = c.prepareStatement(
                    ASSIGNMENT_SELECT + " WHERE mp.member_id = ? AND mp.tenant_id = ? ORDER BY mp.plan_id")) {
                statement.setString(1, memberId);
                statement.setString(2, tenantId);
                try (ResultSet rows = statement.executeQuery()) {
                    while (rows.next()) {
                        assignments.add(assignmentView(rows));
                    }
                }
            }
            return Optional.of(assignments);
        });
    }

    private static final String ASSIGNMENT_SELECT =
            "SELECT mp.member_id, mp.plan_id, p.name, mp.valid_from, mp.valid_until, mp.created_at"
                    + " FROM member_plans mp JOIN plans p ON p.id = mp.plan_id";

    private static Optional<AssignmentView> assignment(Connection c, String tenantId, String memberId, String planId)
            throws SQLException {
        try (PreparedStatement statement = c.prepareStatement(
                ASSIGNMENT_SELECT + " WHERE mp.member_id = ? AND mp.plan_id = ? AND mp.tenant_id = ?")) {
            statement.setString(1, memberId);
            statement.setString(2, planId);
            statement.setString(3, tenantId);
            try (ResultSet rows = statement.executeQuery()) {
                return rows.next() ? Optional.of(assignmentView(rows)) : Optional.empty();
            }
        }
    }

    private static AssignmentView assignmentView(ResultSet rows) throws SQLException {
        return new AssignmentView(
                rows.getString(1),
                rows.getString(2),
                rows.getString(3),
                optionalInstant(rows, 4).map(Times::iso).orElse(null),
                optionalInstant(rows, 5).map(Times::iso).orElse(null),
                Times.iso(rows.getLong(6)));
    }

    private static ObjectNode windowNode(Optional<Instant> from, Optional<Instant> until) {
        ObjectNode node = Json.MAPPER.createObjectNode();
        node.put("validFrom", from.map(Times::iso).orElse(null));
        node.put("validUntil", until.map(Times::iso).orElse(null));
        return node;
    }

    private static Optional<Instant> instant(String iso) {
        return Optional.ofNullable(iso).map(Instant::parse);
    }

    private static void setInstant(PreparedStatement statement, int index, Optional<Instant> value)
            throws SQLException {
        if (value.isPresent()) {
            statement.setLong(index, value.get().toEpochMilli());
        } else {
            statement.setNull(index, java.sql.Types.BIGINT);
        }
    }

    private static Optional<Instant> optionalInstant(ResultSet rows, int column) throws SQLException {
        long millis = rows.getLong(column);
        return rows.wasNull() ? Optional.empty() : Optional.of(Instant.ofEpochMilli(millis));
    }

    // ---- protocol projection

    /** The plan's door groups by the site they belong to, sites and groups sorted. */
    private static Map<String, Set<DoorGroupId>> groupsBySite(Connection c, String tenantId, String planId)
            throws SQLException {
        Map<String, Set<DoorGroupId>> groups = new TreeMap<>();
        try (PreparedStatement statement = c.prepareStatement("SELECT g.site_id, g.id FROM plan_door_groups pg"
                + " JOIN door_groups g ON g.id = pg.door_group_id WHERE pg.plan_id = ? AND g.tenant_id = ?")) {
            statement.setString(1, planId);
            statement.setString(2, tenantId);
            try (ResultSet rows = statement.executeQuery()) {
                while (rows.next()) {
                    groups.computeIfAbsent(
                                    rows.getString(1), site -> new TreeSet<>(Comparator.comparing(DoorGroupId::value)))
                            .add(DoorGroupId.of(rows.getString(2)));
                }
            }
        }
        return groups;
    }

    private static List<TimeWindow> windows(Connection c, String planId) throws SQLException {
        List<TimeWindow> windows = new ArrayList<>();
        try (PreparedStatement statement =
                c.prepareStatement("SELECT day, start_minute, end_minute FROM plan_windows WHERE plan_id = ?")) {
            statement.setString(1, planId);
            try (ResultSet rows = statement.executeQuery()) {
                while (rows.next()) {
                    windows.add(new TimeWindow(DayOfWeek.valueOf(rows.getString(1)), rows.getInt(2), rows.getInt(3)));
                }
            }
        }
        windows.sort(WINDOW_ORDER);
        return windows;
    }

    /** The grant id of a member's plan: {@code gr_<memberId>_<planId>} (at most 45 characters with hub ids). */
    public static GrantId grantId(String memberId, String planId) {
        return GrantId.of("gr_" + memberId + "_" + planId);
    }

    /**
     * What the plan puts at each site it covers, keyed by site, then by {@code KIND/key}: the plan's
     * schedule (when it has windows) and the grants of its holders — of one member only when
     * {@code memberId} is given. Empty when the tenant has no such plan.
     */
    public static Map<String, Map<String, Entity>> projection(
            Connection c, String tenantId, String planId, Optional<String> memberId) throws SQLException {
        Map<String, Map<String, Entity>> sites = new TreeMap<>();
        Optional<HolidayRule> rule = Optional.empty();
        try (PreparedStatement statement =
                c.prepareStatement("SELECT holiday_rule FROM plans WHERE id = ? AND tenant_id = ?")) {
            statement.setString(1, planId);
            statement.setString(2, tenantId);
            try (ResultSet rows = statement.executeQuery()) {
                if (rows.next()) {
                    rule = Optional.of(HolidayRule.valueOf(rows.getString(1)));
                }
            }
        }
        if (rule.isEmpty()) {
            return sites;
        }
        Map<String, Set<DoorGroupId>> groups = groupsBySite(c, tenantId, planId);
        if (groups.isEmpty()) {
            return sites;
        }
        List<TimeWindow> windows = windows(c, planId);
        Optional<ScheduleId> scheduleId = windows.isEmpty() ? Optional.empty() : Optional.of(ScheduleId.of(planId));
        List<Holder> holders = new ArrayList<>();
        try (PreparedStatement statement = c.prepareStatement("SELECT member_id, valid_from, valid_until"
                + " FROM member_plans WHERE plan_id = ? AND tenant_id = ?"
                + (memberId.isPresent() ? " AND member_id = ?" : "") + " ORDER BY member_id")) {
            statement.setString(1, planId);
            statement.setString(2, tenantId);
            if (memberId.isPresent()) {
                statement.setString(3, memberId.get());
            }
            try (ResultSet rows = statement.executeQuery()) {
                while (rows.next()) {
                    holders.add(new Holder(rows.getString(1), optionalInstant(rows, 2), optionalInstant(rows, 3)));
                }
            }
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
                                holder.validUntil()));
            }
            sites.put(site.getKey(), entities);
        }
        return sites;
    }

    private record Holder(String memberId, Optional<Instant> validFrom, Optional<Instant> validUntil) {}

    private static void put(Map<String, Entity> entities, Entity entity) {
        entities.put(entity.kind().name() + "/" + entity.key(), entity);
    }

    /**
     * The schedules and grants every plan puts at {@code siteId} — only the plans {@code memberId}
     * holds, and only that member's grants, when it is given.
     */
    public static List<Entity> entitiesAt(Connection c, String tenantId, String siteId, Optional<String> memberId)
            throws SQLException {
        List<String> planIds = new ArrayList<>();
        try (PreparedStatement statement = c.prepareStatement("SELECT DISTINCT pg.plan_id FROM plan_door_groups pg"
                + " JOIN door_groups g ON g.id = pg.door_group_id WHERE g.site_id = ? AND g.tenant_id = ?"
                + (memberId.isPresent()
                        ? " AND pg.plan_id IN (SELECT plan_id FROM member_plans WHERE member_id = ? AND tenant_id = ?)"
                        : "")
                + " ORDER BY pg.plan_id")) {
            statement.setString(1, siteId);
            statement.setString(2, tenantId);
            if (memberId.isPresent()) {
                statement.setString(3, memberId.get());
                statement.setString(4, tenantId);
            }
            try (ResultSet rows = statement.executeQuery()) {
                while (rows.next()) {
                    planIds.add(rows.getString(1));
                }
            }
        }
        List<Entity> entities = new ArrayList<>();
        for (String planId : planIds) {
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
    private static void appendDifference(
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
