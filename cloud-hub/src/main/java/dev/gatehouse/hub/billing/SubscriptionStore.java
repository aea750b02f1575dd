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
            + " created_at, updated_at, paused_from, paused_until";
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
                "INSERT INTO subscriptions (" + COLUMNS + ", tenant_id) VALUES (" + "?, ".repeat(19) + "?)",
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
                null,
                null,
                tenantId);
        SubscriptionHistory.record(c, tenantId, id, now);
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
        return locked(tenantId, subscriptionId, (c, sub, now) -> {
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
            int seated = holders(c, tenantId, sub).size();
            if (seated > to.seats()) {
                return new StoreResult.Conflict<>("subscription " + subscriptionId + " has " + seated
                        + " seats taken and '" + to.name() + "' has " + to.seats() + "; free seats first");
            }
            if (sub.pausedFrom().isPresent()) {
                return new StoreResult.Conflict<>("subscription " + subscriptionId + " has a pause set ("
                        + sub.pausedFrom().get() + " to " + sub.pausedUntil().orElseThrow()
                        + "); change its package after the pause, or lift a pause that has not begun");
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
            SubscriptionHistory.record(c, tenantId, subscriptionId, now);
            if (!sub.planId().equals(to.planId())) {
                for (String holder : holders(c, tenantId, sub)) {
                    if (sub.planId().isPresent()
                            && !givenByAnother(
                                    c, tenantId, sub, holder, sub.planId().get(), now)) {
                        thrown(PlanAssignmentStore.unassign(
                                c, tenantId, actor, holder, sub.planId().get(), now));
                    }
                    if (to.planId().isPresent()) {
                        thrown(PlanAssignmentStore.assign(
                                c, tenantId, actor, holder, to.planId().get(), Optional.of(at), Optional.empty(), now));
                    }
                }
            }
            return StoreResult.found(
                    new Outcome(find(c, tenantId, subscriptionId).orElseThrow(), charges));
        });
    }

    /** Cancels the subscription; its door plan ends with it. */
    public StoreResult<Outcome> cancel(String tenantId, String actor, String subscriptionId, CancelMode mode) {
        return locked(tenantId, subscriptionId, (c, sub, now) -> {
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
                // A paused period was never charged: nothing of it to credit.
                long unused = sub.pausedAt(now) ? 0 : credit.credit();
                charge(
                                c,
                                tenantId,
                                sub.memberId(),
                                subscriptionId,
                                Charge.Kind.CANCEL_CREDIT,
                                "Cancelled on " + today + ": the days after it",
                                -unused,
                                sub.currency(),
                                credit.period(),
                                "sub:" + subscriptionId + ":cancel",
                                now)
                        .ifPresent(charges::add);
                ends = now;
                for (String holder : holders(c, tenantId, sub)) {
                    if (sub.planId().isPresent()
                            && !givenByAnother(
                                    c, tenantId, sub, holder, sub.planId().get(), now)) {
                        thrown(PlanAssignmentStore.unassign(
                                c, tenantId, actor, holder, sub.planId().get(), now));
                    }
                }
            } else {
                LocalDate last = sub.committedUntil()
                        .filter(until -> until.isAfter(period.end()))
                        .orElse(period.end());
                ends = last.atStartOfDay(zone).toInstant();
                // In a pause the plan stays off until the end; otherwise it runs to the end.
                if (!sub.pausedAt(now)) {
                    planWindow(c, tenantId, actor, sub, sub.startedAt(), Optional.of(ends), now);
                }
            }
            // A pause that has not begun by the end is lifted; one under way ends with the subscription.
            boolean keepPause =
                    sub.pausedFrom().filter(from -> from.isBefore(ends)).isPresent();
            Sql.update(
                    c,
                    "UPDATE subscriptions SET status = ?, ends_at = ?, updated_at = ?, paused_from = ?,"
                            + " paused_until = ? WHERE id = ? AND tenant_id = ?",
                    mode == CancelMode.NOW ? Subscription.Status.ENDED : Subscription.Status.CANCELLING,
                    ends,
                    now,
                    keepPause ? sub.pausedFrom() : Optional.empty(),
                    keepPause ? sub.pausedUntil() : Optional.empty(),
                    subscriptionId,
                    tenantId);
            SubscriptionHistory.record(c, tenantId, subscriptionId, now);
            return StoreResult.found(
                    new Outcome(find(c, tenantId, subscriptionId).orElseThrow(), charges));
        });
    }

    /** A subscription's seats: how many its package has, and who holds them (the subscriber first). */
    public record Seats(Subscription subscription, int seats, List<String> members, boolean added) {
        public Seats {
            members = List.copyOf(members);
        }
    }

    public StoreResult<Seats> seats(String tenantId, String subscriptionId) {
        return database.read(c -> {
            Optional<Subscription> found = find(c, tenantId, subscriptionId);
            if (found.isEmpty()) {
                return new StoreResult.NotFound<>("subscription", subscriptionId);
            }
            return StoreResult.found(seats(c, tenantId, found.get(), false));
        });
    }

    private static Seats seats(Connection c, String tenantId, Subscription sub, boolean added) throws SQLException {
        int seats = PackageStore.find(c, tenantId, sub.packageId())
                .map(BillingPackage::seats)
                .orElse(1);
        return new Seats(sub, seats, holders(c, tenantId, sub), added);
    }

    /**
     * Gives a member of the tenant a seat of a team subscription: the door plan from now for as long
     * as the subscription gives it (from the pause's end, in a pause). A member seated already is
     * answered as is. Conflict when not a team package, every seat is taken, the subscription has
     * ended or the member is cancelled.
     */
    public StoreResult<Seats> addSeat(String tenantId, String actor, String subscriptionId, String memberId) {
        return locked(tenantId, subscriptionId, (c, sub, now) -> {
            Seats current = seats(c, tenantId, sub, false);
            if (current.seats() < 2) {
                return new StoreResult.Conflict<>(
                        "subscription " + subscriptionId + " is not to a team package; only a team package has seats");
            }
            if (sub.statusAt(now) == Subscription.Status.ENDED) {
                return new StoreResult.Conflict<>("subscription " + subscriptionId + " has ended");
            }
            if (!MemberStore.lock(c, tenantId, memberId)) {
                return StoreResult.invalid("memberId", "names no member of this tenant: " + memberId);
            }
            if (current.members().contains(memberId)) {
                return StoreResult.found(current);
            }
            if (MemberStore.status(c, tenantId, memberId).orElseThrow() == MemberStatus.CANCELLED) {
                return new StoreResult.Conflict<>("member " + memberId + " is cancelled");
            }
            if (current.members().size() >= current.seats()) {
                return new StoreResult.Conflict<>("all " + current.seats() + " seats of subscription " + subscriptionId
                        + " are taken; free one first or change to a package with more");
            }
            Sql.update(
                    c,
                    "INSERT INTO subscription_seats (subscription_id, member_id, tenant_id, added_at) VALUES (?, ?, ?, ?)",
                    subscriptionId,
                    memberId,
                    tenantId,
                    now);
            // In a pause the seat waits for the run that ends it; before one, the plan stops at its start.
            if (sub.planId().isPresent()
                    && !sub.pausedAt(now)
                    && !givenByAnother(c, tenantId, sub, memberId, sub.planId().get(), now)) {
                Optional<Instant> until = sub.pausedFrom().or(sub::endsAt);
                thrown(PlanAssignmentStore.assign(
                        c, tenantId, actor, memberId, sub.planId().get(), Optional.of(now), until, now));
            }
            return StoreResult.found(seats(c, tenantId, sub, true));
        });
    }

    /** Frees a member's seat: the door plan ends now unless the member holds it otherwise. */
    public StoreResult<Seats> removeSeat(String tenantId, String actor, String subscriptionId, String memberId) {
        return locked(tenantId, subscriptionId, (c, sub, now) -> {
            if (sub.memberId().equals(memberId)) {
                return new StoreResult.Conflict<>("member " + memberId + " is the subscriber and holds the first"
                        + " seat; cancel the subscription instead");
            }
            MemberStore.lock(c, tenantId, memberId);
            if (Sql.update(
                            c,
                            "DELETE FROM subscription_seats WHERE subscription_id = ? AND member_id = ? AND tenant_id = ?",
                            subscriptionId,
                            memberId,
                            tenantId)
                    == 0) {
                return new StoreResult.NotFound<>("seat", memberId);
            }
            if (sub.planId().isPresent()
                    && !givenByAnother(c, tenantId, sub, memberId, sub.planId().get(), now)) {
                thrown(PlanAssignmentStore.unassign(
                        c, tenantId, actor, memberId, sub.planId().get(), now));
            }
            return StoreResult.found(seats(c, tenantId, sub, false));
        });
    }

    /** The most periods one pause may last. */
    public static final int MAX_PAUSE_PERIODS = 6;

    /**
     * Pauses the subscription from its next period's start for {@code periods} whole periods: they are
     * not charged and give no package credits, and the door plan ends at the pause's start (the edges
     * decide that offline); the billing run after the pause's end gives the plan back and charges on.
     * Conflict when cancelled, committed past the pause's start, or a pause is set already.
     */
    public StoreResult<Outcome> pause(String tenantId, String actor, String subscriptionId, int periods) {
        return locked(tenantId, subscriptionId, (c, sub, now) -> {
            if (sub.statusAt(now) != Subscription.Status.ACTIVE) {
                return new StoreResult.Conflict<>("subscription " + subscriptionId + " is "
                        + WireNames.wire(sub.statusAt(now)) + "; only a running subscription pauses");
            }
            if (sub.pausedFrom().isPresent()) {
                return new StoreResult.Conflict<>("subscription " + subscriptionId + " is paused from "
                        + sub.pausedFrom().get() + " until " + sub.pausedUntil().orElseThrow()
                        + " already; lift that pause first (before it begins)");
            }
            ZoneId zone = zone(c, tenantId, sub.siteId()).orElseThrow();
            LocalDate today = now.atZone(zone).toLocalDate();
            LocalDate first = BillingPeriod.containing(sub.anchor(), sub.interval(), today)
                    .end();
            if (sub.committedUntil().filter(until -> until.isAfter(first)).isPresent()) {
                return new StoreResult.Conflict<>("subscription " + subscriptionId + " is committed until "
                        + sub.committedUntil().get() + "; it can pause from then");
            }
            LocalDate last = first;
            for (int i = 0; i < periods; i++) {
                last = BillingPeriod.containing(sub.anchor(), sub.interval(), last)
                        .end();
            }
            Instant from = first.atStartOfDay(zone).toInstant();
            Instant until = last.atStartOfDay(zone).toInstant();
            planWindow(c, tenantId, actor, sub, sub.startedAt(), Optional.of(from), now);
            setPause(c, tenantId, subscriptionId, Optional.of(from), Optional.of(until), now);
            return StoreResult.found(
                    new Outcome(find(c, tenantId, subscriptionId).orElseThrow(), List.of()));
        });
    }

    /** Lifts a pause that has not begun: the door plan runs on as before. Conflict for one under way. */
    public StoreResult<Outcome> lift(String tenantId, String actor, String subscriptionId) {
        return locked(tenantId, subscriptionId, (c, sub, now) -> {
            if (sub.pausedFrom().isEmpty()) {
                return new StoreResult.Conflict<>("subscription " + subscriptionId + " has no pause set");
            }
            if (!now.isBefore(sub.pausedFrom().get())) {
                return new StoreResult.Conflict<>("subscription " + subscriptionId + "'s pause began at "
                        + sub.pausedFrom().get() + "; it ends on its own at "
                        + sub.pausedUntil().orElseThrow());
            }
            resume(c, tenantId, actor, sub, sub.startedAt(), now);
            return StoreResult.found(
                    new Outcome(find(c, tenantId, subscriptionId).orElseThrow(), List.of()));
        });
    }

    /** Gives the door plan back from {@code from} (to the end, if cancelling) and clears the pause. */
    private static void resume(Connection c, String tenantId, String actor, Subscription sub, Instant from, Instant now)
            throws SQLException {
        planWindow(c, tenantId, actor, sub, from, sub.endsAt(), now);
        setPause(c, tenantId, sub.id(), Optional.empty(), Optional.empty(), now);
    }

    /**
     * Sets the window of the subscription's door plan on its member, unless it gives none or another
     * running subscription of the member gives the same plan.
     */
    private static void planWindow(
            Connection c,
            String tenantId,
            String actor,
            Subscription sub,
            Instant from,
            Optional<Instant> until,
            Instant now)
            throws SQLException {
        if (sub.planId().isEmpty()) {
            return;
        }
        for (String holder : holders(c, tenantId, sub)) {
            if (!givenByAnother(c, tenantId, sub, holder, sub.planId().get(), now)) {
                thrown(PlanAssignmentStore.assign(
                        c, tenantId, actor, holder, sub.planId().get(), Optional.of(from), until, now));
            }
        }
    }

    private static void setPause(
            Connection c, String tenantId, String id, Optional<Instant> from, Optional<Instant> until, Instant now)
            throws SQLException {
        Sql.update(
                c,
                "UPDATE subscriptions SET paused_from = ?, paused_until = ?, updated_at = ? WHERE id = ?"
                        + " AND tenant_id = ?",
                from,
                until,
                now,
                id,
                tenantId);
        SubscriptionHistory.record(c, tenantId, id, now);
    }

    /** Who gives a door plan back after a pause, in the member's history. */
    static final String BILLING_RUN = "billing-run";

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
        String[] siteAndPackage = Sql.one(
                        c,
                        "SELECT st.time_zone, p.name FROM sites st LEFT JOIN packages p ON p.id = ? AND p.tenant_id"
                                + " = st.tenant_id WHERE st.id = ? AND st.tenant_id = ?",
                        row -> new String[] {row.getString(1), row.getString(2)},
                        sub.packageId(),
                        sub.siteId(),
                        tenantId)
                .orElseThrow();
        ZoneId zone = ZoneId.of(siteAndPackage[0]);
        LocalDate today = now.atZone(zone).toLocalDate();
        LocalDate through = sub.chargedThrough();
        String name = Optional.ofNullable(siteAndPackage[1]).orElse(sub.packageId());
        List<Charge> charges = new ArrayList<>();
        while (sub.status() != Subscription.Status.ENDED && !through.isAfter(today)) {
            BillingPeriod period = BillingPeriod.containing(sub.anchor(), sub.interval(), through);
            Instant begins = period.start().atStartOfDay(zone).toInstant();
            if (sub.endsAt().filter(end -> !end.isAfter(begins)).isPresent()) {
                break;
            }
            if (sub.pausedAt(begins)) {
                through = period.end();
                continue;
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
        Optional<Instant> pauseOver = sub.pausedUntil().filter(until -> !now.isBefore(until));
        if (pauseOver.isPresent()) {
            if (sub.endsAt().filter(end -> !end.isAfter(pauseOver.get())).isPresent()) {
                // It ended in its pause: nothing to give back.
                setPause(c, tenantId, sub.id(), Optional.empty(), Optional.empty(), now);
            } else {
                resume(c, tenantId, BILLING_RUN, sub, pauseOver.get(), now);
            }
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

    /** The tenant's subscriptions, by member then newest first; at most {@code limit}. */
    public List<Subscription> list(String tenantId, int limit) {
        return database.read(c -> Sql.list(
                c,
                "SELECT " + COLUMNS
                        + " FROM subscriptions WHERE tenant_id = ? ORDER BY member_id, created_at DESC, id DESC"
                        + " LIMIT ?",
                SubscriptionStore::read,
                tenantId,
                limit));
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

    /** An operation on one subscription, its row locked, in the transaction. */
    @FunctionalInterface
    private interface Locked<T> {
        StoreResult<T> apply(Connection c, Subscription sub, Instant now) throws SQLException;
    }

    /** Runs {@code operation} on the subscription, locked, in one transaction; NotFound for no such one. */
    private <T> StoreResult<T> locked(String tenantId, String subscriptionId, Locked<T> operation) {
        Instant now = clock.instant();
        return refusable(() -> database.write(c -> {
            Optional<Subscription> found = lock(c, tenantId, subscriptionId);
            if (found.isEmpty()) {
                return new StoreResult.NotFound<>("subscription", subscriptionId);
            }
            return operation.apply(c, found.get(), now);
        }));
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
    private static boolean givenByAnother(
            Connection c, String tenantId, Subscription sub, String memberId, String planId, Instant now)
            throws SQLException {
        String running = " AND s.status <> 'ENDED' AND (s.ends_at IS NULL OR s.ends_at > ?)"
                + " AND NOT (s.paused_from IS NOT NULL AND s.paused_from <= ? AND s.paused_until > ?)";
        return Sql.exists(
                        c,
                        "SELECT 1 FROM subscriptions s WHERE s.tenant_id = ? AND s.member_id = ? AND s.plan_id = ?"
                                + " AND s.id <> ?" + running,
                        tenantId,
                        memberId,
                        planId,
                        sub.id(),
                        now,
                        now,
                        now)
                || Sql.exists(
                        c,
                        "SELECT 1 FROM subscriptions s JOIN subscription_seats st ON st.subscription_id = s.id"
                                + " WHERE s.tenant_id = ? AND st.member_id = ? AND s.plan_id = ? AND s.id <> ?"
                                + running,
                        tenantId,
                        memberId,
                        planId,
                        sub.id(),
                        now,
                        now,
                        now);
    }

    /** Who holds the subscription's door plan through it: its subscriber, then its seats' members by id. */
    static List<String> holders(Connection c, String tenantId, Subscription sub) throws SQLException {
        List<String> holders = new ArrayList<>();
        holders.add(sub.memberId());
        holders.addAll(Sql.list(
                c,
                "SELECT member_id FROM subscription_seats WHERE subscription_id = ? AND tenant_id = ?"
                        + " ORDER BY member_id",
                Sql.STRING,
                sub.id(),
                tenantId));
        return holders;
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
    private static <T> StoreResult<T> refusable(java.util.function.Supplier<StoreResult<T>> operation) {
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
                Instant.ofEpochMilli(row.getLong(17)),
                Sql.instant(row, 18),
                Sql.instant(row, 19));
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
