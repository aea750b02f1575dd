package dev.gatehouse.hub.credits;

import dev.gatehouse.hub.billing.BillingInterval;
import dev.gatehouse.hub.billing.BillingPeriod;
import dev.gatehouse.hub.members.MemberStore;
import dev.gatehouse.hub.store.Sql;
import dev.gatehouse.hub.store.WireNames;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * A package's credits per resource kind per period (issue 16 item 4), kept in the credit ledger: each
 * subscription period gets one GRANT per resource kind its package gives credits for, once (a unique
 * key over subscription, period, kind), and at the period's end one EXPIRY that takes what is left of
 * it, so the allowance resets. Entries are only ever inserted. A booking of a kind that a running
 * subscription gives credits for draws from that subscription's period (granting it when the billing
 * run has not yet); any other booking draws from its month of the plans' allowance, as before.
 */
public final class PackageAllowances {
    private PackageAllowances() {}

    /** The subscription whose period a booking draws from, and that period. */
    record Pool(String subscription, BillingPeriod period) {}

    private record Running(String id, LocalDate anchor, BillingInterval interval, ZoneId zone) {
        BillingPeriod periodOf(Instant at) {
            return BillingPeriod.containing(anchor, interval, at.atZone(zone).toLocalDate());
        }
    }

    private static final String RUNNING = "SELECT s.id, s.anchor, s.billing_interval, st.time_zone FROM subscriptions s"
            + " JOIN sites st ON st.id = s.site_id WHERE s.tenant_id = ? AND s.member_id = ? AND s.status <> 'ENDED'"
            + " AND s.started_at <= ? AND (s.ends_at IS NULL OR s.ends_at > ?)"
            // A paused period gives no credits.
            + " AND NOT (s.paused_from IS NOT NULL AND s.paused_from <= ? AND s.paused_until > ?)";

    private static Running running(java.sql.ResultSet row) throws SQLException {
        return new Running(
                row.getString(1),
                LocalDate.parse(row.getString(2)),
                WireNames.of(BillingInterval.class, row.getString(3)),
                ZoneId.of(row.getString(4)));
    }

    /**
     * The period a booking of {@code resourceKind} starting {@code at} draws from: that of the oldest
     * subscription running then whose package gives credits for the kind; empty when none does.
     */
    static Optional<Pool> pool(Connection c, String tenantId, String memberId, String resourceKind, Instant at)
            throws SQLException {
        return Sql.one(
                        c,
                        RUNNING + " AND EXISTS (SELECT 1 FROM package_credits pc WHERE pc.package_id = s.package_id"
                                + " AND pc.resource_kind = ? AND pc.credits > 0) ORDER BY s.created_at, s.id LIMIT 1",
                        PackageAllowances::running,
                        tenantId,
                        memberId,
                        at,
                        at,
                        at,
                        at,
                        resourceKind)
                .map(sub -> new Pool(sub.id(), sub.periodOf(at)));
    }

    /**
     * Grants the subscription's period its package's credits, one entry per resource kind, unless
     * granted already; the caller holds the member's credit account.
     */
    static void grant(Connection c, String tenantId, String subscriptionId, BillingPeriod period, Instant now)
            throws SQLException {
        record Credits(String memberId, String packageName, String kind, long credits, ZoneId zone) {}
        List<Credits> credits = Sql.list(
                c,
                "SELECT s.member_id, p.name, pc.resource_kind, pc.credits, st.time_zone FROM subscriptions s"
                        + " JOIN packages p ON p.id = s.package_id JOIN package_credits pc ON pc.package_id = p.id"
                        + " JOIN sites st ON st.id = s.site_id WHERE s.id = ? AND s.tenant_id = ? AND pc.credits > 0"
                        + " ORDER BY pc.resource_kind",
                row -> new Credits(
                        row.getString(1),
                        row.getString(2),
                        row.getString(3),
                        row.getLong(4),
                        ZoneId.of(row.getString(5))),
                subscriptionId,
                tenantId);
        for (Credits grant : credits) {
            CreditLedger.insert(
                    c,
                    tenantId,
                    grant.memberId(),
                    new CreditLedger.Entry(
                            new CreditLedger.Pool(period.toString(), Optional.of(grant.kind())),
                            CreditLedger.Kind.GRANT,
                            grant.credits(),
                            Optional.empty(),
                            CreditLedger.Overage.NONE,
                            Optional.empty(),
                            grant.packageName() + ": " + grant.credits() + " credits for "
                                    + WireNames.wire(grant.kind()) + " from " + period.start() + " to "
                                    + period.end() + " (excluded)",
                            CreditLedger.HUB,
                            Optional.of(subscriptionId),
                            Optional.of(period.end().atStartOfDay(grant.zone()).toInstant())),
                    now);
        }
    }

