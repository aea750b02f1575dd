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
import java.time.YearMonth;
import java.util.List;
import java.util.Optional;

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

    /** The member's statement for a period; NotFound when the tenant has no such member. */
    public StoreResult<Statement> statement(String tenantId, String memberId, YearMonth period) {
        return database.read(c -> {
            if (!memberExists(c, tenantId, memberId)) {
                return new StoreResult.NotFound<>("member", memberId);
            }
            return StoreResult.found(statement(c, tenantId, memberId, period));
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

    static Statement statement(Connection c, String tenantId, String memberId, YearMonth period) throws SQLException {
        List<EntryView> entries = Sql.list(
                c,
                "SELECT " + COLUMNS + " FROM credit_ledger WHERE tenant_id = ? AND member_id = ? AND period = ?"
                        + " ORDER BY seq",
                CreditStore::entry,
                tenantId,
                memberId,
                period.toString());
        long balance = entries.stream().mapToLong(EntryView::credits).sum();
        CreditLedger.Overage overage = new CreditLedger.Overage(
                entries.stream().mapToLong(e -> e.overage().credits()).sum(),
                entries.stream().mapToLong(e -> e.overage().amount()).sum());
        return new Statement(memberId, period.toString(), balance, overage, entries);
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
