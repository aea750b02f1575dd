package dev.gatehouse.hub.bookings;

import dev.gatehouse.hub.credits.CreditLedger;
import dev.gatehouse.hub.store.Database;
import dev.gatehouse.hub.store.HubIds;
import dev.gatehouse.hub.store.Sql;
import dev.gatehouse.hub.store.StoreResult;
import dev.gatehouse.hub.web.Times;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.logging.Logger;

/**
 * Check-ins and no-show releases at the hub: from a tap reported by an edge ({@code event.booking}),
 * from an operator (the API's check-in), and the hub's own sweep of bookings due for release. Each
 * changes a booking's status at most once, whichever side learns first: a release applies only to a
 * confirmed booking with no check-in, a check-in only once per booking.
 *
 * <p>A check-in made before the release time stands even when it reaches the hub after the release
 * (an edge that was offline): the booking comes back if its time is still free; if the hub meanwhile
 * booked the time again, the rebooking stays, the checked-in booking's credits go back to its member
 * in full, and a {@code booking_conflicts} row tells the operator. Never a double booking, never a
 * silent loss.
 *
 * <p>A no-show release refunds nothing: it comes after the start, past every cancellation window.
 */
public record BookingCheckIns(Database database, Clock clock) {
    private static final Logger LOG = Logger.getLogger(BookingCheckIns.class.getName());

    /** Who released a booking when the hub's sweep did it. */
    public static final String HUB = "hub";

    /** What became of a check-in or a release; the {@code booking_events.outcome} of an edge's report. */
    public enum Result {
        CHECKED_IN("checked-in"),
        /** The booking had been released; its time was still free, so it is confirmed again. */
        RESTORED("restored"),
        /** The booking had been released and its time booked again: the rebooking stands. */
        CONFLICT("conflict-recorded"),
        RELEASED("released"),
        ALREADY_CHECKED_IN("already-checked-in"),
        ALREADY_RELEASED("already-released"),
        CANCELLED("booking-cancelled"),
        /** A member's request still waiting for approval, or declined, or lapsed: nothing to check in. */
        NOT_CONFIRMED("booking-not-confirmed"),
        NO_CHECK_IN_NEEDED("no-check-in-needed"),
        OUTSIDE_WINDOW("outside-check-in-window"),
        NOT_DUE("release-not-due"),
        NOT_INVITED("member-not-on-booking"),
        UNKNOWN_BOOKING("unknown-booking");

        private final String wire;

        Result(String wire) {
            this.wire = wire;
        }

        public String wire() {
            return wire;
        }

        /** Whether the booking changed. */
        public boolean changed() {
            return this == CHECKED_IN || this == RESTORED || this == CONFLICT || this == RELEASED;
        }
    }

    private record Row(
            String siteId,
            String resourceId,
            String memberId,
            String status,
            long start,
            long occupiedFrom,
            long occupiedUntil,
            Long opensBeforeMs,
            Long releaseAt,
            Long checkedInAt) {
        boolean needsCheckIn() {
            return releaseAt != null;
        }

        boolean windowHolds(Instant at) {
            long millis = at.toEpochMilli();
            return millis >= start - (opensBeforeMs == null ? 0 : opensBeforeMs) && millis < releaseAt;
        }
    }

    /**
     * Reads the booking under its row's write lock (an UPDATE that changes nothing takes it on
     * PostgreSQL; SQLite's single writer holds it anyway), so that a check-in and a release of one
     * booking never interleave.
     */
    private static Optional<Row> lock(Connection c, String tenantId, String bookingId) throws SQLException {
        if (Sql.update(
                        c,
                        "UPDATE bookings SET updated_at = updated_at WHERE id = ? AND tenant_id = ?",
                        bookingId,
                        tenantId)
                == 0) {
            return Optional.empty();
        }
        return Sql.one(
                c,
                "SELECT site_id, resource_id, member_id, status, start_at, start_at - buffer_before_ms,"
                        + " end_at + buffer_after_ms, check_in_opens_before_ms, release_at, checked_in_at FROM bookings"
                        + " WHERE id = ? AND tenant_id = ?",
                row -> new Row(
                        row.getString(1),
                        row.getString(2),
                        row.getString(3),
                        row.getString(4),
                        row.getLong(5),
                        row.getLong(6),
                        row.getLong(7),
                        BookingEntities.nullable(row, 8),
                        BookingEntities.nullable(row, 9),
                        BookingEntities.nullable(row, 10)),
                bookingId,
                tenantId);
    }

