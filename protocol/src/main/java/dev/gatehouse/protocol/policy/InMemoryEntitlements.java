package dev.gatehouse.protocol.policy;

import dev.gatehouse.protocol.ProtocolError;
import dev.gatehouse.protocol.ProtocolException;
import dev.gatehouse.protocol.message.Change;
import dev.gatehouse.protocol.model.Booking;
import dev.gatehouse.protocol.model.BookingId;
import dev.gatehouse.protocol.model.Credential;
import dev.gatehouse.protocol.model.CredentialId;
import dev.gatehouse.protocol.model.Door;
import dev.gatehouse.protocol.model.DoorGroup;
import dev.gatehouse.protocol.model.DoorGroupId;
import dev.gatehouse.protocol.model.DoorId;
import dev.gatehouse.protocol.model.Entity;
import dev.gatehouse.protocol.model.EntityKind;
import dev.gatehouse.protocol.model.Grant;
import dev.gatehouse.protocol.model.GrantId;
import dev.gatehouse.protocol.model.Member;
import dev.gatehouse.protocol.model.MemberId;
import dev.gatehouse.protocol.model.PassId;
import dev.gatehouse.protocol.model.Schedule;
import dev.gatehouse.protocol.model.ScheduleId;
import dev.gatehouse.protocol.model.SigningKey;
import dev.gatehouse.protocol.model.Site;
import dev.gatehouse.protocol.model.VisitorPass;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Entitlements held in hash maps: what the hub uses to explain a decision, and what tests and
 * benchmarks decide against. Not thread-safe: one writer, or copies.
 */
public final class InMemoryEntitlements implements Entitlements {
    private Site site;
    private final Map<DoorId, Door> doors = new HashMap<>();
    private final Map<CredentialId, Credential> credentials = new HashMap<>();
    private final Map<String, Credential> credentialsByHash = new HashMap<>();
    private final Map<MemberId, Member> members = new HashMap<>();
    private final Map<GrantId, Grant> grants = new LinkedHashMap<>();
    private final Map<MemberId, List<Grant>> grantsByMember = new HashMap<>();
    private final Map<DoorGroupId, DoorGroup> doorGroups = new HashMap<>();
    private final Map<ScheduleId, Schedule> schedules = new HashMap<>();
    private final Map<BookingId, Booking> bookings = new LinkedHashMap<>();
    private final Map<MemberId, List<Booking>> bookingsByMember = new HashMap<>();
    private final Map<PassId, VisitorPass> passes = new HashMap<>();
    private final Set<PassId> usedPasses = new HashSet<>();
    private final Map<BookingId, Instant> checkIns = new HashMap<>();
    private final Map<GrantId, Set<LocalDate>> passDays = new HashMap<>();
    private final Map<String, SigningKey> signingKeys = new LinkedHashMap<>();
    /** Rooms' A/V controllers: kept as the edge's cache keeps them, though they decide no door. */
    private final Map<String, dev.gatehouse.protocol.model.Room> rooms = new java.util.TreeMap<>();

    private final Map<String, dev.gatehouse.protocol.model.Agreement> agreements = new java.util.TreeMap<>();
    private final Map<String, dev.gatehouse.protocol.model.WifiVoucher> vouchers = new java.util.TreeMap<>();

    public static InMemoryEntitlements of(Collection<? extends Entity> entities) {
        InMemoryEntitlements entitlements = new InMemoryEntitlements();
        entities.forEach(entitlements::put);
        return entitlements;
    }

    /** Applies one change-log entry. */
    public InMemoryEntitlements apply(Change change) {
        switch (change) {
            case Change.Upsert upsert -> put(upsert.entity());
            case Change.Remove remove -> remove(remove.kind(), remove.key());
        }
        return this;
    }

    /** Inserts or replaces an entity. */
    public InMemoryEntitlements put(Entity entity) {
        remove(entity.kind(), entity.key());
        switch (entity) {
            case Site value -> site = value;
            case Door value -> doors.put(value.id(), value);
            case Credential value -> {
                if (value.cardHash().isPresent()) {
                    Credential holder = credentialsByHash.get(value.cardHash().get());
                    if (holder != null) {
                        throw new ProtocolException(
                                ProtocolError.BAD_VALUE,
                                "credential " + value.id() + " has the card hash of credential " + holder.id()
                                        + "; a card is enrolled once per site");
                    }
                    credentialsByHash.put(value.cardHash().get(), value);
                }
                credentials.put(value.id(), value);
            }
            case Member value -> members.put(value.id(), value);
            case Grant value -> {
                grants.put(value.id(), value);
                List<Grant> list = grantsByMember.computeIfAbsent(value.member(), id -> new ArrayList<>());
                list.add(value);
                list.sort(Comparator.comparing(Grant::id));
            }
            case DoorGroup value -> doorGroups.put(value.id(), value);
            case Schedule value -> schedules.put(value.id(), value);
            case Booking value -> {
                bookings.put(value.id(), value);
                // Found by its member and by each invitee, as the edge's cache finds it.
                for (MemberId who : bookingMembers(value)) {
                    List<Booking> list = bookingsByMember.computeIfAbsent(who, id -> new ArrayList<>());
                    list.add(value);
                    list.sort(Comparator.comparing(Booking::id));
                }
            }
            case VisitorPass value -> passes.put(value.id(), value);
            case SigningKey value -> signingKeys.put(value.kid(), value);
            case dev.gatehouse.protocol.model.Room value -> rooms.put(value.id(), value);
            case dev.gatehouse.protocol.model.Agreement value -> agreements.put(value.id(), value);
            case dev.gatehouse.protocol.model.WifiVoucher value -> vouchers.put(value.id(), value);
        }
        return this;
    }

