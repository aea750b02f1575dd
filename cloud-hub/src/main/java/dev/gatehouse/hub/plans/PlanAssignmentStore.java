package dev.gatehouse.hub.plans;

import dev.gatehouse.hub.changes.ChangeLog;
import dev.gatehouse.hub.members.FieldChange;
import dev.gatehouse.hub.members.MemberStore;
import dev.gatehouse.hub.members.SiteNames;
import dev.gatehouse.hub.outbox.EventType;
import dev.gatehouse.hub.outbox.Outbox;
import dev.gatehouse.hub.store.Database;
import dev.gatehouse.hub.store.Sql;
import dev.gatehouse.hub.store.StoreResult;
import dev.gatehouse.hub.web.Times;
import dev.gatehouse.protocol.model.Entity;
import dev.gatehouse.protocol.model.MemberStatus;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * Which members hold which plans, each with a validity window. Every change records a member history
 * entry and appends the member's grants that changed ({@link PlanGrants}) to the plan's sites' logs,
 * in one transaction. Locks the member's row, then the tenant's, then the plan's (the same order
 * everywhere), and the member's name follows its access ({@link SiteNames}).
 */
public record PlanAssignmentStore(Database database, Clock clock) {
    private static final String SELECT = "SELECT mp.member_id, mp.plan_id, p.name, mp.valid_from, mp.valid_until,"
            + " mp.created_at, mp.entries FROM member_plans mp JOIN plans p ON p.id = mp.plan_id";

    /**
     * A plan held by a member, with its validity window (absent ends are open) and, for a pass, its
     * entries (absent: no entry limit).
     */
    public record AssignmentView(
            String memberId,
            String planId,
            String planName,
            String validFrom,
            String validUntil,
            String assignedAt,
            EntriesView entries) {}

    /**
     * A pass's entries: the limit, the site-local days spent within its window (each counted once,
     * whichever door or site), and what remains; below zero when edges cut off from the hub admitted
     * more days than the limit (the overspend).
     */
    public record EntriesView(int limit, List<String> spent, int remaining) {}

    /** The outcome of PUT: whether the member newly holds the plan, and the assignment now. */
    public record Assigned(boolean created, AssignmentView assignment) {}

    /**
     * Gives the member the plan from {@code validFrom} until {@code validUntil} (either open), or
     * changes the window of a plan the member already holds. NotFound for an unknown member or plan;
     * Conflict for a cancelled member.
     */
    public StoreResult<Assigned> assign(
            String tenantId,
            String actor,
            String memberId,
            String planId,
            Optional<Instant> validFrom,
            Optional<Instant> validUntil) {
        Instant now = clock.instant();
        return database.write(c -> assign(c, tenantId, actor, memberId, planId, validFrom, validUntil, now));
    }

    /** {@link #assign(String, String, String, String, Optional, Optional)} in the caller's transaction. */
    public static StoreResult<Assigned> assign(
            Connection c,
            String tenantId,
            String actor,
            String memberId,
            String planId,
            Optional<Instant> validFrom,
            Optional<Instant> validUntil,
            Instant now)
            throws SQLException {
        return write(c, tenantId, actor, memberId, planId, validFrom, validUntil, Optional.empty(), now);
    }

    /** A pass given to a member: the plan over its window, with its entries (the first entry of a day spends one). */
    public record PassGiven(AssignmentView assignment, Instant validFrom, Instant validUntil, int entries) {}