    /**
     * What settles a check-in or a release before either looks further: a booking of another tenant or
     * site (unknown to the reporter), one that needs no check-in, is checked in, or is cancelled.
     */
    private static Optional<Result> settled(Optional<Row> found, Optional<String> siteId) {
        if (found.isEmpty()
                || siteId.isPresent() && !siteId.get().equals(found.get().siteId())) {
            return Optional.of(Result.UNKNOWN_BOOKING);
        }
        Row b = found.get();
        if (!b.needsCheckIn()) {
            return Optional.of(Result.NO_CHECK_IN_NEEDED);
        }
        if (b.checkedInAt() != null) {
            return Optional.of(Result.ALREADY_CHECKED_IN);
        }
        if ("CANCELLED".equals(b.status())) {
            return Optional.of(Result.CANCELLED);
        }
        if (!"CONFIRMED".equals(b.status()) && !"RELEASED".equals(b.status())) {
            return Optional.of(Result.NOT_CONFIRMED);
        }
        return Optional.empty();
    }

    /**
     * A check-in at {@code at} in the caller's transaction.
     *
     * @param siteId the site the report came from (an edge's), or empty for the hub's own API
     * @param memberId who tapped, checked against the booking's member and invitees; empty from an operator
     * @param by {@code device/door}, or an operator's actor id
     */
    public static Result checkIn(
            Connection c,
            String tenantId,
            Optional<String> siteId,
            String bookingId,
            Optional<String> memberId,
            Instant at,
            String by,
            Instant now)
            throws SQLException {
        Optional<Row> found = lock(c, tenantId, bookingId);
        Optional<Result> settled = settled(found, siteId);
        if (settled.isPresent()) {
            return settled.get();
        }
        Row b = found.orElseThrow();
        if (!b.windowHolds(at)) {
            return Result.OUTSIDE_WINDOW;
        }
        if (memberId.isPresent()
                && !memberId.get().equals(b.memberId())
                && !BookingEntities.invitees(c, bookingId).contains(memberId.get())) {
            return Result.NOT_INVITED;
        }
        Sql.update(
                c,
                "UPDATE bookings SET checked_in_at = ?, checked_in_by = ?, updated_at = ? WHERE id = ?",
                at,
                by,
                now,
                bookingId);
        BookingStore.emit(c, tenantId, bookingId, dev.gatehouse.hub.outbox.EventType.BOOKING_CHECKED_IN, now);
        if ("CONFIRMED".equals(b.status())) {
            BookingEntities.logChange(c, tenantId, b.siteId(), bookingId, now);
            return Result.CHECKED_IN;
        }
        // Released meanwhile (by the hub's sweep or another edge): the check-in, made in time, stands.
        List<String> blocked = ResourceStore.withParts(c, b.resourceId());
        Optional<BookingStore.Outcome.Collides> taken = BookingStore.collision(
                c, blocked, Instant.ofEpochMilli(b.occupiedFrom()), Instant.ofEpochMilli(b.occupiedUntil()));
        if (taken.isEmpty()) {
            Sql.update(
                    c,
                    "UPDATE bookings SET status = 'CONFIRMED', released_at = NULL, released_by = NULL WHERE id = ?",
                    bookingId);
            BookingStore.block(c, bookingId, blocked, b.occupiedFrom(), b.occupiedUntil());
            BookingEntities.logChange(c, tenantId, b.siteId(), bookingId, now);
            LOG.info("booking " + bookingId + " was released, then a check-in made at " + Times.iso(at)
                    + " arrived; its time was free, so it is confirmed again");
            return Result.RESTORED;
        }
        CreditLedger.refundInFull(
                c,
                tenantId,
                bookingId,
                now,
                "checked in at " + Times.iso(at) + " before its release, but the hub had released the booking"
                        + " and booked its time again (" + taken.get().bookingId() + "); the credits are returned");
        long refunded = Sql.one(
                        c,
                        // What came back: to the balance, and off the overage billing would charge.
                        "SELECT COALESCE(SUM(credits - overage_credits), 0) FROM credit_ledger WHERE booking_id = ?"
                                + " AND kind = 'REFUND'",
                        Sql.LONG,
                        bookingId)
                .orElse(0L);
        Sql.update(
                c,
                "INSERT INTO booking_conflicts (id, tenant_id, site_id, booking_id, rebooking_id, member_id,"
                        + " checked_in_at, checked_in_by, refunded_credits, detected_at) VALUES (?, ?, ?, ?, ?, ?, ?,"
                        + " ?, ?, ?) ON CONFLICT (booking_id) DO NOTHING",
                HubIds.next("bc"),
                tenantId,
                b.siteId(),
                bookingId,
                taken.get().bookingId(),
                b.memberId(),
                at,
                by,
                refunded,
                now);
        LOG.warning("booking " + bookingId + " was checked in at " + Times.iso(at) + " by " + by
                + " after the hub had released it and booked its time again ("
                + taken.get().bookingId()
                + "); the rebooking stands, the credits are returned, the conflict is recorded");
        return Result.CONFLICT;
    }

