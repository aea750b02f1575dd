package dev.gatehouse.hub.bookings;

import dev.gatehouse.hub.changes.ChangeLog;
import dev.gatehouse.hub.credits.CreditLedger;
import dev.gatehouse.hub.outbox.EventType;
import dev.gatehouse.hub.outbox.Outbox;
import dev.gatehouse.hub.store.Database;
import dev.gatehouse.hub.store.HubIds;
import dev.gatehouse.hub.store.Sql;
import dev.gatehouse.hub.store.StoreException;
import dev.gatehouse.hub.store.StoreResult;
import dev.gatehouse.hub.store.WireNames;
import dev.gatehouse.hub.web.Times;
import dev.gatehouse.protocol.message.Change;
import dev.gatehouse.protocol.model.EntityKind;
import dev.gatehouse.protocol.model.MemberStatus;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.time.DayOfWeek;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneId;
import java.time.temporal.TemporalAdjusters;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * Bookings. Never a double booking: a booking's occupied time (its buffers included) is written as one
 * {@code booking_blocks} row per resource it blocks (the booked one and its parts), and no two rows of
 * one resource overlap. On SQLite the single writer checks and inserts in one transaction; on PostgreSQL
 * the check gives the caller a clear answer and the exclusion constraint {@code booking_blocks_no_overlap}
 * decides races: the loser's transaction fails, is rolled back, and the create is tried once more, now
 * seeing the winner.
 */
public record BookingStore(Database database, Clock clock) {
    static final String COLUMNS = "id, site_id, resource_id, member_id, title, start_at, end_at, buffer_before_ms,"
            + " buffer_after_ms, status, price, credits, override_reason, created_by, created_at, updated_at,"
            + " cancelled_at, join_link, check_in_opens_before_ms, release_after_ms, release_at, checked_in_at,"
            + " checked_in_by, released_at, released_by, hold_until, decided_at, decided_by, decline_reason";

    /**
     * PostgreSQL's SQLSTATEs for a lost race on the exclusion constraint: its violation, and the
     * deadlock two inserts waiting on each other's conflicting rows can end in.
     */
    private static final Set<String> RACE_LOST = Set.of("23P01", "40P01");

    public enum BookingStatus {
        CONFIRMED,
        CANCELLED,
        /** Not checked in by its release time: its time is free again, its doors closed to it. */
        RELEASED,
        /** A member's request waiting for an operator's approval: it holds its time, its doors stay shut. */
        PENDING,
        /** A request an operator declined: its time is free, its credits came back. */
        DECLINED,
        /** A request nobody approved by the end of its hold: its time is free, its credits came back. */
        LAPSED
    }

    /** The statuses that hold a resource's time and count towards a member's hours. */
    static final String HOLDS_TIME = "('CONFIRMED', 'PENDING')";

    /**
     * A booking to make.
     *
     * @param overrideReason an operator's reason to book despite broken rules (never despite another booking)
     * @param createdBy who asks: an operator's actor id, or the member's
     * @param invitees members of the tenant who pass the booking's doors like its member
     * @param joinLink the meeting's https link for the room's display
     * @param memberRequest whether the member asks (the portal, or the API's {@code awaitApproval}): on a
     *     resource that needs approval the booking then waits for an operator; an operator's own booking
     *     does not
     */
    public record NewBooking(
            String resourceId,
            String memberId,
            String title,
            Instant start,
            Instant end,
            Optional<String> overrideReason,
            String createdBy,
            List<String> invitees,
            Optional<String> joinLink,
            boolean memberRequest) {
        public NewBooking {
            invitees = List.copyOf(invitees);
        }

        /** A booking without invitees or join link. */
        public NewBooking(
                String resourceId,
                String memberId,
                String title,
                Instant start,
                Instant end,
                Optional<String> overrideReason,
                String createdBy) {
            this(
                    resourceId,
                    memberId,
                    title,
                    start,
                    end,
                    overrideReason,
                    createdBy,
                    List.of(),
                    Optional.empty(),
                    false);
        }
    }

