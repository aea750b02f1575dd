package dev.gatehouse.edge.cache;

import dev.gatehouse.protocol.model.Booking;
import dev.gatehouse.protocol.model.BookingId;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * What this edge did about bookings that need a check-in ({@code booking_state}): a check-in by a tap
 * at one of the booking's doors, or its release when nobody checked in by its release time. Each is
 * recorded with one conditional write in the same transaction as the event that reports it, so a
 * booking is checked in once and released once here, across threads, processes and restarts. Each
 * call runs in the caller's transaction or read view.
 */
final class BookingStates {
    /**
     * How far back the release sweep looks for bookings it has not released: a release is due at most
     * {@link Booking.CheckIn#MAX_RELEASE_AFTER} after the start, and an edge that was off for longer
     * than this leaves the older ones to the hub (its doors refuse them anyway: the policy engine
     * decides a release from the time alone).
     */
    static final Duration LOOKBACK = Duration.ofHours(24);

    // Package-private so that CacheIndexTest can check their query plans.
    static final String SQL_CHECKED_IN =
            "SELECT checked_in_at FROM booking_state WHERE booking = ? AND checked_in_at IS NOT NULL";
    static final String SQL_DUE = "SELECT e.json FROM entity_check_in c CROSS JOIN entity e"
            + " ON e.kind = 'booking' AND e.key = c.key WHERE c.start >= ? AND c.start <= ?"
            + " AND NOT EXISTS (SELECT 1 FROM booking_state s WHERE s.booking = c.key) ORDER BY c.start, c.key";
    private static final String SQL_CHECK_IN = "INSERT INTO booking_state (booking, checked_in_at, event_id)"
            + " VALUES (?, ?, ?) ON CONFLICT (booking) DO UPDATE SET checked_in_at = excluded.checked_in_at,"
            + " event_id = excluded.event_id WHERE booking_state.checked_in_at IS NULL";
    private static final String SQL_RELEASE = "INSERT INTO booking_state (booking, released_at, event_id)"
            + " VALUES (?, ?, ?) ON CONFLICT (booking) DO NOTHING";

    private BookingStates() {}

    /**
     * Records a check-in: true for the first one only. A check-in recorded after this edge released the
     * booking (a tap in time that lost the race to the sweep) still counts; the hub reconciles both.
     */
    static boolean recordCheckIn(SqliteSession session, BookingId booking, Instant at, String eventId)
            throws SQLException {
        return write(session, SQL_CHECK_IN, booking, at, eventId);
    }

    /** Records a release: true only if this edge neither released nor checked in the booking before. */
    static boolean recordRelease(SqliteSession session, BookingId booking, Instant at, String eventId)
            throws SQLException {
        return write(session, SQL_RELEASE, booking, at, eventId);
    }

    private static boolean write(SqliteSession session, String sql, BookingId booking, Instant at, String eventId)
            throws SQLException {
        PreparedStatement insert = session.prepare(sql);
        insert.setString(1, booking.value());
        insert.setString(2, at.toString());
        insert.setString(3, eventId);
        return insert.executeUpdate() == 1;
    }

    /** When this edge recorded a check-in of {@code booking}, if it did. */
    static Optional<Instant> checkedIn(SqliteSession session, String booking) throws SQLException {
        PreparedStatement query = session.prepare(SQL_CHECKED_IN);
        query.setString(1, booking);
        try (ResultSet rows = query.executeQuery()) {
            return rows.next() ? Optional.of(Instant.parse(rows.getString(1))) : Optional.empty();
        }
    }

    /**
     * The bookings whose release is due at {@code now} and that this edge has neither checked in nor
     * released: they need a check-in, none is known, and {@code start + releaseAfter} has passed
     * (within {@link #LOOKBACK}).
     */
    static List<Booking> due(SqliteSession session, SqliteEntityRows entities, Instant now) throws SQLException {
        PreparedStatement query = session.prepare(SQL_DUE);
        query.setLong(
                1, now.minus(Booking.CheckIn.MAX_RELEASE_AFTER).minus(LOOKBACK).getEpochSecond());
        query.setLong(2, now.minus(Booking.CheckIn.MIN_RELEASE_AFTER).getEpochSecond());
        List<Booking> due = new ArrayList<>();
        try (ResultSet rows = query.executeQuery()) {
            while (rows.next()) {
                Booking booking = entities.decode(rows.getString(1), Booking.class);
                if (booking.releasedAt(now, Optional.empty())) {
                    due.add(booking);
                }
            }
        }
        return List.copyOf(due);
    }
}
