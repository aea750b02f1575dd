package dev.gatehouse.hub;

import static org.assertj.core.api.Assertions.assertThat;

import dev.gatehouse.hub.changes.LoggedChange;
import dev.gatehouse.hub.store.StoreKind;
import dev.gatehouse.hub.testing.Api;
import dev.gatehouse.hub.testing.TestHub;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.AfterParameterizedClassInvocation;
import org.junit.jupiter.params.BeforeParameterizedClassInvocation;
import org.junit.jupiter.params.Parameter;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The sync issue publishes each site's log by seq and an edge asks for any gap: so the log must be
 * gap-free and duplicate-free while many operators write at once, on SQLite and on PostgreSQL.
 */
@ParameterizedClass
@EnumSource(StoreKind.class)
class ChangeLogConcurrencyTest {
    static TestHub hub;

    @Parameter
    StoreKind store;

    @BeforeParameterizedClassInvocation
    static void start(StoreKind kind) {
        hub = TestHub.start(kind);
    }

    @AfterParameterizedClassInvocation
    static void stop() {
        hub.close();
    }

    @Test
    void concurrentWritersLeaveAGapFreeLogPerSite() throws Exception {
        TestHub.Tenant tenant = hub.newTenant("race");
        String siteOne = hub.create(
                "/api/v1/sites", tenant.token(), "{\"name\":\"One\",\"address\":\"a\",\"timeZone\":\"UTC\"}");
        String siteTwo = hub.create(
                "/api/v1/sites", tenant.token(), "{\"name\":\"Two\",\"address\":\"b\",\"timeZone\":\"UTC\"}");
        int writers = 8;
        int perWriter = 25;
        ExecutorService pool = Executors.newFixedThreadPool(writers);
        List<Future<Integer>> results = new ArrayList<>();
        try {
            for (int w = 0; w < writers; w++) {
                int writer = w;
                results.add(pool.submit(() -> {
                    int created = 0;
                    for (int i = 0; i < perWriter; i++) {
                        String site = (i + writer) % 2 == 0 ? siteOne : siteTwo;
                        Api.Response response = hub.api()
                                .post(
                                        "/api/v1/sites/" + site + "/doors",
                                        tenant.token(),
                                        "{\"name\":\"w" + writer + "-" + i + "\"}");
                        if (response.status() == 201) {
                            created++;
                        }
                    }
                    return created;
                }));
            }
            int created = 0;
            for (Future<Integer> result : results) {
                created += result.get(120, TimeUnit.SECONDS);
            }
            assertThat(created).isEqualTo(writers * perWriter);
        } finally {
            pool.shutdownNow();
        }
        long total = 0;
        for (String site : List.of(siteOne, siteTwo)) {
            List<LoggedChange> log = hub.hub().stores().changes().read(tenant.id(), site, 0, 100_000);
            for (int i = 0; i < log.size(); i++) {
                assertThat(log.get(i).seq()).as("entry %d of %s", i, site).isEqualTo(i + 1L);
            }
            assertThat(hub.hub().stores().changes().head(tenant.id(), site)).isEqualTo(log.size());
            // two opening entries (site, signing key), then one per door
            total += log.size() - 2;
        }
        assertThat(total).isEqualTo((long) writers * perWriter);
    }
}
