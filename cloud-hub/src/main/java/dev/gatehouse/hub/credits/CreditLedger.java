package dev.gatehouse.hub.credits;

import dev.gatehouse.hub.billing.Charge;
import dev.gatehouse.hub.billing.ChargeStore;
import dev.gatehouse.hub.members.MemberStore;
import dev.gatehouse.hub.store.HubIds;
import dev.gatehouse.hub.store.Sql;
import dev.gatehouse.hub.web.Times;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.time.YearMonth;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * The credit ledger's writes, each run inside the caller's transaction: a booking is debited in the
 * transaction that makes it and refunded in the one that cancels it, so a booking and its credits
 * commit or roll back together.
 *
 * <p>Rules: a booking of a resource kind that a subscription running at its start gives credits for
 * draws from that subscription's period ({@link PackageAllowances}: granted once per period, expired
 * at its end); any other booking draws from the calendar month of its start in its site's zone (its
 * period). The month's allowance is written lazily, once, when a booking first needs it: the sum of
 * the monthly credits of the member's plans valid at any time in that month. A debit takes what the
 * balance covers; the rest is overage (credits and their money, the booking's frozen price pro rata),
 * charged once as a {@code BOOKING_OVERAGE} charge for billing to invoice — or, when a plan the
 * member holds at the start is credits-only and no operator overrides, the booking is refused. A
 * cancellation by the resource's window (fixed at booking) gives the debit and its overage back (the
 * charge credited once); a later one writes a refund of nothing that says why. Entries are only ever
 * inserted; a member's writes run one at a time under their member row's and account row's locks.
 */
public final class CreditLedger {
    /** The actor of entries the hub writes by rule: allowances and refunds. */
    public static final String HUB = "hub";

    private static final DateTimeFormatter LOCAL = DateTimeFormatter.ofPattern("EEE d MMM uuuu HH:mm", Locale.ROOT);

    private CreditLedger() {}

    public enum Kind {
        ALLOWANCE,
        DEBIT,
        REFUND,
        ADJUSTMENT,
        /** A package's credits for one resource kind, granted once per subscription period. */
        GRANT,
        /** At a grant's period end: takes what is left of it, so the allowance resets. */
        EXPIRY
    }

    /** Credits the balance did not cover, and their money in minor units of the tenant's currency. */
    public record Overage(long credits, long amount) {
        static final Overage NONE = new Overage(0, 0);

        Overage negated() {
            return new Overage(-credits, -amount);
        }
    }

    /** What debiting a booking came to. */
    public sealed interface Debit {
        /** The booking costs no credits: nothing is written. */
        record Free() implements Debit {}

        /** Written: {@code debited} credits from the period's balance, the rest as overage. */
        record Debited(String period, long debited, Overage overage) implements Debit {}

        /** The balance does not cover the booking and a plan the member holds allows no overage: write nothing. */
        record Refused(String period, long balance, long needed, String plan) implements Debit {
            /** What the booking rule's answer says. */
            public String message() {
                return "the member has " + Math.max(balance, 0) + " credits left in " + period + " and the booking"
                        + " needs " + needed + "; their plan " + plan + " is credits-only, so book less,"
                        + " add credits (POST /api/v1/members/{memberId}/credits/adjustments) or override";
            }
        }
    }

    /** A booking as the ledger reads it from the row its transaction wrote. */
    private record Booked(
            String memberId,
            Instant start,
            Instant end,
            long price,
            long credits,
            boolean overridden,
            String createdBy,
            String resourceName,
            Duration cancelWindow,
            ZoneId zone,
            String resourceKind) {}