    /**
     * The billing run's part, in its transaction: grants the current period of each of the member's
     * running subscriptions (once), and expires every grant whose period has ended (once), taking
     * what is left of its pool. Answers how many periods it expired.
     */
    public static int settle(Connection c, String tenantId, String memberId, Instant now) throws SQLException {
        // Read first, lock only when there is something to write: most members of most runs have nothing.
        List<Running> due = new ArrayList<>();
        for (Running sub : Sql.list(
                c,
                RUNNING + " AND EXISTS (SELECT 1 FROM package_credits pc WHERE pc.package_id = s.package_id"
                        + " AND pc.credits > 0) ORDER BY s.created_at, s.id",
                PackageAllowances::running,
                tenantId,
                memberId,
                now,
                now,
                now,
                now)) {
            if (!Sql.exists(
                    c,
                    "SELECT 1 FROM credit_ledger WHERE subscription_id = ? AND period = ? AND kind = 'GRANT'",
                    sub.id(),
                    sub.periodOf(now).toString())) {
                due.add(sub);
            }
        }
        record Ended(String subscriptionId, String period, String kind) {}
        List<Ended> ended = Sql.list(
                c,
                "SELECT g.subscription_id, g.period, g.resource_kind FROM credit_ledger g WHERE g.tenant_id = ?"
                        + " AND g.member_id = ? AND g.kind = 'GRANT' AND g.expires_at <= ? AND NOT EXISTS (SELECT 1"
                        + " FROM credit_ledger x WHERE x.subscription_id = g.subscription_id AND x.period = g.period"
                        + " AND x.resource_kind = g.resource_kind AND x.kind = 'EXPIRY') ORDER BY g.seq",
                row -> new Ended(row.getString(1), row.getString(2), row.getString(3)),
                tenantId,
                memberId,
                now);
        if (due.isEmpty() && ended.isEmpty()) {
            return 0;
        }
        MemberStore.lock(c, tenantId, memberId);
        CreditLedger.lockAccount(c, tenantId, memberId, now);
        int written = 0;
        for (Running sub : due) {
            grant(c, tenantId, sub.id(), sub.periodOf(now), now);
        }
        for (Ended end : ended) {
            CreditLedger.Pool pool = new CreditLedger.Pool(end.period(), Optional.of(end.kind()));
            long left = Math.max(0, CreditLedger.balance(c, tenantId, memberId, pool));
            if (CreditLedger.insert(
                            c,
                            tenantId,
                            memberId,
                            new CreditLedger.Entry(
                                    pool,
                                    CreditLedger.Kind.EXPIRY,
                                    -left,
                                    Optional.empty(),
                                    CreditLedger.Overage.NONE,
                                    Optional.empty(),
                                    "the period " + end.period() + " ended: " + left + " unused credits for "
                                            + WireNames.wire(end.kind()) + " expire",
                                    CreditLedger.HUB,
                                    Optional.of(end.subscriptionId()),
                                    Optional.empty()),
                            now)
                    .isPresent()) {
                written++;
            }
        }
        return written;
    }
}
