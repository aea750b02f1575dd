package dev.gatehouse.protocol.bench;

import com.nimbusds.jose.JWSObject;
import com.nimbusds.jose.crypto.ECDSAVerifier;
import com.nimbusds.jose.jwk.ECKey;
import dev.gatehouse.protocol.card.CardHasher;
import dev.gatehouse.protocol.model.ClockStatus;
import dev.gatehouse.protocol.model.Credential;
import dev.gatehouse.protocol.model.CredentialId;
import dev.gatehouse.protocol.model.CredentialStatus;
import dev.gatehouse.protocol.model.CredentialType;
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
import dev.gatehouse.protocol.model.Schedule;
import dev.gatehouse.protocol.model.ScheduleId;
import dev.gatehouse.protocol.model.Site;
import dev.gatehouse.protocol.model.TimeWindow;
import dev.gatehouse.protocol.policy.AccessRequest;
import dev.gatehouse.protocol.policy.Decision;
import dev.gatehouse.protocol.policy.DoorMode;
import dev.gatehouse.protocol.policy.InMemoryEntitlements;
import dev.gatehouse.protocol.policy.PolicyEngine;
import dev.gatehouse.protocol.policy.Presented;
import dev.gatehouse.protocol.qr.QrClaims;
import dev.gatehouse.protocol.qr.QrKind;
import dev.gatehouse.protocol.qr.QrResult;
import dev.gatehouse.protocol.qr.QrTokens;
import dev.gatehouse.protocol.sign.KeySet;
import dev.gatehouse.protocol.sign.SigningKeys;
import java.time.DayOfWeek;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The protocol's hot paths, each beside the bare cost it cannot beat, measured in the same run:
 *
 * <ul>
 *   <li>a policy decision for a member with 10 grants over 20 doors, against a bare hash-map lookup;
 *   <li>a QR token verification (signature, header and claims checks, tenant, site and time), against
 *       a bare Nimbus ES256 parse-and-verify of the same token.
 * </ul>
 *
 * <p>Run: {@code ./gatehouse bench protocol} (optional: {@code --seconds N} per measurement, default 5).
 * Figures are per operation from {@code System.nanoTime()} around each call, after a warm-up; the
 * throughput line times a batch without per-call timers. Not a test: nothing is asserted.
 */
public final class ProtocolBenchmark {
    private static final ZoneId BERLIN = ZoneId.of("Europe/Berlin");
    private static volatile Object sink;

    private ProtocolBenchmark() {}

    public static void main(String[] args) throws Exception {
        double seconds = 5;
        for (int i = 0; i < args.length - 1; i++) {
            if (args[i].equals("--seconds")) {
                seconds = Double.parseDouble(args[i + 1]);
            }
        }
        System.out.printf(
                "Gatehouse protocol benchmark — %s %s, %d cores, %.0f s per measurement%n",
                System.getProperty("java.vm.name"),
                System.getProperty("java.version"),
                Runtime.getRuntime().availableProcessors(),
                seconds);
        System.out.println();
        policy(seconds);
        System.out.println();
        qr(seconds);
    }

