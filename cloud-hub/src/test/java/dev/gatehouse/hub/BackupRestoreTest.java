package dev.gatehouse.hub;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.gatehouse.hub.secrets.KeySettings;
import dev.gatehouse.hub.store.Backups;
import dev.gatehouse.hub.store.Sql;
import dev.gatehouse.hub.store.StoreException;
import dev.gatehouse.hub.store.StoreKind;
import dev.gatehouse.hub.store.StoreSettings;
import dev.gatehouse.hub.tenants.TenantStore;
import dev.gatehouse.hub.testing.Api;
import dev.gatehouse.protocol.message.Envelope;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code gatehouse-hub backup} / {@code restore} on SQLite: a backup taken while the hub serves and
 * writes restores into a fresh data directory where a hub finds every row and the same tenant keys.
 */
class BackupRestoreTest {
    @TempDir
    Path dir;

    /** The rows a restore must bring back, by table. */
    private static List<List<String>> rows(Hub hub) {
        return hub.database().read(c -> {
            List<List<String>> all = new ArrayList<>();
            all.add(Sql.list(c, "SELECT id FROM tenants ORDER BY id", Sql.STRING));
            all.add(Sql.list(c, "SELECT id FROM members ORDER BY id", Sql.STRING));
            all.add(Sql.list(c, "SELECT id FROM access_events ORDER BY id", Sql.STRING));
            all.add(Sql.list(c, "SELECT id FROM audit_log ORDER BY id", Sql.STRING));
            all.add(Sql.list(c, "SELECT kid || ' ' || public_jwk FROM signing_keys ORDER BY kid", Sql.STRING));
            return all;
        });
    }

    @Test
    void aBackupTakenWhileTheHubWritesRestoresEveryRowAndTheSameKeys() throws Exception {
        Path live = dir.resolve("live");
        HubConfig config = HubConfig.forTests(live, StoreSettings.sqlite(live));
        Path backup = dir.resolve("hub-backup.db");
        List<List<String>> before;
        byte[] cardKey;
        String tenantId;
        String token;
        try (Hub hub = Hub.start(config, Clock.systemUTC())) {
            Api api = new Api(hub.port());
            String admin = Files.readString(live.resolve("admin-token")).strip();
            token = api.post("/api/v1/tenants", admin, "{\"slug\":\"backup\",\"name\":\"Backup\"}")
                    .json()
                    .get("token")
                    .asText();
            tenantId = api.get("/api/v1/tenant", token).json().get("id").asText();
            String site = api.post(
                            "/api/v1/sites",
                            token,
                            "{\"name\":\"HQ\",\"address\":\"Street 1\",\"timeZone\":\"Europe/Berlin\"}")
                    .json()
                    .get("id")
                    .asText();
            String door = api.post("/api/v1/sites/" + site + "/doors", token, "{\"name\":\"Front\"}")
                    .json()
                    .get("id")
                    .asText();
            String device = api.post("/api/v1/sites/" + site + "/devices", token, "{\"name\":\"pi\"}")
                    .json()
                    .get("id")
                    .asText();
            Members members = new Members(api, token);
            for (int i = 0; i < 20; i++) {
                members.member("m" + i);
            }
            List<Envelope> events = new ArrayList<>();
            for (int i = 0; i < 50; i++) {
                events.add(AccessLogApiTest.granted(
                        AccessLogApiTest.eventId(), Instant.now().minusSeconds(i), site, door, "mem_x"));
            }
            hub.stores().accessLog().ingest(tenantId, site, device, events);
            before = rows(hub);
            cardKey = hub.database()
                    .read(c -> TenantStore.cardKey(c, hub.database().masterKey(), tenantId));

            // The hub keeps writing while the backup runs: the copy is one consistent state.
            AtomicBoolean writing = new AtomicBoolean(true);
            CompletableFuture<Integer> writer = CompletableFuture.supplyAsync(() -> {
                int n = 0;
                while (writing.get()) {
                    members.member("during" + n++);
                }
                return n;
            });
            long bytes = Backups.backup(config.store(), backup);
            writing.set(false);
            assertThat(writer.get(30, TimeUnit.SECONDS)).isPositive();
            assertThat(bytes).isPositive();
        }
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(backup)))
                .isEqualTo("rw-------");

        // A fresh data dir: the restore, then a hub with the master key the backup was sealed under.
        Path fresh = dir.resolve("fresh");
        StoreSettings freshStore = StoreSettings.sqlite(fresh);
        Backups.Restored restored = Backups.restore(freshStore, backup, false);
        assertThat(restored.tenants()).isEqualTo(1);
        HubConfig restoredConfig = HubConfig.forTests(fresh, freshStore)
                .withKeys(new KeySettings(live.resolve("master.key"), Optional.empty()));
        try (Hub hub = Hub.start(restoredConfig, Clock.systemUTC())) {
            List<List<String>> after = rows(hub);
            for (int table = 0; table < before.size(); table++) {
                assertThat(after.get(table)).containsAll(before.get(table));
            }
            byte[] restoredCardKey = hub.database()
                    .read(c -> TenantStore.cardKey(c, hub.database().masterKey(), tenantId));
            assertThat(restoredCardKey).isEqualTo(cardKey);
            // The restored tenant's token still works, and its published keys are the same.
            Api api = new Api(hub.port());
            assertThat(api.get("/api/v1/tenant", token).status()).isEqualTo(200);
            assertThat(after.get(4)).isEqualTo(before.get(4));
        }

        // Restoring over a store that holds tenants is refused unless forced.
        assertThatThrownBy(() -> Backups.restore(freshStore, backup, false))
                .isInstanceOf(StoreException.class)
                .hasMessageContaining("not empty")
                .hasMessageContaining("--force");
        assertThat(Backups.restore(freshStore, backup, true).tenants()).isEqualTo(1);

        // A backup never overwrites a file, and a file that is not a hub store is refused.
        assertThatThrownBy(() -> Backups.backup(StoreSettings.sqlite(fresh), backup))
                .isInstanceOf(StoreException.class)
                .hasMessageContaining("never overwrites");
        Path junk = Files.writeString(dir.resolve("junk.db"), "not a database");
        assertThatThrownBy(() -> Backups.restore(StoreSettings.sqlite(dir.resolve("other")), junk, false))
                .isInstanceOf(StoreException.class)
                .hasMessageContaining(junk.toAbsolutePath().toString());
    }

    @Test
    void aPostgresqlStoreIsPointedAtPgDump() {
        StoreSettings postgres =
                new StoreSettings(dir, Optional.of("jdbc:postgresql://127.0.0.1:5432/gatehouse"), "", "", 2);
        assertThatThrownBy(() -> Backups.backup(postgres, dir.resolve("b.db")))
                .isInstanceOf(StoreException.class)
                .hasMessageContaining("pg_dump");
        assertThat(postgres.kind()).isEqualTo(StoreKind.POSTGRESQL);
    }

    /** Members made through the API, as an operator would. */
    private record Members(Api api, String token) {
        void member(String name) {
            Api.Response made = api.post(
                    "/api/v1/members", token, "{\"email\":\"" + name + "@example.com\",\"fullName\":\"" + name + "\"}");
            assertThat(made.status()).as(made.toString()).isEqualTo(201);
        }
    }
}
