package dev.gatehouse.protocol.cli;

import com.nimbusds.jose.jwk.ECKey;
import dev.gatehouse.protocol.card.CardHasher;
import dev.gatehouse.protocol.message.Change;
import dev.gatehouse.protocol.message.Envelope;
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
import dev.gatehouse.protocol.policy.AccessRequest;
import dev.gatehouse.protocol.policy.Decision;
import dev.gatehouse.protocol.policy.DoorMode;
import dev.gatehouse.protocol.policy.Evaluation;
import dev.gatehouse.protocol.policy.InMemoryEntitlements;
import dev.gatehouse.protocol.policy.PolicyEngine;
import dev.gatehouse.protocol.policy.Presented;
import dev.gatehouse.protocol.qr.QrClaims;
import dev.gatehouse.protocol.qr.QrKind;
import dev.gatehouse.protocol.qr.QrResult;
import dev.gatehouse.protocol.qr.QrTokens;
import dev.gatehouse.protocol.sign.Inbound;
import dev.gatehouse.protocol.sign.KeySet;
import dev.gatehouse.protocol.sign.SignedMessages;
import dev.gatehouse.protocol.sign.SigningKeys;
import dev.gatehouse.protocol.topic.Channel;
import dev.gatehouse.protocol.topic.Topic;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.DayOfWeek;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * The end-to-end demo: a hub signs a sync batch for a Berlin site, the edge verifies it as received
 * on its topic and applies it, and doors decide a series of presentations — cards, QR codes, a
 * visitor pass, lockdown, emergency release, an untrusted clock — each printed with its reason.
 */
final class Demo {
    private static final String TENANT = "acme";
    private static final String SITE = "hq-berlin";
    private static final ZoneId BERLIN = ZoneId.of("Europe/Berlin");

    private final PrintStream out;

    Demo(PrintStream out) {
        this.out = out;
    }