    /** What a create came to. */
    public sealed interface Outcome {
        record Booked(BookingView booking) implements Outcome {}

        /** Every rule the request breaks. */
        record Refused(List<Violation> violations) implements Outcome {
            public Refused {
                violations = List.copyOf(violations);
            }
        }

        /**
         * The occupied time meets another live booking's on {@code resourceId}: its id and occupied time
         * only, nothing about its member.
         */
        record Collides(String bookingId, String resourceId, Instant occupiedFrom, Instant occupiedUntil)
                implements Outcome {}
    }

    /** A lost race on PostgreSQL's exclusion constraint: the whole transaction is to be tried again. */
    static final class Raced extends RuntimeException {
        Raced(Throwable cause) {
            super("a concurrent booking took the time first", cause, false, false);
        }
    }

    /** Undoes a booking that its member's credits do not cover under a credits-only plan. */
    private static final class CreditsRefused extends RuntimeException {
        CreditsRefused(String reason) {
            super(reason, null, false, false);
        }
    }

    public StoreResult<Outcome> create(String tenantId, NewBooking request) {
        for (int attempt = 1; ; attempt++) {
            try {
                return database.write(c -> create(c, tenantId, request));
            } catch (CreditsRefused e) {
                return StoreResult.found(
                        new Outcome.Refused(List.of(new Violation(Violation.Rule.CREDITS, e.getMessage()))));
            } catch (Raced e) {
                if (attempt == 3) {
                    throw new StoreException(
                            dev.gatehouse.hub.store.StoreError.CONFLICT,
                            "the booking lost a race three times in a row; try again",
                            e);
                }
            } catch (StoreException e) {
                if (attempt == 3 || !lostRace(e)) {
                    throw e;
                }
            }
        }
    }

    /**
     * Whether a failed transaction lost a race on PostgreSQL at any statement: a series holds the site's
     * change-log lock while it books its next occurrence, so a deadlock with it can strike a single
     * booking's change-log update as well as its insert.
     */
    static boolean lostRace(StoreException e) {
        return e.getCause() instanceof SQLException cause && isLostRace(cause);
    }

