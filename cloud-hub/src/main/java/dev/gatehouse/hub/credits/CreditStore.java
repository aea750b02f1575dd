package dev.gatehouse.hub.credits;

import dev.gatehouse.hub.store.Database;
import dev.gatehouse.hub.store.Sql;
import dev.gatehouse.hub.store.StoreResult;
import dev.gatehouse.hub.store.WireNames;
import dev.gatehouse.hub.web.Times;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Instant;
import java.time.YearMonth;
import java.time.ZoneId;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * The members' credit ledgers as the API shows them: a period's statement (its balance, overage and
 * entries), an operator's adjustment, and what the ledger holds for one booking. The rules that write
 * entries are {@link CreditLedger}'s.
 */
public record CreditStore(Database database, Clock clock) {
    private static final String COLUMNS = "id, member_id, seq, period, kind, credits, booking_id, overage_credits,"
            + " overage_amount, reason, created_at, created_by";

    /** One ledger entry as the API shows it; {@code bookingId} is null unless a booking wrote it. */
    public record EntryView(
            String id,
            String memberId,
            long seq,
            String period,
            String kind,
            long credits,
            String bookingId,
            CreditLedger.Overage overage,
            String reason,
            String createdAt,
            String createdBy) {}

    /**
     * A member's period: {@code balance} is the sum of the entries' credits, {@code overage} the sum of
     * their overage (what billing invoices for the period), entries in the order written.
     */
    public record Statement(
            String memberId, String period, long balance, CreditLedger.Overage overage, List<EntryView> entries) {
        public Statement {
            entries = List.copyOf(entries);
        }
    }

    /**
     * What the ledger holds for one booking, as the booking's answer shows it: the period it drew from,
     * the credits debited, its overage, and its refund once cancelled (null, left out, while it is live).
     */
    public record BookingCredits(String period, long debited, CreditLedger.Overage overage, RefundView refund) {}

    /** A booking's refund: {@code inTime} false for a late cancellation, which refunds nothing. */
    public record RefundView(boolean inTime, long credits, CreditLedger.Overage overage, String reason) {}

    /** An operator's adjustment: whole credits, positive or negative, never zero; a reason is required. */
    public record Adjustment(YearMonth period, long credits, String reason, String actor) {}

    /** The member's statement for a month of the plans' allowance; NotFound when the tenant has no such member. */
    public StoreResult<Statement> statement(String tenantId, String memberId, YearMonth period) {
        return statement(tenantId, memberId, CreditLedger.Pool.month(period));
    }

    /** The member's statement for a pool: a month, or a package period of one resource kind. */
    StoreResult<Statement> statement(String tenantId, String memberId, CreditLedger.Pool pool) {
        return database.read(c -> {
            if (!memberExists(c, tenantId, memberId)) {
                return new StoreResult.NotFound<>("member", memberId);
            }
            return StoreResult.found(statement(c, tenantId, memberId, pool));
        });
    }

    /** Appends the adjustment and answers the entry; NotFound when the tenant has no such member. */
    public StoreResult<EntryView> adjust(String tenantId, String memberId, Adjustment adjustment) {
        return database.write(c -> {
            if (!memberExists(c, tenantId, memberId)) {
                return new StoreResult.NotFound<>("member", memberId);
            }
            String id = CreditLedger.adjust(
                    c,
                    tenantId,
                    memberId,
                    adjustment.period(),
                    adjustment.credits(),
                    adjustment.reason(),
                    adjustment.actor(),
                    clock.instant());
            return StoreResult.found(Sql.byId(c, "credit_ledger", COLUMNS, CreditStore::entry, tenantId, id)
                    .orElseThrow());
        });
    }

    /** The ledger's part of a booking; empty when it debited nothing (no credits). */
    public Optional<BookingCredits> forBooking(String tenantId, String bookingId) {
        return database.read(c -> {
            List<EntryView> entries = Sql.list(
                    c,
                    "SELECT " + COLUMNS + " FROM credit_ledger WHERE tenant_id = ? AND booking_id = ? ORDER BY seq",
                    CreditStore::entry,
                    tenantId,
                    bookingId);
            Optional<EntryView> debit = entries.stream()
                    .filter(e -> e.kind().equals(WireNames.wire(CreditLedger.Kind.DEBIT)))
                    .findFirst();
            if (debit.isEmpty()) {
                return Optional.empty();
            }
            RefundView refund = entries.stream()
                    .filter(e -> e.kind().equals(WireNames.wire(CreditLedger.Kind.REFUND)))
                    .findFirst()
                    // A debit always holds credits or overage (a booking of none writes none), so a refund
                    // in time, which returns both, is never empty; a late one is.
                    .map(e -> new RefundView(
                            e.credits() != 0 || e.overage().credits() != 0, e.credits(), e.overage(), e.reason()))
                    .orElse(null);
            return Optional.of(new BookingCredits(
                    debit.get().period(), -debit.get().credits(), debit.get().overage(), refund));
        });
    }

