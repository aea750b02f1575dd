package dev.gatehouse.edge.cache;

import com.nimbusds.jose.jwk.ECKey;
import dev.gatehouse.protocol.message.AccessEvent;
import dev.gatehouse.protocol.message.Change;
import dev.gatehouse.protocol.message.DoorEvent;
import dev.gatehouse.protocol.message.DoorEventKind;
import dev.gatehouse.protocol.message.Envelope;
import dev.gatehouse.protocol.message.SnapshotChunk;
import dev.gatehouse.protocol.message.SyncBatch;
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
import dev.gatehouse.protocol.model.EntityKind;
import dev.gatehouse.protocol.model.Grant;
import dev.gatehouse.protocol.model.GrantBasis;
import dev.gatehouse.protocol.model.GrantId;
import dev.gatehouse.protocol.model.HolidayRule;
import dev.gatehouse.protocol.model.Member;
import dev.gatehouse.protocol.model.MemberId;
import dev.gatehouse.protocol.model.MemberStatus;
import dev.gatehouse.protocol.model.PassId;
import dev.gatehouse.protocol.model.PassStatus;
import dev.gatehouse.protocol.model.PresentedKind;
import dev.gatehouse.protocol.model.Schedule;
import dev.gatehouse.protocol.model.ScheduleId;
import dev.gatehouse.protocol.model.Site;
import dev.gatehouse.protocol.model.TimeWindow;
import dev.gatehouse.protocol.model.VisitorPass;
import dev.gatehouse.protocol.sign.KeySet;
import dev.gatehouse.protocol.sign.SigningKeys;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.DayOfWeek;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneId;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/** Entities, batches, snapshot chunks and events for the cache tests, all of tenant {@code acme}, site {@code hq-berlin}. */
final class CacheFixtures {
    static final String TENANT = "acme";
    static final String SITE = "hq-berlin";
    static final Instant T0 = Instant.parse("2026-03-02T08:00:00Z");

    private CacheFixtures() {}

    static SqliteEntitlementCache open(Path directory) {
        return SqliteEntitlementCache.open(directory.resolve("cache.db"), TENANT, SITE);
    }