    /** Books inside the caller's transaction (a series books each occurrence in one); may throw {@link Raced}. */
    StoreResult<Outcome> create(Connection c, String tenantId, NewBooking request) throws SQLException {
        Optional<Resource> found = ResourceStore.find(c, tenantId, request.resourceId());
        if (found.isEmpty()) {
            return new StoreResult.NotFound<>("resource", request.resourceId());
        }
        Resource resource = found.get();
        Optional<String> memberStatus = Sql.one(
                c,
                "SELECT status FROM members WHERE id = ? AND tenant_id = ?",
                Sql.STRING,
                request.memberId(),
                tenantId);
        if (memberStatus.isEmpty()) {
            return StoreResult.invalid("memberId", "member '" + request.memberId() + "' does not exist");
        }
        for (String invitee : request.invitees()) {
            if (invitee.equals(request.memberId())) {
                return StoreResult.invalid(
                        "invitees",
                        "the booking's own member '" + invitee + "' passes anyway;" + " leave them out of invitees");
            }
            if (!Sql.exists(c, "SELECT 1 FROM members WHERE id = ? AND tenant_id = ?", invitee, tenantId)) {
                return StoreResult.invalid("invitees", "member '" + invitee + "' does not exist");
            }
        }
        Instant now = clock.instant();
        BookingRules rules = resource.rules();
        if (request.overrideReason().isEmpty()) {
            List<Violation> broken = broken(c, tenantId, resource, request, memberStatus.get(), now);
            if (!broken.isEmpty()) {
                return StoreResult.found(new Outcome.Refused(broken));
            }
        }
        Instant from = request.start().minus(rules.bufferBefore());
        Instant until = request.end().plus(rules.bufferAfter());
        List<String> blocked = ResourceStore.withParts(c, resource.id());
        Optional<Outcome.Collides> collision = collision(c, blocked, from, until);
        if (collision.isPresent()) {
            return StoreResult.found(collision.get());
        }
        String id = HubIds.next("bk");
        long minutes = Duration.between(request.start(), request.end()).toMinutes();
        // Check-in only where every edge of the site reads it, and only when a release leaves part of the booking.
        boolean checkIn = rules.checkInRequired()
                && rules.releaseAfterMinutes() < minutes
                && BookingEntities.siteReadsV2(c, tenantId, resource.siteId());
        // A member's request on a resource that needs approval waits, holding its time until its hold ends.
        boolean pending = rules.approvalRequired()
                && request.memberRequest()
                && request.overrideReason().isEmpty();
        Instant holdUntil = now.plus(Duration.ofHours(rules.approvalHoldHours()));
        if (holdUntil.isAfter(request.start())) {
            holdUntil = request.start();
        }
        Sql.update(
                c,
                "INSERT INTO bookings (" + COLUMNS + ", tenant_id) VALUES (" + "?, ".repeat(29) + "?)",
                id,
                resource.siteId(),
                resource.id(),
                request.memberId(),
                request.title(),
                request.start(),
                request.end(),
                rules.bufferBefore().toMillis(),
                rules.bufferAfter().toMillis(),
                pending ? BookingStatus.PENDING : BookingStatus.CONFIRMED,
                resource.pricePerHour() * minutes / 60,
                resource.creditsPerHour() * minutes / 60,
                request.overrideReason(),
                request.createdBy(),
                now,
                now,
                null,
                request.joinLink(),
                checkIn ? Duration.ofMinutes(rules.checkInOpensBeforeMinutes()).toMillis() : null,
                checkIn ? Duration.ofMinutes(rules.releaseAfterMinutes()).toMillis() : null,
                checkIn ? request.start().plus(Duration.ofMinutes(rules.releaseAfterMinutes())) : null,
                null,
                null,
                null,
                null,
                pending ? holdUntil : null,
                null,
                null,
                null,
                tenantId);
        Sql.batch(
                c,
                "INSERT INTO booking_invitees (booking_id, member_id) VALUES (?, ?)",
                request.invitees().stream().distinct().map(m -> List.of(id, m)).toList());
        // Credits: the period's allowance, the debit and any overage, in this transaction.
        if (CreditLedger.debit(c, tenantId, id, now) instanceof CreditLedger.Debit.Refused refused) {
            throw new CreditsRefused(refused.message());
        }
        block(c, id, blocked, from.toEpochMilli(), until.toEpochMilli());
        if (!resource.doorIds().isEmpty() && !pending) {
            BookingEntities.logChange(c, tenantId, resource.siteId(), id, now);
        }
        emit(c, tenantId, id, EventType.BOOKING_CREATED, now);
        return StoreResult.found(new Outcome.Booked(find(c, tenantId, id).orElseThrow()));
    }

    /**
     * Every rule {@code request} breaks, by the one engine: a new booking's, and a moved booking's new
     * time ({@link BookingMoves}).
     */
    static List<Violation> broken(
            Connection c, String tenantId, Resource resource, NewBooking request, String memberStatus, Instant now)
            throws SQLException {
        ZoneId zone = ZoneId.of(Sql.one(c, "SELECT time_zone FROM sites WHERE id = ?", Sql.STRING, resource.siteId())
                .orElseThrow());
        List<Violation> broken = new java.util.ArrayList<>(BookingEngine.check(
                resource.rules(),
                new BookingEngine.Request(
                        request.start(),
                        request.end(),
                        now,
                        zone,
                        holidays(c, resource.siteId()),
                        memberMinutes(c, tenantId, request, zone, false),
                        memberMinutes(c, tenantId, request, zone, true),
                        planAllows(c, resource, request.memberId(), request.start()),
                        WireNames.of(MemberStatus.class, memberStatus) == MemberStatus.ACTIVE,
                        resource.status() == Resource.ResourceStatus.ACTIVE)));
        if (dev.gatehouse.hub.members.MemberStore.bookingsHeld(c, tenantId, request.memberId())) {
            broken.add(new Violation(
                    Violation.Rule.BILLING,
                    "the member's invoices are overdue: new bookings wait until they are paid"
                            + " (an operator may book with a reason)"));
        }
        return broken;
    }

