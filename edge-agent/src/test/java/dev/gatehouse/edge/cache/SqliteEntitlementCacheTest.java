package dev.gatehouse.edge.cache;

import static dev.gatehouse.edge.cache.CacheFixtures.SITE;
import static dev.gatehouse.edge.cache.CacheFixtures.T0;
import static dev.gatehouse.edge.cache.CacheFixtures.TENANT;
import static dev.gatehouse.edge.cache.CacheFixtures.batch;
import static dev.gatehouse.edge.cache.CacheFixtures.booking;
import static dev.gatehouse.edge.cache.CacheFixtures.card;
import static dev.gatehouse.edge.cache.CacheFixtures.chunk;
import static dev.gatehouse.edge.cache.CacheFixtures.door;
import static dev.gatehouse.edge.cache.CacheFixtures.grant;
import static dev.gatehouse.edge.cache.CacheFixtures.hash;
import static dev.gatehouse.edge.cache.CacheFixtures.keys;
import static dev.gatehouse.edge.cache.CacheFixtures.member;
import static dev.gatehouse.edge.cache.CacheFixtures.pass;
import static dev.gatehouse.edge.cache.CacheFixtures.remove;
import static dev.gatehouse.edge.cache.CacheFixtures.site;
import static dev.gatehouse.edge.cache.CacheFixtures.upsert;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.gatehouse.edge.cache.Schema.Migration;
import dev.gatehouse.protocol.message.Envelope;
import dev.gatehouse.protocol.message.SyncRequest;
import dev.gatehouse.protocol.model.CredentialId;
import dev.gatehouse.protocol.model.Door;
import dev.gatehouse.protocol.model.DoorId;
import dev.gatehouse.protocol.model.Entity;
import dev.gatehouse.protocol.model.EntityKind;
import dev.gatehouse.protocol.model.GrantId;
import dev.gatehouse.protocol.model.MemberId;
import dev.gatehouse.protocol.model.PassId;
import dev.gatehouse.protocol.model.Site;
import dev.gatehouse.protocol.sign.KeySet;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SqliteEntitlementCacheTest {
    @TempDir
    Path directory;

    private Path file;
    private SqliteEntitlementCache cache;

    @BeforeEach
    void openCache() {
        file = directory.resolve("cache.db");
        cache = SqliteEntitlementCache.open(file, TENANT, SITE);
    }

    @AfterEach
    void closeCache() {
        cache.close();
    }

    private void reopen() {
        cache.close();
        cache = SqliteEntitlementCache.open(file, TENANT, SITE);
    }

    static Connection raw(Path file) throws SQLException {
        return DriverManager.getConnection("jdbc:sqlite:" + file);
    }

    static String queryString(Path file, String sql) throws SQLException {
        try (Connection connection = raw(file);
                Statement statement = connection.createStatement();
                ResultSet rows = statement.executeQuery(sql)) {
            return rows.next() ? rows.getString(1) : "";
        }
    }

    static void execute(Path file, String sql) throws SQLException {
        try (Connection connection = raw(file);
                Statement statement = connection.createStatement()) {
            statement.execute(sql);
        }
    }

    @Nested
    class Opening {
        @Test
        void aNewFileIsMigratedToTheLatestSchemaInWalModeAndStartsAtSeqZero() throws SQLException {
            // Why: a freshly provisioned edge must be able to apply its first snapshot straight away,
            // and WAL is what lets door lookups proceed while sync writes.
            cache.close();
            assertThat(queryString(file, "PRAGMA user_version")).isEqualTo(String.valueOf(Schema.SCHEMA_VERSION));
            assertThat(queryString(file, "PRAGMA journal_mode")).isEqualTo("wal");
            cache = SqliteEntitlementCache.open(file, TENANT, SITE);
            assertThat(cache.seq()).isZero();
            assertThat(cache.hubTimeHighWater()).isEmpty();
            assertThat(cache.site()).isEmpty();
            assertThat(cache.credentialCount()).isZero();
        }

        @Test
        void migrationStepsAreNumberedOneByOne() {
            // Why: user_version names the last step applied; a hole or a repeat would skip or re-run a step.
            List<Migration> steps = Schema.MIGRATIONS;
            for (int i = 0; i < steps.size(); i++) {
                assertThat(steps.get(i).version()).isEqualTo(i + 1);
            }
        }

        @Test
        void reopeningKeepsEntitiesSeqAndHubTimeWithoutMigratingAgain() throws SQLException {
            // Why: an agent restart must decide from what it had, not from an empty cache.
            cache.apply(batch(1, T0, upsert(member("m-1")), upsert(card("c-1", "m-1", hash("card-1")))));
            reopen();
            assertThat(cache.seq()).isEqualTo(2);
            assertThat(cache.hubTimeHighWater()).contains(T0);
            assertThat(cache.credentialByCardHash(hash("card-1"))).contains(card("c-1", "m-1", hash("card-1")));
            assertThat(queryString(file, "PRAGMA user_version")).isEqualTo(String.valueOf(Schema.SCHEMA_VERSION));
        }

        @Test
        void aFileOfSchemaTwoKeepsItsCardsAndGrantsFindableAfterTheLookupTablesArrive() throws SQLException {
            // Why: schema 3 moves the card-hash and member indexes into tables of their own; an edge
            // upgraded in the field must find every card and grant it had, and still refuse a
            // second enrollment of a card.
            Path old = directory.resolve("schema-2.db");
            try (Connection connection = raw(old)) {
                Schema.migrate(connection, Schema.MIGRATIONS.subList(0, 2), old);
            }
            try (SqliteEntitlementCache v2 =
                    SqliteEntitlementCache.open(directory.resolve("v2-rows.db"), TENANT, SITE)) {
                v2.apply(batch(1, upsert(card("c-1", "m-1", hash("card-1"))), upsert(grant("g-1", "m-1", "main"))));
            }
            try (Connection connection = raw(old);
                    Statement statement = connection.createStatement()) {
                statement.execute("ATTACH '" + directory.resolve("v2-rows.db") + "' AS source");
                statement.execute("INSERT INTO entity SELECT kind, key, member, card_hash, json FROM source.entity");
                statement.execute("INSERT INTO meta SELECT * FROM source.meta");
            }
            try (SqliteEntitlementCache upgraded = SqliteEntitlementCache.open(old, TENANT, SITE)) {
                assertThat(upgraded.seq()).isEqualTo(2);
                assertThat(upgraded.credentialByCardHash(hash("card-1"))).contains(card("c-1", "m-1", hash("card-1")));
                assertThat(upgraded.grantsOf(MemberId.of("m-1"))).containsExactly(grant("g-1", "m-1", "main"));
                assertThatThrownBy(() -> upgraded.apply(batch(3, upsert(card("c-2", "m-2", hash("card-1"))))))
                        .isInstanceOfSatisfying(CacheException.class, e -> assertThat(e.error())
                                .isEqualTo(CacheError.DUPLICATE_CARD_HASH));
            }
            assertThat(queryString(
                            old, "SELECT count(*) FROM sqlite_master WHERE type = 'index' AND name LIKE 'entity_by_%'"))
                    .isEqualTo("0");
        }

        @Test
        void aFailingMigrationStepLeavesTheFileAtThePreviousVersion() throws SQLException {
            // Why: each step runs in one transaction; half a step would leave a schema no version describes.
            Path other = directory.resolve("migrations.db");
            Migration first = new Migration(1, "a table", List.of("CREATE TABLE first (x)"));
            Migration broken = new Migration(2, "broken", List.of("CREATE TABLE second (x)", "THIS IS NOT SQL"));
            try (Connection connection = raw(other)) {
                Schema.migrate(connection, List.of(first), other);
                assertThatThrownBy(() -> Schema.migrate(connection, List.of(first, broken), other))
                        .isInstanceOf(SQLException.class);
            }
            assertThat(queryString(other, "PRAGMA user_version")).isEqualTo("1");
            assertThat(queryString(other, "SELECT count(*) FROM sqlite_master WHERE name = 'second'"))
                    .isEqualTo("0");

            Migration fixed = new Migration(2, "fixed", List.of("CREATE TABLE second (x)"));
            try (Connection connection = raw(other)) {
                Schema.migrate(connection, List.of(first, fixed), other);
            }
            assertThat(queryString(other, "PRAGMA user_version")).isEqualTo("2");
            assertThat(queryString(other, "SELECT count(*) FROM sqlite_master WHERE name = 'second'"))
                    .isEqualTo("1");
        }

        @Test
        void aFileFromANewerAgentIsRefusedNamingBothVersions() throws SQLException {
            // Why: an older agent after a rollback must not misread (or "repair") a newer schema.
            cache.close();
            int newer = Schema.SCHEMA_VERSION + 1;
            execute(file, "PRAGMA user_version = " + newer);
            assertThatThrownBy(() -> SqliteEntitlementCache.open(file, TENANT, SITE))
                    .isInstanceOfSatisfying(CacheException.class, e -> {
                        assertThat(e.error()).isEqualTo(CacheError.SCHEMA_TOO_NEW);
                        assertThat(e.getMessage())
                                .contains("version " + newer)
                                .contains("up to " + Schema.SCHEMA_VERSION);
                    });
            assertThat(queryString(file, "PRAGMA user_version")).isEqualTo(String.valueOf(newer));
            cache = SqliteEntitlementCache.open(directory.resolve("fresh.db"), TENANT, SITE);
        }

        @Test
        void aFileOfAnotherSiteIsRefused() {
            // Why: a Pi moved to another site, or a mistyped data directory, must not open doors by the
            // first site's roster.
            cache.close();
            assertThatThrownBy(() -> SqliteEntitlementCache.open(file, TENANT, "hq-hamburg"))
                    .isInstanceOfSatisfying(CacheException.class, e -> {
                        assertThat(e.error()).isEqualTo(CacheError.WRONG_SITE);
                        assertThat(e.getMessage()).contains("acme/hq-berlin").contains("acme/hq-hamburg");
                    });
            cache = SqliteEntitlementCache.open(file, TENANT, SITE);
        }

        @Test
        void aFileOfAnotherTenantIsRefused() {
            // Why: tenants never share keys or entitlements.
            cache.close();
            assertThatThrownBy(() -> SqliteEntitlementCache.open(file, "globex", SITE))
                    .isInstanceOfSatisfying(
                            CacheException.class, e -> assertThat(e.error()).isEqualTo(CacheError.WRONG_SITE));
            cache = SqliteEntitlementCache.open(file, TENANT, SITE);
        }

        @Test
        void aGarbageFileGivesACorruptCacheErrorNotACrash() throws IOException {
            // Why: an SD card that returns garbage must produce an error a technician can act on.
            byte[] garbage = new byte[16_384];
            new Random(3).nextBytes(garbage);
            Path bad = directory.resolve("garbage.db");
            Files.write(bad, garbage);
            assertThatThrownBy(() -> SqliteEntitlementCache.open(bad, TENANT, SITE))
                    .isInstanceOfSatisfying(CacheException.class, e -> {
                        assertThat(e.error()).isEqualTo(CacheError.CORRUPT);
                        assertThat(e.getMessage()).contains(bad.toString()).contains("move the file aside");
                    });
        }

        @Test
        void anotherApplicationsDatabaseIsRefusedAndLeftAlone() throws SQLException {
            // Why: a data directory pointed at the wrong file must not have our tables added to it.
            Path foreign = directory.resolve("foreign.db");
            execute(foreign, "CREATE TABLE invoices (id INTEGER PRIMARY KEY)");
            assertThatThrownBy(() -> SqliteEntitlementCache.open(foreign, TENANT, SITE))
                    .isInstanceOfSatisfying(CacheException.class, e -> {
                        assertThat(e.error()).isEqualTo(CacheError.CORRUPT);
                        assertThat(e.getMessage()).contains("something else");
                    });
            assertThat(queryString(foreign, "SELECT group_concat(name) FROM sqlite_master"))
                    .isEqualTo("invoices");
            assertThat(queryString(foreign, "PRAGMA journal_mode")).isEqualTo("delete");
        }

        @Test
        void aTruncatedFileGivesACorruptCacheErrorOnOpenOrOnTheFirstRead() throws IOException {
            // Why: a file cut short (a failed copy, a full card) is damaged past its header; the damage
            // shows up when a page is read, and must still surface as CORRUPT.
            List<Entity> cards = new ArrayList<>();
            for (int i = 0; i < 2_000; i++) {
                cards.add(card("c-" + i, "m-" + i, hash("card-" + i)));
            }
            cache.bulkLoad(cards);
            cache.close();
            try (RandomAccessFile truncate = new RandomAccessFile(file.toFile(), "rw")) {
                truncate.setLength(truncate.length() / 3);
            }
            assertThatThrownBy(() -> {
                        try (SqliteEntitlementCache damaged = SqliteEntitlementCache.open(file, TENANT, SITE)) {
                            damaged.integrityCheck();
                            damaged.credentialCount();
                            for (int i = 0; i < 2_000; i++) {
                                damaged.credentialByCardHash(hash("card-" + i));
                            }
                        }
                    })
                    .isInstanceOfSatisfying(
                            CacheException.class, e -> assertThat(e.error()).isEqualTo(CacheError.CORRUPT));
            cache = SqliteEntitlementCache.open(directory.resolve("fresh.db"), TENANT, SITE);
        }

        @Test
        void aMissingDirectoryIsNamedInTheError() {
            // Why: a typo in the configured data directory should say so, not "SQLITE_CANTOPEN".
            Path nowhere = directory.resolve("no-such-dir").resolve("cache.db");
            assertThatThrownBy(() -> SqliteEntitlementCache.open(nowhere, TENANT, SITE))
                    .isInstanceOfSatisfying(CacheException.class, e -> {
                        assertThat(e.error()).isEqualTo(CacheError.CANNOT_OPEN);
                        assertThat(e.getMessage()).contains(nowhere.getParent().toString());
                    });
        }

        @Test
        void anInvalidSiteIdIsRefusedBeforeTheFileIsTouched() {
            // Why: the site id is written into the file; a bad one would bind the file forever.
            Path other = directory.resolve("other.db");
            assertThatThrownBy(() -> SqliteEntitlementCache.open(other, TENANT, "hq berlin"))
                    .isInstanceOfSatisfying(
                            CacheException.class, e -> assertThat(e.error()).isEqualTo(CacheError.INVALID_ARGUMENT));
            assertThat(other).doesNotExist();
        }

        @Test
        void integrityCheckIsOkAfterWritesAndClose() throws SQLException {
            // Why: the agent's crash test and the technician CLI rely on integrity_check; it must be
            // "ok" after ordinary use, with the WAL checkpointed on close.
            cache.apply(batch(1, upsert(member("m-1")), upsert(card("c-1", "m-1", hash("card-1")))));
            cache.outbox().append(CacheFixtures.accessEvent("ev-1"));
            cache.recordPassUse(PassId.of("vp-1"), "ev-1");
            assertThat(cache.integrityCheck()).containsExactly("ok");
            cache.close();
            assertThat(queryString(file, "PRAGMA integrity_check")).isEqualTo("ok");
            assertThat(directory.resolve("cache.db-wal"))
                    .satisfiesAnyOf(wal -> assertThat(wal).doesNotExist(), wal -> assertThat(Files.size(wal))
                            .isZero());
            cache = SqliteEntitlementCache.open(file, TENANT, SITE);
        }

        @Test
        void aClosedCacheRefusesWorkWithAClosedError() {
            // Why: a component holding on to a closed cache must fail loudly, not hit a closed JDBC connection.
            cache.close();
            assertThatThrownBy(() -> cache.credentialByCardHash(hash("x")))
                    .isInstanceOfSatisfying(
                            CacheException.class, e -> assertThat(e.error()).isEqualTo(CacheError.CLOSED));
            assertThatThrownBy(() -> cache.apply(batch(1, upsert(member("m-1")))))
                    .isInstanceOfSatisfying(
                            CacheException.class, e -> assertThat(e.error()).isEqualTo(CacheError.CLOSED));
            cache.close(); // idempotent
        }
    }

    @Nested
    class ApplyingBatches {
        @Test
        void theNextBatchIsAppliedWithItsSeq() {
            // Why: the basic path of sync: seq and entities move together.
            ApplyResult result = cache.apply(
                    batch(1, upsert(site()), upsert(member("m-1")), upsert(card("c-1", "m-1", hash("card-1")))));
            assertThat(result).isEqualTo(new ApplyResult.Applied(1, 3));
            assertThat(cache.seq()).isEqualTo(3);
            assertThat(cache.site()).contains(site());
            assertThat(cache.member(MemberId.of("m-1"))).contains(member("m-1"));
            assertThat(cache.credential(CredentialId.of("c-1"))).contains(card("c-1", "m-1", hash("card-1")));
        }

        @Test
        void applyingTheSameBatchTwiceIsHarmless() {
            // Why: MQTT QoS 1 delivers at least once; a redelivery must change nothing.
            Envelope batch = batch(1, upsert(member("m-1")), upsert(card("c-1", "m-1", hash("card-1"))));
            cache.apply(batch);
            cache.apply(batch(3, remove(EntityKind.CREDENTIAL, "c-1")));
            assertThat(cache.apply(batch)).isEqualTo(new ApplyResult.Repeat(3));
            assertThat(cache.seq()).isEqualTo(3);
            assertThat(cache.credential(CredentialId.of("c-1"))).isEmpty(); // not resurrected by the repeat
        }

        @Test
        void aGapChangesNothingAndReportsTheSeqToAskFrom() {
            // Why: applying 5..6 on top of 2 would silently skip changes 3 and 4 (maybe a revocation).
            cache.apply(batch(1, upsert(member("m-1")), upsert(member("m-2"))));
            ApplyResult result = cache.apply(batch(5, upsert(member("m-5")), upsert(member("m-6"))));
            assertThat(result).isEqualTo(new ApplyResult.Gap(2));
            assertThat(cache.seq()).isEqualTo(2);
            assertThat(cache.member(MemberId.of("m-5"))).isEmpty();
        }

        @Test
        void anOverlappingBatchAppliesOnlyTheChangesAfterTheSeq() {
            // Why: replaying changes the cache already has would step back through old states: here
            // change 1 gives c-1 the card that c-2 holds since change 3, so replaying it would fail
            // (or, with a weaker check, hand the card back to c-1).
            cache.apply(batch(
                    1,
                    upsert(card("c-1", "m-1", hash("card-a"))),
                    upsert(card("c-1", "m-1", hash("card-b"))),
                    upsert(card("c-2", "m-2", hash("card-a")))));
            ApplyResult result = cache.apply(batch(
                    1,
                    upsert(card("c-1", "m-1", hash("card-a"))),
                    upsert(card("c-1", "m-1", hash("card-b"))),
                    upsert(card("c-2", "m-2", hash("card-a"))),
                    upsert(member("m-4"))));
            assertThat(result).isEqualTo(new ApplyResult.Applied(4, 4));
            assertThat(cache.seq()).isEqualTo(4);
            assertThat(cache.credentialByCardHash(hash("card-a")).map(c -> c.id().value()))
                    .contains("c-2");
            assertThat(cache.credentialByCardHash(hash("card-b")).map(c -> c.id().value()))
                    .contains("c-1");
            assertThat(cache.member(MemberId.of("m-4"))).isPresent();
        }

        @Test
        void aBatchThatEnrollsACardTwiceRollsBackEntirely() {
            // Why: the batch is one transaction with its seq; half of it applied would leave the cache
            // at a state the hub never had, and the seq would say otherwise.
            cache.apply(batch(1, upsert(member("m-0"))));
            Envelope bad = batch(
                    2,
                    upsert(member("m-1")),
                    upsert(card("c-1", "m-1", hash("card-1"))),
                    remove(EntityKind.MEMBER, "m-0"),
                    upsert(card("c-2", "m-1", hash("card-1"))));
            assertThatThrownBy(() -> cache.apply(bad)).isInstanceOfSatisfying(CacheException.class, e -> {
                assertThat(e.error()).isEqualTo(CacheError.DUPLICATE_CARD_HASH);
                assertThat(e.getMessage()).contains("c-2").contains("c-1");
            });
            assertThat(cache.seq()).isEqualTo(1);
            assertThat(cache.member(MemberId.of("m-1"))).isEmpty();
            assertThat(cache.member(MemberId.of("m-0"))).isPresent();
            assertThat(cache.credential(CredentialId.of("c-1"))).isEmpty();
            assertThat(cache.credentialByCardHash(hash("card-1"))).isEmpty();
            // and the cache still works: the corrected batch applies.
            assertThat(cache.apply(batch(2, upsert(member("m-1")), upsert(card("c-1", "m-1", hash("card-1"))))))
                    .isEqualTo(new ApplyResult.Applied(2, 3));
        }

        @Test
        void replacingACredentialsCardHashFreesTheOldHash() {
            // Why: a re-issued card gets a new hash; the old card must stop working, and its hash may be
            // enrolled again later.
            cache.apply(batch(1, upsert(card("c-1", "m-1", hash("old")))));
            cache.apply(batch(2, upsert(card("c-1", "m-1", hash("new"))), upsert(card("c-2", "m-2", hash("old")))));
            assertThat(cache.credentialByCardHash(hash("new")).map(c -> c.id().value()))
                    .contains("c-1");
            assertThat(cache.credentialByCardHash(hash("old")).map(c -> c.id().value()))
                    .contains("c-2");
        }

        @Test
        void removingAnAbsentEntityIsHarmless() {
            // Why: the log may remove what a snapshot never held.
            assertThat(cache.apply(batch(1, remove(EntityKind.GRANT, "g-404"), remove(EntityKind.SITE, "hq"))))
                    .isEqualTo(new ApplyResult.Applied(1, 2));
        }

        @Test
        void aSiteUpsertReplacesTheSiteEntityWhateverItsId() {
            // Why: the cache holds one site entity, as the reference implementation does.
            Site renamed = new Site("hq-berlin-2", ZoneId.of("Europe/Berlin"), Set.of());
            cache.apply(batch(1, upsert(site()), upsert(renamed)));
            assertThat(cache.site()).contains(renamed);
            cache.apply(batch(3, remove(EntityKind.SITE, SITE)));
            assertThat(cache.site()).contains(renamed);
        }

        @Test
        void grantsAndBookingsOfAMemberComeInIdOrder() {
            // Why: the engine examines grants in id order so that edge and hub give the same reason.
            cache.apply(batch(
                    1,
                    upsert(grant("g-b", "m-1", "main")),
                    upsert(grant("g-10", "m-1", "main")),
                    upsert(grant("g-a", "m-2", "main")),
                    upsert(grant("g-2", "m-1", "main")),
                    upsert(booking("bk-2", "m-1", "room")),
                    upsert(booking("bk-1", "m-1", "room"))));
            assertThat(cache.grantsOf(MemberId.of("m-1")))
                    .extracting(g -> g.id().value())
                    .containsExactly("g-10", "g-2", "g-b");
            assertThat(cache.bookingsOf(MemberId.of("m-1")))
                    .extracting(b -> b.id().value())
                    .containsExactly("bk-1", "bk-2");
            cache.apply(batch(7, upsert(grant("g-2", "m-2", "main"))));
            assertThat(cache.grantsOf(MemberId.of("m-1")))
                    .extracting(g -> g.id().value())
                    .containsExactly("g-10", "g-b");
            assertThat(cache.grantsOf(MemberId.of("m-2")))
                    .extracting(g -> g.id().value())
                    .containsExactly("g-2", "g-a");
        }

        @Test
        void theHubTimeHighWaterMarkMovesOnlyForwardAndOnlyWhenTheSeqAdvanced() {
            // Why: a replayed old batch must not move the clock-trust reference, and a batch signed at
            // an earlier time than one already seen must not pull it back.
            Instant t1 = T0.plus(Duration.ofHours(1));
            cache.apply(batch(1, t1, upsert(member("m-1"))));
            assertThat(cache.hubTimeHighWater()).contains(t1);
            cache.apply(batch(2, T0, upsert(member("m-2"))));
            assertThat(cache.hubTimeHighWater()).contains(t1);
            cache.apply(batch(1, t1.plus(Duration.ofDays(1)), upsert(member("m-1")))); // repeat
            cache.apply(batch(9, t1.plus(Duration.ofDays(1)), upsert(member("m-9")))); // gap
            assertThat(cache.hubTimeHighWater()).contains(t1);
            Instant t2 = t1.plus(Duration.ofMinutes(5));
            cache.apply(batch(3, t2, upsert(member("m-3"))));
            assertThat(cache.hubTimeHighWater()).contains(t2);
        }

        @Test
        void aBatchForAnotherSiteOrTenantIsRefusedAndChangesNothing() {
            // Why: verification binds a batch to its audience; the cache double-checks rather than
            // trusting every caller to have done it.
            assertThatThrownBy(() -> cache.apply(batch(TENANT, "hq-hamburg", 1, T0, List.of(upsert(member("m-1"))))))
                    .isInstanceOfSatisfying(
                            CacheException.class, e -> assertThat(e.error()).isEqualTo(CacheError.WRONG_MESSAGE));
            assertThatThrownBy(() -> cache.apply(batch("globex", SITE, 1, T0, List.of(upsert(member("m-1"))))))
                    .isInstanceOfSatisfying(
                            CacheException.class, e -> assertThat(e.error()).isEqualTo(CacheError.WRONG_MESSAGE));
            assertThat(cache.seq()).isZero();
            assertThat(cache.member(MemberId.of("m-1"))).isEmpty();
        }

        @Test
        void aMessageThatIsNotABatchIsRefused() {
            // Why: handing a snapshot chunk or a request to apply() is a wiring bug to surface at once.
            Envelope request = new Envelope("rq-1", T0, new SyncRequest(SITE, 0));
            assertThatThrownBy(() -> cache.apply(request))
                    .isInstanceOfSatisfying(
                            CacheException.class, e -> assertThat(e.error()).isEqualTo(CacheError.WRONG_MESSAGE));
            assertThatThrownBy(() -> cache.apply(chunk("snap-1", 1, 0, 1, member("m-1"))))
                    .isInstanceOfSatisfying(
                            CacheException.class, e -> assertThat(e.error()).isEqualTo(CacheError.WRONG_MESSAGE));
        }

        @Test
        void anUppercaseOrMalformedCardHashFindsNothing() {
            // Why: hashes are lowercase hex; the cache must not find a card by a spelling the
            // reference (an exact string match) would not.
            cache.apply(batch(1, upsert(card("c-1", "m-1", hash("card-1")))));
            assertThat(cache.credentialByCardHash(hash("card-1").toUpperCase())).isEmpty();
            assertThat(cache.credentialByCardHash("abc")).isEmpty();
            assertThat(cache.credentialByCardHash(hash("card-1"))).isPresent();
        }
    }

    @Nested
    class Snapshots {
        @Test
        void aCompleteSnapshotReplacesTheWholeCacheAndSetsItsSeq() {
            // Why: a snapshot is the site's state; an entity it lacks (a card removed while the log
            // was compacted away) must disappear, or it would open doors forever.
            cache.apply(batch(1, upsert(member("m-old")), upsert(card("c-old", "m-old", hash("old")))));
            cache.recordPassUse(PassId.of("vp-1"), "ev-1");
            assertThat(cache.offer(chunk("snap-1", 40, 0, 2, site(), member("m-1"))))
                    .isEqualTo(new SnapshotResult.Incomplete(1, 2));
            assertThat(cache.seq()).isEqualTo(2); // nothing replaced yet
            assertThat(cache.member(MemberId.of("m-old"))).isPresent();

            assertThat(cache.offer(chunk("snap-1", 40, 1, 2, card("c-1", "m-1", hash("card-1")), door("main"))))
                    .isEqualTo(new SnapshotResult.Installed(40));
            assertThat(cache.seq()).isEqualTo(40);
            assertThat(cache.member(MemberId.of("m-old"))).isEmpty();
            assertThat(cache.credentialByCardHash(hash("old"))).isEmpty();
            assertThat(cache.credentialByCardHash(hash("card-1"))).isPresent();
            assertThat(cache.site()).contains(site());
            assertThat(cache.door(DoorId.of("main"))).contains(door("main"));
            assertThat(cache.credentialCount()).isEqualTo(1);
            assertThat(cache.visitorPassUsed(PassId.of("vp-1"))).isTrue(); // an edge-local fact survives
            // and the log continues from the snapshot's seq
            assertThat(cache.apply(batch(41, upsert(member("m-41"))))).isEqualTo(new ApplyResult.Applied(41, 41));
        }

        @Test
        void chunksMayArriveInAnyOrderAndTwice() {
            // Why: QoS 1 may redeliver and the broker may reorder across reconnects.
            assertThat(cache.offer(chunk("snap-1", 5, 2, 3, member("m-2"))))
                    .isEqualTo(new SnapshotResult.Incomplete(1, 3));
            assertThat(cache.offer(chunk("snap-1", 5, 2, 3, member("m-2"))))
                    .isEqualTo(new SnapshotResult.Incomplete(1, 3));
            assertThat(cache.offer(chunk("snap-1", 5, 0, 3, member("m-0"))))
                    .isEqualTo(new SnapshotResult.Incomplete(2, 3));
            assertThat(cache.offer(chunk("snap-1", 5, 1, 3, member("m-1")))).isEqualTo(new SnapshotResult.Installed(5));
            assertThat(List.of("m-0", "m-1", "m-2"))
                    .allSatisfy(id -> assertThat(cache.member(MemberId.of(id))).isPresent());
        }

        @Test
        void collectedChunksSurviveARestart() {
            // Why: a million-card snapshot takes a while to arrive; a restart midway need not start over.
            cache.offer(chunk("snap-1", 5, 0, 2, member("m-0")));
            reopen();
            assertThat(cache.offer(chunk("snap-1", 5, 1, 2, member("m-1")))).isEqualTo(new SnapshotResult.Installed(5));
            assertThat(cache.member(MemberId.of("m-0"))).isPresent();
        }

        @Test
        void aSnapshotBelowTheCachesSeqIsIgnored() {
            // Why: installing an older state would undo changes (a revocation) the edge already applied.
            cache.apply(batch(1, upsert(member("m-1")), upsert(member("m-2"))));
            assertThat(cache.offer(chunk("snap-old", 1, 0, 1, member("m-9"))))
                    .isInstanceOf(SnapshotResult.Ignored.class);
            assertThat(cache.seq()).isEqualTo(2);
            assertThat(cache.member(MemberId.of("m-9"))).isEmpty();
        }

        @Test
        void aHigherSnapshotReplacesAnIncompleteLowerOneAndALowerOneIsIgnored() {
            // Why: the edge asked again (or the hub moved on); only the newest snapshot can complete.
            cache.offer(chunk("snap-10", 10, 0, 2, member("m-10")));
            assertThat(cache.offer(chunk("snap-20", 20, 0, 2, member("m-20"))))
                    .isEqualTo(new SnapshotResult.Incomplete(1, 2));
            assertThat(cache.offer(chunk("snap-10", 10, 1, 2, member("m-11"))))
                    .isInstanceOf(SnapshotResult.Ignored.class);
            assertThat(cache.offer(chunk("snap-20", 20, 1, 2, member("m-21"))))
                    .isEqualTo(new SnapshotResult.Installed(20));
            assertThat(cache.member(MemberId.of("m-10"))).isEmpty();
            assertThat(cache.member(MemberId.of("m-20"))).isPresent();
        }

        @Test
        void chunksOfOneSnapshotThatDisagreeOnSeqOrCountDiscardIt() {
            // Why: such a snapshot cannot be assembled into one consistent state; it must be requested again.
            cache.offer(chunk("snap-1", 5, 0, 3, member("m-0")));
            assertThat(cache.offer(chunk("snap-1", 5, 1, 2, member("m-1"))))
                    .isInstanceOf(SnapshotResult.Discarded.class);
            // the earlier chunk is gone: completing needs every chunk again
            assertThat(cache.offer(chunk("snap-1", 5, 1, 2, member("m-1"))))
                    .isEqualTo(new SnapshotResult.Incomplete(1, 2));
            cache.offer(chunk("snap-1", 5, 0, 2, member("m-0")));
            assertThat(cache.seq()).isEqualTo(5);
        }

        @Test
        void aSnapshotThatEnrollsACardTwiceLeavesTheCacheUnchangedAndIsDiscarded() {
            // Why: the install is one transaction; the duplicate is the hub's bug, and the doors keep
            // deciding from the last good state meanwhile.
            cache.apply(batch(1, upsert(card("c-0", "m-0", hash("card-0")))));
            cache.offer(chunk("snap-1", 9, 0, 2, card("c-1", "m-1", hash("same"))));
            assertThatThrownBy(() -> cache.offer(chunk("snap-1", 9, 1, 2, card("c-2", "m-2", hash("same")))))
                    .isInstanceOfSatisfying(CacheException.class, e -> {
                        assertThat(e.error()).isEqualTo(CacheError.DUPLICATE_CARD_HASH);
                        assertThat(e.getMessage()).contains("c-1").contains("c-2");
                    });
            assertThat(cache.seq()).isEqualTo(1);
            assertThat(cache.credentialByCardHash(hash("card-0"))).isPresent();
            assertThat(cache.credentialByCardHash(hash("same"))).isEmpty();
            assertThat(cache.offer(chunk("snap-1", 9, 1, 2, card("c-2", "m-2", hash("other")))))
                    .isEqualTo(new SnapshotResult.Incomplete(1, 2));
        }

        @Test
        void aSnapshotOvertakenByBatchesWhileCollectingIsIgnored() {
            // Why: batches applied meanwhile are newer than the snapshot; installing it would go back.
            cache.offer(chunk("snap-1", 1, 0, 2, member("m-snap")));
            cache.apply(batch(1, upsert(member("m-1")), upsert(member("m-2"))));
            assertThat(cache.offer(chunk("snap-1", 1, 1, 2, member("m-snap-2"))))
                    .isInstanceOf(SnapshotResult.Ignored.class);
            assertThat(cache.seq()).isEqualTo(2);
            assertThat(cache.member(MemberId.of("m-snap"))).isEmpty();
        }

        @Test
        void anInstalledSnapshotRaisesTheHubTimeHighWaterMark() {
            // Why: a new edge's first sync is a snapshot; its signed time is the first trusted hub time.
            Instant later = T0.plus(Duration.ofMinutes(3));
            cache.offer(chunk("snap-1", 3, 0, 2, later, List.of(member("m-0"))));
            cache.offer(chunk("snap-1", 3, 1, 2, T0, List.of(member("m-1"))));
            assertThat(cache.hubTimeHighWater()).contains(later);
        }
    }

    @Nested
    class Keys {
        @Test
        void provisionedKeysAreSeededOnlyIntoACacheWithoutKeys() {
            // Why: once sync has delivered keys (maybe a rotation removed the provisioned one), a
            // restart must not bring the old provisioning keys back.
            KeySet provisioned = keys("k-prov");
            assertThat(cache.trustedKeys().isEmpty()).isTrue();
            assertThat(cache.seedKeys(provisioned)).isTrue();
            assertThat(cache.trustedKeys().keyIds()).containsExactly("k-prov");

            KeySet rotated = keys("k-new");
            cache.apply(batch(1, upsert(rotated.toSigningKeys().getFirst()), remove(EntityKind.SIGNING_KEY, "k-prov")));
            assertThat(cache.seedKeys(provisioned)).isFalse();
            assertThat(cache.trustedKeys().keyIds()).containsExactly("k-new");
            assertThat(cache.trustedKeys().key("k-new"))
                    .contains(rotated.key("k-new").orElseThrow());
        }

        @Test
        void keysArriveAndLeaveThroughSyncAndSurviveARestart() {
            // Why: the cache's signing keys are the only keys the edge trusts.
            KeySet two = keys("k-1", "k-2");
            cache.apply(batch(
                    1,
                    upsert(two.toSigningKeys().get(0)),
                    upsert(two.toSigningKeys().get(1))));
            assertThat(cache.trustedKeys().keyIds()).containsExactlyInAnyOrder("k-1", "k-2");
            reopen();
            cache.apply(batch(3, remove(EntityKind.SIGNING_KEY, "k-1")));
            assertThat(cache.trustedKeys().keyIds()).containsExactly("k-2");
        }
    }

    @Nested
    class PassUse {
        @Test
        void theFirstUseIsRecordedAndASecondIsRefused() {
            // Why: a single-use visitor pass opens one door once.
            PassId pass = PassId.of("vp-1");
            assertThat(cache.visitorPassUsed(pass)).isFalse();
            assertThat(cache.recordPassUse(pass, "ev-1")).isTrue();
            assertThat(cache.recordPassUse(pass, "ev-2")).isFalse();
            assertThat(cache.visitorPassUsed(pass)).isTrue();
            assertThat(cache.visitorPassUsed(PassId.of("vp-2"))).isFalse();
            reopen();
            assertThat(cache.recordPassUse(pass, "ev-3")).isFalse();
        }

        @Test
        void exactlyOneOfManyConcurrentUsesWinsAcrossTwoConnections() throws Exception {
            // Why: two doors may see the same pass at the same moment, from different threads (and
            // here through two separate caches on the file, so two SQLite connections); the
            // conditional insert must let exactly one through.
            try (SqliteEntitlementCache second = SqliteEntitlementCache.open(file, TENANT, SITE)) {
                for (int round = 0; round < 20; round++) {
                    PassId pass = PassId.of("vp-race-" + round);
                    int threads = 8;
                    CountDownLatch start = new CountDownLatch(1);
                    ExecutorService pool = Executors.newFixedThreadPool(threads);
                    try {
                        List<Future<Boolean>> uses = new ArrayList<>();
                        for (int t = 0; t < threads; t++) {
                            SqliteEntitlementCache door = t % 2 == 0 ? cache : second;
                            String eventId = "ev-" + round + "-" + t;
                            uses.add(pool.submit(() -> {
                                start.await();
                                return door.recordPassUse(pass, eventId);
                            }));
                        }
                        start.countDown();
                        int winners = 0;
                        for (Future<Boolean> use : uses) {
                            winners += use.get(10, TimeUnit.SECONDS) ? 1 : 0;
                        }
                        assertThat(winners).as("round %d", round).isEqualTo(1);
                    } finally {
                        pool.shutdownNow();
                    }
                    assertThat(second.visitorPassUsed(pass)).isTrue();
                }
            }
        }

        @Test
        void aPassUseAndItsEventCommitTogetherOrNotAtAll() {
            // Why: a pass marked used without its access event (or the reverse) would make the
            // hub's log and the door disagree.
            PassId pass = PassId.of("vp-1");
            assertThatThrownBy(() -> cache.inTransaction(tx -> {
                        tx.recordPassUse(pass, "ev-1");
                        tx.append(CacheFixtures.accessEvent("ev-1"));
                        throw new IllegalStateException("relay failed");
                    }))
                    .isInstanceOf(IllegalStateException.class);
            assertThat(cache.visitorPassUsed(pass)).isFalse();
            assertThat(cache.outbox().depth()).isZero();

            boolean first = cache.inTransaction(tx -> {
                boolean won = tx.recordPassUse(pass, "ev-2");
                tx.append(CacheFixtures.accessEvent("ev-2"));
                return won;
            });
            assertThat(first).isTrue();
            assertThat(cache.visitorPassUsed(pass)).isTrue();
            assertThat(cache.outbox().peek(10)).extracting(Envelope::id).containsExactly("ev-2");
        }

        @Test
        void aTransactionCannotBeUsedAfterItsWorkReturned() {
            // Why: a leaked transaction would write outside any transaction, breaking atomicity silently.
            EdgeCache.Transaction[] leaked = new EdgeCache.Transaction[1];
            cache.inTransaction(tx -> leaked[0] = tx);
            assertThatThrownBy(() -> leaked[0].append(CacheFixtures.accessEvent("ev-1")))
                    .isInstanceOfSatisfying(
                            CacheException.class, e -> assertThat(e.error()).isEqualTo(CacheError.CLOSED));
        }
    }

    @Nested
    class Concurrency {
        @Test
        void lookupsDoNotWaitForAnOpenWriteTransaction() throws Exception {
            // Why: a door decision must not wait for sync: a snapshot install can take seconds, and
            // a reader in WAL mode sees the last committed state meanwhile.
            cache.apply(batch(1, upsert(card("c-1", "m-1", hash("card-1")))));
            CountDownLatch writing = new CountDownLatch(1);
            CountDownLatch finish = new CountDownLatch(1);
            ExecutorService threads = Executors.newFixedThreadPool(2);
            CompletableFuture<Boolean> writer = CompletableFuture.supplyAsync(
                    () -> cache.inTransaction(tx -> {
                        tx.append(CacheFixtures.accessEvent("ev-1"));
                        writing.countDown();
                        try {
                            return finish.await(10, TimeUnit.SECONDS);
                        } catch (InterruptedException e) {
                            Thread.currentThread().interrupt();
                            return false;
                        }
                    }),
                    threads);
            try {
                assertThat(writing.await(10, TimeUnit.SECONDS)).isTrue();
                CompletableFuture<Boolean> lookup = CompletableFuture.supplyAsync(
                        () -> cache.credentialByCardHash(hash("card-1")).isPresent(), threads);
                assertThat(lookup.get(5, TimeUnit.SECONDS)).isTrue();
                assertThat(cache.outbox().depth()).isZero(); // the open transaction is not visible yet
            } finally {
                finish.countDown();
                threads.shutdown();
            }
            assertThat(writer.get(10, TimeUnit.SECONDS)).isTrue();
            assertThat(cache.outbox().depth()).isEqualTo(1);
        }

        @Test
        void aReadingViewSeesOneStateEvenIfABatchCommitsMeanwhile() throws Exception {
            // Why: a decision reads credential, member and grants; they must come from one state.
            cache.apply(batch(1, upsert(member("m-1")), upsert(grant("g-1", "m-1", "main"))));
            ExecutorService sync = Executors.newSingleThreadExecutor();
            boolean consistent;
            try {
                consistent = cache.reading(view -> {
                    Optional<?> before = view.member(MemberId.of("m-1"));
                    CompletableFuture.runAsync(
                                    () -> cache.apply(batch(
                                            3, remove(EntityKind.MEMBER, "m-1"), remove(EntityKind.GRANT, "g-1"))),
                                    sync)
                            .orTimeout(10, TimeUnit.SECONDS)
                            .join();
                    return before.isPresent()
                            && view.member(MemberId.of("m-1")).isPresent()
                            && view.grantsOf(MemberId.of("m-1")).size() == 1;
                });
            } finally {
                sync.shutdown();
            }
            assertThat(consistent).isTrue();
            assertThat(cache.member(MemberId.of("m-1"))).isEmpty();
            assertThat(cache.grantsOf(MemberId.of("m-1"))).isEmpty();
        }

        @Test
        void idleReaderConnectionsDoNotHoldBackACheckpoint() throws SQLException, IOException {
            // Why: a pooled reader that kept a statement open would pin the WAL, which would then grow
            // without bound on a busy door controller.
            for (int i = 0; i < 50; i++) {
                cache.apply(batch(i + 1, upsert(card("c-" + i, "m-" + i, hash("card-" + i)))));
                cache.credentialByCardHash(hash("card-" + i));
                cache.grantsOf(MemberId.of("m-" + i));
                MemberId member = MemberId.of("m-" + i);
                cache.reading(view -> view.member(member));
                cache.outbox().depth();
                cache.trustedKeys();
            }
            try (Connection connection = raw(file);
                    Statement statement = connection.createStatement();
                    ResultSet result = statement.executeQuery("PRAGMA wal_checkpoint(TRUNCATE)")) {
                assertThat(result.next()).isTrue();
                assertThat(result.getInt(1)).as("checkpoint blocked").isZero();
            }
            assertThat(Files.size(directory.resolve("cache.db-wal"))).isZero();
        }

        @Test
        void manyThreadsLookUpWhileBatchesApply() throws Exception {
            // Why: door threads and the sync thread share the cache; no lookup may fail or see a
            // half-applied batch (a card whose member is missing, since both arrive in one batch).
            int rounds = 200;
            ExecutorService doors = Executors.newFixedThreadPool(5);
            try {
                CompletableFuture<Void> sync = CompletableFuture.runAsync(
                        () -> {
                            for (int i = 0; i < rounds; i++) {
                                cache.apply(batch(
                                        2L * i + 1,
                                        upsert(member("m-" + i)),
                                        upsert(card("c-" + i, "m-" + i, hash("card-" + i)))));
                            }
                        },
                        doors);
                List<Future<Integer>> readers = new ArrayList<>();
                for (int t = 0; t < 4; t++) {
                    readers.add(doors.submit(() -> {
                        int checked = 0;
                        while (!sync.isDone() || checked == 0) {
                            int n = (int) (cache.seq() / 2);
                            for (int i = 0; i < n; i++) {
                                int card = i;
                                boolean whole = cache.reading(view -> view.credentialByCardHash(hash("card-" + card))
                                        .flatMap(c -> view.member(c.member()))
                                        .isPresent());
                                assertThat(whole).isTrue();
                                checked++;
                            }
                        }
                        return checked;
                    }));
                }
                sync.get(60, TimeUnit.SECONDS);
                for (Future<Integer> reader : readers) {
                    assertThat(reader.get(60, TimeUnit.SECONDS)).isPositive();
                }
            } finally {
                doors.shutdownNow();
            }
            assertThat(cache.credentialCount()).isEqualTo(rounds);
        }
    }

    /**
     * A reading view takes the site, doors, door groups and schedules from a decoded copy in memory;
     * it must never answer with another state than the view's own SQLite snapshot.
     */
    @Nested
    class ConfigurationInMemory {
        private final DoorId main = DoorId.of("main");

        private Door mainDoor(int unlockSeconds) {
            return door("main", unlockSeconds);
        }

        private Optional<Door> doorInAView() {
            return cache.reading(view -> view.door(main));
        }

        @Test
        void aDoorChangedByABatchIsSeenByTheNextView() {
            // Why: an operator who shortens a door's unlock time expects the next tap to use it.
            cache.apply(batch(1, upsert(mainDoor(5))));
            assertThat(doorInAView()).contains(mainDoor(5));
            cache.apply(batch(2, upsert(mainDoor(2))));
            assertThat(doorInAView()).contains(mainDoor(2));
            cache.apply(batch(3, remove(EntityKind.DOOR, "main")));
            assertThat(doorInAView()).isEmpty();
        }

        @Test
        void aViewKeepsTheDoorOfItsOwnStateWhileANewerOneIsCommitted() throws Exception {
            // Why: a decision that read a member's grants before a batch must not take the door
            // from after it: together they would be a state the hub never had.
            cache.apply(batch(1, upsert(mainDoor(5)), upsert(member("m-1"))));
            ExecutorService sync = Executors.newSingleThreadExecutor();
            Optional<Door> seen;
            try {
                seen = cache.reading(view -> {
                    view.member(MemberId.of("m-1")); // the view's snapshot starts here
                    CompletableFuture.runAsync(() -> cache.apply(batch(3, upsert(mainDoor(2)))), sync)
                            .orTimeout(10, TimeUnit.SECONDS)
                            .join();
                    return view.door(main);
                });
            } finally {
                sync.shutdown();
            }
            assertThat(seen).contains(mainDoor(5));
            assertThat(doorInAView()).contains(mainDoor(2));
        }

        @Test
        void aConfigurationWrittenByAnotherInstanceOnTheFileIsSeen() {
            // Why: the copy in memory is this instance's; a write through another connection to the
            // same file (a second process) must not leave views on the old configuration.
            cache.apply(batch(1, upsert(mainDoor(5))));
            assertThat(doorInAView()).contains(mainDoor(5));
            try (SqliteEntitlementCache other = SqliteEntitlementCache.open(file, TENANT, SITE)) {
                other.apply(batch(2, upsert(mainDoor(2))));
            }
            assertThat(doorInAView()).contains(mainDoor(2));
        }

        @Test
        void aRolledBackBatchLeavesTheConfigurationAsItWas() {
            // Why: a batch refused as a whole must not half-change the doors held in memory.
            cache.apply(batch(1, upsert(mainDoor(5)), upsert(card("c-1", "m-1", hash("card-1")))));
            Envelope bad = batch(3, upsert(mainDoor(2)), upsert(card("c-2", "m-2", hash("card-1"))));
            assertThatThrownBy(() -> cache.apply(bad)).isInstanceOf(CacheException.class);
            assertThat(doorInAView()).contains(mainDoor(5));
        }

        @Test
        void anInstalledSnapshotReplacesTheConfiguration() {
            // Why: a snapshot replaces everything; a door it no longer holds must be gone from memory too.
            cache.apply(batch(1, upsert(mainDoor(5)), upsert(door("side"))));
            cache.offer(chunk("snap", 10, 0, 1, mainDoor(2)));
            assertThat(doorInAView()).contains(mainDoor(2));
            Optional<Door> side = cache.reading(view -> view.door(DoorId.of("side")));
            assertThat(side).isEmpty();
        }

        @Test
        void theConfigurationSurvivesAReopen() {
            // Why: after a restart the first tap must find its door.
            cache.apply(batch(1, upsert(mainDoor(5))));
            reopen();
            assertThat(doorInAView()).contains(mainDoor(5));
        }
    }

    @Nested
    class BulkLoad {
        @Test
        void bulkLoadWritesEveryEntityAndLeavesTheSeqAlone() {
            // Why: benchmarks fill the cache with a million cards without a hub; lookups must then work
            // exactly as after sync.
            List<Entity> entities = new ArrayList<>();
            for (int i = 0; i < 5_000; i++) {
                entities.add(member("m-" + i));
                entities.add(card("c-" + i, "m-" + i, hash("card-" + i)));
            }
            entities.add(site());
            entities.add(grant("g-1", "m-7", "main"));
            assertThat(cache.bulkLoad(entities)).isEqualTo(10_002);
            assertThat(cache.seq()).isZero();
            assertThat(cache.credentialCount()).isEqualTo(5_000);
            assertThat(cache.credentialByCardHash(hash("card-4321")))
                    .contains(card("c-4321", "m-4321", hash("card-4321")));
            assertThat(cache.grantsOf(MemberId.of("m-7")))
                    .extracting(g -> g.id())
                    .containsExactly(GrantId.of("g-1"));
            assertThat(cache.site()).contains(site());
            assertThat(cache.sizeOnDiskBytes()).isPositive();
            assertThat(cache.integrityCheck()).containsExactly("ok");
        }

        @Test
        void aBulkLoadWithADuplicateCardHashWritesNothing() {
            // Why: the bulk path fills the card lookup after writing; it must still refuse duplicates.
            cache.bulkLoad(List.of(card("c-0", "m-0", hash("card-0"))));
            assertThatThrownBy(() -> cache.bulkLoad(
                            List.of(card("c-1", "m-1", hash("card-1")), card("c-2", "m-2", hash("card-0")))))
                    .isInstanceOfSatisfying(CacheException.class, e -> {
                        assertThat(e.error()).isEqualTo(CacheError.DUPLICATE_CARD_HASH);
                        assertThat(e.getMessage()).contains("c-0").contains("c-2");
                    });
            assertThat(cache.credentialCount()).isEqualTo(1);
            assertThat(cache.credentialByCardHash(hash("card-0")).map(c -> c.id().value()))
                    .contains("c-0");
            // the lookup's triggers are back in place after the failed load
            assertThatThrownBy(() -> cache.apply(batch(1, upsert(card("c-9", "m-9", hash("card-0"))))))
                    .isInstanceOfSatisfying(
                            CacheException.class, e -> assertThat(e.error()).isEqualTo(CacheError.DUPLICATE_CARD_HASH));
        }
    }

    @Test
    void visitorPassesAndSchedulesAreLookedUpById() {
        // Why: the engine reads them by id on every QR decision and every scheduled grant.
        cache.apply(batch(
                1,
                upsert(pass("vp-1", true)),
                upsert(CacheFixtures.weekdays("weekdays")),
                upsert(CacheFixtures.doorGroup("floor-2", "a", "b"))));
        assertThat(cache.visitorPass(PassId.of("vp-1"))).contains(pass("vp-1", true));
        assertThat(cache.schedule(dev.gatehouse.protocol.model.ScheduleId.of("weekdays")))
                .contains(CacheFixtures.weekdays("weekdays"));
        assertThat(cache.doorGroup(dev.gatehouse.protocol.model.DoorGroupId.of("floor-2")))
                .contains(CacheFixtures.doorGroup("floor-2", "a", "b"));
        assertThat(cache.visitorPass(PassId.of("vp-2"))).isEmpty();
    }
}
