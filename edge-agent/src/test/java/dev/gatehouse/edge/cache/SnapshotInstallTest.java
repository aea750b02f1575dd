package dev.gatehouse.edge.cache;

import static dev.gatehouse.edge.cache.CacheFixtures.SITE;
import static dev.gatehouse.edge.cache.CacheFixtures.T0;
import static dev.gatehouse.edge.cache.CacheFixtures.TENANT;
import static dev.gatehouse.edge.cache.CacheFixtures.accessEvent;
import static dev.gatehouse.edge.cache.CacheFixtures.batch;
import static dev.gatehouse.edge.cache.CacheFixtures.card;
import static dev.gatehouse.edge.cache.CacheFixtures.chunk;
import static dev.gatehouse.edge.cache.CacheFixtures.door;
import static dev.gatehouse.edge.cache.CacheFixtures.doorEvent;
import static dev.gatehouse.edge.cache.CacheFixtures.grant;
import static dev.gatehouse.edge.cache.CacheFixtures.hash;
import static dev.gatehouse.edge.cache.CacheFixtures.member;
import static dev.gatehouse.edge.cache.CacheFixtures.remove;
import static dev.gatehouse.edge.cache.CacheFixtures.site;
import static dev.gatehouse.edge.cache.CacheFixtures.upsert;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.gatehouse.protocol.message.Envelope;
import dev.gatehouse.protocol.message.SnapshotChunk;
import dev.gatehouse.protocol.model.DoorId;
import dev.gatehouse.protocol.model.Entity;
import dev.gatehouse.protocol.model.EntityKind;
import dev.gatehouse.protocol.model.MemberId;
import dev.gatehouse.protocol.model.PassId;
import dev.gatehouse.protocol.policy.Entitlements;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A snapshot install is built in many short transactions beside the live tables and swapped in by
 * one: doors keep recording events meanwhile, readers see the old cache or the new one and never a
 * mix, and an install cut short leaves the old cache and is done again. The install's steps are
 * observed through {@link SqliteEntitlementCache#onInstallStep}, which runs between two of them.
 */
class SnapshotInstallTest {
    /** Members (each with one card) per cache state: 12 chunks of 500, so every phase takes several steps. */
    private static final int MEMBERS = 3_000;

    private static final long OLD_SEQ = 10;
    private static final long NEW_SEQ = 50;
    private static final DoorId MAIN = DoorId.of("main");

    @TempDir
    Path directory;

    private Path file;
    private SqliteEntitlementCache cache;

    @BeforeEach
    void openCacheWithTheOldState() {
        file = directory.resolve("cache.db");
        cache = SqliteEntitlementCache.open(file, TENANT, SITE);
        for (Envelope chunk : snapshot("old", OLD_SEQ, "o", 5)) {
            cache.offer(chunk);
        }
        assertThat(cache.seq()).isEqualTo(OLD_SEQ);
    }

    @AfterEach
    void closeCache() {
        cache.close();
    }

    /** The site, door main (unlocking for {@code unlockSeconds}), members {prefix}-i and their cards, in chunks. */
    private static List<Envelope> snapshot(String id, long seq, String prefix, int unlockSeconds) {
        List<Entity> entities = new ArrayList<>();
        entities.add(site());
        entities.add(door("main", unlockSeconds));
        for (int i = 0; i < MEMBERS; i++) {
            entities.add(member(prefix + "-" + i));
            entities.add(card(prefix + "-c-" + i, prefix + "-" + i, hash(prefix + "-card-" + i)));
        }
        return chunks(id, seq, entities);
    }

    private static List<Envelope> chunks(String id, long seq, List<Entity> entities) {
        int count = (entities.size() + SnapshotChunk.MAX_ENTITIES - 1) / SnapshotChunk.MAX_ENTITIES;
        List<Envelope> chunks = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            List<Entity> part = entities.subList(
                    i * SnapshotChunk.MAX_ENTITIES, Math.min(entities.size(), (i + 1) * SnapshotChunk.MAX_ENTITIES));
            chunks.add(chunk(id, seq, i, count, T0, part));
        }
        return chunks;
    }

    /** Offers every chunk but the last: the snapshot is then one chunk away from its install. */
    private List<Envelope> stageAllButLast(List<Envelope> chunks) {
        for (Envelope chunk : chunks.subList(0, chunks.size() - 1)) {
            assertThat(cache.offer(chunk)).isInstanceOf(SnapshotResult.Incomplete.class);
        }
        return chunks;
    }

    /**
     * Which state {@code view} shows: "old" or "new" when every probe (members at both ends, a card
     * in the middle, the door held in memory) agrees on it, else what each probe saw.
     */
    private static String stateIn(Entitlements view) {
        List<Boolean> old = probes(view, "o", 5);
        List<Boolean> current = probes(view, "n", 2);
        if (!old.contains(false) && !current.contains(true)) {
            return "old";
        }
        if (!old.contains(true) && !current.contains(false)) {
            return "new";
        }
        return "mixed: old " + old + ", new " + current;
    }

    private static List<Boolean> probes(Entitlements view, String prefix, int unlockSeconds) {
        return List.of(
                view.member(MemberId.of(prefix + "-0")).isPresent(),
                view.member(MemberId.of(prefix + "-" + (MEMBERS - 1))).isPresent(),
                view.credentialByCardHash(hash(prefix + "-card-" + MEMBERS / 2)).isPresent(),
                view.door(MAIN).equals(Optional.of(door("main", unlockSeconds))));
    }

    private String stateInAView() {
        return cache.reading(SnapshotInstallTest::stateIn);
    }

    private static List<String> leftoverTables(Path file) throws SQLException {
        List<String> tables = new ArrayList<>();
        try (Connection connection = DriverManager.getConnection("jdbc:sqlite:" + file);
                Statement statement = connection.createStatement();
                ResultSet rows = statement.executeQuery("SELECT name FROM sqlite_master WHERE type = 'table'"
                        + " AND (name LIKE '%next' OR name LIKE 'retired%')")) {
            while (rows.next()) {
                tables.add(rows.getString(1));
            }
        }
        return tables;
    }

    @Test
    void readersSeeTheWholeOldCacheOrTheWholeNewOneWhileASnapshotInstalls() throws Exception {
        // Why: a decision reads a card, its member and the door; from half an install it could
        // grant a revoked card or deny everyone. Readers on their own connections also keep their
        // prepared statements across the swap's schema change (SQLite prepares them again).
        List<Envelope> chunks = stageAllButLast(snapshot("new", NEW_SEQ, "n", 2));
        List<String> atSteps = new CopyOnWriteArrayList<>();
        List<String> problems = new CopyOnWriteArrayList<>();
        ConcurrentHashMap<String, AtomicInteger> seen = new ConcurrentHashMap<>();
        AtomicBoolean installing = new AtomicBoolean(true);
        ExecutorService readers = Executors.newFixedThreadPool(2);
        try {
            Future<?> views = readers.submit(() -> {
                while (installing.get()) {
                    String state = stateInAView();
                    seen.computeIfAbsent("view " + state, s -> new AtomicInteger())
                            .incrementAndGet();
                    if (state.startsWith("mixed")) {
                        problems.add(state);
                    }
                }
                return null;
            });
            Future<?> raw = readers.submit(() -> {
                // Its own connection: statements prepared before the install, run in one read
                // transaction each, checking that the seq matches the entities.
                try (Connection connection = DriverManager.getConnection("jdbc:sqlite:" + file);
                        PreparedStatement seq =
                                connection.prepareStatement("SELECT value FROM meta WHERE name = 'seq'");
                        PreparedStatement byCard = connection.prepareStatement(CacheView.SQL_BY_CARD_HASH)) {
                    connection.setAutoCommit(false);
                    while (installing.get()) {
                        long at;
                        try (ResultSet row = seq.executeQuery()) {
                            at = row.next() ? row.getLong(1) : -1;
                        }
                        boolean old = found(byCard, hash("o-card-7"));
                        boolean current = found(byCard, hash("n-card-7"));
                        connection.commit();
                        String state = at == OLD_SEQ && old && !current
                                ? "old"
                                : at == NEW_SEQ && current && !old
                                        ? "new"
                                        : "seq " + at + ", old card " + old + ", new card " + current;
                        seen.computeIfAbsent("raw " + state, s -> new AtomicInteger())
                                .incrementAndGet();
                        if (!state.equals("old") && !state.equals("new")) {
                            problems.add(state);
                        }
                    }
                }
                return null;
            });
            cache.onInstallStep(step -> {
                if (atSteps.isEmpty()) {
                    // Both readers have read the old state before the install goes on.
                    awaitSeen(seen, "view old", "raw old");
                }
                atSteps.add(step + ": " + stateInAView());
                if (step.equals("swap")) {
                    awaitSeen(seen, "view new", "raw new");
                }
            });
            assertThat(cache.offer(chunks.getLast())).isEqualTo(new SnapshotResult.Installed(NEW_SEQ));
            installing.set(false);
            views.get(60, TimeUnit.SECONDS);
            raw.get(60, TimeUnit.SECONDS);
        } finally {
            installing.set(false);
            readers.shutdownNow();
        }
        assertThat(problems).isEmpty();
        int swap = atSteps.indexOf("swap: new");
        assertThat(swap).as("steps: %s", atSteps).isPositive();
        assertThat(atSteps.subList(0, swap)).as("steps before the swap").allMatch(s -> s.endsWith(": old"));
        assertThat(atSteps.subList(0, swap))
                .as("the install took several steps of each kind")
                .filteredOn(s -> s.startsWith("entities"))
                .hasSizeGreaterThan(2);
        assertThat(atSteps.subList(swap, atSteps.size())).allMatch(s -> s.endsWith(": new"));
        assertThat(stateInAView()).isEqualTo("new");
        assertThat(cache.seq()).isEqualTo(NEW_SEQ);
        assertThat(cache.credentialCount()).isEqualTo(MEMBERS);
        assertThat(leftoverTables(file)).isEmpty();
        assertThat(cache.integrityCheck()).containsExactly("ok");
    }

    private static boolean found(PreparedStatement byCard, String cardHash) throws SQLException {
        byCard.setBytes(1, HexFormat.of().parseHex(cardHash));
        try (ResultSet rows = byCard.executeQuery()) {
            return rows.next();
        }
    }

    /** Waits (sleeping, so the readers get the cores) until the readers have seen {@code states}. */
    private static void awaitSeen(ConcurrentHashMap<String, AtomicInteger> seen, String... states) {
        await().atMost(Duration.ofSeconds(60))
                .pollInterval(Duration.ofMillis(1))
                .alias("the readers see " + List.of(states))
                .until(() -> seen.keySet().containsAll(Set.of(states)));
    }

    @Test
    void doorEventsCommitBetweenTheStepsOfAnInstallBeforeItsSwap() throws Exception {
        // Why: a door records its event before the relay moves; an install of a large snapshot
        // takes seconds, and a door must not wait for all of it. Here events are appended (alone,
        // and a pass use with its event) from another thread while the install is between two of
        // its steps, and must commit before the install's swap: the install waits for them, so
        // they cannot be waiting for the install.
        List<Envelope> chunks = stageAllButLast(snapshot("new", NEW_SEQ, "n", 2));
        ExecutorService door = Executors.newSingleThreadExecutor();
        List<String> recorded = new CopyOnWriteArrayList<>();
        try {
            cache.onInstallStep(step -> {
                if (!step.equals("entities") && !step.equals("entity_card_next")) {
                    return;
                }
                int n = recorded.size();
                try {
                    CompletableFuture.runAsync(
                                    () -> {
                                        cache.outbox().append(doorEvent("ev-" + step + "-" + n));
                                        cache.inTransaction(tx -> {
                                            boolean first = tx.recordPassUse(PassId.of("vp-" + n), "pe-" + n);
                                            tx.append(accessEvent("pe-" + n));
                                            return first;
                                        });
                                    },
                                    door)
                            .get(10, TimeUnit.SECONDS);
                } catch (Exception e) {
                    throw new AssertionError("a door's event waited for the install at step " + step, e);
                }
                recorded.add(step + " at seq " + cache.seq() + ", " + stateInAView());
            });
            assertThat(cache.offer(chunks.getLast())).isEqualTo(new SnapshotResult.Installed(NEW_SEQ));
        } finally {
            door.shutdownNow();
        }
        assertThat(recorded)
                .contains("entities at seq " + OLD_SEQ + ", old", "entity_card_next at seq " + OLD_SEQ + ", old");
        assertThat(recorded).allMatch(r -> r.endsWith("at seq " + OLD_SEQ + ", old"));
        assertThat(cache.outbox().depth()).isEqualTo(2L * recorded.size());
        assertThat(cache.visitorPassUsed(PassId.of("vp-0"))).isTrue(); // edge-local: the install keeps it
        assertThat(stateInAView()).isEqualTo("new");
    }

    @ParameterizedTest(name = "cut after a step of {0}")
    @ValueSource(strings = {"entities", "entity_card_next", "swap"})
    void anInstallCutShortLeavesTheOldOrTheNewCacheAndTheNextChunkFinishesIt(String cutAfter) throws Exception {
        // Why: the agent can die at any point of a long install. Every step is one transaction,
        // so a crash stops it between two of them, as closing the cache there does: the file must
        // then hold the old cache (before the swap) or the new one (after it), never a mix, and
        // the broker's redelivery of the unacknowledged last chunk must install the snapshot.
        List<Envelope> chunks = stageAllButLast(snapshot("new", NEW_SEQ, "n", 2));
        AtomicInteger steps = new AtomicInteger();
        cache.onInstallStep(step -> {
            if (step.equals(cutAfter) && steps.incrementAndGet() == (cutAfter.equals("entities") ? 3 : 1)) {
                cache.close();
            }
        });
        assertThatThrownBy(() -> cache.offer(chunks.getLast()))
                .isInstanceOfSatisfying(
                        CacheException.class, e -> assertThat(e.error()).isEqualTo(CacheError.CLOSED));

        cache = SqliteEntitlementCache.open(file, TENANT, SITE);
        boolean swapped = cutAfter.equals("swap");
        assertThat(stateInAView()).isEqualTo(swapped ? "new" : "old");
        assertThat(cache.seq()).isEqualTo(swapped ? NEW_SEQ : OLD_SEQ);
        if (swapped) {
            assertThat(leftoverTables(file)).isEmpty(); // the old tables were deleted at the reopen
            return;
        }
        assertThat(cache.offer(chunks.getLast())).isEqualTo(new SnapshotResult.Installed(NEW_SEQ));
        assertThat(stateInAView()).isEqualTo("new");
        assertThat(cache.credentialCount()).isEqualTo(MEMBERS);
        assertThat(leftoverTables(file)).isEmpty();
        assertThat(cache.integrityCheck()).containsExactly("ok");
    }

    @Test
    void aSnapshotThatEnrollsACardTwiceInDifferentChunksChangesNothing() throws Exception {
        // Why: the duplicate shows only once the snapshot's entities are all in (the card lookup
        // is filled last); the cache must still be exactly the old one, with nothing left over.
        List<Entity> entities = new ArrayList<>();
        entities.add(site());
        for (int i = 0; i < MEMBERS; i++) {
            entities.add(member("n-" + i));
            entities.add(card("n-c-" + i, "n-" + i, hash(i == MEMBERS - 1 ? "n-card-7" : "n-card-" + i)));
        }
        List<Envelope> chunks = stageAllButLast(chunks("dup", NEW_SEQ, entities));
        assertThatThrownBy(() -> cache.offer(chunks.getLast())).isInstanceOfSatisfying(CacheException.class, e -> {
            assertThat(e.error()).isEqualTo(CacheError.DUPLICATE_CARD_HASH);
            assertThat(e.getMessage()).contains("n-c-7").contains("n-c-" + (MEMBERS - 1));
        });
        assertThat(stateInAView()).isEqualTo("old");
        assertThat(cache.seq()).isEqualTo(OLD_SEQ);
        assertThat(cache.credentialCount()).isEqualTo(MEMBERS);
        assertThat(leftoverTables(file)).isEmpty();
        // the collected chunks were discarded: the snapshot must come again
        assertThat(cache.offer(chunks.getFirst())).isEqualTo(new SnapshotResult.Incomplete(1, chunks.size()));
    }

    @Test
    void afterASwapTheLookupsStillFollowEveryChange() {
        // Why: the card and member lookups are tables kept by triggers, and a swap re-creates them.
        // Were they lost, a replaced card would still be found by its old hash and keep opening doors.
        // The cache here was installed from a snapshot (a swap) in the set-up.
        cache.apply(batch(
                OLD_SEQ + 1,
                upsert(card("o-c-0", "o-0", hash("o-card-replaced"))),
                remove(EntityKind.CREDENTIAL, "o-c-1"),
                remove(EntityKind.MEMBER, "o-2"),
                upsert(grant("g-o-3", "o-3", "main"))));
        assertThat(cache.credentialByCardHash(hash("o-card-0"))).isEmpty();
        assertThat(cache.credentialByCardHash(hash("o-card-replaced")))
                .contains(card("o-c-0", "o-0", hash("o-card-replaced")));
        assertThat(cache.credentialByCardHash(hash("o-card-1"))).isEmpty();
        assertThat(cache.member(MemberId.of("o-2"))).isEmpty();
        assertThat(cache.grantsOf(MemberId.of("o-3"))).containsExactly(grant("g-o-3", "o-3", "main"));
        assertThat(cache.seq()).isEqualTo(OLD_SEQ + 4); // one seq per change
        assertThatThrownBy(() -> cache.apply(batch(OLD_SEQ + 5, upsert(card("o-c-9", "o-9", hash("o-card-4"))))))
                .isInstanceOfSatisfying(
                        CacheException.class, e -> assertThat(e.error()).isEqualTo(CacheError.DUPLICATE_CARD_HASH));
        assertThat(cache.seq()).isEqualTo(OLD_SEQ + 4);
        assertThat(cache.credentialByCardHash(hash("o-card-4"))).contains(card("o-c-4", "o-4", hash("o-card-4")));
    }

    @Test
    void aBatchThatOvertakesTheSnapshotWhileItIsBuiltWins() throws SQLException {
        // Why: the seq must match the entities. A batch applied during the build (through another
        // path than the sync thread) takes the cache past the snapshot; swapping the snapshot in
        // would then lose the batch's changes under a seq that claims them.
        List<Envelope> chunks = stageAllButLast(snapshot("new", OLD_SEQ + 2, "n", 2));
        AtomicBoolean applied = new AtomicBoolean();
        cache.onInstallStep(step -> {
            if (step.equals("entities") && !applied.getAndSet(true)) {
                cache.apply(batch(
                        OLD_SEQ + 1,
                        upsert(member("b-1")),
                        upsert(member("b-2")),
                        upsert(card("b-c-3", "b-1", hash("b-card-3")))));
            }
        });
        assertThat(cache.offer(chunks.getLast())).isInstanceOf(SnapshotResult.Ignored.class);
        assertThat(cache.seq()).isEqualTo(OLD_SEQ + 3);
        assertThat(stateInAView()).isEqualTo("old");
        assertThat(cache.credentialByCardHash(hash("b-card-3"))).isPresent();
        assertThat(leftoverTables(file)).isEmpty();
        assertThat(cache.apply(batch(OLD_SEQ + 4, upsert(member("b-4")))))
                .isEqualTo(new ApplyResult.Applied(OLD_SEQ + 4, OLD_SEQ + 4));
    }
}
