package dev.gatehouse.hub.billing;

import dev.gatehouse.hub.members.MemberStore;
import dev.gatehouse.hub.plans.PlanAssignmentStore;
import dev.gatehouse.hub.store.Database;
import dev.gatehouse.hub.store.HubIds;
import dev.gatehouse.hub.store.Sql;
import dev.gatehouse.hub.store.StoreResult;
import dev.gatehouse.hub.store.WireNames;
import dev.gatehouse.hub.web.Times;
import dev.gatehouse.protocol.model.MemberStatus;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Subscriptions and their charges, each operation one transaction: the subscription's row, its
 * charges (under keys that make a retry charge once) and the member's door plan (through {@link
 * PlanAssignmentStore}, so the doors follow through the change log) change together or not at all.
 */
public record SubscriptionStore(Database database, Clock clock) {
    private static final String COLUMNS = "id, member_id, site_id, package_id, plan_id, price, currency,"
            + " billing_interval, anchor, committed_until, status, started_at, ends_at, changes, charged_through,"
            + " created_at, updated_at";
    static final String CHARGE_COLUMNS = "id, member_id, subscription_id, kind, description, amount,"
            + " currency, period_start, period_end, invoice_id, created_at";

    /** A sale: the member, the package, the site whose days count, when it starts and its anchor. */
    public record NewSubscription(
            String memberId, String packageId, String siteId, Optional<Instant> start, Optional<LocalDate> anchor) {}

    /** A subscription after an operation, with the charges the operation wrote. */
    public record Outcome(Subscription subscription, List<Charge> charges) {
        public Outcome {
            charges = List.copyOf(charges);
        }
    }

    /** How a cancellation takes effect. */
    public enum CancelMode {
        /** At the current period's end, or the commitment's if that is later: nothing is credited. */
        PERIOD_END,
        /** Today is the last day: the days after it are credited. */
        NOW
    }

    public StoreResult<Outcome> subscribe(String tenantId, String actor, NewSubscription sale) {
        Instant now = clock.instant();
        String id = HubIds.next("sub");
        return refusable(() -> database.write(c -> subscribe(c, tenantId, actor, sale, id, now)));
    }

    /**
     * {@link #subscribe(String, String, NewSubscription)} in the caller's transaction (a sign-up paid
     * online). A refusal may come after writes: the caller rolls back to a savepoint it set before.
     */
    static StoreResult<Outcome> subscribeInTransaction(
            Connection c, String tenantId, String actor, NewSubscription sale, Instant now) throws SQLException {
        try {
            return subscribe(c, tenantId, actor, sale, HubIds.next("sub"), now);
        } catch (Refused refused) {
            return refused.result();
        }
    }

