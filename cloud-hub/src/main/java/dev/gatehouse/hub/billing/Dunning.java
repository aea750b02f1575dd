package dev.gatehouse.hub.billing;

import dev.gatehouse.hub.audit.AuditStore;
import dev.gatehouse.hub.members.MemberStore;
import dev.gatehouse.hub.store.Sql;
import dev.gatehouse.hub.tenants.Actor;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * Dunning that reaches the doors. A member whose oldest unpaid invoice is {@code pastDueDays} or more
 * whole days past its due date is past due; {@code restrictDays}, restricted (no new bookings without an
 * operator's override); {@code suspendDays}, suspended: the member entity every site's edges get says
 * {@code suspended}, so each door denies them offline as for an operator's suspension. Paying (or a
 * credit) moves the member to where the invoices left unpaid put them, at once and in the payment's
 * transaction. Each step is audited (actor {@code dunning}); the member's own status is never
 * touched, so an operator's suspension outlives a payment.
 */
public final class Dunning {
    private Dunning() {}

    /** Where a member stands with their invoices; {@link #GOOD} has no row. */
    public enum State {
        GOOD,
        PAST_DUE,
        RESTRICTED,
        SUSPENDED
    }

    /** The tenant's thresholds in whole days overdue: 1 ≤ pastDue ≤ restrict ≤ suspend ≤ 365. */
    public record Thresholds(int pastDueDays, int restrictDays, int suspendDays) {
        public static final Thresholds DEFAULTS = new Thresholds(1, 14, 30);
        public static final int MAX_DAYS = 365;

        /** What is wrong with them, in words that say how to fix it; empty when they hold. */
        public Optional<String> problem() {
            if (pastDueDays < 1 || suspendDays > MAX_DAYS) {
                return Optional.of("each threshold is 1 to " + MAX_DAYS + " days");
            }
            if (pastDueDays > restrictDays || restrictDays > suspendDays) {
                return Optional.of("the thresholds must not decrease: past due (" + pastDueDays + ") ≤ restricted ("
                        + restrictDays + ") ≤ suspended (" + suspendDays + ")");
            }
            return Optional.empty();
        }

        State stateAt(long daysOverdue, boolean anyUnpaid) {
            if (!anyUnpaid || daysOverdue < pastDueDays) {
                return State.GOOD;
            }
            if (daysOverdue >= suspendDays) {
                return State.SUSPENDED;
            }
            return daysOverdue >= restrictDays ? State.RESTRICTED : State.PAST_DUE;
        }
    }

    /** A member's standing: the state, the invoice that set it and since when. */
    public record Standing(State state, Optional<String> invoiceId, Optional<Instant> since) {
        static final Standing GOOD = new Standing(State.GOOD, Optional.empty(), Optional.empty());
    }

    /** A move from one state to another, as the run or a payment made it. */
    public record Step(String tenantId, String memberId, State from, State to, Optional<String> invoiceId) {}

    private static final Actor DUNNING = new Actor(Actor.Kind.SYSTEM, "dunning", "Dunning");

    public static Thresholds thresholds(Connection c, String tenantId) throws SQLException {
        return Sql.one(
                        c,
                        "SELECT dunning_past_due_days, dunning_restrict_days, dunning_suspend_days FROM billing_settings"
                                + " WHERE tenant_id = ?",
                        row -> new Thresholds(row.getInt(1), row.getInt(2), row.getInt(3)),
                        tenantId)
                .orElse(Thresholds.DEFAULTS);
    }

    /** Sets the thresholds; members move at the next run (or payment). */
    static void setThresholds(Connection c, String tenantId, Thresholds thresholds, Instant now) throws SQLException {
        InvoiceStore.ensureSettings(c, tenantId, now);
        Sql.update(
                c,
                "UPDATE billing_settings SET dunning_past_due_days = ?, dunning_restrict_days = ?,"
                        + " dunning_suspend_days = ?, updated_at = ? WHERE tenant_id = ?",
                thresholds.pastDueDays(),
                thresholds.restrictDays(),
                thresholds.suspendDays(),
                now,
                tenantId);
    }

    public static Standing standing(Connection c, String tenantId, String memberId) throws SQLException {
        return Sql.one(
                        c,
                        "SELECT state, invoice_id, since FROM member_dunning WHERE member_id = ? AND tenant_id = ?",
                        row -> new Standing(
                                State.valueOf(row.getString(1)),
                                Optional.of(row.getString(2)),
                                Optional.of(Instant.ofEpochMilli(row.getLong(3)))),
                        memberId,
                        tenantId)
                .orElse(Standing.GOOD);
    }