    /**
     * Gives the member the plan as a pass, in the caller's transaction: from {@code from} until {@code
     * until} with {@code entries} entries. A pass of the same plan still running is topped up — its
     * entries added to, its window widened to cover both — so the days it spent count against the sum;
     * a pass that has run out is replaced. Conflict when the member holds the plan without an entry
     * limit (a membership gives it: a pass would add nothing) or is cancelled.
     */
    public static StoreResult<PassGiven> assignPass(
            Connection c,
            String tenantId,
            String actor,
            String memberId,
            String planId,
            Instant from,
            Instant until,
            int entries,
            Instant now)
            throws SQLException {
        if (!MemberStore.lock(c, tenantId, memberId)) {
            return new StoreResult.NotFound<>("member", memberId);
        }
        Optional<Held> held = held(c, tenantId, memberId, planId);
        Instant start = from;
        Instant end = until;
        int total = entries;
        if (held.isPresent() && held.get().validUntil().map(u -> u.isAfter(now)).orElse(true)) {
            Held current = held.get();
            if (current.entries().isEmpty()) {
                return new StoreResult.Conflict<>("member " + memberId + " holds plan " + planId
                        + " without an entry limit"
                        + current.validUntil().map(u -> " until " + u).orElse("")
                        + "; a pass of it would add nothing");
            }
            start = current.validFrom().filter(f -> f.isBefore(from)).orElse(from);
            end = current.validUntil().filter(u -> u.isAfter(until)).orElse(until);
            total = Math.addExact(current.entries().get(), entries);
        }
        Held pass = new Held(Optional.of(start), Optional.of(end), Optional.of(total));
        return write(c, tenantId, actor, memberId, planId, pass.validFrom(), pass.validUntil(), pass.entries(), now)
                .map(assigned -> new PassGiven(
                        assigned.assignment(),
                        pass.validFrom().orElseThrow(),
                        pass.validUntil().orElseThrow(),
                        pass.entries().orElseThrow()));
    }

    /** The member's pass of the plan (its window and entries), when the member holds the plan as a pass. */
    public static Optional<PassGiven> pass(Connection c, String tenantId, String memberId, String planId)
            throws SQLException {
        Optional<AssignmentView> view = assignment(c, tenantId, memberId, planId);
        if (view.isEmpty()) {
            return Optional.empty();
        }
        return held(c, tenantId, memberId, planId)
                .filter(h -> h.entries().isPresent()
                        && h.validFrom().isPresent()
                        && h.validUntil().isPresent())
                .map(h -> new PassGiven(
                        view.get(),
                        h.validFrom().get(),
                        h.validUntil().get(),
                        h.entries().get()));
    }

    private static Optional<Held> held(Connection c, String tenantId, String memberId, String planId)
            throws SQLException {
        return Sql.one(
                c,
                "SELECT valid_from, valid_until, entries FROM member_plans WHERE member_id = ? AND plan_id = ?"
                        + " AND tenant_id = ?",
                rows -> new Held(
                        Sql.instant(rows, 1),
                        Sql.instant(rows, 2),
                        rows.getObject(3) == null ? Optional.empty() : Optional.of(rows.getInt(3))),
                memberId,
                planId,
                tenantId);
    }

    private record Held(Optional<Instant> validFrom, Optional<Instant> validUntil, Optional<Integer> entries) {}

