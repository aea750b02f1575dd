package dev.gatehouse.hub.plans;

import dev.gatehouse.hub.changes.ChangeLog;
import dev.gatehouse.hub.members.SiteNames;
import dev.gatehouse.hub.sites.DoorGroupStore;
import dev.gatehouse.hub.store.Cursor;
import dev.gatehouse.hub.store.Database;
import dev.gatehouse.hub.store.FieldError;
import dev.gatehouse.hub.store.HubIds;
import dev.gatehouse.hub.store.Keyset;
import dev.gatehouse.hub.store.Page;
import dev.gatehouse.hub.store.Query;
import dev.gatehouse.hub.store.Sql;
import dev.gatehouse.hub.store.StoreResult;
import dev.gatehouse.hub.store.WireNames;
import dev.gatehouse.hub.web.Times;
import dev.gatehouse.protocol.model.DoorGroupId;
import dev.gatehouse.protocol.model.Entity;
import dev.gatehouse.protocol.model.HolidayRule;
import dev.gatehouse.protocol.model.TimeWindow;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.UnaryOperator;

/**
 * Plans: door groups on a weekly schedule. Every write appends what it changes at the doors
 * ({@link PlanGrants}) to the affected sites' logs in its own transaction; which members hold a
 * plan is {@link PlanAssignmentStore}'s.
 */
public record PlanStore(Database database, Clock clock) {
    private static final Keyset CREATION_ORDER = Keyset.ascending("created_at", "id");
    private static final String COLUMNS =
            "id, name, description, holiday_rule, created_at, updated_at, credits_per_month, credits_only";

    /**
     * A plan's fields, validated by the web layer (door groups are checked here, in the transaction).
     *
     * @param creditsPerMonth the credits a holder gets each calendar month (the credits ledger's allowance)
     * @param creditsOnly whether a holder's booking the balance does not cover is refused rather than
     *     booked with overage
     */
    public record PlanInput(
            String name,
            Optional<String> description,
            List<String> doorGroupIds,
            List<TimeWindow> windows,
            HolidayRule holidays,
            long creditsPerMonth,
            boolean creditsOnly) {
        public PlanInput {
            doorGroupIds = List.copyOf(doorGroupIds);
            windows = windows.stream().sorted(PlanGrants.WINDOW_ORDER).toList();
        }
    }

