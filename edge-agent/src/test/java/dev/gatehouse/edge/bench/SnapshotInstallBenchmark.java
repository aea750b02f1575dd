package dev.gatehouse.edge.bench;

import dev.gatehouse.edge.cache.SnapshotResult;
import dev.gatehouse.edge.cache.SqliteEntitlementCache;
import dev.gatehouse.protocol.message.Change;
import dev.gatehouse.protocol.message.Envelope;
import dev.gatehouse.protocol.message.SnapshotChunk;
import dev.gatehouse.protocol.message.SyncBatch;
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
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Supplier;
import java.util.stream.IntStream;

/**
 * What a door's event record waits for while sync writes the cache: a "door" thread appends one
 * access event to the outbox about every millisecond (what the decision path commits before the
 * relay moves) while the sync thread installs a snapshot of {@code N} credentials and their
 * {@code N} members (default 250,000) over a cache holding {@code N} others, and then while it applies
 * 500-change sync batches. Prints the append latency (p50, p99, max) idle, during the install and
 * during the batches, the install time (from the last chunk's arrival to {@code Installed}) and the
 * batch apply time.
 *
 * <pre>
 * mvn -B -q -ntp -pl edge-agent test-compile dependency:build-classpath -Dmdep.outputFile=cp.txt
 * $JAVA_HOME/bin/java --enable-native-access=ALL-UNNAMED \
 *     -cp edge-agent/target/test-classes:edge-agent/target/classes:$(cat edge-agent/cp.txt) \
 *     dev.gatehouse.edge.bench.SnapshotInstallBenchmark [N] [directory]
 * </pre>
 */
public final class SnapshotInstallBenchmark {
    private static final String TENANT = "acme";
    private static final String SITE = "hq";
    private static final long SNAPSHOT_SEQ = 1_000;
    private static final int BATCHES = 20;
    private static final int BATCH_CHANGES = 500;
    private static final long TAP_INTERVAL_NANOS = 1_000_000;

    private SnapshotInstallBenchmark() {}