    /**
     * Debits the booking {@code bookingId}, written earlier in this transaction, at the price and
     * credits fixed on its row. Refused means nothing was written here and the caller must roll back
     * (the booking may not be made); a booking of no credits touches no ledger.
     */
    public static Debit debit(Connection c, String tenantId, String bookingId, Instant now) throws SQLException {
        Booked booking = Sql.one(
                        c,
                        "SELECT b.member_id, b.start_at, b.end_at, b.price, b.credits, b.override_reason, b.created_by,"
                                + " r.name, r.cancel_window_minutes, s.time_zone, r.kind FROM bookings b"
                                + " JOIN resources r ON r.id = b.resource_id JOIN sites s ON s.id = b.site_id"
                                + " WHERE b.id = ? AND b.tenant_id = ?",
                        row -> new Booked(
                                row.getString(1),
                                Instant.ofEpochMilli(row.getLong(2)),
                                Instant.ofEpochMilli(row.getLong(3)),
                                row.getLong(4),
                                row.getLong(5),
                                row.getString(6) != null,
                                row.getString(7),
                                row.getString(8),
                                Duration.ofMinutes(row.getLong(9)),
                                ZoneId.of(row.getString(10)),
                                row.getString(11)),
                        bookingId,
                        tenantId)
                .orElseThrow(() -> new IllegalStateException("booking " + bookingId + " is not written yet"));
        if (booking.credits() <= 0) {
            return new Debit.Free();
        }
        // The member's row first (an overage is a charge, numbered under it), then the account: the
        // billing run takes them in the same order.
        MemberStore.lock(c, tenantId, booking.memberId());
        lockAccount(c, tenantId, booking.memberId(), now);
        // A subscription whose package gives credits for the resource's kind: its period's pool; else the
        // month's, from the plans.
        Optional<PackageAllowances.Pool> pool =
                PackageAllowances.pool(c, tenantId, booking.memberId(), booking.resourceKind(), booking.start());
        Pool drawn;
        if (pool.isPresent()) {
            PackageAllowances.grant(
                    c, tenantId, pool.get().subscription(), pool.get().period(), now);
            drawn = new Pool(pool.get().period().toString(), Optional.of(booking.resourceKind()));
        } else {
            YearMonth month = YearMonth.from(booking.start().atZone(booking.zone()));
            writeAllowance(c, tenantId, booking.memberId(), month, booking.zone(), now);
            drawn = new Pool(month.toString(), Optional.empty());
        }
        String period = drawn.period();
        long balance = balance(c, tenantId, booking.memberId(), drawn);
        long debited = Math.min(booking.credits(), Math.max(balance, 0));
        long shortfall = booking.credits() - debited;
        if (shortfall > 0 && !booking.overridden()) {
            Optional<String> creditsOnly = creditsOnlyPlan(c, tenantId, booking.memberId(), booking.start());
            if (creditsOnly.isPresent()) {
                return new Debit.Refused(period, balance, booking.credits(), creditsOnly.get());
            }
        }
        Overage overage = shortfall == 0
                ? Overage.NONE
                : new Overage(shortfall, proRata(booking.price(), shortfall, booking.credits()));
        ZonedSpan span = new ZonedSpan(booking.start(), booking.end(), booking.zone());
        Optional<String> written = insert(
                c,
                tenantId,
                booking.memberId(),
                new Entry(
                        drawn,
                        Kind.DEBIT,
                        -debited,
                        Optional.of(bookingId),
                        overage,
                        Optional.of(booking.start().minus(booking.cancelWindow())),
                        booking.resourceName() + ", " + span
                                + (overage.credits() > 0
                                        ? "; " + overage.credits() + " credits beyond the balance are overage"
                                        : ""),
                        booking.createdBy()),
                now);
        if (written.isPresent()) {
            ChargeStore.write(
                    c,
                    tenantId,
                    new ChargeStore.NewCharge(
                            booking.memberId(),
                            Optional.empty(),
                            Charge.Kind.BOOKING_OVERAGE,
                            "Overage: " + booking.resourceName() + ", " + span + " (" + overage.credits()
                                    + " credits beyond the balance)",
                            overage.amount(),
                            ChargeStore.currency(c, tenantId),
                            Optional.empty(),
                            overageKey(bookingId)),
                    now);
        }
        return new Debit.Debited(period, debited, overage);
    }

    /** The debit of a booking as the refund reads it. */
    private record Debited(
            String memberId, Pool pool, long credits, Overage overage, Instant refundableUntil, Instant start) {}

    /**
     * Refunds the booking {@code bookingId} being cancelled in this transaction, once: a second call,
     * however it races, writes nothing. In time (by the debit's {@code refundable_until}) the debit
     * and its overage come back; later a refund of nothing records that the cancellation was late.
     * A booking that debited nothing (no credits, or made before credits existed) is left alone.
     */
    public static void refund(Connection c, String tenantId, String bookingId, Instant now) throws SQLException {
        refund(c, tenantId, bookingId, now, Optional.empty());
    }