    public record WindowView(String day, String start, String end) {
        static WindowView of(TimeWindow window) {
            return new WindowView(
                    WireNames.wire(window.day()),
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
            long creditsPerMonth,
            boolean creditsOnly,
            int memberCount,
            String createdAt,
            String updatedAt) {}

    // ---- writes

    /** Creates the plan; Invalid naming each door group the tenant does not have. */
    public StoreResult<PlanView> create(String tenantId, PlanInput input) {
        String id = HubIds.next("plan");
        Instant now = clock.instant();
        return database.write(c -> {
            Optional<StoreResult<PlanView>> unknown = unknownGroups(c, tenantId, input.doorGroupIds());
            if (unknown.isPresent()) {
                return unknown.get();
            }
            Sql.update(
                    c,
                    "INSERT INTO plans (" + COLUMNS + ", tenant_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    id,
                    input.name(),
                    input.description(),
                    input.holidays(),
                    now,
                    now,
                    input.creditsPerMonth(),
                    input.creditsOnly(),
                    tenantId);
            writeGroupsAndWindows(c, id, input);
            PlanGrants.appendDifference(
                    c, tenantId, Map.of(), PlanGrants.projection(c, tenantId, id, Optional.empty()), now);
            return StoreResult.found(view(c, tenantId, id).orElseThrow());
        });
    }

    /**
     * Applies {@code change} to the plan's current fields in one transaction. NotFound when the tenant
     * has no such plan; Invalid naming each new door group the tenant does not have.
     */
    public StoreResult<PlanView> update(String tenantId, String planId, UnaryOperator<PlanInput> change) {
        Instant now = clock.instant();
        return database.write(c -> {
            // The tenant's before the plan's (the order assignments keep) and any site's log: the holders'
            // names follow the plan's sites (SiteNames).
            ChangeLog.lockTenant(c, tenantId);
            if (!lock(c, tenantId, planId)) {
                return new StoreResult.NotFound<>("plan", planId);
            }
            PlanInput before = input(c, tenantId, planId).orElseThrow();
            PlanInput after = change.apply(before);
            if (!after.doorGroupIds().equals(before.doorGroupIds())) {
                Optional<StoreResult<PlanView>> unknown = unknownGroups(c, tenantId, after.doorGroupIds());
                if (unknown.isPresent()) {
                    return unknown.get();
                }
            }
            Map<String, Map<String, Entity>> projected = PlanGrants.projection(c, tenantId, planId, Optional.empty());
            Sql.update(
                    c,
                    "UPDATE plans SET name = ?, description = ?, holiday_rule = ?, updated_at = ?,"
                            + " credits_per_month = ?, credits_only = ? WHERE id = ? AND tenant_id = ?",
                    after.name(),
                    after.description(),
                    after.holidays(),
                    now,
                    after.creditsPerMonth(),
                    after.creditsOnly(),
                    planId,
                    tenantId);
            for (String table : List.of("plan_door_groups", "plan_windows")) {
                Sql.update(c, "DELETE FROM " + table + " WHERE plan_id = ?", planId);
            }
            writeGroupsAndWindows(c, planId, after);
            PlanGrants.appendDifference(
                    c, tenantId, projected, PlanGrants.projection(c, tenantId, planId, Optional.empty()), now);
            if (!after.doorGroupIds().equals(before.doorGroupIds())) {
                for (String holder : Sql.list(
                        c,
                        "SELECT member_id FROM member_plans WHERE plan_id = ? AND tenant_id = ? ORDER BY member_id",
                        Sql.STRING,
                        planId,
                        tenantId)) {
                    SiteNames.follow(c, tenantId, holder, now);
                }
            }
            return StoreResult.found(view(c, tenantId, planId).orElseThrow());
        });
    }

    /** Deletes the plan and answers its id; NotFound when there is no such plan, Conflict while members hold it. */
    public StoreResult<String> delete(String tenantId, String planId) {
        Instant now = clock.instant();
        return database.write(c -> {
            if (!lock(c, tenantId, planId)) {
                return new StoreResult.NotFound<>("plan", planId);
            }
            List<String> holders = Sql.list(
                    c,
                    "SELECT member_id FROM member_plans WHERE plan_id = ? AND tenant_id = ? ORDER BY member_id",
                    Sql.STRING,
                    planId,
                    tenantId);
            if (!holders.isEmpty()) {
                return new StoreResult.Conflict<>("plan " + planId + " is held by " + holders.size() + " member(s) ("
                        + String.join(", ", holders.subList(0, Math.min(5, holders.size())))
                        + (holders.size() > 5 ? ", …" : "")
                        + "); remove it from them first: DELETE /api/v1/members/{memberId}/plans/" + planId);
            }
            List<String> packages = Sql.list(
                    c,
                    "SELECT name FROM packages WHERE plan_id = ? AND tenant_id = ? ORDER BY name LIMIT 5",
                    Sql.STRING,
                    planId,
                    tenantId);
            if (!packages.isEmpty()) {
                return new StoreResult.Conflict<>("plan " + planId + " is what the package(s) "
                        + String.join(", ", packages) + " entitle; give them another plan first:"
                        + " PATCH /api/v1/packages/{packageId}");
            }
            Map<String, Map<String, Entity>> projected = PlanGrants.projection(c, tenantId, planId, Optional.empty());
            Sql.update(c, "DELETE FROM plans WHERE id = ? AND tenant_id = ?", planId, tenantId);
            PlanGrants.appendDifference(c, tenantId, projected, Map.of(), now);
            return StoreResult.found(planId);
        });
    }

    /**
     * Takes the plan's row for the transaction (a plan edit diffs all its grants, so assignments of
     * the plan must not run beside it); false when the tenant has no such plan.
     */
    static boolean lock(Connection c, String tenantId, String planId) throws SQLException {
        return Sql.update(
                        c, "UPDATE plans SET updated_at = updated_at WHERE id = ? AND tenant_id = ?", planId, tenantId)
                == 1;
    }

    /** Invalid naming each {@code doorGroupIds[i]} that is not a door group of this tenant; empty when all are. */
    private static <T> Optional<StoreResult<T>> unknownGroups(Connection c, String tenantId, List<String> groupIds)
            throws SQLException {
        List<FieldError> errors = new ArrayList<>();
        for (int i = 0; i < groupIds.size(); i++) {
            if (DoorGroupStore.groupSite(c, tenantId, groupIds.get(i)).isEmpty()) {
                errors.add(new FieldError(
                        "doorGroupIds[" + i + "]",
                        "no door group '" + groupIds.get(i)
                                + "'; list a site's door groups with GET /api/v1/sites/{siteId}/door-groups"));
            }
        }
        return errors.isEmpty() ? Optional.empty() : Optional.of(new StoreResult.Invalid<>(errors));
    }

    private static void writeGroupsAndWindows(Connection c, String planId, PlanInput input) throws SQLException {
        Sql.batch(
                c,
                "INSERT INTO plan_door_groups (plan_id, door_group_id) VALUES (?, ?)",
                new LinkedHashSet<>(input.doorGroupIds())
                        .stream().map(groupId -> List.of(planId, groupId)).toList());
        Sql.batch(
                c,
                "INSERT INTO plan_windows (plan_id, day, start_minute, end_minute) VALUES (?, ?, ?, ?)",
                input.windows().stream()
                        .map(window -> List.<Object>of(planId, window.day(), window.startMinute(), window.endMinute()))
                        .toList());
    }

    // ---- reads

    public Optional<PlanView> find(String tenantId, String planId) {
        return database.read(c -> view(c, tenantId, planId));
    }

    private static Optional<PlanView> view(Connection c, String tenantId, String planId) throws SQLException {
        Optional<PlanRow> row = row(c, tenantId, planId);
        return row.isEmpty() ? Optional.empty() : Optional.of(view(c, tenantId, row.get()));
    }

    private static Optional<PlanRow> row(Connection c, String tenantId, String planId) throws SQLException {
        return Sql.byId(c, "plans", COLUMNS, PlanStore::row, tenantId, planId);
    }

    /** A plan's own columns, before its door groups, windows and holders are read. */
    private record PlanRow(
            String id,
            String name,
            String description,
            String holidays,
            long createdAt,
            long updatedAt,
            long creditsPerMonth,
            boolean creditsOnly) {}

    private static PlanRow row(ResultSet rows) throws SQLException {
        return new PlanRow(
                rows.getString(1),
                rows.getString(2),
                rows.getString(3),
                rows.getString(4),
                rows.getLong(5),
                rows.getLong(6),
                rows.getLong(7),
                rows.getBoolean(8));
    }

    private static PlanView view(Connection c, String tenantId, PlanRow row) throws SQLException {
        Map<String, Set<DoorGroupId>> groups = PlanGrants.groupsBySite(c, tenantId, row.id());
        List<String> groupIds = groups.values().stream()
                .flatMap(Set::stream)
                .map(DoorGroupId::value)
                .sorted()
                .toList();
        long holders = Sql.one(
                        c,
                        "SELECT COUNT(*) FROM member_plans WHERE plan_id = ? AND tenant_id = ?",
                        Sql.LONG,
                        row.id(),
                        tenantId)
                .orElseThrow();
        return new PlanView(
                row.id(),
                row.name(),
                row.description(),
                groupIds,
                List.copyOf(groups.keySet()),
                PlanGrants.windows(c, row.id()).stream().map(WindowView::of).toList(),
                WireNames.wire(row.holidays()),
                row.creditsPerMonth(),
                row.creditsOnly(),
                (int) holders,
                Times.iso(row.createdAt()),
                Times.iso(row.updatedAt()));
    }

    /** The plan's stored fields, for a PATCH to start from. */
    private static Optional<PlanInput> input(Connection c, String tenantId, String planId) throws SQLException {
        Optional<PlanRow> row = row(c, tenantId, planId);
        if (row.isEmpty()) {
            return Optional.empty();
        }
        List<String> groupIds = Sql.list(
                c,
                "SELECT door_group_id FROM plan_door_groups WHERE plan_id = ? ORDER BY door_group_id",
                Sql.STRING,
                planId);
        return Optional.of(new PlanInput(
                row.get().name(),
                Optional.ofNullable(row.get().description()),
                groupIds,
                PlanGrants.windows(c, planId),
                HolidayRule.valueOf(row.get().holidays()),
                row.get().creditsPerMonth(),
                row.get().creditsOnly()));
    }

    /** A page of the tenant's plans in creation order. */
    public Page<PlanView> list(String tenantId, int limit, Optional<Cursor> after) {
        Query query = CREATION_ORDER.page(
                new Query("SELECT " + COLUMNS + " FROM plans WHERE tenant_id = ?", tenantId), after, limit);
        List<PlanView> rows = database.read(c -> {
            List<PlanView> plans = new ArrayList<>();
            for (PlanRow row : Sql.list(c, query, PlanStore::row)) {
                plans.add(view(c, tenantId, row));
            }
            return plans;
        });
        return Keyset.page(
                rows, limit, p -> new Cursor(Instant.parse(p.createdAt()).toEpochMilli(), p.id()));
    }
}