    private static StoreResult<Outcome> subscribe(
            Connection c, String tenantId, String actor, NewSubscription sale, String id, Instant now)
            throws SQLException {
        Optional<BillingPackage> found = PackageStore.find(c, tenantId, sale.packageId());
        if (found.isEmpty()) {
            return StoreResult.invalid("packageId", "names no package of this tenant: " + sale.packageId());
        }
        BillingPackage sold = found.get();
        if (sold.status() != BillingPackage.Status.ACTIVE) {
            return StoreResult.invalid("packageId", "package '" + sold.name() + "' is retired and sold no more");
        }
        if (sold.interval() == BillingInterval.ONE_OFF) {
            return StoreResult.invalid(
                    "packageId", "package '" + sold.name() + "' is bought once, not subscribed to (it is one-off)");
        }
        Optional<ZoneId> zone = zone(c, tenantId, sale.siteId());
        if (zone.isEmpty()) {
            return new StoreResult.NotFound<>("site", sale.siteId());
        }
        if (!MemberStore.lock(c, tenantId, sale.memberId())) {
            return StoreResult.invalid("memberId", "names no member of this tenant: " + sale.memberId());
        }
        if (MemberStore.status(c, tenantId, sale.memberId()).orElseThrow() == MemberStatus.CANCELLED) {
            return new StoreResult.Conflict<>("member " + sale.memberId() + " is cancelled");
        }
        if (Sql.exists(
                c,
                "SELECT 1 FROM subscriptions WHERE tenant_id = ? AND member_id = ? AND package_id = ?"
                        + " AND status <> 'ENDED' AND (ends_at IS NULL OR ends_at > ?)",
                tenantId,
                sale.memberId(),
                sold.id(),
                now)) {
            return new StoreResult.Conflict<>("member " + sale.memberId() + " already subscribes to '" + sold.name()
                    + "'; change or cancel that subscription instead");
        }
        Instant start = sale.start().orElse(now);
        if (start.isBefore(now.minus(java.time.Duration.ofDays(31)))
                || start.isAfter(now.plus(java.time.Duration.ofDays(366)))) {
            return StoreResult.invalid(
                    "start", "is " + start + "; a subscription starts within a month before now or a year after");
        }
        LocalDate day = start.atZone(zone.get()).toLocalDate();
        LocalDate anchor = sale.anchor().orElse(day);
        if (anchor.isAfter(day) || anchor.isBefore(day.minusYears(1))) {
            return StoreResult.invalid(
                    "anchor", "is " + anchor + "; an anchor is the start's day " + day + " or up to a year before");
        }
        Proration.Prorated first = Proration.start(anchor, sold.interval(), zone.get(), start, sold.price());
        Optional<LocalDate> committed = committedUntil(anchor, sold.interval(), first.period(), sold);
        Sql.update(
                c,
                "INSERT INTO subscriptions (" + COLUMNS + ", tenant_id) VALUES (" + "?, ".repeat(17) + "?)",
                id,
                sale.memberId(),
                sale.siteId(),
                sold.id(),
                sold.planId(),
                sold.price(),
                sold.currency(),
                sold.interval(),
                anchor.toString(),
                committed.map(LocalDate::toString),
                Subscription.Status.ACTIVE,
                start,
                null,
                0,
                first.period().end().toString(),
                now,
                now,
                tenantId);
        boolean whole = first.period().start().equals(day);
        List<Charge> charges = new ArrayList<>();
        charge(
                        c,
                        tenantId,
                        sale.memberId(),
                        id,
                        whole ? Charge.Kind.PERIOD : Charge.Kind.PRORATED_START,
                        sold.name() + (whole ? "" : ", from " + day),
                        first.charge(),
                        sold.currency(),
                        first.period(),
                        "sub:" + id + ":period:" + first.period().start(),
                        now)
                .ifPresent(charges::add);
        if (sold.planId().isPresent()) {
            thrown(PlanAssignmentStore.assign(
                    c,
                    tenantId,
                    actor,
                    sale.memberId(),
                    sold.planId().get(),
                    Optional.of(start),
                    Optional.empty(),
                    now));
        }
        return StoreResult.found(new Outcome(find(c, tenantId, id).orElseThrow(), charges));
    }