    /**
     * Puts the member where their unpaid invoices put them at {@code now}, in the caller's transaction:
     * writes the move and its audit entry, and when doors are concerned (into or out of suspended)
     * sends every site of the tenant the member entity. Empty when nothing moves.
     */
    public static Optional<Step> evaluate(Connection c, String tenantId, String memberId, Instant now)
            throws SQLException {
        // The member's row lock: a payment and the run moving one member at once take turns, so the
        // second reads the first's row rather than inserting beside it.
        if (!MemberStore.lock(c, tenantId, memberId)) {
            return Optional.empty();
        }
        record Oldest(String invoiceId, long dueAt) {}
        Optional<Oldest> oldest = Sql.one(
                c,
                "SELECT i.id, i.due_at FROM invoices i WHERE i.tenant_id = ? AND i.member_id = ? AND i.kind = 'INVOICE'"
                        + " AND i.total > COALESCE((SELECT SUM(p.amount) FROM payments p WHERE p.tenant_id = i.tenant_id"
                        + " AND p.invoice_id = i.id), 0) ORDER BY i.due_at, i.series, i.number LIMIT 1",
                row -> new Oldest(row.getString(1), row.getLong(2)),
                tenantId,
                memberId);
        long late = oldest.map(o -> now.toEpochMilli() - o.dueAt()).orElse(0L);
        long daysOverdue = late <= 0 ? 0 : late / Duration.ofDays(1).toMillis();
        State to = thresholds(c, tenantId).stateAt(daysOverdue, oldest.isPresent());
        Standing from = standing(c, tenantId, memberId);
        if (to == from.state()) {
            return Optional.empty();
        }
        if (to == State.GOOD) {
            Sql.update(c, "DELETE FROM member_dunning WHERE member_id = ? AND tenant_id = ?", memberId, tenantId);
        } else if (from.state() == State.GOOD) {
            Sql.update(
                    c,
                    "INSERT INTO member_dunning (member_id, tenant_id, state, invoice_id, since, updated_at)"
                            + " VALUES (?, ?, ?, ?, ?, ?)",
                    memberId,
                    tenantId,
                    to,
                    oldest.orElseThrow().invoiceId(),
                    now,
                    now);
        } else {
            Sql.update(
                    c,
                    "UPDATE member_dunning SET state = ?, invoice_id = ?, since = ?, updated_at = ?"
                            + " WHERE member_id = ? AND tenant_id = ?",
                    to,
                    oldest.orElseThrow().invoiceId(),
                    now,
                    now,
                    memberId,
                    tenantId);
        }
        if (from.state() == State.SUSPENDED || to == State.SUSPENDED) {
            // The doors follow: every site gets the member as they now stand (a suspended member's name
            // leaves the sites that had it).
            if (MemberStore.entity(c, tenantId, memberId).isPresent()) {
                dev.gatehouse.hub.members.SiteNames.memberChanged(c, tenantId, memberId, now);
            }
        }
        String invoice = oldest.map(Oldest::invoiceId).orElse(from.invoiceId().orElse(""));
        AuditStore.append(
                c,
                new AuditStore.NewEntry(
                        tenantId,
                        DUNNING,
                        "dunning." + DunningService.wire(to),
                        "member",
                        memberId,
                        Optional.empty(),
                        Optional.of(json(from.state(), from.invoiceId().orElse(""), 0)),
                        Optional.of(json(to, invoice, daysOverdue)),
                        "hub"),
                now);
        return Optional.of(new Step(tenantId, memberId, from.state(), to, oldest.map(Oldest::invoiceId)));
    }

    private static String json(State state, String invoiceId, long daysOverdue) {
        return "{\"state\":\"" + DunningService.wire(state) + "\",\"invoiceId\":\"" + invoiceId + "\",\"daysOverdue\":"
                + daysOverdue + "}";
    }

    /**
     * Every member of the tenant (or of every tenant) who has an unpaid invoice or is not in good
     * standing, evaluated at {@code now}, a member per transaction part; answers the moves.
     */
    public static List<Step> run(dev.gatehouse.hub.store.Database database, Optional<String> tenantId, Instant now) {
        List<String[]> members = database.read(c -> Sql.list(
                c,
                "SELECT m.tenant_id, m.id FROM members m WHERE (m.tenant_id = ? OR ?) AND (EXISTS (SELECT 1 FROM"
                        + " member_dunning d WHERE d.member_id = m.id) OR EXISTS (SELECT 1 FROM invoices i WHERE"
                        + " i.tenant_id = m.tenant_id AND i.member_id = m.id AND i.kind = 'INVOICE' AND i.due_at < ?"
                        + " AND i.total > COALESCE((SELECT SUM(p.amount) FROM payments p WHERE p.tenant_id = i.tenant_id"
                        + " AND p.invoice_id = i.id), 0))) ORDER BY m.tenant_id, m.id",
                row -> new String[] {row.getString(1), row.getString(2)},
                tenantId.orElse(""),
                tenantId.isEmpty(),
                now));
        List<Step> steps = new java.util.ArrayList<>();
        for (String[] member : members) {
            database.write(c -> evaluate(c, member[0], member[1], now)).ifPresent(steps::add);
        }
        return steps;
    }
}