    private static void policy(double seconds) {
        byte[] key = new byte[32];
        Arrays.fill(key, (byte) 7);
        CardHasher hasher = new CardHasher(key);
        List<Entity> entities = new ArrayList<>();
        entities.add(new Site("hq-berlin", BERLIN, Set.of(LocalDate.of(2026, 12, 25), LocalDate.of(2026, 12, 26))));
        for (int d = 0; d < 20; d++) {
            entities.add(Door.standard("door-" + d, "Door " + d));
        }
        // 10 grants over 20 doors: 5 door groups of 3 doors, 5 direct grants of one door each; each on a schedule.
        List<TimeWindow> windows = new ArrayList<>();
        for (DayOfWeek day : DayOfWeek.values()) {
            windows.add(TimeWindow.of(day, "06:00", "12:00"));
            windows.add(TimeWindow.of(day, "13:00", "22:00"));
        }
        entities.add(new Schedule(ScheduleId.of("extended"), windows, HolidayRule.CLOSED));
        for (int g = 0; g < 5; g++) {
            entities.add(new DoorGroup(
                    DoorGroupId.of("group-" + g),
                    Set.of(
                            DoorId.of("door-" + (3 * g)),
                            DoorId.of("door-" + (3 * g + 1)),
                            DoorId.of("door-" + (3 * g + 2)))));
        }
        MemberId member = MemberId.of("m-benchmark");
        entities.add(new Member(member, MemberStatus.ACTIVE, Set.of("member")));
        for (int g = 0; g < 10; g++) {
            Set<DoorGroupId> groups = g < 5 ? Set.of(DoorGroupId.of("group-" + g)) : Set.of();
            Set<DoorId> doors = g < 5 ? Set.of() : Set.of(DoorId.of("door-" + (10 + g)));
            entities.add(new Grant(
                    GrantId.of("grant-" + g),
                    member,
                    groups,
                    doors,
                    Optional.of(ScheduleId.of("extended")),
                    Optional.empty(),
                    Optional.empty()));
        }
        // 10,000 other members with one card each, so that lookups hit a populated map.
        Map<String, Credential> bareMap = new HashMap<>();
        for (int m = 0; m < 10_000; m++) {
            MemberId other = MemberId.of("m-" + m);
            entities.add(new Member(other, MemberStatus.ACTIVE, Set.of()));
            Credential card = new Credential(
                    CredentialId.of("c-" + m),
                    other,
                    CredentialType.NFC_CARD,
                    Optional.of(hasher.hashHex(String.format("04%012x", m))),
                    CredentialStatus.ACTIVE,
                    Optional.empty(),
                    Optional.empty());
            entities.add(card);
            bareMap.put(card.cardHash().orElseThrow(), card);
        }
        String hash = hasher.hashHex("04A22B1C5D8000");
        Credential card = new Credential(
                CredentialId.of("c-benchmark"),
                member,
                CredentialType.NFC_CARD,
                Optional.of(hash),
                CredentialStatus.ACTIVE,
                Optional.empty(),
                Optional.empty());
        entities.add(card);
        bareMap.put(hash, card);
        InMemoryEntitlements entitlements = InMemoryEntitlements.of(entities);

        // Tuesday 10:30 in Berlin; door-19 is reached only through the last grant, so all 10 are examined.
        Instant at = ZonedDateTime.of(2026, 11, 24, 10, 30, 0, 0, BERLIN).toInstant();
        AccessRequest granted = new AccessRequest(
                new Presented.Card(hash),
                DoorId.of("door-19"),
                at,
                ClockStatus.TRUSTED,
                Duration.ZERO,
                DoorMode.NORMAL);
        AccessRequest outside = new AccessRequest(
                new Presented.Card(hash),
                DoorId.of("door-19"),
                at.plus(Duration.ofHours(2)),
                ClockStatus.TRUSTED,
                Duration.ZERO,
                DoorMode.NORMAL);
        check(
                PolicyEngine.decide(entitlements, granted) instanceof Decision.Granted,
                "the benchmark decision must be a grant");
        check(
                PolicyEngine.decide(entitlements, outside) instanceof Decision.Denied,
                "12:30 must be outside the schedule");

        System.out.println(
                "Policy decision: a member with 10 grants over 20 doors (door reached by the 10th grant), 10,001 cards cached");
        Stats bare = measure(seconds, () -> bareMap.get(hash));
        Stats grant = measure(seconds, () -> PolicyEngine.decide(entitlements, granted));
        Stats deny = measure(seconds, () -> PolicyEngine.decide(entitlements, outside));
        print("bare HashMap lookup (by card hash)", bare, null);
        print("policy decision, granted", grant, bare);
        print("policy decision, denied (outside schedule)", deny, bare);
        System.out.printf(
                "  target: p99 < 20 µs → %s (granted p99 %.2f µs, denied p99 %.2f µs)%n",
                grant.p99() < 20_000 && deny.p99() < 20_000 ? "met" : "NOT met",
                grant.p99() / 1000.0,
                deny.p99() / 1000.0);
    }

