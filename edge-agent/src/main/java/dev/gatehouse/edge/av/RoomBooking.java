package dev.gatehouse.edge.av;

import java.time.Duration;
import java.time.Instant;
import java.util.Objects;
import java.util.Optional;

/**
 * A booking of a room as the A/V scheduler needs it: its id, when it starts and ends, and the
 * meeting's join link if it has one. The booking side builds these from the synced bookings.
 */
public record RoomBooking(String bookingId, Instant start, Instant end, Optional<String> joinLink) {
    public RoomBooking {
        Objects.requireNonNull(bookingId, "bookingId");
        Objects.requireNonNull(start, "start");
        Objects.requireNonNull(end, "end");
        Objects.requireNonNull(joinLink, "joinLink");
        if (!end.isAfter(start)) {
            throw new AvException(
                    AvError.BAD_ARGUMENT,
                    "booking " + bookingId + " ends at " + end + ", not after its start " + start);
        }
    }

    public RoomBooking(String bookingId, Instant start, Instant end) {
        this(bookingId, start, end, Optional.empty());
    }

    /** When the room is made ready for it: {@code warmUp} before its start. */
    Instant warmStart(Duration warmUp) {
        return start.minus(warmUp);
    }
}