    /** A booking's event in the caller's transaction, versioned by the outbox ({@link Outbox#emitNext}). */
    static void emit(Connection c, String tenantId, String bookingId, EventType type, Instant now) throws SQLException {
        Outbox.emitNext(
                c, tenantId, type, bookingId, find(c, tenantId, bookingId).orElseThrow(), now);
    }

    /** Cancels a live booking: its time is free at once and its doors stop opening for it. Idempotent. */
    public StoreResult<BookingView> cancel(String tenantId, String bookingId) {
        Instant now = clock.instant();
        return database.write(c -> {
            Optional<BookingView> current = find(c, tenantId, bookingId);
            if (current.isEmpty()) {
                return new StoreResult.NotFound<>("booking", bookingId);
            }
            boolean pending = current.get().status().equals(WireNames.wire(BookingStatus.PENDING));
            if (!pending && !current.get().status().equals(WireNames.wire(BookingStatus.CONFIRMED))) {
                // Cancelled already, released for want of a check-in, declined or lapsed: nothing left to cancel.
                return StoreResult.found(current.get());
            }
            // Credits back once (a request never confirmed: in full; else if in time); first, as the member's
            // ledger lock comes before the booking's rows.
            if (pending) {
                CreditLedger.refundInFull(
                        c, tenantId, bookingId, now, "the request was withdrawn before it was approved");
            } else {
                CreditLedger.refund(c, tenantId, bookingId, now);
            }
            Sql.update(
                    c,
                    "UPDATE bookings SET status = ?, cancelled_at = ?, updated_at = ? WHERE id = ? AND tenant_id = ?",
                    BookingStatus.CANCELLED,
                    now,
                    now,
                    bookingId,
                    tenantId);
            Sql.update(c, "DELETE FROM booking_blocks WHERE booking_id = ?", bookingId);
            emit(c, tenantId, bookingId, EventType.BOOKING_CANCELLED, now);
            if (!pending) {
                ChangeLog.append(
                        c,
                        tenantId,
                        current.get().siteId(),
                        List.of(new Change.Remove(EntityKind.BOOKING, bookingId)),
                        now);
            }
            return StoreResult.found(find(c, tenantId, bookingId).orElseThrow());
        });
    }

    public Optional<BookingView> find(String tenantId, String bookingId) {
        return database.read(c -> find(c, tenantId, bookingId));
    }

    static Optional<BookingView> find(Connection c, String tenantId, String bookingId) throws SQLException {
        Optional<BookingView> found = Sql.byId(c, "bookings", COLUMNS, BookingStore::view, tenantId, bookingId);
        if (found.isEmpty()) {
            return found;
        }
        return Optional.of(found.get().withInvitees(BookingEntities.invitees(c, bookingId)));
    }

    /** The site's bookings with occupied time in [from, until), live and cancelled, by start. */
    public List<BookingView> list(
            String tenantId, String siteId, Instant from, Instant until, Optional<String> memberId) {
        return database.read(c -> Sql.list(
                c,
                new dev.gatehouse.hub.store.Query("SELECT " + COLUMNS + " FROM bookings WHERE tenant_id = ?", tenantId)
                        .and("site_id = ?", siteId)
                        .and("start_at - buffer_before_ms < ?", until.toEpochMilli())
                        .and("end_at + buffer_after_ms > ?", from.toEpochMilli())
                        .andIf(memberId, "member_id = ?")
                        .append(" ORDER BY start_at, id"),
                BookingStore::view));
    }

