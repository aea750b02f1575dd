package dev.gatehouse.edge.cache;

import static dev.gatehouse.edge.cache.CacheFixtures.T0;
import static org.assertj.core.api.Assertions.assertThat;

import dev.gatehouse.protocol.message.Change;
import dev.gatehouse.protocol.message.Envelope;
import dev.gatehouse.protocol.model.Booking;
import dev.gatehouse.protocol.model.BookingId;
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
import dev.gatehouse.protocol.model.EntityKind;
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
import dev.gatehouse.protocol.model.SigningKey;
import dev.gatehouse.protocol.model.Site;
import dev.gatehouse.protocol.model.TimeWindow;
import dev.gatehouse.protocol.model.VisitorPass;
import dev.gatehouse.protocol.policy.Entitlements;
import dev.gatehouse.protocol.policy.InMemoryEntitlements;
import java.nio.file.Path;
import java.time.DayOfWeek;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The SQLite cache answers every lookup exactly as {@link InMemoryEntitlements}, the protocol's
 * reference, does after the same changes: a seeded random change log of a few hundred entries,
 * delivered in batches that overlap, repeat and leave gaps, compared lookup by lookup after each
 * delivery, after a restart, and after installing the final state as a shuffled snapshot.
 */
class ReferenceEquivalenceTest {
    private static final int LOG_LENGTH = 400;

    @TempDir
    Path directory;

    @ParameterizedTest(name = "seed {0}")
    @ValueSource(longs = {1, 2, 3})
    void theCacheAnswersLikeTheReferenceAfterEveryDelivery(long seed) {
        // Why: the hub explains decisions with the reference; an edge that stored, indexed or
        // ordered anything differently would decide differently from what the hub explains.
        Universe universe = new Universe(new Random(seed));
        List<Change> log = universe.log(LOG_LENGTH);
        Random random = new Random(seed * 31);
        InMemoryEntitlements reference = new InMemoryEntitlements();
        long applied = 0;
        int deliveries = 0;
        try (SqliteEntitlementCache cache = CacheFixtures.open(directory)) {
            while (applied < log.size()) {
                int kind = random.nextInt(10);
                long from;
                long to;
                if (kind == 0 && applied > 0) { // a repeat of something already applied
                    to = 1 + random.nextInt((int) applied);
                    from = Math.max(1, to - random.nextInt(5));
                } else if (kind == 1) { // a gap
                    from = applied + 2 + random.nextInt(3);
                    to = from + random.nextInt(5);
                } else { // the next batch, overlapping what we have by up to 3 changes
                    from = Math.max(1, applied + 1 - random.nextInt(4));
                    to = Math.min(log.size(), applied + 1 + random.nextInt(25));
                }
                if (to > log.size()) {
                    continue;
                }
                Envelope batch = CacheFixtures.batch(
                        from,
                        T0.plusSeconds(deliveries),
                        log.subList((int) from - 1, (int) to).toArray(Change[]::new));
                ApplyResult result = cache.apply(batch);
                if (to <= applied) {
                    assertThat(result).isEqualTo(new ApplyResult.Repeat(applied));
                } else if (from > applied + 1) {
                    assertThat(result).isEqualTo(new ApplyResult.Gap(applied));
                } else {
                    assertThat(result).isEqualTo(new ApplyResult.Applied(applied + 1, to));
                    for (long seq = applied + 1; seq <= to; seq++) {
                        reference.apply(log.get((int) seq - 1));
                    }
                    applied = to;
                }
                if (random.nextInt(4) == 0) {
                    PassId pass = universe.passId(random);
                    boolean first = cache.recordPassUse(pass, "ev-" + deliveries);
                    assertThat(first).isEqualTo(!reference.visitorPassUsed(pass));
                    reference.markPassUsed(pass);
                }
                assertThat(cache.seq()).isEqualTo(applied);
                assertSameLookups(cache, reference, universe);
                assertSameReleasesDue(cache, reference, universe);
                // A view takes the site, doors, door groups and schedules from memory: after every
                // commit it must answer as the reference too.
                cache.reading(view -> {
                    assertSameLookups(view, reference, universe);
                    return true;
                });
                deliveries++;
            }
            cache.reading(view -> {
                assertSameLookups(view, reference, universe);
                return true;
            });
        }
        try (SqliteEntitlementCache reopened = CacheFixtures.open(directory)) {
            assertSameLookups(reopened, reference, universe);
            assertSameReleasesDue(reopened, reference, universe);
            assertThat(reopened.trustedKeys().keyIds())
                    .containsExactlyInAnyOrderElementsOf(reference.signingKeys().stream()
                            .map(SigningKey::kid)
                            .toList());
        }
        assertThat(deliveries).isGreaterThan(20);
    }

