package dev.gatehouse.hub.bookings;

import dev.gatehouse.hub.store.Database;
import dev.gatehouse.hub.store.Sql;
import dev.gatehouse.hub.store.StoreError;
import dev.gatehouse.hub.store.StoreException;
import dev.gatehouse.hub.store.StoreResult;
import dev.gatehouse.hub.store.WireNames;
import dev.gatehouse.hub.web.Times;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * Moves or retitles one booking, keeping its id: a single booking, or one occurrence of a series (its
 * RECURRENCE-ID stays, so the series knows it as an override of that instance). The new time goes
 * through the same rule engine and collision check as a new booking, with the booking itself set aside
 * so that it neither collides with nor counts against its own new time; any refusal leaves it as it
 * was. Buffers stay those fixed when it was made; price and credits follow the new length at the rate
 * fixed then, except that a booking paid with ledger credits keeps its length (a move only).
 */
public record BookingMoves(Database database, Clock clock) {
    /**
     * What to change; an absent field stays.
     *
     * @param overrideReason an operator's reason to move despite the rules (never onto another booking)
     */
    public record Move(
            Optional<Instant> start,
            Optional<Instant> end,
            Optional<String> title,
            Optional<String> overrideReason,
            String movedBy) {}

    /** Rolls the transaction back with an answer for the caller. */
    private static final class Undo extends RuntimeException {
        private final transient BookingStore.Outcome outcome;

        Undo(BookingStore.Outcome outcome) {
            super("the move is refused", null, false, false);
            this.outcome = outcome;
        }
    }

    public StoreResult<BookingStore.Outcome> move(String tenantId, String bookingId, Move move) {
        for (int attempt = 1; ; attempt++) {
            try {
                return database.write(c -> move(c, tenantId, bookingId, move));
            } catch (Undo undo) {
                return StoreResult.found(undo.outcome);
            } catch (BookingStore.Raced e) {
                if (attempt == 3) {
                    throw new StoreException(
                            StoreError.CONFLICT, "the move lost a race three times in a row; try again", e);
                }
            } catch (StoreException e) {
                if (attempt == 3 || !BookingStore.lostRace(e)) {
                    throw e;
                }
            }
        }
    }

