package dev.gatehouse.hub.bookings;

import dev.gatehouse.hub.credits.CreditLedger;
import dev.gatehouse.hub.outbox.EventType;
import dev.gatehouse.hub.store.Database;
import dev.gatehouse.hub.store.Sql;
import dev.gatehouse.hub.store.StoreError;
import dev.gatehouse.hub.store.StoreException;
import dev.gatehouse.hub.store.StoreResult;
import dev.gatehouse.hub.web.Times;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.function.Supplier;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Approval of members' requests on resources that need it (a rule's {@code approvalHoldHours}). A
 * request waits as {@code pending}: it holds its occupied time, so nobody else can book it, but its
 * doors stay shut (the edge never hears of it). An operator approves it, and it is confirmed and
 * reaches the doors; or declines it with a reason; or nobody decides by its hold's end (at the latest
 * its start), and the hub's sweep lets it lapse. Declined or lapsed, its time is free and its credits
 * come back in full, once. Each request is decided once: an approval and a decline racing leave the
 * first.
 */
public record BookingApprovals(Database database, java.time.Clock clock, Listener listener) {
    private static final Logger LOG = Logger.getLogger(BookingApprovals.class.getName());

    /** Who decided a request that lapsed. */
    public static final String HUB = "hub";

    /** Approvals that tell nobody of their decisions. */
    public BookingApprovals(Database database, java.time.Clock clock) {
        this(database, clock, (tenantId, decision) -> {});
    }

    /**
     * Told of each approval, decline and lapse once it has committed (the member's mail, {@link
     * DecisionMails}); never of a refused decision. What it throws is logged: the decision stands.
     */
    @FunctionalInterface
    public interface Listener {
        void decided(String tenantId, Decision decision);
    }

    /** What became of a decision. */
    public enum Result {
        APPROVED,
        DECLINED,
        /** Its hold had ended before the decision: it lapsed instead. */
        LAPSED,
        /** Not waiting: confirmed at once, decided already, or cancelled. */
        NOT_PENDING
    }

    /** A decision's result and the booking after it. */
    public record Decision(Result result, BookingView booking) {}

    /** Approves a waiting request while its hold lasts: it is confirmed and sent to the site's doors. */
    public StoreResult<Decision> approve(String tenantId, String bookingId, String actor) {
        Instant now = clock.instant();
        return told(tenantId, decide(tenantId, bookingId, now, c -> {
            int changed = Sql.update(
                    c,
                    "UPDATE bookings SET status = 'CONFIRMED', decided_at = ?, decided_by = ?, updated_at = ?"
                            + " WHERE id = ? AND tenant_id = ? AND status = 'PENDING' AND hold_until > ?",
                    now,
                    actor,
                    now,
                    bookingId,
                    tenantId,
                    now);
            if (changed == 0) {
                return null;
            }
            String siteId = Sql.one(c, "SELECT site_id FROM bookings WHERE id = ?", Sql.STRING, bookingId)
                    .orElseThrow();
            BookingEntities.logChange(c, tenantId, siteId, bookingId, now);
            BookingStore.emit(c, tenantId, bookingId, EventType.BOOKING_APPROVED, now);
            return Result.APPROVED;
        }));
    }

    /** Declines a waiting request: its time is free, its credits come back in full. */
    public StoreResult<Decision> decline(String tenantId, String bookingId, String actor, String reason) {
        Instant now = clock.instant();
        return told(
                tenantId,
                decide(
                        tenantId,
                        bookingId,
                        now,
                        c -> end(
                                        c,
                                        tenantId,
                                        bookingId,
                                        BookingStore.BookingStatus.DECLINED,
                                        now,
                                        actor,
                                        Optional.of(reason),
                                        "the request was declined: " + reason)
                                ? Result.DECLINED
                                : null));
    }

    /** Lets every request whose hold has ended lapse, each in its own transaction; answers how many. */
    public int lapseDue() {
        Instant now = clock.instant();
        record Due(String tenantId, String id) {}
        List<Due> due = database.read(c -> Sql.list(
                c,
                "SELECT tenant_id, id FROM bookings WHERE status = 'PENDING' AND hold_until <= ?"
                        + " ORDER BY hold_until LIMIT 500",
                row -> new Due(row.getString(1), row.getString(2)),
                now.toEpochMilli()));
        int lapsed = 0;
        for (Due request : due) {
            try {
                if (database.write(c -> lapse(c, request.tenantId(), request.id(), now))) {
                    lapsed++;
                    tell(
                            request.tenantId(),
                            request.id(),
                            () -> new Decision(
                                    Result.LAPSED,
                                    database.read(c -> BookingStore.find(c, request.tenantId(), request.id()))
                                            .orElseThrow()));
                }
            } catch (StoreException e) {
                // Decided by an operator in the same instant: nothing to lapse.
                if (e.error() != StoreError.CONFLICT) {
                    throw e;
                }
            }
        }
        return lapsed;
    }

