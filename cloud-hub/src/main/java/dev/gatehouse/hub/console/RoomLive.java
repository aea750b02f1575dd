package dev.gatehouse.hub.console;

import dev.gatehouse.hub.bookings.BookingView;
import dev.gatehouse.hub.rooms.RoomStateView;
import java.time.Instant;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A room's live row header on today's day view: whether a booking holds it now (checked in or not),
 * what its presence sensor says, and its A/V as the edge last reported it, faults first.
 *
 * @param occupancy {@code checked-in}, {@code booked} (a booking now, no check-in) or {@code free}
 * @param presence {@code occupied} or {@code free} when a sensor reported it, else empty
 */
public record RoomLive(String occupancy, Optional<String> presence, Optional<RoomStateView> av) {

    /** Each resource's live state now, from the day's live bookings and the reported rooms. */
    static Map<String, RoomLive> of(Instant now, Collection<BookingView> bookings, List<RoomStateView> rooms) {
        Map<String, RoomLive> out = new java.util.HashMap<>();
        for (RoomStateView room : rooms) {
            // A room the hub cannot tie to one resource has no row on the day view; the API still lists it.
            room.resource()
                    .ifPresent(resource ->
                            out.merge(resource, new RoomLive("free", presence(room), Optional.of(room)), (a, b) -> a));
        }
        for (BookingView booking : bookings) {
            if (booking.releasedAt() != null
                    || now.isBefore(Instant.parse(booking.start()))
                    || !now.isBefore(Instant.parse(booking.end()))) {
                continue;
            }
            boolean checkedIn = booking.checkIn() != null && booking.checkIn().checkedInAt() != null;
            RoomLive was =
                    out.getOrDefault(booking.resourceId(), new RoomLive("free", Optional.empty(), Optional.empty()));
            out.put(booking.resourceId(), new RoomLive(checkedIn ? "checked-in" : "booked", was.presence(), was.av()));
        }
        return Map.copyOf(out);
    }

    private static Optional<String> presence(RoomStateView room) {
        return Optional.of(room.presence()).filter(p -> !p.equals("unknown"));
    }

    /** The faults as "function: what failed", for the page. */
    public List<String> faults() {
        return av.map(room -> room.faults().entrySet().stream()
                        .sorted(Map.Entry.comparingByKey())
                        .map(Map.Entry::getValue)
                        .toList())
                .orElse(List.of());
    }

    /** The confirmed values as "function value" pairs, sorted, for the page. */
    public List<Map.Entry<String, String>> values() {
        return av.map(room -> room.values().entrySet().stream()
                        .sorted(Map.Entry.comparingByKey())
                        .toList())
                .orElse(List.of());
    }
}