    /** Moves the subscription to another package of the same interval from {@code at}, prorated. */
    public StoreResult<Outcome> change(
            String tenantId, String actor, String subscriptionId, String packageId, Optional<Instant> when) {
        Instant now = clock.instant();
        return refusable(() -> database.write(c -> {
            Optional<Subscription> found = lock(c, tenantId, subscriptionId);
            if (found.isEmpty()) {
                return new StoreResult.NotFound<>("subscription", subscriptionId);
            }
            Subscription sub = found.get();
            // The member's charges are numbered under the member's lock.
            MemberStore.lock(c, tenantId, sub.memberId());
            if (sub.statusAt(now) != Subscription.Status.ACTIVE) {
                return new StoreResult.Conflict<>("subscription " + subscriptionId + " is "
                        + WireNames.wire(sub.statusAt(now)) + "; subscribe anew instead of changing it");
            }
            Optional<BillingPackage> next = PackageStore.find(c, tenantId, packageId);
            if (next.isEmpty()) {
                return StoreResult.invalid("packageId", "names no package of this tenant: " + packageId);
            }
            BillingPackage to = next.get();
            if (to.id().equals(sub.packageId())) {
                return new StoreResult.Conflict<>(
                        "subscription " + subscriptionId + " is on '" + to.name() + "' already");
            }
            if (to.status() != BillingPackage.Status.ACTIVE) {
                return StoreResult.invalid("packageId", "package '" + to.name() + "' is retired and sold no more");
            }
            if (to.interval() != sub.interval()) {
                return StoreResult.invalid(
                        "packageId",
                        "package '" + to.name() + "' is billed per "
                                + WireNames.wire(to.interval()) + ", this subscription per "
                                + WireNames.wire(sub.interval())
                                + "; cancel it and subscribe to the other");
            }
            ZoneId zone = zone(c, tenantId, sub.siteId()).orElseThrow();
            Instant at = when.orElse(now);
            if (at.isAfter(now.plusSeconds(60))) {
                return StoreResult.invalid(
                        "at", "is " + at + ", in the future; a change takes effect now (or from a moment past)");
            }
            if (at.isBefore(sub.startedAt())) {
                return StoreResult.invalid("at", "is before the subscription started (" + sub.startedAt() + ")");
            }
            Proration.Prorated prorated =
                    Proration.change(sub.anchor(), sub.interval(), zone, at, sub.price(), to.price());
            int n = sub.changes() + 1;
            String key = "sub:" + subscriptionId + ":change:" + n;
            List<Charge> charges = new ArrayList<>();
            charge(
                            c,
                            tenantId,
                            sub.memberId(),
                            subscriptionId,
                            Charge.Kind.CHANGE_CREDIT,
                            "Unused days of the old package, from " + prorated.day(),
                            -prorated.credit(),
                            sub.currency(),
                            prorated.period(),
                            key + ":credit",
                            now)
                    .ifPresent(charges::add);
            charge(
                            c,
                            tenantId,
                            sub.memberId(),
                            subscriptionId,
                            Charge.Kind.CHANGE_CHARGE,
                            to.name() + ", from " + prorated.day(),
                            prorated.charge(),
                            sub.currency(),
                            prorated.period(),
                            key + ":charge",
                            now)
                    .ifPresent(charges::add);
            Sql.update(
                    c,
                    "UPDATE subscriptions SET package_id = ?, plan_id = ?, price = ?, changes = ?, updated_at = ?"
                            + " WHERE id = ? AND tenant_id = ?",
                    to.id(),
                    to.planId(),
                    to.price(),
                    n,
                    now,
                    subscriptionId,
                    tenantId);
            if (!sub.planId().equals(to.planId())) {
                if (sub.planId().isPresent()
                        && !givenByAnother(c, tenantId, sub, sub.planId().get(), now)) {
                    thrown(PlanAssignmentStore.unassign(
                            c, tenantId, actor, sub.memberId(), sub.planId().get(), now));
                }
                if (to.planId().isPresent()) {
                    thrown(PlanAssignmentStore.assign(
                            c,
                            tenantId,
                            actor,
                            sub.memberId(),
                            to.planId().get(),
                            Optional.of(at),
                            Optional.empty(),
                            now));
                }
            }
            return StoreResult.found(
                    new Outcome(find(c, tenantId, subscriptionId).orElseThrow(), charges));
        }));
    }