    /** The site's members' requests waiting for approval, the first to lapse first. */
    public List<BookingView> pending(String tenantId, String siteId) {
        return database.read(c -> Sql.list(
                c,
                "SELECT " + COLUMNS + " FROM bookings WHERE tenant_id = ? AND site_id = ? AND status = ?"
                        + " ORDER BY hold_until, id LIMIT 200",
                BookingStore::view,
                tenantId,
                siteId,
                BookingStatus.PENDING));
    }

    /** One resource's occupied time in a range: the busy intervals of the site's availability. */
    public record Busy(String resourceId, String bookingId, Instant from, Instant until) {}

    /** Every occupied interval on the site's resources that meets [from, until), by resource and time. */
    public List<Busy> busy(String tenantId, String siteId, Instant from, Instant until) {
        return database.read(c -> Sql.list(
                c,
                "SELECT b.resource_id, b.booking_id, b.occupied_from, b.occupied_until FROM booking_blocks b"
                        + " JOIN resources r ON r.id = b.resource_id"
                        + " WHERE r.tenant_id = ? AND r.site_id = ? AND b.occupied_from < ? AND b.occupied_until > ?"
                        + " ORDER BY b.resource_id, b.occupied_from",
                row -> new Busy(
                        row.getString(1),
                        row.getString(2),
                        Instant.ofEpochMilli(row.getLong(3)),
                        Instant.ofEpochMilli(row.getLong(4))),
                tenantId,
                siteId,
                until.toEpochMilli(),
                from.toEpochMilli()));
    }

    /**
     * Writes a booking's occupied time on every resource it blocks; a lost race on PostgreSQL's
     * exclusion constraint throws {@link Raced}.
     */
    static void block(Connection c, String bookingId, List<String> resources, long from, long until)
            throws SQLException {
        try {
            Sql.batch(
                    c,
                    "INSERT INTO booking_blocks (booking_id, resource_id, occupied_from, occupied_until) VALUES (?, ?,"
                            + " ?, ?)",
                    resources.stream()
                            .map(r -> List.<Object>of(bookingId, r, from, until))
                            .toList());
        } catch (SQLException e) {
            if (isLostRace(e)) {
                throw new Raced(e);
            }
            throw e;
        }
    }

    static Optional<Outcome.Collides> collision(Connection c, List<String> resources, Instant from, Instant until)
            throws SQLException {
        return Sql.one(
                c,
                "SELECT booking_id, resource_id, occupied_from, occupied_until FROM booking_blocks WHERE resource_id IN ("
                        + String.join(", ", java.util.Collections.nCopies(resources.size(), "?"))
                        + ") AND occupied_from < ? AND occupied_until > ? ORDER BY occupied_from, booking_id LIMIT 1",
                row -> new Outcome.Collides(
                        row.getString(1),
                        row.getString(2),
                        Instant.ofEpochMilli(row.getLong(3)),
                        Instant.ofEpochMilli(row.getLong(4))),
                params(resources, until.toEpochMilli(), from.toEpochMilli()));
    }

    private static Object[] params(List<String> resources, Object... more) {
        List<Object> all = new ArrayList<>(resources);
        all.addAll(List.of(more));
        return all.toArray();
    }

    static Set<LocalDate> holidays(Connection c, String siteId) throws SQLException {
        Set<LocalDate> days = new HashSet<>();
        for (String day : Sql.list(c, "SELECT day FROM site_holidays WHERE site_id = ?", Sql.STRING, siteId)) {
            days.add(LocalDate.parse(day));
        }
        return days;
    }