    /** Tells the listener of a decision made, after its commit; a refused one is nothing to tell. */
    private StoreResult<Decision> told(String tenantId, StoreResult<Decision> result) {
        if (result instanceof StoreResult.Found<Decision>(Decision decision)
                && decision.result() != Result.NOT_PENDING) {
            tell(tenantId, decision.booking().id(), () -> decision);
        }
        return result;
    }

    private void tell(String tenantId, String bookingId, Supplier<Decision> decision) {
        try {
            listener.decided(tenantId, decision.get());
        } catch (RuntimeException e) {
            LOG.log(Level.WARNING, "booking " + bookingId + " was decided, but its member was not told: " + e, e);
        }
    }

    private interface Step {
        /** The decision made, or null when the request was not (or no longer) pending and open. */
        Result apply(Connection c) throws SQLException;
    }

    private StoreResult<Decision> decide(String tenantId, String bookingId, Instant now, Step step) {
        return database.write(c -> {
            Optional<BookingView> current = BookingStore.find(c, tenantId, bookingId);
            if (current.isEmpty()) {
                return new StoreResult.NotFound<>("booking", bookingId);
            }
            if (!"pending".equals(current.get().status())) {
                return StoreResult.found(new Decision(Result.NOT_PENDING, current.get()));
            }
            // Its hold ended and the sweep has not come by yet: it lapses now, whatever was asked.
            Result result = lapse(c, tenantId, bookingId, now) ? Result.LAPSED : step.apply(c);
            if (result == null) {
                // Decided by another transaction between the read and the update: roll back, ask again.
                throw new StoreException(
                        StoreError.CONFLICT, "booking " + bookingId + " was decided meanwhile; ask again", null);
            }
            return StoreResult.found(new Decision(
                    result, BookingStore.find(c, tenantId, bookingId).orElseThrow()));
        });
    }

    /** Lets the request lapse if its hold has ended; whether it did. */
    private static boolean lapse(Connection c, String tenantId, String bookingId, Instant now) throws SQLException {
        Optional<Long> holdUntil = Sql.one(
                c,
                "SELECT hold_until FROM bookings WHERE id = ? AND tenant_id = ? AND status = 'PENDING'",
                Sql.LONG,
                bookingId,
                tenantId);
        if (holdUntil.isEmpty() || holdUntil.get() > now.toEpochMilli()) {
            return false;
        }
        return end(
                c,
                tenantId,
                bookingId,
                BookingStore.BookingStatus.LAPSED,
                now,
                HUB,
                Optional.empty(),
                "nobody approved the request by " + Times.iso(holdUntil.get()) + ", the end of its hold");
    }

    /**
     * Ends a waiting request: credits back in full first (the member's ledger lock comes before the
     * booking's rows, as in a cancellation), then the status if still pending, then its time freed.
     */
    private static boolean end(
            Connection c,
            String tenantId,
            String bookingId,
            BookingStore.BookingStatus status,
            Instant now,
            String by,
            Optional<String> reason,
            String refundNote)
            throws SQLException {
        CreditLedger.refundInFull(c, tenantId, bookingId, now, refundNote);
        int changed = Sql.update(
                c,
                "UPDATE bookings SET status = ?, decided_at = ?, decided_by = ?, decline_reason = ?, updated_at = ?"
                        + " WHERE id = ? AND tenant_id = ? AND status = 'PENDING'",
                status,
                now,
                by,
                reason,
                now,
                bookingId,
                tenantId);
        if (changed == 0) {
            throw new StoreException(
                    StoreError.CONFLICT, "booking " + bookingId + " was decided meanwhile; ask again", null);
        }
        Sql.update(c, "DELETE FROM booking_blocks WHERE booking_id = ?", bookingId);
        BookingStore.emit(
                c,
                tenantId,
                bookingId,
                status == BookingStore.BookingStatus.DECLINED ? EventType.BOOKING_DECLINED : EventType.BOOKING_LAPSED,
                now);
        return true;
    }
}
