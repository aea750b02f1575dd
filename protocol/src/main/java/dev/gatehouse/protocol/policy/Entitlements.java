package dev.gatehouse.protocol.policy;

import dev.gatehouse.protocol.model.Booking;
import dev.gatehouse.protocol.model.BookingId;
import dev.gatehouse.protocol.model.Credential;
import dev.gatehouse.protocol.model.CredentialId;
import dev.gatehouse.protocol.model.Door;
import dev.gatehouse.protocol.model.DoorGroup;
import dev.gatehouse.protocol.model.DoorGroupId;
import dev.gatehouse.protocol.model.DoorId;
import dev.gatehouse.protocol.model.Grant;
import dev.gatehouse.protocol.model.GrantId;
import dev.gatehouse.protocol.model.Member;
import dev.gatehouse.protocol.model.MemberId;
import dev.gatehouse.protocol.model.PassId;
import dev.gatehouse.protocol.model.Schedule;
import dev.gatehouse.protocol.model.ScheduleId;
import dev.gatehouse.protocol.model.Site;
import dev.gatehouse.protocol.model.VisitorPass;
import java.time.Instant;
import java.time.LocalDate;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * One site's entitlements as the policy engine reads them: point lookups only. The edge implements
 * it over its SQLite cache, the hub over its store, tests and benchmarks with
 * {@link InMemoryEntitlements}.
 */
public interface Entitlements {
    Optional<Site> site();

    Optional<Door> door(DoorId id);

    /** The credential enrolled with this card hash; a card hash is unique within a site. */
    Optional<Credential> credentialByCardHash(String cardHash);

    Optional<Credential> credential(CredentialId id);

    Optional<Member> member(MemberId id);

    /** The member's grants, ordered by grant id (the order the engine examines them in). */
    List<Grant> grantsOf(MemberId member);

    Optional<DoorGroup> doorGroup(DoorGroupId id);

    Optional<Schedule> schedule(ScheduleId id);

    /** The bookings the member made or is invited to, ordered by booking id. */
    List<Booking> bookingsOf(MemberId member);

    /**
     * When this site recorded a check-in of the booking (a tap at one of its doors), if it did. The
     * hub's knowledge of a check-in travels in the booking itself ({@code checkIn.checkedIn}).
     */
    Optional<Instant> checkedIn(BookingId booking);

    Optional<VisitorPass> visitorPass(PassId id);

    /**
     * The visitor pass whose {@code pinHash} is this (a typed PIN's keyed hash), if the cache holds
     * one: how a kiosk finds the pass of a typed PIN.
     */
    Optional<VisitorPass> visitorPassByPinHash(String pinHash);

    /** Whether a single-use pass has already opened a door. */
    boolean visitorPassUsed(PassId id);

    /**
     * The days (site-local dates) this site itself recorded as spent on an entry-limited grant. The
     * hub's count travels in the grant ({@code entries.spent}); the engine counts the union.
     */
    Set<LocalDate> passDaysSpent(GrantId grant);
}