    /** Cancels the subscription; its door plan ends with it. */
    public StoreResult<Outcome> cancel(String tenantId, String actor, String subscriptionId, CancelMode mode) {
        Instant now = clock.instant();
        return refusable(() -> database.write(c -> {
            Optional<Subscription> found = lock(c, tenantId, subscriptionId);
            if (found.isEmpty()) {
                return new StoreResult.NotFound<>("subscription", subscriptionId);
            }
            Subscription sub = found.get();
            // The member's charges are numbered under the member's lock.
            MemberStore.lock(c, tenantId, sub.memberId());
            if (sub.statusAt(now) != Subscription.Status.ACTIVE) {
                return new StoreResult.Conflict<>("subscription " + subscriptionId + " is cancelled already"
                        + sub.endsAt().map(end -> "; it ends at " + end).orElse(""));
            }
            ZoneId zone = zone(c, tenantId, sub.siteId()).orElseThrow();
            LocalDate today = now.atZone(zone).toLocalDate();
            BillingPeriod period = BillingPeriod.containing(sub.anchor(), sub.interval(), today);
            List<Charge> charges = new ArrayList<>();
            Instant ends;
            if (mode == CancelMode.NOW) {
                if (sub.committedUntil()
                        .filter(until -> today.isBefore(until.minusDays(1)))
                        .isPresent()) {
                    return new StoreResult.Conflict<>("subscription " + subscriptionId + " is committed until "
                            + sub.committedUntil().get() + "; cancel it at the period's end, which ends it then");
                }
                Proration.Prorated credit = Proration.cancelNow(sub.anchor(), sub.interval(), zone, now, sub.price());
                charge(
                                c,
                                tenantId,
                                sub.memberId(),
                                subscriptionId,
                                Charge.Kind.CANCEL_CREDIT,
                                "Cancelled on " + today + ": the days after it",
                                -credit.credit(),
                                sub.currency(),
                                credit.period(),
                                "sub:" + subscriptionId + ":cancel",
                                now)
                        .ifPresent(charges::add);
                ends = now;
                if (sub.planId().isPresent()
                        && !givenByAnother(c, tenantId, sub, sub.planId().get(), now)) {
                    thrown(PlanAssignmentStore.unassign(
                            c, tenantId, actor, sub.memberId(), sub.planId().get(), now));
                }
            } else {
                LocalDate last = sub.committedUntil()
                        .filter(until -> until.isAfter(period.end()))
                        .orElse(period.end());
                ends = last.atStartOfDay(zone).toInstant();
                if (sub.planId().isPresent()
                        && !givenByAnother(c, tenantId, sub, sub.planId().get(), now)) {
                    thrown(PlanAssignmentStore.assign(
                            c,
                            tenantId,
                            actor,
                            sub.memberId(),
                            sub.planId().get(),
                            Optional.of(sub.startedAt()),
                            Optional.of(ends),
                            now));
                }
            }
            Sql.update(
                    c,
                    "UPDATE subscriptions SET status = ?, ends_at = ?, updated_at = ? WHERE id = ? AND tenant_id = ?",
                    mode == CancelMode.NOW ? Subscription.Status.ENDED : Subscription.Status.CANCELLING,
                    ends,
                    now,
                    subscriptionId,
                    tenantId);
            return StoreResult.found(
                    new Outcome(find(c, tenantId, subscriptionId).orElseThrow(), charges));
        }));
    }

    /**
     * Charges each whole period of the subscription that has begun by {@code now} (in its site's
     * days) and is not charged yet, at its price now, up to its end, in the caller's transaction (the
     * billing run's). Once per period: {@code charged_through} moves under the subscription's lock and
     * each charge's key names its period.
     */
    static List<Charge> chargeDue(Connection c, String tenantId, String subscriptionId, Instant now)
            throws SQLException {
        Optional<Subscription> found = lock(c, tenantId, subscriptionId);
        if (found.isEmpty()) {
            return List.<Charge>of();
        }
        Subscription sub = found.get();
        MemberStore.lock(c, tenantId, sub.memberId());
        ZoneId zone = zone(c, tenantId, sub.siteId()).orElseThrow();
        LocalDate today = now.atZone(zone).toLocalDate();
        LocalDate through = sub.chargedThrough();
        String name = Sql.one(
                        c,
                        "SELECT name FROM packages WHERE id = ? AND tenant_id = ?",
                        Sql.STRING,
                        sub.packageId(),
                        tenantId)
                .orElse(sub.packageId());
        List<Charge> charges = new ArrayList<>();
        while (sub.status() != Subscription.Status.ENDED && !through.isAfter(today)) {
            BillingPeriod period = BillingPeriod.containing(sub.anchor(), sub.interval(), through);
            Instant begins = period.start().atStartOfDay(zone).toInstant();
            if (sub.endsAt().filter(end -> !end.isAfter(begins)).isPresent()) {
                break;
            }
            charge(
                            c,
                            tenantId,
                            sub.memberId(),
                            subscriptionId,
                            Charge.Kind.PERIOD,
                            name,
                            sub.price(),
                            sub.currency(),
                            period,
                            "sub:" + subscriptionId + ":period:" + period.start(),
                            now)
                    .ifPresent(charges::add);
            through = period.end();
        }
        if (!through.equals(sub.chargedThrough())) {
            Sql.update(
                    c,
                    "UPDATE subscriptions SET charged_through = ?, updated_at = ? WHERE id = ? AND tenant_id = ?",
                    through.toString(),
                    now,
                    subscriptionId,
                    tenantId);
        }
        return List.copyOf(charges);
    }

