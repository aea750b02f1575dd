package dev.gatehouse.edge.bench;

import dev.gatehouse.edge.cache.SqliteEntitlementCache;
import dev.gatehouse.edge.cache.SqliteEntitlementCache.Durability;
import dev.gatehouse.protocol.message.AccessEvent;
import dev.gatehouse.protocol.message.Envelope;
import dev.gatehouse.protocol.model.ClockStatus;
import dev.gatehouse.protocol.model.Credential;
import dev.gatehouse.protocol.model.CredentialId;
import dev.gatehouse.protocol.model.CredentialStatus;
import dev.gatehouse.protocol.model.CredentialType;
import dev.gatehouse.protocol.model.DoorId;
import dev.gatehouse.protocol.model.Entity;
import dev.gatehouse.protocol.model.GrantBasis;
import dev.gatehouse.protocol.model.MemberId;
import dev.gatehouse.protocol.model.PassId;
import dev.gatehouse.protocol.model.PresentedKind;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.SplittableRandom;

/**
 * What {@code PRAGMA synchronous} costs on the decision path: for NORMAL and FULL (both in WAL
 * mode), the time of one outbox append in its own transaction (what the decision path writes per
 * tap), of a pass use plus its event in one transaction, and of a card-hash point lookup (which no
 * synchronous mode should touch). Run it on the disk the agent will use (an SD card on a Pi):
 *
 * <pre>
 * mvn -B -q -ntp -pl edge-agent test-compile dependency:build-classpath -Dmdep.outputFile=cp.txt
 * $JAVA_HOME/bin/java --enable-native-access=ALL-UNNAMED \
 *     -cp edge-agent/target/test-classes:edge-agent/target/classes:$(cat edge-agent/cp.txt) \
 *     dev.gatehouse.edge.bench.CacheDurabilityBenchmark [appends] [directory]
 * </pre>
 */
public final class CacheDurabilityBenchmark {
    private static final int CREDENTIALS = 10_000;
    private static final int LOOKUPS = 100_000;

    private CacheDurabilityBenchmark() {}

    public static void main(String[] args) throws Exception {
        int appends = args.length > 0 ? Integer.parseInt(args[0]) : 2_000;
        Path directory = args.length > 1 ? Path.of(args[1]) : Files.createTempDirectory("gatehouse-durability");
        System.out.printf(
                "%d single-row transactions per mode, %d lookups over %d credentials, in %s%n",
                appends, LOOKUPS, CREDENTIALS, directory);
        System.out.printf(
                "%-7s %-34s %10s %10s %10s %12s%n", "mode", "operation", "p50 us", "p99 us", "max us", "per second");
        for (int round = 0; round < 2; round++) { // the first round warms up the JVM and the disk
            for (Durability durability : Durability.values()) {
                run(durability, appends, directory.resolve("bench-" + durability + "-" + round + ".db"), round == 1);
            }
        }
    }

    private static void run(Durability durability, int appends, Path file, boolean print) throws Exception {
        Files.deleteIfExists(file);
        try (SqliteEntitlementCache cache = SqliteEntitlementCache.open(file, "acme", "hq", durability)) {
            List<Entity> credentials = new ArrayList<>();
            for (int n = 0; n < CREDENTIALS; n++) {
                credentials.add(new Credential(
                        CredentialId.of("c-" + n),
                        MemberId.of("m-" + n),
                        CredentialType.NFC_CARD,
                        Optional.of(CacheLoadBenchmark.cardHash(n)),
                        CredentialStatus.ACTIVE,
                        Optional.empty(),
                        Optional.empty()));
            }
            cache.bulkLoad(credentials);

            long[] append = new long[appends];
            long appendStart = System.nanoTime();
            for (int i = 0; i < appends; i++) {
                Envelope event = event("ev-" + durability + "-" + i, i);
                long t0 = System.nanoTime();
                cache.outbox().append(event);
                append[i] = System.nanoTime() - t0;
            }
            long appendTotal = System.nanoTime() - appendStart;

            long[] passAndEvent = new long[appends];
            for (int i = 0; i < appends; i++) {
                Envelope event = event("pe-" + durability + "-" + i, i);
                PassId pass = PassId.of("vp-" + i);
                long t0 = System.nanoTime();
                cache.inTransaction(tx -> {
                    boolean first = tx.recordPassUse(pass, event.id());
                    tx.append(event);
                    return first;
                });
                passAndEvent[i] = System.nanoTime() - t0;
            }

            SplittableRandom random = new SplittableRandom(7);
            String[] hashes = new String[LOOKUPS];
            for (int i = 0; i < LOOKUPS; i++) {
                hashes[i] = CacheLoadBenchmark.cardHash(random.nextInt(CREDENTIALS));
            }
            long[] lookup = new long[LOOKUPS];
            for (int i = 0; i < LOOKUPS; i++) {
                long t0 = System.nanoTime();
                if (cache.credentialByCardHash(hashes[i]).isEmpty()) {
                    throw new IllegalStateException("a loaded card was not found");
                }
                lookup[i] = System.nanoTime() - t0;
            }
            if (print) {
                print(durability, "outbox append (1 tx each)", append, appends / (appendTotal / 1e9));
                print(durability, "pass use + event (1 tx each)", passAndEvent, Double.NaN);
                print(durability, "card-hash lookup", lookup, Double.NaN);
            }
        }
    }

    static Envelope event(String id, int n) {
        return new Envelope(
                id,
                Instant.parse("2026-03-02T08:00:00Z").plusMillis(n),
                new AccessEvent(
                        "hq",
                        DoorId.of("main-entrance"),
                        PresentedKind.NFC_CARD,
                        Optional.of(CacheLoadBenchmark.cardHash(n)),
                        Optional.of(CredentialId.of("c-" + n)),
                        Optional.of(MemberId.of("m-" + n)),
                        Optional.empty(),
                        true,
                        Optional.of(GrantBasis.MEMBER_GRANT),
                        Optional.empty(),
                        ClockStatus.TRUSTED));
    }

    private static void print(Durability durability, String what, long[] nanos, double perSecond) {
        long[] sorted = nanos.clone();
        Arrays.sort(sorted);
        double mean = Arrays.stream(nanos).average().orElse(0);
        System.out.printf(
                "%-7s %-34s %10.1f %10.1f %10.1f %12.0f%n",
                durability,
                what,
                sorted[sorted.length / 2] / 1e3,
                sorted[(int) (sorted.length * 0.99)] / 1e3,
                sorted[sorted.length - 1] / 1e3,
                Double.isNaN(perSecond) ? 1e9 / mean : perSecond);
    }
}