    /** A card hash as a reader would make it (here: SHA-256 of a name, standing in for the keyed HMAC of a UID). */
    static String hash(String card) {
        try {
            return HexFormat.of()
                    .formatHex(MessageDigest.getInstance("SHA-256").digest(card.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    static Site site() {
        return new Site(SITE, ZoneId.of("Europe/Berlin"), Set.of(LocalDate.of(2026, 12, 25)));
    }

    static Member member(String id) {
        return new Member(MemberId.of(id), MemberStatus.ACTIVE, Set.of("member"));
    }

    static Member member(String id, MemberStatus status, String... roles) {
        return new Member(MemberId.of(id), status, Set.of(roles));
    }

    static Credential card(String id, String member, String cardHash) {
        return card(id, member, cardHash, CredentialStatus.ACTIVE);
    }

    static Credential card(String id, String member, String cardHash, CredentialStatus status) {
        return new Credential(
                CredentialId.of(id),
                MemberId.of(member),
                CredentialType.NFC_CARD,
                Optional.of(cardHash),
                status,
                Optional.empty(),
                Optional.empty());
    }

    static Credential qr(String id, String member) {
        return new Credential(
                CredentialId.of(id),
                MemberId.of(member),
                CredentialType.MEMBER_QR,
                Optional.empty(),
                CredentialStatus.ACTIVE,
                Optional.of(T0),
                Optional.of(T0.plus(Duration.ofDays(365))));
    }

    static Door door(String id) {
        return door(id, 5);
    }

    /** Door {@code id} unlocking for {@code unlockSeconds}: tests tell two states of one door apart by it. */
    static Door door(String id, int unlockSeconds) {
        return new Door(
                DoorId.of(id),
                "Door " + id,
                Duration.ofSeconds(unlockSeconds),
                DegradedMode.STAFF_ONLY,
                DegradedMode.KEEP_GRANTING,
                Duration.ofHours(72));
    }

    static DoorGroup doorGroup(String id, String... doors) {
        return new DoorGroup(DoorGroupId.of(id), ids(doors));
    }

    static Schedule weekdays(String id) {
        return new Schedule(
                ScheduleId.of(id),
                List.of(
                        TimeWindow.of(DayOfWeek.MONDAY, "08:00", "18:00"),
                        TimeWindow.of(DayOfWeek.FRIDAY, "08:00", "14:30")),
                HolidayRule.CLOSED);
    }

    static Grant grant(String id, String member, String... doors) {
        return new Grant(
                GrantId.of(id),
                MemberId.of(member),
                Set.of(),
                ids(doors),
                Optional.empty(),
                Optional.empty(),
                Optional.empty());
    }

    static Booking booking(String id, String member, String door) {
        return new Booking(
                BookingId.of(id),
                MemberId.of(member),
                Set.of(DoorId.of(door)),
                T0.plus(Duration.ofHours(1)),
                T0.plus(Duration.ofHours(2)),
                Duration.ofMinutes(10),
                Duration.ofMinutes(5));
    }

    static VisitorPass pass(String id, boolean singleUse) {
        return new VisitorPass(
                PassId.of(id),
                Optional.of(MemberId.of("m-host")),
                Set.of(),
                Set.of(DoorId.of("main")),
                T0,
                T0.plus(Duration.ofHours(10)),
                singleUse,
                PassStatus.ACTIVE);
    }

    static KeySet keys(String... kids) {
        ECKey[] keys = new ECKey[kids.length];
        for (int i = 0; i < kids.length; i++) {
            keys[i] = SigningKeys.generate(kids[i]);
        }
        return KeySet.of(keys);
    }

    private static Set<DoorId> ids(String... doors) {
        return Set.of(doors).stream().map(DoorId::of).collect(java.util.stream.Collectors.toSet());
    }

    static Change upsert(Entity entity) {
        return new Change.Upsert(entity);
    }

    static Change remove(EntityKind kind, String key) {
        return new Change.Remove(kind, key);
    }

    /** A verified sync batch of {@code changes} starting at {@code fromSeq}, sent at {@code time}. */
    static Envelope batch(long fromSeq, Instant time, Change... changes) {
        return batch(TENANT, SITE, fromSeq, time, List.of(changes));
    }

    static Envelope batch(long fromSeq, Change... changes) {
        return batch(fromSeq, T0, changes);
    }

    static Envelope batch(String tenant, String site, long fromSeq, Instant time, List<Change> changes) {
        long toSeq = fromSeq + changes.size() - 1;
        return new Envelope("sb-" + fromSeq + "-" + toSeq, time, new SyncBatch(tenant, site, fromSeq, toSeq, changes));
    }

    static Envelope chunk(String snapshotId, long seq, int index, int count, Entity... entities) {
        return chunk(snapshotId, seq, index, count, T0, List.of(entities));
    }

    static Envelope chunk(String snapshotId, long seq, int index, int count, Instant time, List<Entity> entities) {
        return new Envelope(
                "ss-" + snapshotId + "-" + index,
                time,
                new SnapshotChunk(TENANT, SITE, snapshotId, seq, index, count, entities));
    }

    static Envelope accessEvent(String id) {
        return new Envelope(
                id,
                T0,
                new AccessEvent(
                        SITE,
                        DoorId.of("main"),
                        PresentedKind.VISITOR_QR,
                        Optional.empty(),
                        Optional.empty(),
                        Optional.empty(),
                        Optional.of(PassId.of("vp-1")),
                        true,
                        Optional.of(GrantBasis.VISITOR_PASS),
                        Optional.empty(),
                        ClockStatus.TRUSTED));
    }

    static Envelope doorEvent(String id) {
        return new Envelope(
                id,
                T0,
                new DoorEvent(SITE, DoorId.of("main"), DoorEventKind.FORCED_OPEN, Optional.of("contact opened")));
    }
}
