package dev.gatehouse.protocol.model;

import dev.gatehouse.protocol.Ids;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * A booking of a resource: its member — and its invitees — may pass the booking's doors from
 * {@code start - bufferBefore} until {@code end + bufferAfter} (exclusive).
 *
 * <p>The fields after the buffers are optional and written only when present, so that a booking
 * without them has the first version's wire form: {@code resource} (the booked resource's id, for
 * the room's A/V), {@code invitees} (members who pass like the booker), {@code checkIn} (the booking
 * must be checked in at one of its doors, or it is released) and {@code joinLink} (the meeting's
 * link for the room's display). Only edges that report {@link #FEATURE} read them; the hub sends
 * other sites the {@link #legacy()} form.
 */
public record Booking(
        BookingId id,
        MemberId member,
        Set<DoorId> doors,
        Instant start,
        Instant end,
        Duration bufferBefore,
        Duration bufferAfter,
        Optional<String> resource,
        Set<MemberId> invitees,
        Optional<CheckIn> checkIn,
        Optional<String> joinLink)
        implements Entity {
    public static final Duration MAX_BUFFER = Duration.ofHours(2);
    public static final int MAX_INVITEES = 50;
    public static final int MAX_JOIN_LINK = 500;

    /** What an edge lists in its device state's features when it reads the fields after the buffers. */
    public static final String FEATURE = "bookings-v2";

    // https, a host name, an optional port, then URI characters only (no spaces, quotes or angle brackets).
    private static final Pattern JOIN_LINK = Pattern.compile(
            "https://[A-Za-z0-9]([A-Za-z0-9.-]*[A-Za-z0-9])?(:[0-9]{1,5})?([/?#][A-Za-z0-9._~:/?#\\[\\]@!$&'()*+,;=%-]*)?");

    /**
     * The booking must be checked in: by a granted tap of its member or an invitee at one of its doors
     * from {@code start - opensBefore} until {@code start + releaseAfter}, or at the hub. Without a
     * check-in by {@code start + releaseAfter} it is <em>released</em> and grants nothing from then on.
     * {@code checkedIn} is when the hub learned of a check-in (at a door, another edge, the front desk).
     */
    public record CheckIn(Duration opensBefore, Duration releaseAfter, Optional<Instant> checkedIn) {
        public static final Duration MAX_OPENS_BEFORE = Duration.ofHours(2);
        public static final Duration MIN_RELEASE_AFTER = Duration.ofMinutes(5);
        public static final Duration MAX_RELEASE_AFTER = Duration.ofHours(2);

        public CheckIn {
            Checks.within(opensBefore, Duration.ZERO, MAX_OPENS_BEFORE, "booking checkIn opensBefore");
            Checks.within(releaseAfter, MIN_RELEASE_AFTER, MAX_RELEASE_AFTER, "booking checkIn releaseAfter");
            Checks.present(checkedIn, "booking checkIn checkedIn");
        }

        /** A check-in requirement not yet met. */
        public static CheckIn required(Duration opensBefore, Duration releaseAfter) {
            return new CheckIn(opensBefore, releaseAfter, Optional.empty());
        }
    }

    public Booking {
        Checks.present(id, "booking id");
        Checks.present(member, "booking " + id + " member");
        doors = Set.copyOf(Checks.present(doors, "booking " + id + " doors"));
        Checks.present(start, "booking " + id + " start");
        Checks.present(end, "booking " + id + " end");
        if (!end.isAfter(start)) {
            throw Checks.bad("booking " + id + " ends at " + end + ", which is not after its start " + start);
        }
        Checks.within(bufferBefore, Duration.ZERO, MAX_BUFFER, "booking " + id + " bufferBefore");
        Checks.within(bufferAfter, Duration.ZERO, MAX_BUFFER, "booking " + id + " bufferAfter");
        if (doors.isEmpty()) {
            throw Checks.bad("booking " + id + " names no door");
        }
        Checks.present(resource, "booking " + id + " resource");
        resource.ifPresent(value -> Ids.require(value, "booking " + id + " resource"));
        invitees = Set.copyOf(Checks.present(invitees, "booking " + id + " invitees"));
        if (invitees.size() > MAX_INVITEES) {
            throw Checks.bad(
                    "booking " + id + " invites " + invitees.size() + " members; the limit is " + MAX_INVITEES);
        }
        if (invitees.contains(member)) {
            throw Checks.bad("booking " + id + " invites its own member " + member + "; the booker passes anyway");
        }
        Checks.present(checkIn, "booking " + id + " checkIn");
        if (checkIn.isPresent() && !start.plus(checkIn.get().releaseAfter()).isBefore(end)) {
            throw Checks.bad("booking " + id + " would be released after "
                    + checkIn.get().releaseAfter() + ", which is not before its end " + end
                    + "; a release must leave part of the booking");
        }
        Checks.present(joinLink, "booking " + id + " joinLink");
        joinLink.ifPresent(link -> {
            Checks.text(link, MAX_JOIN_LINK, "booking " + id + " joinLink");
            if (!JOIN_LINK.matcher(link).matches()) {
                throw Checks.bad("booking " + id + " joinLink must be an https:// URL with a host name and"
                        + " no spaces or quotes");
            }
        });
    }

    /** Whether {@code link} is a join link a booking may carry: https, a host name, no spaces or quotes. */
    public static boolean isJoinLink(String link) {
        return link.length() <= MAX_JOIN_LINK && JOIN_LINK.matcher(link).matches();
    }

    /** A booking in the first version's form: no resource, invitees, check-in or join link. */
    public Booking(
            BookingId id,
            MemberId member,
            Set<DoorId> doors,
            Instant start,
            Instant end,
            Duration bufferBefore,
            Duration bufferAfter) {
        this(
                id,
                member,
                doors,
                start,
                end,
                bufferBefore,
                bufferAfter,
                Optional.empty(),
                Set.of(),
                Optional.empty(),
                Optional.empty());
    }

    /** Whether {@code at} falls within the booking and its buffers. */
    public boolean admits(Instant at) {
        return !at.isBefore(start.minus(bufferBefore)) && at.isBefore(end.plus(bufferAfter));
    }

    /** Whether {@code who} is the booking's member or one of its invitees. */
    public boolean includes(MemberId who) {
        return member.equals(who) || invitees.contains(who);
    }

    /** When the booking is released unless checked in before: {@code start + releaseAfter}; empty without check-in. */
    public Optional<Instant> releaseAt() {
        return checkIn.map(required -> start.plus(required.releaseAfter()));
    }

    /** Whether a check-in at {@code at} counts: {@code [start - opensBefore, start + releaseAfter)}. */
    public boolean checkInOpen(Instant at) {
        return checkIn.isPresent()
                && !at.isBefore(start.minus(checkIn.get().opensBefore()))
                && at.isBefore(releaseAt().orElseThrow());
    }

    /**
     * Whether the booking is released at {@code at}: it needs a check-in, none is known (neither in
     * the booking nor {@code checkedInHere}, the one the edge recorded), and its release time has come.
     */
    public boolean releasedAt(Instant at, Optional<Instant> checkedInHere) {
        return checkIn.isPresent()
                && checkIn.get().checkedIn().isEmpty()
                && checkedInHere.isEmpty()
                && !at.isBefore(releaseAt().orElseThrow());
    }

    /** Whether the booking has a field an edge without {@link #FEATURE} cannot read. */
    public boolean extended() {
        return resource.isPresent() || !invitees.isEmpty() || checkIn.isPresent() || joinLink.isPresent();
    }

    /** The booking as an edge without {@link #FEATURE} reads it: member, doors, times and buffers only. */
    public Booking legacy() {
        return new Booking(id, member, doors, start, end, bufferBefore, bufferAfter);
    }

    @Override
    public EntityKind kind() {
        return EntityKind.BOOKING;
    }

    @Override
    public String key() {
        return id.value();
    }
}