    /**
     * A release decided at {@code at} by {@code by} (a device id, or {@link #HUB}) in the caller's
     * transaction: only a confirmed booking that needs a check-in, has none, and is due.
     */
    public static Result release(
            Connection c,
            String tenantId,
            Optional<String> siteId,
            String bookingId,
            Instant at,
            String by,
            Instant now)
            throws SQLException {
        Optional<Row> found = lock(c, tenantId, bookingId);
        Optional<Result> settled = settled(found, siteId);
        if (settled.isPresent()) {
            return settled.get();
        }
        Row b = found.orElseThrow();
        if ("RELEASED".equals(b.status())) {
            return Result.ALREADY_RELEASED;
        }
        if (at.toEpochMilli() < b.releaseAt()) {
            return Result.NOT_DUE;
        }
        Sql.update(
                c,
                "UPDATE bookings SET status = 'RELEASED', released_at = ?, released_by = ?, updated_at = ? WHERE id = ?",
                at,
                by,
                now,
                bookingId);
        Sql.update(c, "DELETE FROM booking_blocks WHERE booking_id = ?", bookingId);
        BookingEntities.logChange(c, tenantId, b.siteId(), bookingId, now);
        BookingStore.emit(c, tenantId, bookingId, dev.gatehouse.hub.outbox.EventType.BOOKING_RELEASED, now);
        return Result.RELEASED;
    }

    /** An operator's check-in, in the booking's window. */
    public StoreResult<Result> checkIn(String tenantId, String bookingId, String actor) {
        Instant now = clock.instant();
        return database.write(c -> StoreResult.found(
                checkIn(c, tenantId, Optional.empty(), bookingId, Optional.empty(), now, actor, now)));
    }

    /**
     * Releases every booking due (its release time passed without a check-in), each in its own
     * transaction; answers how many.
     */
    public int releaseDue() {
        Instant now = clock.instant();
        record Due(String tenantId, String id) {}
        List<Due> due = database.read(c -> Sql.list(
                c,
                "SELECT tenant_id, id FROM bookings WHERE status = 'CONFIRMED' AND release_at <= ?"
                        + " AND checked_in_at IS NULL ORDER BY release_at LIMIT 500",
                row -> new Due(row.getString(1), row.getString(2)),
                now.toEpochMilli()));
        int released = 0;
        for (Due booking : due) {
            Result result =
                    database.write(c -> release(c, booking.tenantId(), Optional.empty(), booking.id(), now, HUB, now));
            if (result == Result.RELEASED) {
                released++;
            }
        }
        return released;
    }

    /** A check-in made in time that reached the hub after its booking's time was booked again. */
    public record Conflict(
            String id,
            String siteId,
            String bookingId,
            String rebookingId,
            String memberId,
            String checkedInAt,
            String checkedInBy,
            long refundedCredits,
            String detectedAt) {}

    /** The site's recorded conflicts, newest first. */
    public List<Conflict> conflicts(String tenantId, String siteId) {
        return database.read(c -> Sql.list(
                c,
                "SELECT id, site_id, booking_id, rebooking_id, member_id, checked_in_at, checked_in_by,"
                        + " refunded_credits, detected_at FROM booking_conflicts WHERE tenant_id = ? AND site_id = ?"
                        + " ORDER BY detected_at DESC, id LIMIT 200",
                row -> new Conflict(
                        row.getString(1),
                        row.getString(2),
                        row.getString(3),
                        row.getString(4),
                        row.getString(5),
                        Times.iso(row.getLong(6)),
                        row.getString(7),
                        row.getLong(8),
                        Times.iso(row.getLong(9))),
                tenantId,
                siteId));
    }
}