    @Test
    void aSnapshotOfTheReferenceStateInstallsToTheSameAnswers() {
        // Why: the snapshot path writes through bulk inserts and a rebuilt card index; it must end
        // in exactly the state the change log would have produced.
        Universe universe = new Universe(new Random(99));
        List<Change> log = universe.log(LOG_LENGTH);
        InMemoryEntitlements reference = new InMemoryEntitlements();
        Map<String, Entity> state = new LinkedHashMap<>();
        for (Change change : log) {
            reference.apply(change);
            switch (change) {
                case Change.Upsert upsert -> {
                    if (upsert.entity() instanceof Site) {
                        state.keySet().removeIf(key -> key.startsWith("SITE/"));
                    }
                    state.put(upsert.kind() + "/" + upsert.key(), upsert.entity());
                }
                case Change.Remove remove -> {
                    state.remove(remove.kind() + "/" + remove.key());
                }
            }
        }
        List<Entity> entities = new ArrayList<>(state.values());
        Collections.shuffle(entities, new Random(5));
        List<List<Entity>> chunks = new ArrayList<>();
        for (int i = 0; i < entities.size(); i += 17) {
            chunks.add(entities.subList(i, Math.min(entities.size(), i + 17)));
        }
        List<Integer> order = new ArrayList<>();
        for (int i = 0; i < chunks.size(); i++) {
            order.add(i);
        }
        Collections.shuffle(order, new Random(6));
        try (SqliteEntitlementCache cache = CacheFixtures.open(directory)) {
            // Something stale that the snapshot must remove.
            cache.apply(CacheFixtures.batch(
                    1, CacheFixtures.upsert(CacheFixtures.card("c-stale", "m-stale", CacheFixtures.hash("stale")))));
            SnapshotResult last = null;
            for (int index : order) {
                last = cache.offer(
                        CacheFixtures.chunk("snap", LOG_LENGTH, index, chunks.size(), T0, chunks.get(index)));
            }
            assertThat(last).isEqualTo(new SnapshotResult.Installed(LOG_LENGTH));
            assertSameLookups(cache, reference, universe);
            assertSameReleasesDue(cache, reference, universe);
            cache.reading(view -> {
                assertSameLookups(view, reference, universe);
                return true;
            });
            assertThat(cache.credential(CredentialId.of("c-stale"))).isEmpty();
        }
    }

    /**
     * The bookings due for release answer as the reference says, probed at every booking's release
     * time: the lookup of bookings that need a check-in must follow every upsert, remove and snapshot.
     */
    private static void assertSameReleasesDue(EdgeCache actual, InMemoryEntitlements expected, Universe universe) {
        List<Booking> all = universe.members.stream()
                .flatMap(member -> expected.bookingsOf(member).stream())
                .distinct()
                .toList();
        for (Booking probe : all) {
            if (probe.releaseAt().isEmpty()) {
                continue;
            }
            Instant at = probe.releaseAt().get();
            List<BookingId> due = all.stream()
                    .filter(b -> b.releasedAt(at, Optional.empty()))
                    .filter(b -> !b.start().isBefore(at.minus(Duration.ofHours(26))))
                    .sorted(java.util.Comparator.comparing(Booking::start).thenComparing(Booking::id))
                    .map(Booking::id)
                    .toList();
            assertThat(actual.releasesDue(at).stream().map(Booking::id).toList())
                    .as("bookings due for release at %s", at)
                    .containsExactlyElementsOf(due);
        }
    }

    /** Compares every lookup of {@code actual} with {@code expected} over every id the log can name, present or not. */
    private static void assertSameLookups(Entitlements actual, InMemoryEntitlements expected, Universe universe) {
        assertThat(actual.site()).isEqualTo(expected.site());
        for (DoorId id : universe.doors) {
            assertThat(actual.door(id)).as("door %s", id).isEqualTo(expected.door(id));
        }
        for (String hash : universe.hashes) {
            assertThat(actual.credentialByCardHash(hash))
                    .as("card %s", hash)
                    .isEqualTo(expected.credentialByCardHash(hash));
        }
        for (CredentialId id : universe.credentials) {
            assertThat(actual.credential(id)).as("credential %s", id).isEqualTo(expected.credential(id));
        }
        for (MemberId id : universe.members) {
            assertThat(actual.member(id)).as("member %s", id).isEqualTo(expected.member(id));
            assertThat(actual.grantsOf(id)).as("grants of %s", id).containsExactlyElementsOf(expected.grantsOf(id));
            assertThat(actual.bookingsOf(id))
                    .as("bookings of %s", id)
                    .containsExactlyElementsOf(expected.bookingsOf(id));
        }
        for (DoorGroupId id : universe.groups) {
            assertThat(actual.doorGroup(id)).as("door group %s", id).isEqualTo(expected.doorGroup(id));
        }
        for (ScheduleId id : universe.schedules) {
            assertThat(actual.schedule(id)).as("schedule %s", id).isEqualTo(expected.schedule(id));
        }
        for (PassId id : universe.passes) {
            assertThat(actual.visitorPass(id)).as("pass %s", id).isEqualTo(expected.visitorPass(id));
            assertThat(actual.visitorPassUsed(id)).as("pass %s used", id).isEqualTo(expected.visitorPassUsed(id));
        }
    }

