package dev.gatehouse.hub.bookings;

import dev.gatehouse.hub.changes.ChangeLog;
import dev.gatehouse.hub.store.Sql;
import dev.gatehouse.protocol.message.Change;
import dev.gatehouse.protocol.model.Booking;
import dev.gatehouse.protocol.model.BookingId;
import dev.gatehouse.protocol.model.DoorId;
import dev.gatehouse.protocol.model.Entity;
import dev.gatehouse.protocol.model.EntityKind;
import dev.gatehouse.protocol.model.MemberId;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Bookings as the protocol's {@link Booking} entity, for the site's change log and snapshots: one
 * place builds them, with the fields of {@code bookings-v2} (resource, invitees, check-in, join link).
 * The log keeps that full form; {@link #forSite} turns it into the first version's for a site with an
 * edge that cannot read it.
 */
public final class BookingEntities {
    private BookingEntities() {}

    /**
     * The live booking as an entity; empty when it is cancelled or released, or opens no door (its
     * resource has none), so that the edges have nothing to keep for it.
     */
    public static Optional<Booking> entity(Connection c, String tenantId, String bookingId) throws SQLException {
        record Row(
                String member,
                String resource,
                String status,
                long start,
                long end,
                long before,
                long after,
                Long opensBefore,
                Long releaseAfter,
                Long checkedIn,
                String joinLink) {}
        Optional<Row> found = Sql.one(
                c,
                "SELECT member_id, resource_id, status, start_at, end_at, buffer_before_ms, buffer_after_ms,"
                        + " check_in_opens_before_ms, release_after_ms, checked_in_at, join_link FROM bookings"
                        + " WHERE id = ? AND tenant_id = ?",
                row -> new Row(
                        row.getString(1),
                        row.getString(2),
                        row.getString(3),
                        row.getLong(4),
                        row.getLong(5),
                        row.getLong(6),
                        row.getLong(7),
                        nullable(row, 8),
                        nullable(row, 9),
                        nullable(row, 10),
                        row.getString(11)),
                bookingId,
                tenantId);
        if (found.isEmpty() || !"CONFIRMED".equals(found.get().status())) {
            return Optional.empty();
        }
        Row b = found.get();
        List<String> doors = Sql.list(
                c,
                "SELECT door_id FROM resource_doors WHERE resource_id = ? ORDER BY door_id",
                Sql.STRING,
                b.resource());
        if (doors.isEmpty()) {
            return Optional.empty();
        }
        Optional<Booking.CheckIn> checkIn = b.releaseAfter() == null
                ? Optional.empty()
                : Optional.of(new Booking.CheckIn(
                        Duration.ofMillis(b.opensBefore() == null ? 0 : b.opensBefore()),
                        Duration.ofMillis(b.releaseAfter()),
                        Optional.ofNullable(b.checkedIn()).map(Instant::ofEpochMilli)));
        return Optional.of(new Booking(
                BookingId.of(bookingId),
                MemberId.of(b.member()),
                doors.stream().map(DoorId::of).collect(Collectors.toSet()),
                Instant.ofEpochMilli(b.start()),
                Instant.ofEpochMilli(b.end()),
                Duration.ofMillis(b.before()),
                Duration.ofMillis(b.after()),
                Optional.of(b.resource()),
                invitees(c, bookingId).stream().map(MemberId::of).collect(Collectors.toSet()),
                checkIn,
                Optional.ofNullable(b.joinLink())));
    }

    static Long nullable(java.sql.ResultSet row, int column) throws SQLException {
        long value = row.getLong(column);
        return row.wasNull() ? null : value;
    }

    /** The booking's invitees, by member id. */
    public static List<String> invitees(Connection c, String bookingId) throws SQLException {
        return Sql.list(
                c,
                "SELECT member_id FROM booking_invitees WHERE booking_id = ? ORDER BY member_id",
                Sql.STRING,
                bookingId);
    }

    /**
     * Tells the booking's site what it now is: an upsert of the live booking, or a removal when it
     * grants nothing any more (cancelled, released, or its resource opens no door).
     */
    static void logChange(Connection c, String tenantId, String siteId, String bookingId, Instant now)
            throws SQLException {
        Optional<Booking> entity = entity(c, tenantId, bookingId);
        Change change = entity.<Change>map(Change.Upsert::new)
                .orElseGet(() -> new Change.Remove(EntityKind.BOOKING, bookingId));
        ChangeLog.append(c, tenantId, siteId, List.of(change), now);
    }

    /**
     * Whether every active edge of the site reads the {@code bookings-v2} fields (a site with no edge
     * does: nothing there would misread them). A device that has not reported its features yet does not.
     */
    public static boolean siteReadsV2(Connection c, String tenantId, String siteId) throws SQLException {
        for (String features : Sql.list(
                c,
                "SELECT COALESCE(features, '') FROM devices WHERE tenant_id = ? AND site_id = ? AND status = 'active'",
                Sql.STRING,
                tenantId,
                siteId)) {
            if (!Arrays.asList(features.split(",")).contains(Booking.FEATURE)) {
                return false;
            }
        }
        return true;
    }

    /** The entities as a site reads them: bookings in their first version's form unless it reads v2. */
    public static List<Entity> forSite(List<Entity> entities, boolean readsV2) {
        if (readsV2) {
            return entities;
        }
        List<Entity> out = new ArrayList<>(entities.size());
        for (Entity entity : entities) {
            out.add(entity instanceof Booking booking && booking.extended() ? booking.legacy() : entity);
        }
        return out;
    }

    /** Whether any of the changes is a booking with fields an older edge cannot read. */
    public static boolean anyExtended(List<Change> changes) {
        for (Change change : changes) {
            if (change instanceof Change.Upsert upsert && upsert.entity() instanceof Booking b && b.extended()) {
                return true;
            }
        }
        return false;
    }

    /** The same change for a site that cannot read v2: a booking's upsert in its first version's form. */
    public static Change forSite(Change change) {
        return change instanceof Change.Upsert upsert && upsert.entity() instanceof Booking b && b.extended()
                ? new Change.Upsert(b.legacy())
                : change;
    }

    /**
     * The site's live bookings that still grant or will (ending after {@code now}), as entities: for a
     * snapshot, and to send again in the v2 form once every edge of the site reads it.
     */
    public static List<Booking> live(Connection c, String tenantId, String siteId, Instant now) throws SQLException {
        Set<String> ids = new LinkedHashSet<>(Sql.list(
                c,
                "SELECT id FROM bookings WHERE tenant_id = ? AND site_id = ? AND status = 'CONFIRMED'"
                        + " AND end_at + buffer_after_ms > ? ORDER BY id",
                Sql.STRING,
                tenantId,
                siteId,
                now.toEpochMilli()));
        List<Booking> bookings = new ArrayList<>();
        for (String id : ids) {
            entity(c, tenantId, id).ifPresent(bookings::add);
        }
        return bookings;
    }
}