    /**
     * Writes the assignment with its entry limit: a pass's, or none (an operator's or a subscription's
     * assignment gives the plan on every day of its window, replacing a pass of the same plan).
     */
    private static StoreResult<Assigned> write(
            Connection c,
            String tenantId,
            String actor,
            String memberId,
            String planId,
            Optional<Instant> validFrom,
            Optional<Instant> validUntil,
            Optional<Integer> entries,
            Instant now)
            throws SQLException {
        if (!MemberStore.lock(c, tenantId, memberId)) {
            return new StoreResult.NotFound<>("member", memberId);
        }
        // The tenant's before the plan's and any site's log (member, tenant, plan, sites: the order every
        // writer keeps): the member's name follows the change below (SiteNames).
        ChangeLog.lockTenant(c, tenantId);
        // The plan's row too: a plan edit diffs all its grants, so it must not run beside this one.
        if (!PlanStore.lock(c, tenantId, planId)) {
            return new StoreResult.NotFound<>("plan", planId);
        }
        Optional<AssignmentView> current = assignment(c, tenantId, memberId, planId);
        if (current.isEmpty() && MemberStore.status(c, tenantId, memberId).orElseThrow() == MemberStatus.CANCELLED) {
            return new StoreResult.Conflict<>(
                    "member " + memberId + " is cancelled; a cancelled member cannot be given a plan");
        }
        Map<String, Map<String, Entity>> before = PlanGrants.projection(c, tenantId, planId, Optional.of(memberId));
        if (current.isEmpty()) {
            Sql.update(
                    c,
                    "INSERT INTO member_plans (member_id, plan_id, tenant_id, valid_from, valid_until, entries,"
                            + " created_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
                    memberId,
                    planId,
                    tenantId,
                    validFrom,
                    validUntil,
                    entries,
                    now);
        } else {
            Sql.update(
                    c,
                    "UPDATE member_plans SET valid_from = ?, valid_until = ?, entries = ?"
                            + " WHERE member_id = ? AND plan_id = ? AND tenant_id = ?",
                    validFrom,
                    validUntil,
                    entries,
                    memberId,
                    planId,
                    tenantId);
        }
        Map<String, String> window = window(validFrom, validUntil);
        Optional<Map<String, String>> previous = current.map(PlanAssignmentStore::window);
        if (!previous.equals(Optional.of(window))) {
            long version = MemberStore.recordHistory(
                    c,
                    tenantId,
                    memberId,
                    actor,
                    "plan-assigned",
                    List.of(new FieldChange("plans." + planId, previous.orElse(null), window)),
                    now);
            emit(c, tenantId, EventType.MEMBER_PLAN_ASSIGNED, assignment(c, tenantId, memberId, planId), version, now);
        }
        PlanGrants.appendDifference(
                c, tenantId, before, PlanGrants.projection(c, tenantId, planId, Optional.of(memberId)), now);
        SiteNames.follow(c, tenantId, memberId, now);
        return StoreResult.found(new Assigned(
                current.isEmpty(), assignment(c, tenantId, memberId, planId).orElseThrow()));
    }

    /**
     * Takes the plan away from the member and answers the assignment it ended; NotFound for an unknown
     * member, Found empty when the member does not hold the plan (or there is no such plan).
     */
    public StoreResult<Optional<AssignmentView>> unassign(
            String tenantId, String actor, String memberId, String planId) {
        Instant now = clock.instant();
        return database.write(c -> unassign(c, tenantId, actor, memberId, planId, now));
    }

    /** {@link #unassign(String, String, String, String)} in the caller's transaction. */
    public static StoreResult<Optional<AssignmentView>> unassign(
            Connection c, String tenantId, String actor, String memberId, String planId, Instant now)
            throws SQLException {
        if (!MemberStore.lock(c, tenantId, memberId)) {
            return new StoreResult.NotFound<>("member", memberId);
        }
        // Same lock order as assign (member, tenant, then plan); the plan's lock keeps a concurrent plan
        // edit from diffing a projection that still holds this grant.
        ChangeLog.lockTenant(c, tenantId);
        PlanStore.lock(c, tenantId, planId);
        Optional<AssignmentView> current = assignment(c, tenantId, memberId, planId);
        if (current.isEmpty()) {
            return StoreResult.found(current);
        }
        Map<String, Map<String, Entity>> before = PlanGrants.projection(c, tenantId, planId, Optional.of(memberId));
        Sql.update(
                c,
                "DELETE FROM member_plans WHERE member_id = ? AND plan_id = ? AND tenant_id = ?",
                memberId,
                planId,
                tenantId);
        long version = MemberStore.recordHistory(
                c,
                tenantId,
                memberId,
                actor,
                "plan-removed",
                List.of(new FieldChange("plans." + planId, window(current.get()), null)),
                now);
        emit(c, tenantId, EventType.MEMBER_PLAN_REMOVED, current, version, now);
        PlanGrants.appendDifference(
                c, tenantId, before, PlanGrants.projection(c, tenantId, planId, Optional.of(memberId)), now);
        SiteNames.follow(c, tenantId, memberId, now);
        return StoreResult.found(current);
    }

