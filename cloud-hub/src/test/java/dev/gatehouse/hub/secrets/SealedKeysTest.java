package dev.gatehouse.hub.secrets;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.gatehouse.hub.Hub;
import dev.gatehouse.hub.HubConfig;
import dev.gatehouse.hub.billing.StripeStore;
import dev.gatehouse.hub.store.Database;
import dev.gatehouse.hub.store.SealedColumns;
import dev.gatehouse.hub.store.Sql;
import dev.gatehouse.hub.store.StoreKind;
import dev.gatehouse.hub.store.StoreSettings;
import dev.gatehouse.hub.sync.SignedBatches;
import dev.gatehouse.hub.sync.SyncStore;
import dev.gatehouse.hub.tenants.TenantStore;
import dev.gatehouse.hub.testing.Api;
import dev.gatehouse.hub.testing.TestHub;
import dev.gatehouse.protocol.message.SyncBatch;
import dev.gatehouse.protocol.model.ClockStatus;
import dev.gatehouse.protocol.sign.KeySet;
import dev.gatehouse.protocol.sign.SignedMessages;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Clock;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The tenants' signing and card keys are sealed at rest under the master key: a copy of the database
 * (a stolen backup, a read-only SQL injection) does not give away the keys that let anyone mint QR
 * codes, sign sync batches for the doors, or compute card hashes.
 */
class SealedKeysTest {
    @TempDir
    Path dir;

    private Hub start(HubConfig config) {
        return Hub.start(config, Clock.systemUTC());
    }

    private static String createTenant(Hub hub, String slug) {
        String admin = read(hub.config().dataDir().resolve("admin-token"));
        Api.Response made =
                new Api(hub.port()).post("/api/v1/tenants", admin, "{\"slug\":\"" + slug + "\",\"name\":\"Sealed\"}");
        assertThat(made.status()).as(made.toString()).isEqualTo(201);
        return made.json().get("token").asText();
    }

