package dev.gatehouse.hub.secrets;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.gatehouse.hub.Hub;
import dev.gatehouse.hub.HubConfig;
import dev.gatehouse.hub.billing.StripeStore;
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
}
