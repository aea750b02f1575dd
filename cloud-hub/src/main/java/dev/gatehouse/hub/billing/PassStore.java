package dev.gatehouse.hub.billing;

import dev.gatehouse.hub.members.MemberStore;
import dev.gatehouse.hub.plans.PlanAssignmentStore;
import dev.gatehouse.hub.store.Database;
import dev.gatehouse.hub.store.StoreResult;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneId;
import java.util.Optional;

/**
 * Passes sold (issue 16 items 1 and 7): a {@link BillingPackage.Kind#PASS} package gives its door plan
 * from the first day's start until {@code passValidDays} later, in the site's zone, with its entries
 * (a day pass: one entry valid one day; a 10-pass: ten entries valid, say, 180 days). The first entry
 * of a day spends one, decided at the edge. The price is a {@link Charge.Kind#PASS} charge on the
 * member's next invoice (or an invoice issued at once). A retry with the same idempotency key sells
 * nothing twice.
 */
public record PassStore(Database database, Clock clock) {
    /** The furthest ahead a pass may start: a year. */
    static final int MAX_DAYS_AHEAD = 366;

    /** What to sell: the pass package, the site whose zone the days are counted in, the first day. */
    public record Sale(String packageId, String siteId, Optional<LocalDate> firstDay, String idempotencyKey) {}

    /**
     * A pass sold: the member's pass of the plan now (a top-up shows the sum), its charge (none for a
     * free pass), and whether an earlier request with the same key sold it.
     */
    public record Sold(
            String memberId,
            BillingPackage pass,
            String siteId,
            PlanAssignmentStore.PassGiven given,
            Optional<Charge> charge,
            boolean replayed) {}

    public StoreResult<Sold> sell(String tenantId, String actor, String memberId, Sale sale) {
        Instant now = clock.instant();
        return database.write(c -> sell(c, tenantId, actor, memberId, sale, now));
    }

    /**
     * {@link #sell} in the caller's transaction (a payment that buys a pass, a public sign-up). A
     * refusal comes back before anything is written.
     */
    public static StoreResult<Sold> sell(
            Connection c, String tenantId, String actor, String memberId, Sale sale, Instant now) throws SQLException {
        Optional<BillingPackage> found = PackageStore.find(c, tenantId, sale.packageId());
        if (found.isEmpty()) {
            return StoreResult.invalid("packageId", "names no package of this tenant: " + sale.packageId());
        }
        BillingPackage pass = found.get();
        if (pass.kind() != BillingPackage.Kind.PASS) {
            return StoreResult.invalid(
                    "packageId", "package '" + pass.name() + "' is not a pass; subscribe the member to it instead");
        }
        if (pass.status() != BillingPackage.Status.ACTIVE) {
            return StoreResult.invalid("packageId", "package '" + pass.name() + "' is retired and sold no more");
        }
        if (pass.planId().isEmpty()) {
            return StoreResult.invalid(
                    "packageId",
                    "package '" + pass.name() + "' names no door plan, so it would open no door; give it a plan first");
        }
        Optional<ZoneId> zone = SubscriptionStore.zone(c, tenantId, sale.siteId());
        if (zone.isEmpty()) {
            return new StoreResult.NotFound<>("site", sale.siteId());
        }
        if (!MemberStore.lock(c, tenantId, memberId)) {
            return new StoreResult.NotFound<>("member", memberId);
        }
        String key = "pass:" + sale.idempotencyKey();
        Optional<Charge> earlier = ChargeStore.byKey(c, tenantId, key);
        if (earlier.isPresent()) {
            // A retry answers the first sale; the key never sells anything else (nor anything twice).
            Charge first = earlier.get();
            Optional<PlanAssignmentStore.PassGiven> current = PlanAssignmentStore.pass(
                    c, tenantId, memberId, pass.planId().get());
            if (!first.memberId().equals(memberId)
                    || first.kind() != Charge.Kind.PASS
                    || first.amount() != pass.price()
                    || !first.description().startsWith(pass.name() + ", ")
                    || current.isEmpty()) {
                return new StoreResult.Conflict<>("the idempotency key '" + sale.idempotencyKey()
                        + "' was used for another sale (" + first.id() + "); use a new key for a new sale");
            }
            return StoreResult.found(new Sold(memberId, pass, sale.siteId(), current.get(), earlier, true));
        }
        LocalDate today = now.atZone(zone.get()).toLocalDate();
        LocalDate first = sale.firstDay().orElse(today);
        if (first.isBefore(today) || first.isAfter(today.plusDays(MAX_DAYS_AHEAD))) {
            return StoreResult.invalid(
                    "firstDay",
                    "is " + first + "; a pass starts today (" + today + " at the site) or on a day within a year");
        }
        int days = pass.passValidDays().orElse(1);
        Instant from = first.atStartOfDay(zone.get()).toInstant();
        Instant until = first.plusDays(days).atStartOfDay(zone.get()).toInstant();
        StoreResult<PlanAssignmentStore.PassGiven> given = PlanAssignmentStore.assignPass(
                c,
                tenantId,
                actor,
                memberId,
                pass.planId().get(),
                from,
                until,
                pass.passes().orElse(1),
                now);
        if (!(given instanceof StoreResult.Found<PlanAssignmentStore.PassGiven> ok)) {
            return given.map(g -> null);
        }
        String description = pass.name() + (days == 1 ? ", " + first : ", from " + first + " for " + days + " days");
        Optional<Charge> charge = ChargeStore.write(
                c,
                tenantId,
                new ChargeStore.NewCharge(
                        memberId,
                        Optional.empty(),
                        Charge.Kind.PASS,
                        description,
                        pass.price(),
                        pass.currency(),
                        Optional.empty(),
                        key),
                now);
        if (charge.isEmpty() && pass.price() != 0) {
            // The key was checked above under the member's lock: a priced pass is always charged.
            throw new IllegalStateException("pass " + pass.id() + " sold to " + memberId + " without its charge");
        }
        return StoreResult.found(new Sold(memberId, pass, sale.siteId(), ok.value(), charge, false));
    }
}