    /**
     * The ids a random change log draws from (small, so that upserts replace and removes hit), and
     * the log itself. Card hashes are drawn so that the log never enrolls one card twice at once:
     * the hub never produces such a log (the rollback of one is tested on its own).
     */
    private static final class Universe {
        final List<MemberId> members = ids(24, i -> MemberId.of("m-" + i));
        final List<CredentialId> credentials = ids(40, i -> CredentialId.of("c-" + i));
        final List<String> hashes = ids(50, i -> CacheFixtures.hash("card-" + i));
        final List<DoorId> doors = ids(8, i -> DoorId.of("door-" + i));
        final List<DoorGroupId> groups = ids(4, i -> DoorGroupId.of("group-" + i));
        final List<ScheduleId> schedules = ids(4, i -> ScheduleId.of("schedule-" + i));
        final List<GrantId> grants = ids(40, i -> GrantId.of("g-" + i));
        final List<BookingId> bookings = ids(25, i -> BookingId.of("bk-" + i));
        final List<PassId> passes = ids(10, i -> PassId.of("vp-" + i));
        final List<SigningKey> keys = CacheFixtures.keys("k-0", "k-1", "k-2").toSigningKeys();
        private final Random random;

        Universe(Random random) {
            this.random = random;
        }

        private static <T> List<T> ids(int count, java.util.function.IntFunction<T> id) {
            List<T> list = new ArrayList<>();
            for (int i = 0; i < count; i++) {
                list.add(id.apply(i));
            }
            return List.copyOf(list);
        }

        PassId passId(Random random) {
            return pick(random, passes);
        }

        private static <T> T pick(Random random, List<T> list) {
            return list.get(random.nextInt(list.size()));
        }

        List<Change> log(int length) {
            InMemoryEntitlements model = new InMemoryEntitlements();
            List<Change> log = new ArrayList<>();
            while (log.size() < length) {
                Change change = random.nextInt(10) < 7 ? new Change.Upsert(entity(model)) : remove();
                try {
                    model.apply(change);
                } catch (RuntimeException e) {
                    throw new IllegalStateException("the generator made an invalid log entry " + change, e);
                }
                log.add(change);
            }
            return log;
        }

        private Change remove() {
            EntityKind kind = EntityKind.values()[random.nextInt(EntityKind.values().length)];
            String key =
                    switch (kind) {
                        case SITE -> random.nextBoolean() ? CacheFixtures.SITE : "hq-elsewhere";
                        case MEMBER -> pick(random, members).value();
                        case CREDENTIAL -> pick(random, credentials).value();
                        case DOOR -> pick(random, doors).value();
                        case DOOR_GROUP -> pick(random, groups).value();
                        case SCHEDULE -> pick(random, schedules).value();
                        case GRANT -> pick(random, grants).value();
                        case BOOKING -> pick(random, bookings).value();
                        case VISITOR_PASS -> pick(random, passes).value();
                        case SIGNING_KEY -> pick(random, keys).kid();
                        case ROOM -> "room-" + random.nextInt(3); // decides no door
                        case AGREEMENT -> "agr-" + random.nextInt(2); // decides no door
                        case WIFI_VOUCHER -> "wv-" + random.nextInt(3); // decides no door
                    };
            return new Change.Remove(kind, key);
        }