    public Optional<Subscription> find(String tenantId, String subscriptionId) {
        return database.read(c -> find(c, tenantId, subscriptionId));
    }

    /** The member's subscriptions, newest first; NotFound for no such member. */
    public StoreResult<List<Subscription>> ofMember(String tenantId, String memberId) {
        return memberRows(
                tenantId,
                memberId,
                "SELECT " + COLUMNS + " FROM subscriptions WHERE tenant_id = ? AND member_id = ?"
                        + " ORDER BY created_at DESC, id DESC",
                SubscriptionStore::read);
    }

    /** The member's charges in the order written; NotFound for no such member. */
    public StoreResult<List<Charge>> charges(String tenantId, String memberId) {
        return memberRows(
                tenantId,
                memberId,
                "SELECT " + CHARGE_COLUMNS + " FROM billing_charges WHERE tenant_id = ? AND member_id = ?"
                        + " ORDER BY ordinal",
                SubscriptionStore::charge);
    }

    private <T> StoreResult<List<T>> memberRows(
            String tenantId, String memberId, String sql, dev.gatehouse.hub.store.RowMapper<T> mapper) {
        return database.read(c -> {
            if (!Sql.exists(c, "SELECT 1 FROM members WHERE id = ? AND tenant_id = ?", memberId, tenantId)) {
                return new StoreResult.NotFound<>("member", memberId);
            }
            return StoreResult.found(Sql.list(c, sql, mapper, tenantId, memberId));
        });
    }

    /** The subscription's row, locked for the transaction (an update on PostgreSQL; SQLite has one writer). */
    private static Optional<Subscription> lock(Connection c, String tenantId, String id) throws SQLException {
        if (Sql.update(
                        c,
                        "UPDATE subscriptions SET updated_at = updated_at WHERE id = ? AND tenant_id = ?",
                        id,
                        tenantId)
                == 0) {
            return Optional.empty();
        }
        return find(c, tenantId, id);
    }

    private static Optional<Subscription> find(Connection c, String tenantId, String id) throws SQLException {
        return Sql.byId(c, "subscriptions", COLUMNS, SubscriptionStore::read, tenantId, id);
    }

    static Optional<ZoneId> zone(Connection c, String tenantId, String siteId) throws SQLException {
        return Sql.one(c, "SELECT time_zone FROM sites WHERE id = ? AND tenant_id = ?", Sql.STRING, siteId, tenantId)
                .map(ZoneId::of);
    }

    /**
     * Whether another of the member's running subscriptions gives the same door plan: then ending or
     * changing this one leaves the plan as it is.
     */
    private static boolean givenByAnother(Connection c, String tenantId, Subscription sub, String planId, Instant now)
            throws SQLException {
        return Sql.exists(
                c,
                "SELECT 1 FROM subscriptions WHERE tenant_id = ? AND member_id = ? AND plan_id = ? AND id <> ?"
                        + " AND status <> 'ENDED' AND (ends_at IS NULL OR ends_at > ?)",
                tenantId,
                sub.memberId(),
                planId,
                sub.id(),
                now);
    }