    int run() {
        ECKey hubKey = SigningKeys.generate("hub-2026-11");
        KeySet trusted = KeySet.of(hubKey);
        byte[] cardKey = new byte[32];
        new SecureRandom().nextBytes(cardKey);
        CardHasher cards = new CardHasher(cardKey);

        // Monday 23 November 2026, 09:00 in Berlin.
        Instant monday9 = ZonedDateTime.of(2026, 11, 23, 9, 0, 0, 0, BERLIN).toInstant();
        String aliceCard = "04:A2:2B:1C:5D:80:00";
        String bobCard = "04:11:22:33:44:55:66";
        String strayCard = "DE:AD:BE:EF";

        List<Entity> entities = new ArrayList<>();
        entities.add(new Site(SITE, BERLIN, Set.of(LocalDate.of(2026, 12, 25))));
        entities.add(Door.standard("main-entrance", "Main entrance"));
        entities.add(new Door(
                DoorId.of("server-room"),
                "Server room",
                Duration.ofSeconds(3),
                DegradedMode.STAFF_ONLY,
                DegradedMode.DENY,
                Duration.ofHours(24)));
        entities.add(Door.standard("room-1", "Meeting room 1"));
        entities.add(new DoorGroup(DoorGroupId.of("entrances"), Set.of(DoorId.of("main-entrance"))));
        List<TimeWindow> weekdays = new ArrayList<>();
        for (DayOfWeek day : List.of(
                DayOfWeek.MONDAY, DayOfWeek.TUESDAY, DayOfWeek.WEDNESDAY, DayOfWeek.THURSDAY, DayOfWeek.FRIDAY)) {
            weekdays.add(TimeWindow.of(day, "08:00", "18:00"));
        }
        entities.add(new Schedule(ScheduleId.of("office-hours"), weekdays, HolidayRule.CLOSED));
        entities.add(new Member(MemberId.of("alice"), MemberStatus.ACTIVE, Set.of()));
        entities.add(new Member(MemberId.of("bob"), MemberStatus.SUSPENDED, Set.of()));
        entities.add(new Member(MemberId.of("sam"), MemberStatus.ACTIVE, Set.of("staff", "security")));
        entities.add(card("alice-card", "alice", cards.hashHex(aliceCard)));
        entities.add(card("bob-card", "bob", cards.hashHex(bobCard)));
        entities.add(qrCredential("alice-qr", "alice"));
        entities.add(qrCredential("sam-qr", "sam"));
        entities.add(grant("alice-hot-desk", "alice", Set.of("entrances"), Set.of(), Optional.of("office-hours")));
        entities.add(grant("bob-hot-desk", "bob", Set.of("entrances"), Set.of(), Optional.of("office-hours")));
        entities.add(grant("sam-all", "sam", Set.of("entrances"), Set.of("server-room"), Optional.empty()));
        entities.add(new Booking(
                BookingId.of("bk-77"),
                MemberId.of("alice"),
                Set.of(DoorId.of("room-1")),
                monday9.plus(Duration.ofHours(1)),
                monday9.plus(Duration.ofHours(2)),
                Duration.ofMinutes(10),
                Duration.ofMinutes(5)));
        entities.add(new VisitorPass(
                PassId.of("visit-olga"),
                Optional.of(MemberId.of("alice")),
                Set.of("entrances").stream().map(DoorGroupId::of).collect(java.util.stream.Collectors.toSet()),
                Set.of(),
                monday9.minus(Duration.ofHours(1)),
                monday9.plus(Duration.ofHours(8)),
                true,
                PassStatus.ACTIVE));
        entities.addAll(trusted.toSigningKeys());

        // Hub side: the change log as one signed batch on the edge's sync topic.
        List<Change> changes = entities.stream().<Change>map(Change.Upsert::new).toList();
        Envelope batch = new Envelope(
                "batch-1", monday9.minusSeconds(60), new SyncBatch(TENANT, SITE, 1, changes.size(), changes));
        String signed = SignedMessages.sign(batch, hubKey);
        Topic topic = Topic.of(TENANT, SITE, "pi-1", Channel.SYNC);
        out.println("Gatehouse protocol demo — tenant " + TENANT + ", site " + SITE + " (Europe/Berlin)");
        out.println();
        out.println("hub   signs sync batch 1.." + changes.size() + " (" + signed.length() + " bytes, ES256, kid "
                + hubKey.getKeyID() + ") on " + topic);

        // Edge side: verify as received, then apply.
        Envelope received =
                Inbound.read(topic, signed.getBytes(StandardCharsets.US_ASCII), trusted, monday9, ClockStatus.TRUSTED);
        InMemoryEntitlements cache = new InMemoryEntitlements();
        received.payloadAs(SyncBatch.class).changes().forEach(cache::apply);
        out.println("edge  verified and applied it: " + entities.size() + " entities, seq " + changes.size());
        String tampered = signed.substring(0, signed.indexOf('.') + 5)
                + (signed.charAt(signed.indexOf('.') + 5) == 'A' ? 'B' : 'A')
                + signed.substring(signed.indexOf('.') + 6);
        try {
            Inbound.read(topic, tampered.getBytes(StandardCharsets.US_ASCII), trusted, monday9, ClockStatus.TRUSTED);
            out.println("edge  ACCEPTED a tampered batch — this must never happen");
            return 1;
        } catch (dev.gatehouse.protocol.ProtocolException e) {
            out.println("edge  rejected a tampered copy: " + e.error());
        }
        out.println();

        ECKey forger = SigningKeys.generate(hubKey.getKeyID());
        String aliceQr = QrTokens.issue(memberQr("alice-qr", monday9), hubKey);
        String forgedQr = QrTokens.issue(memberQr("alice-qr", monday9), forger);
        String visitorQr = QrTokens.issue(
                new QrClaims(
                        TENANT,
                        Set.of(SITE),
                        QrKind.VISITOR,
                        "visit-olga",
                        true,
                        monday9.minusSeconds(60),
                        monday9.plus(Duration.ofHours(8)),
                        QrTokens.newTokenId()),
                hubKey);
        out.println("hub   issues alice's member QR token: " + aliceQr.length() + " characters");
        out.println();
        out.printf("%-46s %-15s %s%n", "presentation", "door", "decision");

        decide(
                cache,
                "alice taps her card, Monday 09:00",
                new Presented.Card(cards.hashHex(aliceCard)),
                "main-entrance",
                monday9);
        decide(
                cache,
                "alice taps her card, Monday 23:00",
                new Presented.Card(cards.hashHex(aliceCard)),
                "main-entrance",
                monday9.plus(Duration.ofHours(14)));
        decide(
                cache,
                "alice taps at the server room",
                new Presented.Card(cards.hashHex(aliceCard)),
                "server-room",
                monday9);
        decide(
                cache,
                "alice at room 1, 9:50 (booking 10-11, -10m)",
                new Presented.Card(cards.hashHex(aliceCard)),
                "room-1",
                monday9.plus(Duration.ofMinutes(50)));
        decide(
                cache,
                "bob (suspended) taps his valid card",
                new Presented.Card(cards.hashHex(bobCard)),
                "main-entrance",
                monday9);
        decide(cache, "a stray card", new Presented.Card(cards.hashHex(strayCard)), "main-entrance", monday9);
        decide(cache, "alice scans her QR code", qr(aliceQr, trusted, monday9), "main-entrance", monday9);
        decide(cache, "a forged QR code", qr(forgedQr, trusted, monday9), "main-entrance", monday9);
        decide(
                cache,
                "alice's QR code, 5 minutes later",
                qr(aliceQr, trusted, monday9.plus(Duration.ofMinutes(5))),
                "main-entrance",
                monday9.plus(Duration.ofMinutes(5)));
        Evaluation first =
                decide(cache, "visitor olga, first scan", qr(visitorQr, trusted, monday9), "main-entrance", monday9);
        if (first.decision().granted()) {
            cache.markPassUsed(PassId.of("visit-olga"));
        }
        decide(
                cache,
                "visitor olga, same single-use pass again",
                qr(visitorQr, trusted, monday9),
                "main-entrance",
                monday9.plusSeconds(30));
        DoorMode lockdown = new DoorMode.Lockdown(Set.of("security"));
        decide(
                cache,
                "lockdown: alice",
                new Presented.Card(cards.hashHex(aliceCard)),
                "main-entrance",
                monday9,
                ClockStatus.TRUSTED,
                Duration.ZERO,
                lockdown);
        decide(
                cache,
                "lockdown: sam (security)",
                qr(QrTokens.issue(memberQrFor("sam"), hubKey), trusted, monday9),
                "main-entrance",
                monday9,
                ClockStatus.TRUSTED,
                Duration.ZERO,
                lockdown);
        decide(
                cache,
                "emergency release: a stray card",
                new Presented.Card(cards.hashHex(strayCard)),
                "main-entrance",
                monday9,
                ClockStatus.TRUSTED,
                Duration.ZERO,
                DoorMode.EMERGENCY_RELEASE);
        decide(
                cache,
                "clock untrusted: alice at the server room",
                new Presented.Card(cards.hashHex(aliceCard)),
                "server-room",
                monday9,
                ClockStatus.UNTRUSTED,
                Duration.ZERO,
                DoorMode.NORMAL);
        decide(
                cache,
                "offline 30 h: alice at the server room",
                new Presented.Card(cards.hashHex(aliceCard)),
                "server-room",
                monday9,
                ClockStatus.TRUSTED,
                Duration.ofHours(30),
                DoorMode.NORMAL);
        decide(
                cache,
                "offline 30 h: alice at the main entrance",
                new Presented.Card(cards.hashHex(aliceCard)),
                "main-entrance",
                monday9,
                ClockStatus.TRUSTED,
                Duration.ofHours(30),
                DoorMode.NORMAL);
        out.println();
        out.println("Inspect a token yourself:  ./gatehouse tool keygen --kid k1 > key.jwk");
        out.println(
                "                           ./gatehouse tool qr --key key.jwk --tenant acme --credential alice-qr \\");
        out.println("                             | ./gatehouse tool inspect --keys key.jwk");
        return 0;
    }

