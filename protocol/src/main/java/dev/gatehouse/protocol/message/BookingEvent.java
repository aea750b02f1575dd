package dev.gatehouse.protocol.message;

import dev.gatehouse.protocol.Ids;
import dev.gatehouse.protocol.model.BookingId;
import dev.gatehouse.protocol.model.Checks;
import dev.gatehouse.protocol.model.DoorId;
import dev.gatehouse.protocol.model.MemberId;
import java.util.Optional;

/**
 * A check-in or a release of a booking, decided at the edge. The envelope time is the instant of the
 * check-in (the tap) or of the release as the edge decided it. A check-in names who tapped and at
 * which door; a release names neither. The edge reports each once per booking; the hub applies each
 * once (by the booking's status), whichever edge or hub process learns of it first.
 */
public record BookingEvent(
        String site, BookingId booking, BookingEventKind kind, Optional<MemberId> member, Optional<DoorId> door)
        implements Message {
    public BookingEvent {
        Ids.require(site, "booking event site");
        Checks.present(booking, "booking event booking");
        Checks.present(kind, "booking event kind");
        Checks.present(member, "booking event member");
        Checks.present(door, "booking event door");
        switch (kind) {
            case CHECKED_IN -> {
                if (member.isEmpty() || door.isEmpty()) {
                    throw Checks.bad("a checked-in booking event names the member who tapped and the door");
                }
            }
            case RELEASED -> {
                if (member.isPresent() || door.isPresent()) {
                    throw Checks.bad("a released booking event names no member and no door");
                }
            }
        }
    }

    /** A check-in by {@code member}'s tap at {@code door}. */
    public static BookingEvent checkedIn(String site, BookingId booking, MemberId member, DoorId door) {
        return new BookingEvent(site, booking, BookingEventKind.CHECKED_IN, Optional.of(member), Optional.of(door));
    }

    /** A release for want of a check-in. */
    public static BookingEvent released(String site, BookingId booking) {
        return new BookingEvent(site, booking, BookingEventKind.RELEASED, Optional.empty(), Optional.empty());
    }

    @Override
    public MessageType type() {
        return MessageType.BOOKING_EVENT;
    }
}