    /** The booking an entry belongs to, as its owner sees it: the room or desk, its title and its time. */
    public record BookedFor(String resourceName, String title, Instant start, Instant end, ZoneId zone) {}

    /** One entry of a member's own month, with its booking when a booking wrote it. */
    public record Line(EntryView entry, Optional<BookedFor> booking) {}

    /**
     * A member's month as they see it: {@code balance} counts the month's allowance in even before it is
     * written (the ledger writes it when a booking first needs it); {@code lines} newest first, at most
     * the limit asked, {@code more} when older ones follow.
     */
    public record MemberMonth(
            YearMonth period,
            long balance,
            long allowance,
            CreditLedger.Overage overage,
            List<Line> lines,
            boolean more) {
        public MemberMonth {
            lines = List.copyOf(lines);
        }

        /** The {@code seq} to ask for the next (older) lines with, when there are more. */
        public Optional<Long> nextBefore() {
            return more ? Optional.of(lines.getLast().entry().seq()) : Optional.empty();
        }
    }

    private static final String LINE_COLUMNS =
            Arrays.stream(COLUMNS.split(", ")).map(column -> "l." + column).collect(Collectors.joining(", "))
                    + ", r.name, b.title, b.start_at, b.end_at, s.time_zone";

    /**
     * The member's own month: {@code limit} entries older than the entry {@code before} (newest first),
     * the balance, the allowance and the overage. {@code zone} places the month for an allowance not yet
     * written (the ledger uses the booked site's). Only the member's own entries in their own tenant.
     */
    public MemberMonth month(
            String tenantId, String memberId, YearMonth period, ZoneId zone, int limit, Optional<Long> before) {
        return database.read(c -> {
            Statement all = statement(c, tenantId, memberId, CreditLedger.Pool.month(period));
            Optional<EntryView> written = all.entries().stream()
                    .filter(e -> e.kind().equals(WireNames.wire(CreditLedger.Kind.ALLOWANCE)))
                    .findFirst();
            long allowance = written.isPresent()
                    ? written.get().credits()
                    : CreditLedger.pendingAllowance(c, tenantId, memberId, period, zone);
            long balance = all.balance() + (written.isPresent() ? 0 : allowance);
            List<Line> lines = Sql.list(
                    c,
                    "SELECT " + LINE_COLUMNS + " FROM credit_ledger l LEFT JOIN bookings b ON b.id = l.booking_id"
                            + " AND b.tenant_id = l.tenant_id LEFT JOIN resources r ON r.id = b.resource_id"
                            + " LEFT JOIN sites s ON s.id = b.site_id"
                            + " WHERE l.tenant_id = ? AND l.member_id = ? AND l.period = ? AND l.seq < ?"
                            + " ORDER BY l.seq DESC LIMIT " + (limit + 1),
                    row -> new Line(
                            entry(row),
                            row.getString(13) == null
                                    ? Optional.empty()
                                    : Optional.of(new BookedFor(
                                            row.getString(13),
                                            row.getString(14),
                                            Instant.ofEpochMilli(row.getLong(15)),
                                            Instant.ofEpochMilli(row.getLong(16)),
                                            ZoneId.of(row.getString(17))))),
                    tenantId,
                    memberId,
                    period.toString(),
                    before.orElse(Long.MAX_VALUE));
            boolean more = lines.size() > limit;
            return new MemberMonth(
                    period, balance, allowance, all.overage(), more ? lines.subList(0, limit) : lines, more);
        });
    }

    static Statement statement(Connection c, String tenantId, String memberId, CreditLedger.Pool pool)
            throws SQLException {
        List<EntryView> entries = Sql.list(
                c,
                "SELECT " + COLUMNS + " FROM credit_ledger WHERE " + CreditLedger.Pool.WHERE + " ORDER BY seq",
                CreditStore::entry,
                pool.parameters(tenantId, memberId));
        long balance = entries.stream().mapToLong(EntryView::credits).sum();
        CreditLedger.Overage overage = new CreditLedger.Overage(
                entries.stream().mapToLong(e -> e.overage().credits()).sum(),
                entries.stream().mapToLong(e -> e.overage().amount()).sum());
        return new Statement(memberId, pool.period(), balance, overage, entries);
    }

    private static boolean memberExists(Connection c, String tenantId, String memberId) throws SQLException {
        return Sql.exists(c, "SELECT 1 FROM members WHERE id = ? AND tenant_id = ?", memberId, tenantId);
    }

    private static EntryView entry(ResultSet row) throws SQLException {
        return new EntryView(
                row.getString(1),
                row.getString(2),
                row.getLong(3),
                row.getString(4),
                WireNames.wire(row.getString(5)),
                row.getLong(6),
                row.getString(7),
                new CreditLedger.Overage(row.getLong(8), row.getLong(9)),
                row.getString(10),
                Times.iso(row.getLong(11)),
                row.getString(12));
    }
}