    private static void qr(double seconds) throws Exception {
        ECKey key = SigningKeys.generate("k1");
        KeySet keys = KeySet.of(key);
        Instant now = Instant.parse("2026-11-24T09:30:00Z");
        String token = QrTokens.issue(
                new QrClaims(
                        "acme-coworking",
                        Set.of("hq-berlin"),
                        QrKind.MEMBER,
                        "qr-000123",
                        false,
                        now.minusSeconds(5),
                        now.plusSeconds(55),
                        QrTokens.newTokenId()),
                key);
        ECDSAVerifier bareVerifier = new ECDSAVerifier(key.toPublicJWK());
        check(JWSObject.parse(token).verify(bareVerifier), "the bare verify must accept the token");
        check(
                QrTokens.verify(token, keys, "acme-coworking", "hq-berlin", now) instanceof QrResult.Valid,
                "the token must verify");

        System.out.println("QR token verification (" + token.length() + "-character member token, ES256 on P-256)");
        Stats bare = measure(seconds, () -> {
            try {
                return JWSObject.parse(token).verify(bareVerifier);
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
        Stats full = measure(seconds, () -> QrTokens.verify(token, keys, "acme-coworking", "hq-berlin", now));
        print("bare Nimbus ES256 parse + verify", bare, null);
        print("QrTokens.verify (full checks)", full, bare);
        double ratio = full.mean() / bare.mean();
        System.out.printf(
                "  target: within 1.2× of the bare verify → %s (mean ratio %.3f×, p50 ratio %.3f×)%n",
                ratio <= 1.2 ? "met" : "NOT met", ratio, full.p50() / (double) bare.p50());
    }

    private interface Op {
        Object run();
    }

    private record Stats(long count, double opsPerSecond, long p50, long p99, long max, double mean) {}

    /** Warm up for a fifth of the time, then time each call for the rest; also one untimed batch for throughput. */
    private static Stats measure(double seconds, Op op) {
        long warmupEnd = System.nanoTime() + (long) (seconds * 0.2e9);
        while (System.nanoTime() < warmupEnd) {
            for (int i = 0; i < 100; i++) {
                sink = op.run();
            }
        }
        long[] samples = new long[1 << 20];
        int n = 0;
        long sum = 0;
        long end = System.nanoTime() + (long) (seconds * 0.6e9);
        while (n < samples.length && System.nanoTime() < end) {
            long t0 = System.nanoTime();
            sink = op.run();
            long elapsed = System.nanoTime() - t0;
            samples[n++] = elapsed;
            sum += elapsed;
        }
        long batch = 0;
        long batchStart = System.nanoTime();
        long batchEnd = batchStart + (long) (seconds * 0.2e9);
        long now;
        do {
            for (int i = 0; i < 64; i++) {
                sink = op.run();
            }
            batch += 64;
            now = System.nanoTime();
        } while (now < batchEnd);
        long[] sorted = Arrays.copyOf(samples, n);
        Arrays.sort(sorted);
        return new Stats(
                n,
                batch / ((now - batchStart) / 1e9),
                sorted[n / 2],
                sorted[(int) Math.min(n - 1, n * 0.99)],
                sorted[n - 1],
                sum / (double) n);
    }

    private static void print(String label, Stats stats, Stats bare) {
        String ratio = bare == null
                ? ""
                : String.format(
                        "   ratio to bare: p50 %.1f×, throughput %.1f×",
                        stats.p50() / (double) bare.p50(), bare.opsPerSecond() / stats.opsPerSecond());
        System.out.printf(
                "  %-44s %,12.0f ops/s   p50 %8.2f µs   p99 %8.2f µs   max %9.1f µs   (%,d timed)%s%n",
                label,
                stats.opsPerSecond(),
                stats.p50() / 1000.0,
                stats.p99() / 1000.0,
                stats.max() / 1000.0,
                stats.count(),
                ratio);
    }

    private static void check(boolean condition, String message) {
        if (!condition) {
            throw new IllegalStateException("benchmark setup is wrong: " + message);
        }
    }
}