    private StoreResult<BookingStore.Outcome> move(Connection c, String tenantId, String bookingId, Move move)
            throws SQLException {
        Optional<BookingView> found = BookingStore.find(c, tenantId, bookingId);
        if (found.isEmpty()) {
            return new StoreResult.NotFound<>("booking", bookingId);
        }
        BookingView current = found.get();
        if (!current.status().equals(WireNames.wire(BookingStore.BookingStatus.CONFIRMED))) {
            return new StoreResult.Conflict<>(
                    "booking " + bookingId + " is " + current.status() + "; book again instead of moving it");
        }
        Instant now = clock.instant();
        Instant oldStart = Times.parseInstant(current.start());
        Instant oldEnd = Times.parseInstant(current.end());
        Instant start = move.start().orElse(oldStart);
        Instant end = move.end().orElse(oldEnd);
        String title = move.title().orElse(current.title());
        if (!end.isAfter(start)) {
            return StoreResult.invalid(
                    move.end().isPresent() ? "end" : "start",
                    "the booking would end at " + Times.iso(end) + ", not after its start " + Times.iso(start));
        }
        if (current.credits() > 0
                && Duration.between(start, end).toMinutes()
                        != Duration.between(oldStart, oldEnd).toMinutes()) {
            // Its credits were debited from the member's ledger at booking time; a new length would
            // change them without a ledger entry. Moving it keeps them.
            return new StoreResult.Conflict<>("booking " + bookingId + " was paid with " + current.credits()
                    + " credits; it can be moved but not made longer or shorter: cancel it and book again");
        }
        if (start.equals(oldStart) && end.equals(oldEnd)) {
            Sql.update(
                    c,
                    "UPDATE bookings SET title = ?, updated_at = ? WHERE id = ? AND tenant_id = ?",
                    title,
                    now,
                    bookingId,
                    tenantId);
            return StoreResult.found(new BookingStore.Outcome.Booked(
                    BookingStore.find(c, tenantId, bookingId).orElseThrow()));
        }
        Resource resource =
                ResourceStore.find(c, tenantId, current.resourceId()).orElseThrow();
        // Set the booking aside: its own time and hours must not count against its new time. A refusal
        // throws, and the rollback puts it back.
        Sql.update(c, "DELETE FROM booking_blocks WHERE booking_id = ?", bookingId);
        Sql.update(c, "UPDATE bookings SET status = ? WHERE id = ?", BookingStore.BookingStatus.CANCELLED, bookingId);
        if (move.overrideReason().isEmpty()) {
            List<Violation> broken = broken(c, tenantId, resource, current.memberId(), start, end, now).stream()
                    // A booking that has begun may still be lengthened or shortened: its start stays.
                    .filter(v -> !start.equals(oldStart)
                            || (v.rule() != Violation.Rule.IN_THE_PAST && v.rule() != Violation.Rule.MIN_NOTICE))
                    .toList();
            if (!broken.isEmpty()) {
                throw new Undo(new BookingStore.Outcome.Refused(broken));
            }
        }
        Duration before = Duration.between(Times.parseInstant(current.occupiedFrom()), oldStart);
        Duration after = Duration.between(oldEnd, Times.parseInstant(current.occupiedUntil()));
        Instant from = start.minus(before);
        Instant until = end.plus(after);
        List<String> blocked = ResourceStore.withParts(c, resource.id());
        Optional<BookingStore.Outcome.Collides> collision = BookingStore.collision(c, blocked, from, until);
        if (collision.isPresent()) {
            throw new Undo(collision.get());
        }
        long oldMinutes = Duration.between(oldStart, oldEnd).toMinutes();
        long minutes = Duration.between(start, end).toMinutes();
        Sql.update(
                c,
                "UPDATE bookings SET status = ?, title = ?, start_at = ?, end_at = ?, price = ?, credits = ?,"
                        + " override_reason = ?, updated_at = ? WHERE id = ? AND tenant_id = ?",
                BookingStore.BookingStatus.CONFIRMED,
                title,
                start,
                end,
                current.price() * minutes / Math.max(1, oldMinutes),
                current.credits() * minutes / Math.max(1, oldMinutes),
                move.overrideReason().or(() -> Optional.ofNullable(current.overrideReason())),
                now,
                bookingId,
                tenantId);
        BookingStore.block(c, bookingId, blocked, from.toEpochMilli(), until.toEpochMilli());
        // A check-in, if the booking needs one, counts from the new start; a release must still leave
        // part of it, or it needs none.
        Sql.update(
                c,
                "UPDATE bookings SET release_at = CASE WHEN release_after_ms < end_at - start_at"
                        + " THEN start_at + release_after_ms END,"
                        + " release_after_ms = CASE WHEN release_after_ms < end_at - start_at THEN release_after_ms END,"
                        + " check_in_opens_before_ms = CASE WHEN release_after_ms < end_at - start_at"
                        + " THEN check_in_opens_before_ms END WHERE id = ? AND release_after_ms IS NOT NULL",
                bookingId);
        if (!resource.doorIds().isEmpty()) {
            // The same booking id: the edge replaces the booking's window with the new one.
            BookingEntities.logChange(c, tenantId, resource.siteId(), bookingId, now);
        }
        return StoreResult.found(new BookingStore.Outcome.Booked(
                BookingStore.find(c, tenantId, bookingId).orElseThrow()));
    }

    /** Every rule the new time breaks, by the one engine, as {@link BookingStore} asks it for a new booking. */
    private static List<Violation> broken(
            Connection c, String tenantId, Resource resource, String memberId, Instant start, Instant end, Instant now)
            throws SQLException {
        String memberStatus = Sql.one(
                        c, "SELECT status FROM members WHERE id = ? AND tenant_id = ?", Sql.STRING, memberId, tenantId)
                .orElseThrow();
        return BookingStore.broken(
                c,
                tenantId,
                resource,
                new BookingStore.NewBooking(resource.id(), memberId, "", start, end, Optional.empty(), ""),
                memberStatus,
                now);
    }
}
