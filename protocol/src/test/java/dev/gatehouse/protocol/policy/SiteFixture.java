package dev.gatehouse.protocol.policy;

import dev.gatehouse.protocol.card.CardHasher;
import dev.gatehouse.protocol.model.Booking;
import dev.gatehouse.protocol.model.BookingId;
import dev.gatehouse.protocol.model.ClockStatus;
import dev.gatehouse.protocol.model.Credential;
import dev.gatehouse.protocol.model.CredentialId;
import dev.gatehouse.protocol.model.CredentialStatus;
import dev.gatehouse.protocol.model.CredentialType;
import dev.gatehouse.protocol.model.DegradedMode;
import dev.gatehouse.protocol.model.Door;
import dev.gatehouse.protocol.model.DoorGroup;
import dev.gatehouse.protocol.model.DoorGroupId;
import dev.gatehouse.protocol.model.DoorId;
import dev.gatehouse.protocol.model.Entity;
import dev.gatehouse.protocol.model.Grant;
import dev.gatehouse.protocol.model.GrantId;
import dev.gatehouse.protocol.model.HolidayRule;
import dev.gatehouse.protocol.model.Member;
import dev.gatehouse.protocol.model.MemberId;
import dev.gatehouse.protocol.model.MemberStatus;
import dev.gatehouse.protocol.model.PassId;
import dev.gatehouse.protocol.model.PassStatus;
import dev.gatehouse.protocol.model.Schedule;
import dev.gatehouse.protocol.model.ScheduleId;
import dev.gatehouse.protocol.model.Site;
import dev.gatehouse.protocol.model.TimeWindow;
import dev.gatehouse.protocol.model.VisitorPass;
import java.nio.charset.StandardCharsets;
import java.time.DayOfWeek;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.ZoneId;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * A small coworking site in Berlin to decide against: a front entrance, two doors on floor 2 (door
 * group {@code floor-2}), a server room, two meeting rooms, a Mon-Fri 08:00-18:00 schedule that closes
 * on holidays, and Christmas Day 2026 as a site holiday. Members, credentials, grants, bookings and
 * passes are added by each test, so that every test shows the entitlements its outcome depends on.
 *
 * <p>Each door unlocks for a different duration, so that a test comparing a whole {@link
 * Decision.Granted} also checks that the engine used the door it was asked about.
 */
final class SiteFixture {
    static final ZoneId ZONE = ZoneId.of("Europe/Berlin");
    static final String SITE_ID = "berlin-mitte";
    /** Christmas Day 2026, a Friday: a weekday the weekday schedule would otherwise cover. */
    static final LocalDate CHRISTMAS = LocalDate.of(2026, 12, 25);

    static final DoorId FRONT = DoorId.of("front");
    static final DoorId EAST = DoorId.of("floor2-east");
    static final DoorId WEST = DoorId.of("floor2-west");
    static final DoorId SERVER_ROOM = DoorId.of("server-room");
    static final DoorId ROOM_A = DoorId.of("room-a");
    static final DoorId ROOM_B = DoorId.of("room-b");
    static final DoorGroupId FLOOR_2 = DoorGroupId.of("floor-2");
    /** Monday to Friday, 08:00-18:00 local time, closed on site holidays. */
    static final ScheduleId WEEKDAYS = ScheduleId.of("weekdays");

    /** Card hashes are made the way the readers make them, with a fixed test key. */
    private static final CardHasher HASHER =
            new CardHasher("policy-engine-test-tenant-key-0123456789".getBytes(StandardCharsets.US_ASCII));

    final InMemoryEntitlements entitlements = new InMemoryEntitlements();
    private int cardsIssued;

    private SiteFixture() {}

    /** The site with its zone and holidays: what an edge has after its first sync. */
    static SiteFixture berlin() {
        SiteFixture fixture = withoutSite();
        fixture.put(new Site(SITE_ID, ZONE, Set.of(CHRISTMAS)));
        return fixture;
    }

    /** Doors, door group and schedule, but no {@link Site} entity: the zone is not known yet. */
    static SiteFixture withoutSite() {
        SiteFixture fixture = new SiteFixture();
        fixture.put(
                door(FRONT, "Front entrance", Duration.ofSeconds(7)),
                door(EAST, "Floor 2 east", Duration.ofSeconds(4)),
                door(WEST, "Floor 2 west", Duration.ofSeconds(9)),
                door(SERVER_ROOM, "Server room", Duration.ofSeconds(3)),
                door(ROOM_A, "Meeting room A", Duration.ofSeconds(11)),
                door(ROOM_B, "Meeting room B", Duration.ofSeconds(12)),
                new DoorGroup(FLOOR_2, Set.of(EAST, WEST)),
                new Schedule(
                        WEEKDAYS,
                        List.of(
                                TimeWindow.of(DayOfWeek.MONDAY, "08:00", "18:00"),
                                TimeWindow.of(DayOfWeek.TUESDAY, "08:00", "18:00"),
                                TimeWindow.of(DayOfWeek.WEDNESDAY, "08:00", "18:00"),
                                TimeWindow.of(DayOfWeek.THURSDAY, "08:00", "18:00"),
                                TimeWindow.of(DayOfWeek.FRIDAY, "08:00", "18:00")),
                        HolidayRule.CLOSED));
        return fixture;
    }

