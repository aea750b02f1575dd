package dev.gatehouse.hub.ingest;

import dev.gatehouse.hub.bookings.BookingCheckIns;
import dev.gatehouse.hub.devices.DeviceRef;
import dev.gatehouse.hub.store.Sql;
import dev.gatehouse.protocol.message.BookingEvent;
import dev.gatehouse.protocol.message.BookingEventKind;
import dev.gatehouse.protocol.message.Envelope;
import dev.gatehouse.protocol.model.DoorId;
import dev.gatehouse.protocol.model.MemberId;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Instant;
import java.util.Optional;
import java.util.logging.Logger;

/**
 * An edge's {@code event.booking} in the ingest's transaction: stored once per device and id, and
 * applied to the booking only the first time ({@link BookingCheckIns} then applies a check-in or a
 * release at most once per booking, whichever edge or the hub's sweep comes first). The booking must
 * be of the device's own tenant and site; what the hub did with it is kept in {@code booking_events}.
 */
final class BookingReports {
    private static final Logger LOG = Logger.getLogger(BookingReports.class.getName());

    private BookingReports() {}

    /** 1 when the report was new (stored and applied), 0 when the edge sent it before. */
    static int apply(Connection c, DeviceRef device, Envelope envelope, Instant now) throws SQLException {
        BookingEvent event = envelope.payloadAs(BookingEvent.class);
        String bookingId = event.booking().value();
        // Claim the report first: a resend finds its row and changes nothing.
        int fresh = Sql.update(
                c,
                "INSERT INTO booking_events (tenant_id, device_id, id, site_id, booking_id, kind, member_id, door_id,"
                        + " at, outcome, received_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
                        + " ON CONFLICT (tenant_id, device_id, id) DO NOTHING",
                device.tenantId(),
                device.deviceId(),
                envelope.id(),
                device.siteId(),
                bookingId,
                event.kind(),
                event.member().map(MemberId::value),
                event.door().map(DoorId::value),
                envelope.time(),
                "pending",
                now);
        if (fresh == 0) {
            return 0;
        }
        BookingCheckIns.Result result = event.kind() == BookingEventKind.CHECKED_IN
                ? BookingCheckIns.checkIn(
                        c,
                        device.tenantId(),
                        Optional.of(device.siteId()),
                        bookingId,
                        event.member().map(MemberId::value),
                        envelope.time(),
                        device.deviceId() + "/" + event.door().orElseThrow().value(),
                        now)
                : BookingCheckIns.release(
                        c,
                        device.tenantId(),
                        Optional.of(device.siteId()),
                        bookingId,
                        envelope.time(),
                        device.deviceId(),
                        now);
        Sql.update(
                c,
                "UPDATE booking_events SET outcome = ? WHERE tenant_id = ? AND device_id = ? AND id = ?",
                result.wire(),
                device.tenantId(),
                device.deviceId(),
                envelope.id());
        if (!result.changed()) {
            LOG.info("device " + device.deviceId() + " reported booking " + bookingId + " " + event.kind() + ": "
                    + result.wire() + "; nothing changed");
        }
        return 1;
    }
}