    private static String read(Path file) {
        try {
            return Files.readString(file).strip();
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }

    /** Every sealed column's stored value, by row. */
    private static Map<String, String> stored(Hub hub) {
        return hub.database().read(c -> {
            List<String[]> rows = Sql.list(
                    c, "SELECT id, card_key FROM tenants", row -> new String[] {row.getString(1), row.getString(2)});
            rows.addAll(Sql.list(c, "SELECT kid, private_jwk FROM signing_keys", row ->
                    new String[] {row.getString(1), row.getString(2)}));
            rows.addAll(Sql.list(c, "SELECT tenant_id, secret_key FROM stripe_settings", row ->
                    new String[] {"stripe-key:" + row.getString(1), row.getString(2)}));
            rows.addAll(Sql.list(c, "SELECT tenant_id, webhook_secret FROM stripe_settings", row ->
                    new String[] {"stripe-hook:" + row.getString(1), row.getString(2)}));
            return rows.stream().collect(Collectors.toMap(r -> r[0], r -> r[1]));
        });
    }

    @ParameterizedTest
    @EnumSource(StoreKind.class)
    void keysAreSealedAtRestAndTheHubStillSignsWhatAnEdgeVerifies(StoreKind kind) throws Exception {
        StoreSettings store = TestHub.settings(kind, dir);
        HubConfig config = HubConfig.forTests(dir, store);
        try (Hub hub = start(config)) {
            String token = createTenant(hub, "sealed-" + kind.name().toLowerCase());
            Api api = new Api(hub.port());
            String tenantId = api.get("/api/v1/tenant", token).json().get("id").asText();
            String site = api.post(
                            "/api/v1/sites",
                            token,
                            "{\"name\":\"HQ\",\"address\":\"Street 1\",\"timeZone\":\"Europe/Berlin\"}")
                    .json()
                    .get("id")
                    .asText();

            Map<String, String> values = stored(hub);
            assertThat(values).isNotEmpty();
            assertThat(values.values()).allSatisfy(value -> assertThat(value)
                    .startsWith(MasterKey.PREFIX + hub.database().masterKey().id() + ":"));

            // The plaintext keys, as the hub uses them, appear nowhere in the stored values…
            byte[] cardKey = hub.database()
                    .read(c -> TenantStore.cardKey(c, hub.database().masterKey(), tenantId));
            var signingKey = hub.database()
                    .read(c -> TenantStore.activeSigningKey(c, hub.database().masterKey(), tenantId));
            String cardKeyText = Base64.getUrlEncoder().withoutPadding().encodeToString(cardKey);
            String privatePart = signingKey.getD().toString();
            assertThat(values.values()).noneMatch(v -> v.contains(cardKeyText) || v.contains(privatePart));
            // …nor anywhere in the SQLite file and its write-ahead log.
            if (kind == StoreKind.SQLITE) {
                String raw = new String(Files.readAllBytes(dir.resolve("hub.db")), StandardCharsets.ISO_8859_1)
                        + new String(
                                Files.exists(dir.resolve("hub.db-wal"))
                                        ? Files.readAllBytes(dir.resolve("hub.db-wal"))
                                        : new byte[0],
                                StandardCharsets.ISO_8859_1);
                assertThat(raw).doesNotContain(cardKeyText).doesNotContain(privatePart);
                assertThat(raw).contains(MasterKey.PREFIX); // the search does see the columns
            }

            // The site's log signed with the opened key verifies against the published keys, as at an edge.
            String slug = api.get("/api/v1/tenant", token).json().get("slug").asText();
            SyncStore.Range range =
                    new SyncStore(hub.database()).range(tenantId, site, 0, 100).orElseThrow();
            var signed = SignedBatches.batches(slug, site, range.changes(), range.key(), Instant.now(), 500, 250_000);
            KeySet published =
                    KeySet.parse(api.get("/api/v1/tenant/signing-keys", token).text());
            var envelope = SignedMessages.verify(
                    signed.getFirst().jws(), published, slug, site, Instant.now(), ClockStatus.TRUSTED);
            assertThat(envelope.payload()).isInstanceOf(SyncBatch.class);
        }
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(dir.resolve("master.key"))))
                .isEqualTo("rw-------");
    }

    @ParameterizedTest
    @EnumSource(StoreKind.class)
    void plaintextKeysFromBeforeSealingAreSealedAtStartAndKeepTheirValue(StoreKind kind) {
        StoreSettings store = TestHub.settings(kind, dir);
        HubConfig config = HubConfig.forTests(dir, store);
        String tenantId;
        byte[] cardKey;
        try (Hub hub = start(config)) {
            String token = createTenant(hub, "legacy-" + kind.name().toLowerCase());
            tenantId = new Api(hub.port())
                    .get("/api/v1/tenant", token)
                    .json()
                    .get("id")
                    .asText();
            MasterKey key = hub.database().masterKey();
            cardKey = hub.database().read(c -> TenantStore.cardKey(c, key, tenantId));
            // What a store written before this change holds: the keys in plaintext.
            hub.database().run(c -> {
                for (String[] row : Sql.list(
                        c, "SELECT id, card_key FROM tenants", r -> new String[] {r.getString(1), r.getString(2)})) {
                    Sql.update(
                            c,
                            "UPDATE tenants SET card_key = ? WHERE id = ?",
                            key.open(row[1], SealedColumns.CARD_KEYS.context(row[0])),
                            row[0]);
                }
                for (String[] row : Sql.list(c, "SELECT kid, private_jwk FROM signing_keys", r ->
                        new String[] {r.getString(1), r.getString(2)})) {
                    Sql.update(
                            c,
                            "UPDATE signing_keys SET private_jwk = ? WHERE kid = ?",
                            key.open(row[1], SealedColumns.SIGNING_KEYS.context(row[0])),
                            row[0]);
                }
            });
            assertThat(stored(hub).values()).noneMatch(MasterKey::isSealed);
        }
        try (Hub hub = start(config)) {
            assertThat(stored(hub).values()).allMatch(MasterKey::isSealed);
            byte[] reopened = hub.database()
                    .read(c -> TenantStore.cardKey(c, hub.database().masterKey(), tenantId));
            assertThat(reopened).isEqualTo(cardKey);
        }
    }

    @ParameterizedTest
    @EnumSource(StoreKind.class)
    void aWrongOrMissingMasterKeyStopsTheStartAndNeverMakesNewKeys(StoreKind kind) throws IOException {
        StoreSettings store = TestHub.settings(kind, dir);
        HubConfig config = HubConfig.forTests(dir, store);
        Map<String, String> before;
        String keyId;
        try (Hub hub = start(config)) {
            createTenant(hub, "wrongkey-" + kind.name().toLowerCase());
            before = stored(hub);
            keyId = hub.database().masterKey().id();
        }
        Path keyFile = dir.resolve("master.key");
        Path saved = dir.resolve("saved.key");
        Files.move(keyFile, saved);

        // Missing: refused, and no new key file is made over sealed keys.
        assertThatThrownBy(() -> start(config))
                .isInstanceOf(SecretException.class)
                .hasMessageContaining("does not exist")
                .hasMessageContaining(keyId)
                .hasMessageContaining("hub.key-file");
        assertThat(keyFile).doesNotExist();

        // Another key: refused, naming both keys.
        Path other = dir.resolve("other.key");
        MasterKey.generate().writeNew(other);
        assertThatThrownBy(() -> start(config.withKeys(new KeySettings(other, java.util.Optional.empty()))))
                .isInstanceOf(SecretException.class)
                .hasMessageContaining("sealed under master key " + keyId)
                .hasMessageContaining(other.toAbsolutePath().toString());

        // The right key, readable by others: refused with the command that fixes it.
        Files.setPosixFilePermissions(saved, PosixFilePermissions.fromString("rw-r--r--"));
        assertThatThrownBy(() -> start(config.withKeys(new KeySettings(saved, java.util.Optional.empty()))))
                .isInstanceOf(SecretException.class)
                .hasMessageContaining("chmod 600 " + saved.toAbsolutePath());

        // Nothing was changed by the refusals; the right key, owner-only, opens everything.
        Files.setPosixFilePermissions(saved, PosixFilePermissions.fromString("rw-------"));
        try (Hub hub = start(config.withKeys(new KeySettings(saved, java.util.Optional.empty())))) {
            assertThat(stored(hub)).isEqualTo(before);
        }
    }

    @ParameterizedTest
    @EnumSource(StoreKind.class)
    void rotatingTheMasterKeySealsEveryKeyAgainUnderTheNewOne(StoreKind kind) throws IOException {
        StoreSettings store = TestHub.settings(kind, dir);
        HubConfig config = HubConfig.forTests(dir, store);
        String tenantId;
        byte[] cardKey;
        try (Hub hub = start(config)) {
            String token = createTenant(hub, "rotate-" + kind.name().toLowerCase());
            tenantId = new Api(hub.port())
                    .get("/api/v1/tenant", token)
                    .json()
                    .get("id")
                    .asText();
            cardKey = hub.database()
                    .read(c -> TenantStore.cardKey(c, hub.database().masterKey(), tenantId));
            // The tenant's Stripe secrets are sealed like its other keys, and rotate with them.
            Api.Response stripe = new Api(hub.port())
                    .put(
                            "/api/v1/billing/stripe",
                            token,
                            "{\"secretKey\":\"sk_test_rotaterotate\",\"webhookSecret\":\"whsec_rotaterotate\"}");
            assertThat(stripe.status()).as(stripe.toString()).isEqualTo(200);
            assertThat(stored(hub)).containsKey("stripe-key:" + tenantId).containsKey("stripe-hook:" + tenantId);
            assertThat(stored(hub).values()).allMatch(MasterKey::isSealed);
        }
        Path next = dir.resolve("next.key");
        MasterKey fresh = MasterKey.generate();
        fresh.writeNew(next);
        HubConfig rotated = config.withKeys(new KeySettings(next, java.util.Optional.of(dir.resolve("master.key"))));
        try (Hub hub = start(rotated)) {
            assertThat(hub.database().masterKey().id()).isEqualTo(fresh.id());
            assertThat(stored(hub).values()).allMatch(v -> v.startsWith(MasterKey.PREFIX + fresh.id() + ":"));
            byte[] reopened = hub.database()
                    .read(c -> TenantStore.cardKey(c, hub.database().masterKey(), tenantId));
            assertThat(reopened).isEqualTo(cardKey);
            assertThat(new StripeStore(hub.database(), java.time.Clock.systemUTC()).secrets(tenantId))
                    .contains(new StripeStore.Secrets("sk_test_rotaterotate", "whsec_rotaterotate"));
        }
        // The old key is no longer needed.
        try (Hub hub = start(config.withKeys(new KeySettings(next, java.util.Optional.empty())))) {
            assertThat(hub.database().masterKey().id()).isEqualTo(fresh.id());
        }
    }

    /** The store's key check row: key id and sealed constant, or empty. */
    /** A store opened as a replica with {@code keyFile} as its hub.key-file. */
    private static Database open(StoreSettings store, Path keyFile) {
        return Database.open(store, new KeySettings(keyFile, java.util.Optional.empty()));
    }

    private static java.util.Optional<List<String>> keyCheck(Database database) {
        return database.read(c -> Sql.one(
                c,
                "SELECT key_id, check_value FROM master_key_check",
                row -> List.of(row.getString(1), row.getString(2))));
    }

    @ParameterizedTest
    @EnumSource(StoreKind.class)
    void aReplicaWithAnotherKeyOnTheSameStoreIsRefusedEvenBeforeAnyTenant(StoreKind kind) throws IOException {
        StoreSettings store = TestHub.settings(kind, dir);
        Path first = dir.resolve("first.key");
        Path second = dir.resolve("second.key");
        String firstId;
        List<String> check;
        // The first replica makes its key on the empty store and records it.
        try (Database database = open(store, first)) {
            firstId = database.masterKey().id();
            check = keyCheck(database).orElseThrow();
            assertThat(check.getFirst()).isEqualTo(firstId);
            assertThat(check.get(1)).startsWith(MasterKey.PREFIX + firstId + ":");
        }
        // A second replica that would make a key of its own: refused, and leaves no key file behind.
        assertThatThrownBy(() -> open(store, second))
                .isInstanceOf(SecretException.class)
                .hasMessageContaining(firstId)
                .hasMessageContaining("copy the first replica's master key file");
        assertThat(second).doesNotExist();
        // A second replica with a key file of its own: refused with what to fix, nothing changed.
        MasterKey other = MasterKey.generate();
        other.writeNew(second);
        assertThatThrownBy(() -> open(store, second))
                .isInstanceOf(SecretException.class)
                .hasMessageContaining("sealed under master key " + firstId)
                .hasMessageContaining(other.id())
                .hasMessageContaining(
                        "copy the first replica's master key file (its hub.key-file) to " + second.toAbsolutePath());
        assertThat(Files.exists(second)).isTrue();
        // With the first replica's key copied over, it starts; the check is unchanged.
        Files.delete(second);
        Files.copy(first, second);
        try (Database database = open(store, second)) {
            assertThat(database.masterKey().id()).isEqualTo(firstId);
            assertThat(keyCheck(database)).contains(check);
        }
    }

    @ParameterizedTest
    @EnumSource(StoreKind.class)
    void rotationSealsTheKeyCheckAgainAndTheOldKeyIsThenRefused(StoreKind kind) throws IOException {
        StoreSettings store = TestHub.settings(kind, dir);
        Path old = dir.resolve("old.key");
        Path next = dir.resolve("next.key");
        try (Database database = open(store, old)) {
            assertThat(keyCheck(database)).isPresent();
        }
        MasterKey fresh = MasterKey.generate();
        fresh.writeNew(next);
        try (Database database = Database.open(store, new KeySettings(next, java.util.Optional.of(old)))) {
            assertThat(database.masterKey().id()).isEqualTo(fresh.id());
            assertThat(keyCheck(database).orElseThrow().getFirst()).isEqualTo(fresh.id());
        }
        assertThatThrownBy(() -> open(store, old))
                .isInstanceOf(SecretException.class)
                .hasMessageContaining("sealed under master key " + fresh.id());
        try (Database database = open(store, next)) {
            assertThat(database.masterKey().id()).isEqualTo(fresh.id());
        }
    }

    @ParameterizedTest
    @EnumSource(StoreKind.class)
    void aStoreFromBeforeTheKeyCheckGetsItOnlyFromTheKeyThatOpensItsValues(StoreKind kind) throws IOException {
        StoreSettings store = TestHub.settings(kind, dir);
        HubConfig config = HubConfig.forTests(dir, store);
        String keyId;
        try (Hub hub = start(config)) {
            createTenant(hub, "upgraded-" + kind.name().toLowerCase());
            keyId = hub.database().masterKey().id();
            // What a store from before V60 holds: sealed values and no key check.
            hub.database().run(c -> Sql.update(c, "DELETE FROM master_key_check"));
        }
        Path other = dir.resolve("other.key");
        MasterKey.generate().writeNew(other);
        KeySettings otherKey = new KeySettings(other, java.util.Optional.empty());
        assertThatThrownBy(() -> Database.open(store, otherKey))
                .isInstanceOf(SecretException.class)
                .hasMessageContaining("sealed under master key " + keyId);
        KeySettings rightKey = KeySettings.in(dir);
        try (Database database = Database.open(store, rightKey)) {
            // the refused start wrote no check: the right key's start does
            assertThat(keyCheck(database).orElseThrow().getFirst()).isEqualTo(keyId);
        }
        assertThatThrownBy(() -> Database.open(store, otherKey))
                .isInstanceOf(SecretException.class)
                .hasMessageContaining("copy the first replica's master key file");
    }

    /** Two replicas starting at once on an empty PostgreSQL store, each about to make a key: one wins. */
    @org.junit.jupiter.api.Test
    void ofTwoReplicasStartingAtOnceWithKeysOfTheirOwnOnlyOneStarts() throws Exception {
        StoreSettings store = TestHub.settings(StoreKind.POSTGRESQL, dir);
        List<Path> keyFiles = List.of(dir.resolve("a.key"), dir.resolve("b.key"));
        var ready = new java.util.concurrent.CyclicBarrier(2);
        try (var pool = java.util.concurrent.Executors.newFixedThreadPool(2)) {
            List<java.util.concurrent.Future<Database>> starts = keyFiles.stream()
                    .map(file -> pool.submit(() -> {
                        ready.await();
                        return open(store, file);
                    }))
                    .toList();
            List<Database> started = new java.util.ArrayList<>();
            List<Throwable> refused = new java.util.ArrayList<>();
            for (var start : starts) {
                try {
                    started.add(start.get());
                } catch (java.util.concurrent.ExecutionException e) {
                    refused.add(e.getCause());
                }
            }
            try {
                assertThat(started).hasSize(1);
                assertThat(refused).singleElement().isInstanceOf(SecretException.class);
                assertThat(refused.getFirst())
                        .hasMessageContaining(started.getFirst().masterKey().id());
                assertThat(keyFiles.stream().filter(Files::exists)).hasSize(1);
                assertThat(keyCheck(started.getFirst()).orElseThrow().getFirst())
                        .isEqualTo(started.getFirst().masterKey().id());
            } finally {
                started.forEach(Database::close);
            }
        }
    }
}