    /** Removes an entity; removing an absent one is harmless. */
    public InMemoryEntitlements remove(EntityKind kind, String key) {
        switch (kind) {
            case SITE -> {
                if (site != null && site.id().equals(key)) {
                    site = null;
                }
            }
            case DOOR -> doors.remove(DoorId.of(key));
            case CREDENTIAL -> {
                Credential old = credentials.remove(CredentialId.of(key));
                if (old != null) {
                    old.cardHash().ifPresent(hash -> credentialsByHash.remove(hash, old));
                }
            }
            case MEMBER -> members.remove(MemberId.of(key));
            case GRANT -> {
                Grant old = grants.remove(GrantId.of(key));
                if (old != null) {
                    grantsByMember.get(old.member()).remove(old);
                }
            }
            case DOOR_GROUP -> doorGroups.remove(DoorGroupId.of(key));
            case SCHEDULE -> schedules.remove(ScheduleId.of(key));
            case BOOKING -> {
                Booking old = bookings.remove(BookingId.of(key));
                if (old != null) {
                    bookingMembers(old).forEach(who -> bookingsByMember.get(who).remove(old));
                }
            }
            case VISITOR_PASS -> passes.remove(PassId.of(key));
            case SIGNING_KEY -> signingKeys.remove(key);
            case ROOM -> rooms.remove(key);
            case AGREEMENT -> agreements.remove(key);
            case WIFI_VOUCHER -> vouchers.remove(key);
        }
        return this;
    }

    /** Records that a single-use pass opened a door (the edge does this in the same transaction as the event). */
    public InMemoryEntitlements markPassUsed(PassId pass) {
        usedPasses.add(pass);
        return this;
    }

    /** Records a check-in of the booking at this site (the edge does this in the same transaction as the event). */
    public InMemoryEntitlements markCheckedIn(BookingId booking, Instant at) {
        checkIns.putIfAbsent(booking, at);
        return this;
    }

    /** Records that a grant spent a day here (the edge does this in the same transaction as the event). */
    public InMemoryEntitlements markPassDay(GrantId grant, LocalDate day) {
        passDays.computeIfAbsent(grant, id -> new HashSet<>()).add(day);
        return this;
    }

    private static List<MemberId> bookingMembers(Booking booking) {
        List<MemberId> all = new ArrayList<>(booking.invitees());
        all.add(booking.member());
        return all;
    }

    /** The visitor agreements, in id order (a site gets at most one). */
    public List<dev.gatehouse.protocol.model.Agreement> agreements() {
        return List.copyOf(agreements.values());
    }

    /** The site's Wi-Fi vouchers, every edge's, in id order. */
    public List<dev.gatehouse.protocol.model.WifiVoucher> wifiVouchers() {
        return List.copyOf(vouchers.values());
    }

    /** The rooms' A/V controllers, in id order. */
    public List<dev.gatehouse.protocol.model.Room> rooms() {
        return List.copyOf(rooms.values());
    }

    public List<SigningKey> signingKeys() {
        return List.copyOf(signingKeys.values());
    }

    @Override
    public Optional<Site> site() {
        return Optional.ofNullable(site);
    }

    @Override
    public Optional<Door> door(DoorId id) {
        return Optional.ofNullable(doors.get(id));
    }

    @Override
    public Optional<Credential> credentialByCardHash(String cardHash) {
        return Optional.ofNullable(credentialsByHash.get(cardHash));
    }

    @Override
    public Optional<Credential> credential(CredentialId id) {
        return Optional.ofNullable(credentials.get(id));
    }

    @Override
    public Optional<Member> member(MemberId id) {
        return Optional.ofNullable(members.get(id));
    }

    @Override
    public List<Grant> grantsOf(MemberId member) {
        return grantsByMember.getOrDefault(member, List.of());
    }

    @Override
    public Optional<DoorGroup> doorGroup(DoorGroupId id) {
        return Optional.ofNullable(doorGroups.get(id));
    }

    @Override
    public Optional<Schedule> schedule(ScheduleId id) {
        return Optional.ofNullable(schedules.get(id));
    }

    @Override
    public List<Booking> bookingsOf(MemberId member) {
        return bookingsByMember.getOrDefault(member, List.of());
    }

    @Override
    public Optional<Instant> checkedIn(BookingId booking) {
        return Optional.ofNullable(checkIns.get(booking));
    }

    @Override
    public Optional<VisitorPass> visitorPass(PassId id) {
        return Optional.ofNullable(passes.get(id));
    }

    @Override
    public Optional<VisitorPass> visitorPassByPinHash(String pinHash) {
        return passes.values().stream()
                .filter(pass -> pass.pinHash().equals(Optional.ofNullable(pinHash)))
                .findFirst();
    }

    @Override
    public boolean visitorPassUsed(PassId id) {
        return usedPasses.contains(id);
    }

    @Override
    public Set<LocalDate> passDaysSpent(GrantId grant) {
        return Set.copyOf(passDays.getOrDefault(grant, Set.of()));
    }
}