    public static void main(String[] args) throws Exception {
        int count = args.length > 0 ? Integer.parseInt(args[0]) : 250_000;
        Path directory = args.length > 1 ? Path.of(args[1]) : Files.createTempDirectory("gatehouse-install");
        Path file = directory.resolve("install-" + count + ".db");
        Files.deleteIfExists(file);
        System.out.printf(
                "snapshot of %,d credentials and %,d members over as many others, in %s%n", count, count, file);
        try (SqliteEntitlementCache cache = SqliteEntitlementCache.open(file, TENANT, SITE)) {
            long loadStart = System.nanoTime();
            cache.bulkLoad(() ->
                    IntStream.range(0, 2 * count).mapToObj(i -> entity(0, i)).iterator());
            System.out.printf("old state bulk-loaded in %.1f s%n", (System.nanoTime() - loadStart) / 1e9);

            int entities = 2 * count;
            int chunks = (entities + SnapshotChunk.MAX_ENTITIES - 1) / SnapshotChunk.MAX_ENTITIES;
            long stageStart = System.nanoTime();
            for (int index = 0; index < chunks - 1; index++) {
                offer(cache, count, index, chunks);
            }
            System.out.printf(
                    "%,d of %,d chunks staged in %.1f s%n", chunks - 1, chunks, (System.nanoTime() - stageStart) / 1e9);

            Taps idle = tapWhile(cache, "idle", () -> {
                LockSupport.parkNanos(TimeUnit.SECONDS.toNanos(2));
                return null;
            });
            long[] installNanos = new long[1];
            Taps install = tapWhile(cache, "install", () -> {
                long t0 = System.nanoTime();
                SnapshotResult result = offer(cache, count, chunks - 1, chunks);
                installNanos[0] = System.nanoTime() - t0;
                if (!(result instanceof SnapshotResult.Installed)) {
                    throw new IllegalStateException("the snapshot was not installed: " + result);
                }
                return null;
            });
            if (cache.seq() != SNAPSHOT_SEQ || cache.credentialCount() != count) {
                throw new IllegalStateException("the cache does not hold the snapshot after its install");
            }
            long onDisk = cache.sizeOnDiskBytes();
            long wal = Files.size(file.resolveSibling(file.getFileName() + "-wal"));
            long[] applyNanos = new long[BATCHES];
            Taps batches = tapWhile(cache, "batches", () -> {
                for (int b = 0; b < BATCHES; b++) {
                    Envelope batch = batch(b, count);
                    long t0 = System.nanoTime();
                    cache.apply(batch);
                    applyNanos[b] = System.nanoTime() - t0;
                    LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(20));
                }
                return null;
            });

            System.out.printf("%-44s %10s %10s %10s %8s%n", "", "p50 ms", "p99 ms", "max ms", "n");
            idle.print("tap record (outbox append), idle");
            install.print("tap record during the snapshot install");
            batches.print("tap record during 500-change batches");
            print("500-change sync batch apply", applyNanos);
            System.out.printf(
                    "snapshot install (last chunk → Installed): %.2f s for %,d entities; then %,.0f MB on disk"
                            + " (of which WAL %,.0f MB)%n",
                    installNanos[0] / 1e9, entities, onDisk / 1e6, wal / 1e6);
        }
    }

    /** Entity {@code i} of a roster starting at member {@code from}: member m-n, then credential c-n with card n. */
    private static Entity entity(int from, int i) {
        int n = from + i / 2;
        MemberId member = MemberId.of("m-" + n);
        return i % 2 == 0 ? new Member(member, MemberStatus.ACTIVE, Set.of("member")) : credential(n, member, n);
    }

    private static Credential credential(int n, MemberId member, int card) {
        return new Credential(
                CredentialId.of("c-" + n),
                member,
                CredentialType.NFC_CARD,
                Optional.of(CacheLoadBenchmark.cardHash(card)),
                CredentialStatus.ACTIVE,
                Optional.empty(),
                Optional.empty());
    }

    /** Offers chunk {@code index} of the snapshot of members and cards {@code count..2 × count - 1}. */
    private static SnapshotResult offer(SqliteEntitlementCache cache, int count, int index, int chunks) {
        List<Entity> entities = new ArrayList<>(SnapshotChunk.MAX_ENTITIES);
        for (int i = index * SnapshotChunk.MAX_ENTITIES;
                i < Math.min(2 * count, (index + 1) * SnapshotChunk.MAX_ENTITIES);
                i++) {
            entities.add(entity(count, i));
        }
        return cache.offer(new Envelope(
                "ss-" + index,
                Instant.now(),
                new SnapshotChunk(TENANT, SITE, "snap-bench", SNAPSHOT_SEQ, index, chunks, entities)));
    }

    /** Batch {@code b}: 500 credentials of the snapshot get new cards (as a re-enrollment would). */
    private static Envelope batch(int b, int count) {
        List<Change> changes = new ArrayList<>(BATCH_CHANGES);
        for (int i = 0; i < BATCH_CHANGES; i++) {
            int n = count + (int) ((b * (long) BATCH_CHANGES + i) * 7919 % count);
            changes.add(new Change.Upsert(credential(n, MemberId.of("m-" + n), 3 * count + b * BATCH_CHANGES + i)));
        }
        long from = SNAPSHOT_SEQ + 1 + (long) b * BATCH_CHANGES;
        return new Envelope(
                "sb-" + from, Instant.now(), new SyncBatch(TENANT, SITE, from, from + BATCH_CHANGES - 1, changes));
    }

    /** Runs {@code work} on this thread while a door thread appends an event about every millisecond. */
    private static Taps tapWhile(SqliteEntitlementCache cache, String name, Supplier<Void> work) throws Exception {
        System.gc(); // the garbage of what ran before is not collected during the measurement
        AtomicBoolean stop = new AtomicBoolean();
        CompletableFuture<long[]> door = CompletableFuture.supplyAsync(() -> {
            long[] samples = new long[1 << 16];
            int n = 0;
            while (!stop.get() && n < samples.length) {
                Envelope event = CacheDurabilityBenchmark.event("ev-" + name + "-" + n, n);
                long t0 = System.nanoTime();
                cache.outbox().append(event);
                samples[n++] = System.nanoTime() - t0;
                LockSupport.parkNanos(TAP_INTERVAL_NANOS);
            }
            return Arrays.copyOf(samples, n);
        });
        try {
            work.get();
        } finally {
            stop.set(true);
        }
        return new Taps(door.get(1, TimeUnit.MINUTES));
    }

    private record Taps(long[] nanos) {
        void print(String what) {
            SnapshotInstallBenchmark.print(what, nanos);
        }
    }

    private static void print(String what, long[] nanos) {
        long[] p = CacheLoadBenchmark.percentiles(nanos);
        System.out.printf("%-44s %10.3f %10.3f %10.3f %8d%n", what, p[0] / 1e6, p[1] / 1e6, p[2] / 1e6, nanos.length);
    }
}
