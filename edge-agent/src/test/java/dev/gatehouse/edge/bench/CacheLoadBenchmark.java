package dev.gatehouse.edge.bench;

import dev.gatehouse.edge.cache.SqliteEntitlementCache;
import dev.gatehouse.protocol.model.Credential;
import dev.gatehouse.protocol.model.CredentialId;
import dev.gatehouse.protocol.model.CredentialStatus;
import dev.gatehouse.protocol.model.CredentialType;
import dev.gatehouse.protocol.model.Entity;
import dev.gatehouse.protocol.model.Member;
import dev.gatehouse.protocol.model.MemberId;
import dev.gatehouse.protocol.model.MemberStatus;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.Iterator;
import java.util.NoSuchElementException;
import java.util.Optional;
import java.util.Set;
import java.util.SplittableRandom;

/**
 * Loads {@code N} NFC credentials and their {@code N} members (default 1,000,000) into a fresh cache
 * with {@link SqliteEntitlementCache#bulkLoad}, then prints the load time, the size on disk, the
 * time to reopen, and the latency of a card-hash lookup (hits and misses) and of a member lookup.
 *
 * <pre>
 * mvn -B -q -ntp -pl edge-agent test-compile dependency:build-classpath -Dmdep.outputFile=cp.txt
 * $JAVA_HOME/bin/java --enable-native-access=ALL-UNNAMED \
 *     -cp edge-agent/target/test-classes:edge-agent/target/classes:$(cat edge-agent/cp.txt) \
 *     dev.gatehouse.edge.bench.CacheLoadBenchmark [N] [directory]
 * </pre>
 */
public final class CacheLoadBenchmark {
    private CacheLoadBenchmark() {}

    public static void main(String[] args) throws Exception {
        int count = args.length > 0 ? Integer.parseInt(args[0]) : 1_000_000;
        Path directory = args.length > 1 ? Path.of(args[1]) : Files.createTempDirectory("gatehouse-load");
        Path file = directory.resolve("cache-" + count + ".db");
        Files.deleteIfExists(file);
        System.out.printf("loading %,d credentials and %,d members into %s%n", count, count, file);

        long loadNanos;
        try (SqliteEntitlementCache cache = SqliteEntitlementCache.open(file, "acme", "hq")) {
            long start = System.nanoTime();
            long loaded = cache.bulkLoad(() -> new Roster(count));
            loadNanos = System.nanoTime() - start;
            System.out.printf(
                    "bulk load: %,d entities in %.2f s (%,.0f entities/s)%n",
                    loaded, loadNanos / 1e9, loaded / (loadNanos / 1e9));
            System.out.printf("credentialCount: %,d%n", cache.credentialCount());
        }
        System.out.printf("size on disk after close: %.1f MB (%,d bytes)%n", Files.size(file) / 1e6, Files.size(file));

        long openStart = System.nanoTime();
        try (SqliteEntitlementCache cache = SqliteEntitlementCache.open(file, "acme", "hq")) {
            Optional<Credential> first = cache.credentialByCardHash(cardHash(0));
            long openNanos = System.nanoTime() - openStart;
            System.out.printf("reopen + first lookup: %.1f ms (found: %s)%n", openNanos / 1e6, first.isPresent());

            SplittableRandom random = new SplittableRandom(42);
            int rounds = 200_000;
            for (int i = 0; i < 50_000; i++) { // warm-up
                cache.credentialByCardHash(cardHash(random.nextInt(count)));
            }
            long[] hits = new long[rounds];
            long[] misses = new long[rounds];
            long[] members = new long[rounds];
            for (int i = 0; i < rounds; i++) {
                int n = random.nextInt(count);
                String hash = cardHash(n);
                String absent = cardHash(count + n);
                long t0 = System.nanoTime();
                Optional<Credential> hit = cache.credentialByCardHash(hash);
                long t1 = System.nanoTime();
                Optional<Credential> miss = cache.credentialByCardHash(absent);
                long t2 = System.nanoTime();
                Optional<Member> member = cache.member(hit.orElseThrow().member());
                long t3 = System.nanoTime();
                if (miss.isPresent() || member.isEmpty()) {
                    throw new IllegalStateException("lookup returned the wrong answer");
                }
                hits[i] = t1 - t0;
                misses[i] = t2 - t1;
                members[i] = t3 - t2;
            }
            print("card hash lookup, hit (incl. JSON decode)", hits);
            print("card hash lookup, miss", misses);
            print("member lookup by id", members);
        }
    }

    private static void print(String what, long[] nanos) {
        long[] p = percentiles(nanos);
        System.out.printf("%-42s p50 %6.1f us  p99 %6.1f us  max %8.1f us%n", what, p[0] / 1e3, p[1] / 1e3, p[2] / 1e3);
    }

    /** The p50, p99 and maximum of {@code nanos}. */
    static long[] percentiles(long[] nanos) {
        long[] sorted = nanos.clone();
        Arrays.sort(sorted);
        return new long[] {sorted[sorted.length / 2], sorted[(int) (sorted.length * 0.99)], sorted[sorted.length - 1]};
    }

    /** A deterministic card hash for card {@code n} (stands in for the HMAC of a UID). */
    static String cardHash(int n) {
        try {
            MessageDigest sha = MessageDigest.getInstance("SHA-256");
            return HexFormat.of()
                    .formatHex(sha.digest(("card-" + n).getBytes(java.nio.charset.StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Member m-n and credential c-n with card n, for n in 0..count-1, generated lazily. */
    private static final class Roster implements Iterator<Entity> {
        private final int count;
        private int next;

        Roster(int count) {
            this.count = count;
        }

        @Override
        public boolean hasNext() {
            return next < 2 * count;
        }

        @Override
        public Entity next() {
            if (!hasNext()) {
                throw new NoSuchElementException();
            }
            int n = next / 2;
            boolean member = next % 2 == 0;
            next++;
            MemberId memberId = MemberId.of(String.format("m-%07d", n));
            if (member) {
                return new Member(memberId, MemberStatus.ACTIVE, Set.of("member"));
            }
            return new Credential(
                    CredentialId.of(String.format("c-%07d", n)),
                    memberId,
                    CredentialType.NFC_CARD,
                    Optional.of(cardHash(n)),
                    CredentialStatus.ACTIVE,
                    Optional.empty(),
                    Optional.empty());
        }
    }
}