    /** The member's live bookings of the resource starting on the request's local day (or ISO week), in minutes. */
    static long memberMinutes(Connection c, String tenantId, NewBooking request, ZoneId zone, boolean week)
            throws SQLException {
        LocalDate day = request.start().atZone(zone).toLocalDate();
        LocalDate first = week ? day.with(TemporalAdjusters.previousOrSame(DayOfWeek.MONDAY)) : day;
        LocalDate after = week ? first.plusWeeks(1) : first.plusDays(1);
        return Sql.one(
                                c,
                                "SELECT COALESCE(SUM(end_at - start_at), 0) FROM bookings WHERE tenant_id = ? AND member_id = ?"
                                        + " AND resource_id = ? AND status IN " + HOLDS_TIME
                                        + " AND start_at >= ? AND start_at < ?",
                                Sql.LONG,
                                tenantId,
                                request.memberId(),
                                request.resourceId(),
                                first.atStartOfDay(zone).toInstant(),
                                after.atStartOfDay(zone).toInstant())
                        .orElse(0L)
                / 60_000;
    }

    /** Every member may book a resource with no plans named; else one of the member's plans valid at the start. */
    static boolean planAllows(Connection c, Resource resource, String memberId, Instant start) throws SQLException {
        if (resource.planIds().isEmpty()) {
            return true;
        }
        return Sql.exists(
                c,
                "SELECT 1 FROM member_plans mp JOIN resource_plans rp ON rp.plan_id = mp.plan_id"
                        + " WHERE rp.resource_id = ? AND mp.member_id = ?"
                        + " AND (mp.valid_from IS NULL OR mp.valid_from <= ?)"
                        + " AND (mp.valid_until IS NULL OR mp.valid_until > ?)",
                resource.id(),
                memberId,
                start,
                start);
    }

    static boolean isLostRace(SQLException e) {
        for (SQLException next = e; next != null; next = next.getNextException()) {
            if (RACE_LOST.contains(next.getSQLState())) {
                return true;
            }
        }
        return e.getCause() instanceof SQLException cause && RACE_LOST.contains(cause.getSQLState());
    }

    private static BookingView view(ResultSet row) throws SQLException {
        long start = row.getLong(6);
        long end = row.getLong(7);
        long cancelled = row.getLong(17);
        String cancelledAt = row.wasNull() ? null : Times.iso(cancelled);
        return new BookingView(
                row.getString(1),
                row.getString(2),
                row.getString(3),
                row.getString(4),
                row.getString(5),
                Times.iso(start),
                Times.iso(end),
                Times.iso(start - row.getLong(8)),
                Times.iso(end + row.getLong(9)),
                WireNames.wire(row.getString(10)),
                row.getLong(11),
                row.getLong(12),
                row.getString(13),
                row.getString(14),
                Times.iso(row.getLong(15)),
                Times.iso(row.getLong(16)),
                cancelledAt,
                List.of(),
                row.getString(18),
                checkIn(row),
                optionalIso(row, 24),
                row.getString(25),
                approval(row));
    }

    private static BookingView.Approval approval(ResultSet row) throws SQLException {
        String holdUntil = optionalIso(row, 26);
        if (holdUntil == null) {
            return null;
        }
        return new BookingView.Approval(holdUntil, optionalIso(row, 27), row.getString(28), row.getString(29));
    }

    private static BookingView.CheckIn checkIn(ResultSet row) throws SQLException {
        Long releaseAfter = BookingEntities.nullable(row, 20);
        if (releaseAfter == null) {
            return null;
        }
        long start = row.getLong(6);
        Long opensBefore = BookingEntities.nullable(row, 19);
        return new BookingView.CheckIn(
                Times.iso(start - (opensBefore == null ? 0 : opensBefore)),
                Times.iso(start + releaseAfter),
                optionalIso(row, 22),
                row.getString(23));
    }

    private static String optionalIso(ResultSet row, int column) throws SQLException {
        Long value = BookingEntities.nullable(row, column);
        return value == null ? null : Times.iso(value);
    }
}