    /** An ordinary decision: clock trusted, link up, door in normal mode. */
    private Evaluation decide(InMemoryEntitlements cache, String label, Presented presented, String door, Instant at) {
        return decide(cache, label, presented, door, at, ClockStatus.TRUSTED, Duration.ZERO, DoorMode.NORMAL);
    }

    private Evaluation decide(
            InMemoryEntitlements cache,
            String label,
            Presented presented,
            String door,
            Instant at,
            ClockStatus clock,
            Duration offline,
            DoorMode mode) {
        Evaluation evaluation =
                PolicyEngine.evaluate(cache, new AccessRequest(presented, DoorId.of(door), at, clock, offline, mode));
        String verdict =
                switch (evaluation.decision()) {
                    case Decision.Granted granted ->
                        "GRANTED " + granted.unlockFor().toSeconds() + " s  "
                                + granted.basis().sentence();
                    case Decision.Denied denied ->
                        "DENIED  " + denied.reason() + "  " + denied.reason().sentence();
                };
        out.printf("%-46s %-15s %s%n", label, door, verdict);
        return evaluation;
    }

    private static Presented qr(String token, KeySet keys, Instant at) {
        QrResult result = QrTokens.verify(token, keys, TENANT, SITE, at);
        return result.presented();
    }

    private static QrClaims memberQr(String credential, Instant at) {
        return new QrClaims(
                TENANT,
                Set.of(SITE),
                QrKind.MEMBER,
                credential,
                false,
                at.minusSeconds(5),
                at.plusSeconds(60),
                QrTokens.newTokenId());
    }

    private static QrClaims memberQrFor(String member) {
        Instant at = ZonedDateTime.of(2026, 11, 23, 9, 0, 0, 0, BERLIN).toInstant();
        return new QrClaims(
                TENANT,
                Set.of(),
                QrKind.MEMBER,
                member + "-qr",
                false,
                at.minusSeconds(5),
                at.plusSeconds(60),
                QrTokens.newTokenId());
    }

    private static Credential qrCredential(String id, String member) {
        return new Credential(
                CredentialId.of(id),
                MemberId.of(member),
                CredentialType.MEMBER_QR,
                Optional.empty(),
                CredentialStatus.ACTIVE,
                Optional.empty(),
                Optional.empty());
    }

    private static Credential card(String id, String member, String hash) {
        return new Credential(
                CredentialId.of(id),
                MemberId.of(member),
                CredentialType.NFC_CARD,
                Optional.of(hash),
                CredentialStatus.ACTIVE,
                Optional.empty(),
                Optional.empty());
    }

    private static Grant grant(
            String id, String member, Set<String> groups, Set<String> doors, Optional<String> schedule) {
        return new Grant(
                GrantId.of(id),
                MemberId.of(member),
                groups.stream().map(DoorGroupId::of).collect(java.util.stream.Collectors.toSet()),
                doors.stream().map(DoorId::of).collect(java.util.stream.Collectors.toSet()),
                schedule.map(ScheduleId::of),
                Optional.empty(),
                Optional.empty());
    }
}