        /** A booking, now and then with invitees (found by each of them) and a check-in (released without one). */
        private Booking booking(Instant at) {
            MemberId member = pick(random, members);
            Set<MemberId> invitees = new TreeSet<>();
            for (int i = random.nextInt(4); i > 0; i--) {
                invitees.add(pick(random, members));
            }
            invitees.remove(member);
            return new Booking(
                    pick(random, bookings),
                    member,
                    someDoors(1),
                    at,
                    at.plus(Duration.ofMinutes(30 + random.nextInt(120))),
                    Duration.ofMinutes(random.nextInt(30)),
                    Duration.ofMinutes(random.nextInt(30)),
                    Optional.of("res-" + random.nextInt(3)),
                    invitees,
                    random.nextBoolean()
                            ? Optional.of(Booking.CheckIn.required(
                                    Duration.ofMinutes(random.nextInt(20)), Duration.ofMinutes(5 + random.nextInt(25))))
                            : Optional.empty(),
                    Optional.empty());
        }

        private Entity entity(InMemoryEntitlements model) {
            Instant at = T0.plus(Duration.ofHours(random.nextInt(1000)));
            return switch (random.nextInt(10)) {
                case 0 ->
                    random.nextInt(4) == 0
                            ? new Site("hq-elsewhere", ZoneId.of("America/New_York"), Set.of())
                            : new Site(
                                    CacheFixtures.SITE,
                                    ZoneId.of("Europe/Berlin"),
                                    Set.of(LocalDate.of(2026, 1 + random.nextInt(12), 1 + random.nextInt(28))));
                case 1 ->
                    new Member(
                            pick(random, members),
                            MemberStatus.values()[random.nextInt(MemberStatus.values().length)],
                            random.nextBoolean() ? Set.of("member") : Set.of("member", "staff"));
                case 2, 3 -> credential(model);
                case 4 ->
                    new Door(
                            pick(random, doors),
                            "Door " + random.nextInt(100) + " „Spree“",
                            Duration.ofSeconds(1 + random.nextInt(60)),
                            DegradedMode.values()[random.nextInt(3)],
                            DegradedMode.values()[random.nextInt(3)],
                            Duration.ofHours(random.nextInt(100)));
                case 5 -> new DoorGroup(pick(random, groups), someDoors(0));
                case 6 ->
                    new Schedule(
                            pick(random, schedules),
                            List.of(TimeWindow.of(
                                    DayOfWeek.of(1 + random.nextInt(7)), "0" + random.nextInt(10) + ":00", "18:30")),
                            random.nextBoolean() ? HolidayRule.CLOSED : HolidayRule.IGNORED);
                case 7 ->
                    new Grant(
                            pick(random, grants),
                            pick(random, members),
                            random.nextBoolean() ? Set.of(pick(random, groups)) : Set.of(),
                            someDoors(1),
                            random.nextBoolean() ? Optional.of(pick(random, schedules)) : Optional.empty(),
                            random.nextBoolean() ? Optional.of(at) : Optional.empty(),
                            random.nextBoolean() ? Optional.of(at.plus(Duration.ofDays(30))) : Optional.empty());
                case 8 -> booking(at);
                default ->
                    random.nextInt(3) == 0
                            ? pick(random, keys)
                            : new VisitorPass(
                                    pick(random, passes),
                                    random.nextBoolean() ? Optional.of(pick(random, members)) : Optional.empty(),
                                    Set.of(),
                                    someDoors(1),
                                    at,
                                    at.plus(Duration.ofHours(8)),
                                    random.nextBoolean(),
                                    random.nextBoolean() ? PassStatus.ACTIVE : PassStatus.REVOKED);
            };
        }

        private Credential credential(InMemoryEntitlements model) {
            CredentialId id = pick(random, credentials);
            MemberId member = pick(random, members);
            CredentialStatus status = CredentialStatus.values()[random.nextInt(CredentialStatus.values().length)];
            if (random.nextInt(4) == 0) {
                return new Credential(
                        id,
                        member,
                        CredentialType.MEMBER_QR,
                        Optional.empty(),
                        status,
                        Optional.empty(),
                        Optional.empty());
            }
            // A hash that is free, or already this credential's.
            List<String> free = hashes.stream()
                    .filter(hash -> model.credentialByCardHash(hash)
                            .map(holder -> holder.id().equals(id))
                            .orElse(true))
                    .collect(Collectors.toCollection(ArrayList::new));
            return new Credential(
                    id,
                    member,
                    CredentialType.NFC_CARD,
                    Optional.of(pick(random, free)),
                    status,
                    random.nextBoolean() ? Optional.of(T0) : Optional.empty(),
                    Optional.empty());
        }

        private Set<DoorId> someDoors(int atLeast) {
            Set<DoorId> chosen = new TreeSet<>((a, b) -> a.value().compareTo(b.value()));
            int count = atLeast + random.nextInt(3);
            for (int i = 0; i < count; i++) {
                chosen.add(pick(random, doors));
            }
            return Set.copyOf(chosen);
        }
    }
}