    /**
     * A plan event about the member, in the change's transaction: versioned by the member's history
     * seq like the member's own events, so a receiver applies the member's changes in one order.
     */
    private static void emit(
            Connection c,
            String tenantId,
            EventType type,
            Optional<AssignmentView> assignment,
            long version,
            Instant now)
            throws SQLException {
        AssignmentView view = assignment.orElseThrow();
        Outbox.emit(c, tenantId, type, Optional.of(view.memberId()), OptionalLong.of(version), view, now);
    }

    /** The plans the member holds, by plan id; NotFound when the tenant has no such member. */
    public StoreResult<List<AssignmentView>> assignments(String tenantId, String memberId) {
        return database.read(c -> {
            if (MemberStore.status(c, tenantId, memberId).isEmpty()) {
                return new StoreResult.NotFound<>("member", memberId);
            }
            List<AssignmentView> views = new ArrayList<>();
            for (AssignmentView view : Sql.list(
                    c,
                    SELECT + " WHERE mp.member_id = ? AND mp.tenant_id = ? ORDER BY mp.plan_id",
                    PlanAssignmentStore::view,
                    memberId,
                    tenantId)) {
                views.add(withSpent(c, tenantId, view));
            }
            return StoreResult.found(views);
        });
    }

    private static Optional<AssignmentView> assignment(Connection c, String tenantId, String memberId, String planId)
            throws SQLException {
        Optional<AssignmentView> view = Sql.one(
                c,
                SELECT + " WHERE mp.member_id = ? AND mp.plan_id = ? AND mp.tenant_id = ?",
                PlanAssignmentStore::view,
                memberId,
                planId,
                tenantId);
        return view.isEmpty() ? view : Optional.of(withSpent(c, tenantId, view.get()));
    }

    /** The view with its pass's spent days and what remains, when it has an entry limit. */
    private static AssignmentView withSpent(Connection c, String tenantId, AssignmentView view) throws SQLException {
        if (view.entries() == null) {
            return view;
        }
        List<String> spent = PassDays.spent(
                        c,
                        tenantId,
                        view.memberId(),
                        view.planId(),
                        Optional.ofNullable(view.validFrom()).map(Instant::parse),
                        Optional.ofNullable(view.validUntil()).map(Instant::parse))
                .stream()
                .map(Object::toString)
                .toList();
        int limit = view.entries().limit();
        return new AssignmentView(
                view.memberId(),
                view.planId(),
                view.planName(),
                view.validFrom(),
                view.validUntil(),
                view.assignedAt(),
                new EntriesView(limit, spent, limit - spent.size()));
    }

    private static AssignmentView view(ResultSet rows) throws SQLException {
        return new AssignmentView(
                rows.getString(1),
                rows.getString(2),
                rows.getString(3),
                Sql.instant(rows, 4).map(Times::iso).orElse(null),
                Sql.instant(rows, 5).map(Times::iso).orElse(null),
                Times.iso(rows.getLong(6)),
                rows.getObject(7) == null ? null : new EntriesView(rows.getInt(7), List.of(), rows.getInt(7)));
    }

    /** The validity window as the member's history shows it: {@code {"validFrom": …, "validUntil": …}}. */
    private static Map<String, String> window(Optional<Instant> from, Optional<Instant> until) {
        Map<String, String> window = new LinkedHashMap<>();
        window.put("validFrom", from.map(Times::iso).orElse(null));
        window.put("validUntil", until.map(Times::iso).orElse(null));
        return window;
    }

    private static Map<String, String> window(AssignmentView assignment) {
        return window(instant(assignment.validFrom()), instant(assignment.validUntil()));
    }

    private static Optional<Instant> instant(String iso) {
        return Optional.ofNullable(iso).map(Instant::parse);
    }
}