    /**
     * Refunds the booking's debit and overage in full whatever the time, once (as {@link #refund}):
     * the hub, not the member, took the booking away, and {@code reason} says how.
     */
    public static void refundInFull(Connection c, String tenantId, String bookingId, Instant now, String reason)
            throws SQLException {
        refund(c, tenantId, bookingId, now, Optional.of(reason));
    }

    private static void refund(Connection c, String tenantId, String bookingId, Instant now, Optional<String> inFull)
            throws SQLException {
        Optional<Debited> found = Sql.one(
                c,
                "SELECT l.member_id, l.period, l.credits, l.overage_credits, l.overage_amount, l.refundable_until,"
                        + " b.start_at, l.resource_kind FROM credit_ledger l JOIN bookings b ON b.id = l.booking_id"
                        + " WHERE l.tenant_id = ? AND l.booking_id = ? AND l.kind = ?",
                row -> new Debited(
                        row.getString(1),
                        new Pool(row.getString(2), Optional.ofNullable(row.getString(8))),
                        -row.getLong(3),
                        new Overage(row.getLong(4), row.getLong(5)),
                        Instant.ofEpochMilli(row.getLong(6)),
                        Instant.ofEpochMilli(row.getLong(7))),
                tenantId,
                bookingId,
                Kind.DEBIT);
        if (found.isEmpty()) {
            return;
        }
        Debited debit = found.get();
        MemberStore.lock(c, tenantId, debit.memberId());
        lockAccount(c, tenantId, debit.memberId(), now);
        if (Sql.exists(c, "SELECT 1 FROM credit_ledger WHERE booking_id = ? AND kind = ?", bookingId, Kind.REFUND)) {
            return;
        }
        boolean inTime = inFull.isPresent() || !now.isAfter(debit.refundableUntil());
        long window = Duration.between(debit.refundableUntil(), debit.start()).toMinutes();
        Optional<String> written = insert(
                c,
                tenantId,
                debit.memberId(),
                new Entry(
                        debit.pool(),
                        Kind.REFUND,
                        inTime ? debit.credits() : 0,
                        Optional.of(bookingId),
                        inTime ? debit.overage().negated() : Overage.NONE,
                        Optional.empty(),
                        inFull.isPresent()
                                ? inFull.get()
                                : inTime
                                        ? "cancelled in time (refunds until " + Times.iso(debit.refundableUntil())
                                                + "): the debit and any overage are returned"
                                        : "cancelled late: refunds ended at " + Times.iso(debit.refundableUntil())
                                                + ", "
                                                + window + " minutes before the start; nothing is refunded and any"
                                                + " overage stays due",
                        HUB),
                now);
        if (written.isPresent() && inTime) {
            // The overage's charge, written once by the debit, is credited once: on the same invoice
            // when the run has not issued it yet, else on the next.
            ChargeStore.write(
                    c,
                    tenantId,
                    new ChargeStore.NewCharge(
                            debit.memberId(),
                            Optional.empty(),
                            Charge.Kind.BOOKING_OVERAGE_CREDIT,
                            "Overage returned: booking cancelled in time",
                            -debit.overage().amount(),
                            ChargeStore.currency(c, tenantId),
                            Optional.empty(),
                            overageKey(bookingId) + ":credit"),
                    now);
        }
    }

    /** What a booking's overage is charged under, once. */
    private static String overageKey(String bookingId) {
        return "booking:" + bookingId + ":overage";
    }

    /** Writes an operator's adjustment (positive adds, negative takes away) to the member's period. */
    public static String adjust(
            Connection c,
            String tenantId,
            String memberId,
            YearMonth period,
            long credits,
            String reason,
            String actor,
            Instant now)
            throws SQLException {
        lockAccount(c, tenantId, memberId, now);
        return insert(
                        c,
                        tenantId,
                        memberId,
                        new Entry(
                                Pool.month(period),
                                Kind.ADJUSTMENT,
                                credits,
                                Optional.empty(),
                                Overage.NONE,
                                Optional.empty(),
                                reason,
                                actor),
                        now)
                .orElseThrow();
    }

    /** The month's balance (the plans' pool): the sum of its entries, always. */
    public static long balance(Connection c, String tenantId, String memberId, YearMonth period) throws SQLException {
        return balance(c, tenantId, memberId, Pool.month(period));
    }

