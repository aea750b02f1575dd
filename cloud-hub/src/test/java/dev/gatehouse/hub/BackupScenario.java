package dev.gatehouse.hub;

import static org.assertj.core.api.Assertions.assertThat;

import dev.gatehouse.hub.store.Sql;
import dev.gatehouse.hub.tenants.TenantStore;
import dev.gatehouse.hub.testing.Api;
import dev.gatehouse.protocol.message.Envelope;
import dev.gatehouse.protocol.model.EntityKind;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * What a backup must bring back, for the SQLite and the PostgreSQL backup tests alike: a tenant with a
 * site, a door, a device, members, access events and audit rows made through the hub as an operator
 * would, its sealed keys, and members still being made while the backup runs. A restored hub must hold
 * every row seen before the backup, the same keys, and a change log as consistent as one moment of the
 * live store.
 */
final class BackupScenario {
    final String tenantId;
    final String token;
    private final Api api;
    private final List<List<String>> rows;
    private final byte[] cardKey;

    private BackupScenario(String tenantId, String token, Api api, List<List<String>> rows, byte[] cardKey) {
        this.tenantId = tenantId;
        this.token = token;
        this.api = api;
        this.rows = rows;
        this.cardKey = cardKey;
    }

    /** Fills {@code hub}, whose data directory is {@code dataDir} (for the admin token). */
    static BackupScenario seed(Hub hub, Path dataDir) throws IOException {
        Api api = new Api(hub.port());
        String admin = Files.readString(dataDir.resolve("admin-token")).strip();
        String token = api.post("/api/v1/tenants", admin, "{\"slug\":\"backup\",\"name\":\"Backup\"}")
                .json()
                .get("token")
                .asText();
        String tenantId = api.get("/api/v1/tenant", token).json().get("id").asText();
        String site =
                created(api, token, "/api/v1/sites", "{\"name\":\"HQ\",\"address\":\"Street 1\",\"timeZone\":\"UTC\"}");
        String door = created(api, token, "/api/v1/sites/" + site + "/doors", "{\"name\":\"Front\"}");
        String device = created(api, token, "/api/v1/sites/" + site + "/devices", "{\"name\":\"pi\"}");
        for (int i = 0; i < 20; i++) {
            member(api, token, "m" + i);
        }
        List<Envelope> events = new ArrayList<>();
        for (int i = 0; i < 50; i++) {
            events.add(AccessLogApiTest.granted(
                    AccessLogApiTest.eventId(), Instant.now().minusSeconds(i), site, door, "mem_x"));
        }
        hub.stores().accessLog().ingest(tenantId, site, device, events);
        byte[] cardKey =
                hub.database().read(c -> TenantStore.cardKey(c, hub.database().masterKey(), tenantId));
        return new BackupScenario(tenantId, token, api, rows(hub), cardKey);
    }

    /**
     * Runs {@code backup} while the hub keeps making members through its API, so the copy must be one
     * consistent state of a store being written; answers what {@code backup} answered.
     */
    <T> T whileTheHubWrites(Callable<T> backup) throws Exception {
        AtomicBoolean writing = new AtomicBoolean(true);
        CompletableFuture<Integer> writer = CompletableFuture.supplyAsync(() -> {
            int n = 0;
            while (writing.get()) {
                member(api, token, "during" + n++);
            }
            return n;
        });
        try {
            return backup.call();
        } finally {
            writing.set(false);
            assertThat(writer.get(30, TimeUnit.SECONDS)).isPositive();
        }
    }

    /** Checks the hub started on the restored store: every row, the same keys, a working token. */
    void assertRestoredIn(Hub restored) {
        List<List<String>> after = rows(restored);
        for (int table = 0; table < rows.size(); table++) {
            assertThat(after.get(table)).containsAll(rows.get(table));
        }
        // The published signing keys are the very same, and the card key opens with the same master key.
        assertThat(after.get(4)).isEqualTo(rows.get(4));
        byte[] restoredCardKey = restored.database()
                .read(c -> TenantStore.cardKey(c, restored.database().masterKey(), tenantId));
        assertThat(restoredCardKey).isEqualTo(cardKey);
        assertThat(new Api(restored.port()).get("/api/v1/tenant", token).status())
                .isEqualTo(200);
        // One moment of the store: each site's head is its log's last entry and the log has no gap, and
        // every member is in it (a member and its log entry are written in one transaction).
        List<SiteLog> logs = restored.database().read(c -> {
            List<SiteLog> out = new ArrayList<>();
            for (String site : Sql.list(c, "SELECT id FROM sites WHERE tenant_id = ?", Sql.STRING, tenantId)) {
                out.add(new SiteLog(
                        site,
                        Sql.one(c, "SELECT change_seq FROM sites WHERE id = ?", Sql.LONG, site)
                                .orElseThrow(),
                        Sql.one(c, "SELECT count(*) FROM site_changes WHERE site_id = ?", Sql.LONG, site)
                                .orElseThrow(),
                        Sql.one(c, "SELECT max(seq) FROM site_changes WHERE site_id = ?", Sql.LONG, site)
                                .orElseThrow(),
                        Sql.list(
                                c,
                                "SELECT entity_key FROM site_changes WHERE site_id = ? AND kind = ?",
                                Sql.STRING,
                                site,
                                EntityKind.MEMBER)));
            }
            return out;
        });
        List<String> members = after.get(1);
        assertThat(logs).isNotEmpty();
        for (SiteLog log : logs) {
            assertThat(List.of(log.entries(), log.last()))
                    .as("site %s: entries and last seq of its change log, head %s", log.site(), log.head())
                    .containsExactly(log.head(), log.head());
            assertThat(log.members()).containsAll(members);
        }
    }

    /** A site's change log as restored: its head, how many entries, the last seq and the members in it. */
    private record SiteLog(String site, long head, long entries, long last, List<String> members) {}

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

    private static String created(Api api, String token, String path, String json) {
        Api.Response made = api.post(path, token, json);
        assertThat(made.status()).as(made.toString()).isEqualTo(201);
        return made.json().get("id").asText();
    }

    private static void member(Api api, String token, String name) {
        Api.Response made = api.post(
                "/api/v1/members", token, "{\"email\":\"" + name + "@example.com\",\"fullName\":\"" + name + "\"}");
        assertThat(made.status()).as(made.toString()).isEqualTo(201);
    }
}
