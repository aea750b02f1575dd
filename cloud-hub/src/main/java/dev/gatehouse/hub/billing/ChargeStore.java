package dev.gatehouse.hub.billing;

import dev.gatehouse.hub.members.MemberStore;
import dev.gatehouse.hub.store.Database;
import dev.gatehouse.hub.store.HubIds;
import dev.gatehouse.hub.store.Sql;
import dev.gatehouse.hub.store.StoreResult;
import dev.gatehouse.hub.web.Times;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Instant;
import java.util.Optional;

/**
 * Writes billing charges: every amount a member owes or is owed waits here, under a key naming what
 * it is for, until the billing run (or finance) issues it on exactly one invoice line. The writer is
 * shared by subscriptions, the credit ledger (a booking's overage and its refund) and one-off charges.
 */
public record ChargeStore(Database database, Clock clock) {
    /** A charge to write: what it is for once ({@code key}), and what it is. */
    public record NewCharge(
            String memberId,
            Optional<String> subscriptionId,
            Charge.Kind kind,
            String description,
            long amount,
            String currency,
            Optional<BillingPeriod> period,
            String key) {}

    /** A one-off charge as finance asks for it; {@code idempotencyKey} makes a retry charge once. */
    public record OneOff(String description, long amount, String currency, String idempotencyKey) {}

    /** What asking for a one-off came to: written now, or written by an earlier request of the same key. */
    public record OneOffOutcome(Charge charge, boolean replayed) {}

    /**
     * Charges the member once per idempotency key: a retry with the same key and the same charge
     * answers the charge written first; the same key for another charge is a conflict. The currency
     * must be the tenant's billing currency.
     */
    public StoreResult<OneOffOutcome> oneOff(String tenantId, String memberId, OneOff request) {
        Instant now = clock.instant();
        return database.write(c -> {
            if (!MemberStore.lock(c, tenantId, memberId)) {
                return new StoreResult.NotFound<>("member", memberId);
            }
            String currency = PackageStore.currency(c, tenantId);
            if (!request.currency().equals(currency)) {
                return StoreResult.invalid(
                        "currency",
                        "is " + request.currency() + " but this tenant bills in " + currency + "; charge in "
                                + currency);
            }
            String key = "one-off:" + request.idempotencyKey();
            Optional<Charge> earlier = byKey(c, tenantId, key);
            if (earlier.isPresent()) {
                Charge first = earlier.get();
                if (first.memberId().equals(memberId)
                        && first.amount() == request.amount()
                        && first.description().equals(request.description())) {
                    return StoreResult.found(new OneOffOutcome(first, true));
                }
                return new StoreResult.Conflict<>("the idempotency key '" + request.idempotencyKey()
                        + "' was used for another charge (" + first.id() + "); use a new key for a new charge");
            }
            return StoreResult.found(new OneOffOutcome(
                    write(
                                    c,
                                    tenantId,
                                    new NewCharge(
                                            memberId,
                                            Optional.empty(),
                                            Charge.Kind.ONE_OFF,
                                            request.description(),
                                            request.amount(),
                                            currency,
                                            Optional.empty(),
                                            key),
                                    now)
                            .orElseThrow(),
                    false));
        });
    }

    /**
     * Writes the charge in the caller's transaction, which holds the member's row ({@link
     * MemberStore#lock}: charges are numbered under it); empty when the amount is zero or the key
     * was charged already.
     */
    public static Optional<Charge> write(Connection c, String tenantId, NewCharge charge, Instant now)
            throws SQLException {
        if (charge.amount() == 0) {
            return Optional.empty();
        }
        String id = HubIds.next("chg");
        int written = Sql.update(
                c,
                "INSERT INTO billing_charges (id, tenant_id, member_id, subscription_id, kind, description, amount,"
                        + " currency, period_start, period_end, charge_key, invoice_id, created_at, ordinal) VALUES"
                        + " (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, NULL, ?, (SELECT COALESCE(MAX(ordinal), 0) + 1 FROM"
                        + " billing_charges WHERE tenant_id = ? AND member_id = ?))"
                        + " ON CONFLICT (tenant_id, charge_key) DO NOTHING",
                id,
                tenantId,
                charge.memberId(),
                charge.subscriptionId(),
                charge.kind(),
                charge.description(),
                charge.amount(),
                charge.currency(),
                charge.period().map(p -> p.start().toString()),
                charge.period().map(p -> p.end().toString()),
                charge.key(),
                now,
                tenantId,
                charge.memberId());
        if (written == 0) {
            return Optional.empty();
        }
        return Optional.of(new Charge(
                id,
                charge.memberId(),
                charge.subscriptionId(),
                charge.kind(),
                charge.description(),
                charge.amount(),
                charge.currency(),
                charge.period().map(BillingPeriod::start),
                charge.period().map(BillingPeriod::end),
                Optional.empty(),
                Times.iso(now.toEpochMilli())));
    }

    /** The tenant's billing currency, in the caller's transaction. */
    public static String currency(Connection c, String tenantId) throws SQLException {
        return PackageStore.currency(c, tenantId);
    }

    static Optional<Charge> byKey(Connection c, String tenantId, String key) throws SQLException {
        return Sql.one(
                c,
                "SELECT " + SubscriptionStore.CHARGE_COLUMNS + " FROM billing_charges WHERE tenant_id = ?"
                        + " AND charge_key = ?",
                SubscriptionStore::charge,
                tenantId,
                key);
    }
}