    /** The pool's balance: the sum of its entries, always. */
    static long balance(Connection c, String tenantId, String memberId, Pool pool) throws SQLException {
        return Sql.one(
                        c,
                        "SELECT COALESCE(SUM(credits), 0) FROM credit_ledger WHERE " + Pool.WHERE,
                        Sql.LONG,
                        pool.parameters(tenantId, memberId))
                .orElse(0L);
    }

    /**
     * What a balance is kept for: a month of the plans' allowance (no resource kind, period YYYY-MM),
     * or a subscription period of a package's credits for one resource kind (period start/end).
     */
    record Pool(String period, Optional<String> resourceKind) {
        /** The pool's entries of a tenant's member: with {@link #parameters}. */
        static final String WHERE =
                "tenant_id = ? AND member_id = ? AND period = ?" + " AND COALESCE(resource_kind, '') = ?";

        static Pool month(YearMonth month) {
            return new Pool(month.toString(), Optional.empty());
        }

        Object[] parameters(String tenantId, String memberId) {
            return new Object[] {tenantId, memberId, period, resourceKind.orElse("")};
        }
    }

    /**
     * Takes the member's account row for the transaction (creating it the first time): on PostgreSQL
     * the upsert locks it, so a member's ledger writes queue; SQLite's single writer queues them anyway.
     */
    static void lockAccount(Connection c, String tenantId, String memberId, Instant now) throws SQLException {
        Sql.update(
                c,
                "INSERT INTO credit_accounts (member_id, tenant_id, opened_at, last_entry_at) VALUES (?, ?, ?, ?)"
                        + " ON CONFLICT (member_id) DO UPDATE SET last_entry_at = excluded.last_entry_at",
                memberId,
                tenantId,
                now,
                now);
    }

    private record PlanCredits(String name, long credits) {
        @Override
        public String toString() {
            return name + " (" + credits + ")";
        }
    }

    /**
     * The period's allowance, unless written already: the monthly credits of every plan the member
     * holds at any time in the month (in {@code zone}), summed; written even when nothing, so that it
     * is fixed once.
     */
    private static void writeAllowance(
            Connection c, String tenantId, String memberId, YearMonth period, ZoneId zone, Instant now)
            throws SQLException {
        if (Sql.exists(
                c,
                "SELECT 1 FROM credit_ledger WHERE member_id = ? AND period = ? AND kind = ?",
                memberId,
                period.toString(),
                Kind.ALLOWANCE)) {
            return;
        }
        List<PlanCredits> plans = allowancePlans(c, tenantId, memberId, period, zone);
        long total = plans.stream().mapToLong(PlanCredits::credits).sum();
        insert(
                c,
                tenantId,
                memberId,
                new Entry(
                        Pool.month(period),
                        Kind.ALLOWANCE,
                        total,
                        Optional.empty(),
                        Overage.NONE,
                        Optional.empty(),
                        plans.isEmpty()
                                ? "no plan held in " + period + " gives credits"
                                : "monthly allowance: "
                                        + plans.stream()
                                                .map(PlanCredits::toString)
                                                .collect(Collectors.joining(", ")),
                        HUB),
                now);
    }

    /** The plans that give the member credits in the period: held at any time in the month, in {@code zone}. */
    private static List<PlanCredits> allowancePlans(
            Connection c, String tenantId, String memberId, YearMonth period, ZoneId zone) throws SQLException {
        Instant from = period.atDay(1).atStartOfDay(zone).toInstant();
        Instant until = period.plusMonths(1).atDay(1).atStartOfDay(zone).toInstant();
        return Sql.list(
                c,
                "SELECT p.name, p.credits_per_month FROM member_plans mp JOIN plans p ON p.id = mp.plan_id"
                        + " WHERE mp.tenant_id = ? AND mp.member_id = ? AND p.credits_per_month > 0"
                        + " AND (mp.valid_from IS NULL OR mp.valid_from < ?)"
                        + " AND (mp.valid_until IS NULL OR mp.valid_until > ?) ORDER BY p.name, p.id",
                row -> new PlanCredits(row.getString(1), row.getLong(2)),
                tenantId,
                memberId,
                until,
                from);
    }

    /**
     * The allowance the period would get if it were written now (it is written when a booking first
     * needs it): what a member's statement shows before their first booking of the month.
     */
    static long pendingAllowance(Connection c, String tenantId, String memberId, YearMonth period, ZoneId zone)
            throws SQLException {
        return allowancePlans(c, tenantId, memberId, period, zone).stream()
                .mapToLong(PlanCredits::credits)
                .sum();
    }