    /** The instant of a wall-clock time in Berlin, e.g. {@code "2026-06-17T12:00"} (not for DST gaps or overlaps). */
    static Instant berlin(String localDateTime) {
        return LocalDateTime.parse(localDateTime).atZone(ZONE).toInstant();
    }

    SiteFixture put(Entity... entities) {
        Arrays.stream(entities).forEach(entitlements::put);
        return this;
    }

    Duration unlockFor(DoorId door) {
        return entitlements.door(door).orElseThrow().unlockFor();
    }

    /** A door unlocking for 2 s with the given degraded modes; the offline mode applies from {@code offlineAfter}. */
    DoorId degradedDoor(String id, DegradedMode untrustedClock, DegradedMode offline, Duration offlineAfter) {
        DoorId door = DoorId.of(id);
        put(new Door(door, "Degraded " + id, Duration.ofSeconds(2), untrustedClock, offline, offlineAfter));
        return door;
    }

    MemberId member(String id, MemberStatus status, String... roles) {
        MemberId member = MemberId.of(id);
        put(new Member(member, status, Set.of(roles)));
        return member;
    }

    MemberId activeMember(String id, String... roles) {
        return member(id, MemberStatus.ACTIVE, roles);
    }

    /** An active NFC card without validity window; returns what its reader presents. */
    Presented.Card card(String id, MemberId member) {
        return card(id, member, CredentialStatus.ACTIVE, Optional.empty(), Optional.empty());
    }

    Presented.Card card(
            String id,
            MemberId member,
            CredentialStatus status,
            Optional<Instant> validFrom,
            Optional<Instant> validUntil) {
        String hash = nextCardHash();
        put(new Credential(
                CredentialId.of(id),
                member,
                CredentialType.NFC_CARD,
                Optional.of(hash),
                status,
                validFrom,
                validUntil));
        return new Presented.Card(hash);
    }

    /** A card nobody enrolled at this site. */
    Presented.Card unknownCard() {
        return new Presented.Card(nextCardHash());
    }

    /** An active member QR credential; returns the presentation of a verified token for it. */
    Presented.MemberCode qrCredential(String id, MemberId member) {
        CredentialId credential = CredentialId.of(id);
        put(new Credential(
                credential,
                member,
                CredentialType.MEMBER_QR,
                Optional.empty(),
                CredentialStatus.ACTIVE,
                Optional.empty(),
                Optional.empty()));
        return new Presented.MemberCode(credential);
    }

    GrantId grant(String id, MemberId member, Optional<ScheduleId> schedule, DoorId... doors) {
        return grant(id, member, schedule, Optional.empty(), Optional.empty(), Set.of(doors), Set.of());
    }

    GrantId groupGrant(String id, MemberId member, Optional<ScheduleId> schedule, DoorGroupId... groups) {
        return grant(id, member, schedule, Optional.empty(), Optional.empty(), Set.of(), Set.of(groups));
    }

    GrantId grant(
            String id,
            MemberId member,
            Optional<ScheduleId> schedule,
            Optional<Instant> validFrom,
            Optional<Instant> validUntil,
            Set<DoorId> doors,
            Set<DoorGroupId> groups) {
        GrantId grant = GrantId.of(id);
        put(new Grant(grant, member, groups, doors, schedule, validFrom, validUntil));
        return grant;
    }

    ScheduleId schedule(String id, HolidayRule holidays, TimeWindow... windows) {
        ScheduleId schedule = ScheduleId.of(id);
        put(new Schedule(schedule, List.of(windows), holidays));
        return schedule;
    }

    BookingId booking(
            String id,
            MemberId member,
            DoorId room,
            Instant start,
            Instant end,
            Duration bufferBefore,
            Duration bufferAfter) {
        BookingId booking = BookingId.of(id);
        put(new Booking(booking, member, Set.of(room), start, end, bufferBefore, bufferAfter));
        return booking;
    }

    PassId pass(
            String id,
            Instant validFrom,
            Instant validUntil,
            boolean singleUse,
            PassStatus status,
            Set<DoorId> doors,
            Set<DoorGroupId> groups) {
        PassId pass = PassId.of(id);
        put(new VisitorPass(pass, Optional.empty(), groups, doors, validFrom, validUntil, singleUse, status));
        return pass;
    }

    /** Decides an online request with a trusted clock at a door in normal mode. */
    Decision decide(Presented presented, DoorId door, Instant at) {
        return decide(AccessRequest.online(presented, door, at));
    }

    Decision decide(AccessRequest request) {
        return PolicyEngine.decide(entitlements, request);
    }

    Evaluation evaluate(AccessRequest request) {
        return PolicyEngine.evaluate(entitlements, request);
    }

    static AccessRequest request(
            Presented presented, DoorId door, Instant at, ClockStatus clock, Duration offlineFor, DoorMode mode) {
        return new AccessRequest(presented, door, at, clock, offlineFor, mode);
    }

    private static Door door(DoorId id, String name, Duration unlockFor) {
        return new Door(
                id, name, unlockFor, DegradedMode.KEEP_GRANTING, DegradedMode.KEEP_GRANTING, Duration.ofHours(24));
    }

    /** A distinct 7-byte UID per card, hashed as a reader would. */
    private String nextCardHash() {
        cardsIssued++;
        byte[] uid = {0x04, 0x5a, 0x21, 0x7c, 0x19, (byte) (cardsIssued >> 8), (byte) cardsIssued};
        return HASHER.hash(uid);
    }
}