    /** The end of the commitment's last period, counted from the first; empty without one. */
    private static Optional<LocalDate> committedUntil(
            LocalDate anchor, BillingInterval interval, BillingPeriod first, BillingPackage sold) {
        if (sold.commitmentPeriods() == 0) {
            return Optional.empty();
        }
        BillingPeriod period = first;
        for (int i = 1; i < sold.commitmentPeriods(); i++) {
            period = BillingPeriod.containing(anchor, interval, period.end());
        }
        return Optional.of(period.end());
    }

    /** Writes a charge of {@code amount} unless it is zero, once per key. */
    private static Optional<Charge> charge(
            Connection c,
            String tenantId,
            String memberId,
            String subscriptionId,
            Charge.Kind kind,
            String description,
            long amount,
            String currency,
            BillingPeriod period,
            String key,
            Instant now)
            throws SQLException {
        return ChargeStore.write(
                c,
                tenantId,
                new ChargeStore.NewCharge(
                        memberId,
                        Optional.of(subscriptionId),
                        kind,
                        description,
                        amount,
                        currency,
                        Optional.of(period),
                        key),
                now);
    }

    /** The operation's result, or the refusal a plan store made inside it (its transaction rolled back). */
    private static StoreResult<Outcome> refusable(java.util.function.Supplier<StoreResult<Outcome>> operation) {
        try {
            return operation.get();
        } catch (Refused refused) {
            return refused.result();
        }
    }

    /** A refusal from a store used inside this transaction: thrown, so that everything rolls back. */
    private static <T> T thrown(StoreResult<T> result) {
        return switch (result) {
            case StoreResult.Found<T> found -> found.value();
            case StoreResult.NotFound<T> none -> throw new Refused(new StoreResult.NotFound<>(none.what(), none.id()));
            case StoreResult.Conflict<T> conflict -> throw new Refused(new StoreResult.Conflict<>(conflict.reason()));
            case StoreResult.Invalid<T> invalid -> throw new Refused(new StoreResult.Invalid<>(invalid.errors()));
        };
    }

    /** Carries a plan store's refusal out of the transaction, which it rolls back. */
    public static final class Refused extends RuntimeException {
        private final transient StoreResult<?> result;

        Refused(StoreResult<?> result) {
            super(result.toString(), null, false, false);
            this.result = result;
        }

        @SuppressWarnings("unchecked")
        public <T> StoreResult<T> result() {
            return (StoreResult<T>) result;
        }
    }

    private static Subscription read(ResultSet row) throws SQLException {
        return new Subscription(
                row.getString(1),
                row.getString(2),
                row.getString(3),
                row.getString(4),
                Optional.ofNullable(row.getString(5)),
                row.getLong(6),
                row.getString(7),
                WireNames.of(BillingInterval.class, row.getString(8)),
                LocalDate.parse(row.getString(9)),
                Optional.ofNullable(row.getString(10)).map(LocalDate::parse),
                WireNames.of(Subscription.Status.class, row.getString(11)),
                Instant.ofEpochMilli(row.getLong(12)),
                Sql.instant(row, 13),
                row.getInt(14),
                LocalDate.parse(row.getString(15)),
                Instant.ofEpochMilli(row.getLong(16)),
                Instant.ofEpochMilli(row.getLong(17)));
    }

    static Charge charge(ResultSet row) throws SQLException {
        return new Charge(
                row.getString(1),
                row.getString(2),
                Optional.ofNullable(row.getString(3)),
                WireNames.of(Charge.Kind.class, row.getString(4)),
                row.getString(5),
                row.getLong(6),
                row.getString(7),
                Optional.ofNullable(row.getString(8)).map(LocalDate::parse),
                Optional.ofNullable(row.getString(9)).map(LocalDate::parse),
                Optional.ofNullable(row.getString(10)),
                Times.iso(row.getLong(11)));
    }
}