    /** The first credits-only plan the member holds at {@code at}, by name. */
    private static Optional<String> creditsOnlyPlan(Connection c, String tenantId, String memberId, Instant at)
            throws SQLException {
        return Sql.one(
                c,
                "SELECT p.name FROM member_plans mp JOIN plans p ON p.id = mp.plan_id"
                        + " WHERE mp.tenant_id = ? AND mp.member_id = ? AND p.credits_only = ?"
                        + " AND (mp.valid_from IS NULL OR mp.valid_from <= ?)"
                        + " AND (mp.valid_until IS NULL OR mp.valid_until > ?) ORDER BY p.name, p.id LIMIT 1",
                Sql.STRING,
                tenantId,
                memberId,
                true,
                at,
                at);
    }

    /** {@code price × part / whole} in minor units, rounded half to even (never floating point). */
    static long proRata(long price, long part, long whole) {
        return BigDecimal.valueOf(price)
                .multiply(BigDecimal.valueOf(part))
                .divide(BigDecimal.valueOf(whole), 0, RoundingMode.HALF_EVEN)
                .longValueExact();
    }

    /** A booking's local time for an entry's reason: "Thu 3 Dec 2026 10:00–11:30 Europe/Berlin". */
    private record ZonedSpan(Instant start, Instant end, ZoneId zone) {
        @Override
        public String toString() {
            return LOCAL.format(start.atZone(zone)) + "–"
                    + DateTimeFormatter.ofPattern("HH:mm").format(end.atZone(zone)) + " " + zone.getId();
        }
    }

    /** An entry to append; a grant or an expiry also names its subscription and the grant's end. */
    record Entry(
            Pool pool,
            Kind kind,
            long credits,
            Optional<String> bookingId,
            Overage overage,
            Optional<Instant> refundableUntil,
            String reason,
            String createdBy,
            Optional<String> subscriptionId,
            Optional<Instant> expiresAt) {
        Entry(
                Pool pool,
                Kind kind,
                long credits,
                Optional<String> bookingId,
                Overage overage,
                Optional<Instant> refundableUntil,
                String reason,
                String createdBy) {
            this(
                    pool,
                    kind,
                    credits,
                    bookingId,
                    overage,
                    refundableUntil,
                    reason,
                    createdBy,
                    Optional.empty(),
                    Optional.empty());
        }
    }

    /**
     * Appends the entry as the member's next, under their account's lock (taken by the caller); empty
     * when the unique keys say it exists already (a second allowance, debit or refund).
     */
    static Optional<String> insert(Connection c, String tenantId, String memberId, Entry entry, Instant now)
            throws SQLException {
        long seq = Sql.one(c, "SELECT COALESCE(MAX(seq), 0) FROM credit_ledger WHERE member_id = ?", Sql.LONG, memberId)
                        .orElse(0L)
                + 1;
        String id = HubIds.next("cr");
        String conflict = entry.kind() == Kind.ALLOWANCE
                ? " ON CONFLICT (member_id, period) WHERE kind = 'ALLOWANCE' DO NOTHING"
                : entry.subscriptionId().isPresent()
                        ? " ON CONFLICT (subscription_id, period, resource_kind, kind) WHERE subscription_id IS NOT NULL"
                                + " DO NOTHING"
                        : entry.bookingId().isPresent()
                                ? " ON CONFLICT (booking_id, kind) WHERE booking_id IS NOT NULL DO NOTHING"
                                : "";
        int written = Sql.update(
                c,
                "INSERT INTO credit_ledger (id, tenant_id, member_id, seq, period, kind, credits, booking_id,"
                        + " overage_credits, overage_amount, refundable_until, reason, created_at, created_by,"
                        + " resource_kind, subscription_id, expires_at)"
                        + " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)" + conflict,
                id,
                tenantId,
                memberId,
                seq,
                entry.pool().period(),
                entry.kind(),
                entry.credits(),
                entry.bookingId(),
                entry.overage().credits(),
                entry.overage().amount(),
                entry.refundableUntil(),
                entry.reason(),
                now,
                entry.createdBy(),
                entry.pool().resourceKind(),
                entry.subscriptionId(),
                entry.expiresAt());
        return written == 1 ? Optional.of(id) : Optional.empty();
    }
}
