package dev.gatehouse.hub.analytics;

import static org.assertj.core.api.Assertions.assertThat;

import dev.gatehouse.hub.billing.TimeTravelHub;
import dev.gatehouse.hub.store.Database;
import dev.gatehouse.hub.store.Sql;
import dev.gatehouse.hub.store.StoreKind;
import dev.gatehouse.hub.testing.Api;
import dev.gatehouse.hub.testing.TestHub;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.Parameter;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The kept ledger on both stores: the revenue pages' revisions are exactly what a read of the store
 * gives, after every kind of write (sale, package change, pause, cancellation) and as of earlier
 * instants; they are kept while nothing changed and read again once anything did; tenants are kept
 * apart, and the least recently used tenant is given up when the limit is reached.
 */
@ParameterizedClass
@EnumSource(StoreKind.class)
class LedgerCacheTest extends TimeTravelHub {
    @Parameter
    StoreKind store;

    private Database database() {
        return hub.hub().stores().database();
    }

    /** The revisions read straight from the store, as the pages read them before there was a cache. */
    private List<Revision> read(String tenantId, Instant asOf) {
        return database()
                .read(c -> Sql.list(c, AnalyticsStore.REVISIONS_SQL, AnalyticsStore::revision, tenantId, asOf));
    }

    private List<Revision> kept(LedgerCache cache, String tenantId) {
        return database().read(c -> cache.revisions(c, tenantId));
    }

    private String site(TestHub.Tenant tenant) {
        return hub.create(
                "/api/v1/sites",
                tenant.token(),
                "{\"name\":\"Berlin\",\"address\":\"Torstr. 1\",\"timeZone\":\"Europe/Berlin\"}");
    }

    private String pkg(TestHub.Tenant tenant, String name, long price) {
        return hub.create(
                "/api/v1/packages",
                tenant.token(),
                "{\"name\":\"" + name + "\",\"kind\":\"membership\",\"price\":" + price + ",\"interval\":\"month\"}");
    }

    private String subscribe(TestHub.Tenant tenant, String site, String pkg) {
        String member = hub.create(
                "/api/v1/members",
                tenant.token(),
                "{\"email\":\"m" + System.nanoTime() + "@example.com\",\"fullName\":\"Member\"}");
        return post(
                        tenant,
                        "/api/v1/subscriptions",
                        "{\"memberId\":\"" + member + "\",\"packageId\":\"" + pkg + "\",\"siteId\":\"" + site + "\"}")
                .json()
                .at("/subscription/id")
                .asText();
    }

    private Api.Response post(TestHub.Tenant tenant, String path, String body) {
        Api.Response response = hub.api().post(path, tenant.token(), body);
        assertThat(response.status()).as(response.toString()).isBetween(200, 201);
        return response;
    }

    @Test
    void theKeptRevisionsAreWhatTheStoreHoldsAfterEveryWriteAndAsOfEarlierInstants() {
        TestHub.Tenant tenant = hub.newTenant("ledger");
        TestHub.Tenant other = hub.newTenant("elsewhere");
        String site = site(tenant);
        String small = pkg(tenant, "Small", 15_000);
        String large = pkg(tenant, "Large", 35_000);
        subscribe(other, site(other), pkg(other, "Theirs", 9_900));
        AnalyticsStore analytics = new AnalyticsStore(database(), clock);
        assertThat(analytics.revisions(tenant.id(), clock.instant(), s -> true)).isEmpty();

        String a = subscribe(tenant, site, small);
        String b = subscribe(tenant, site, small);
        List<Runnable> writes = List.of(
                () -> subscribe(tenant, site, large),
                () -> post(tenant, "/api/v1/subscriptions/" + a + "/change", "{\"packageId\":\"" + large + "\"}"),
                () -> post(tenant, "/api/v1/subscriptions/" + b + "/pause", "{\"periods\":1}"),
                () -> post(tenant, "/api/v1/subscriptions/" + a + "/cancel", "{\"when\":\"period-end\"}"),
                () -> post(tenant, "/api/v1/subscriptions/" + b + "/cancel", "{\"when\":\"now\"}"));
        List<Instant> instants = new java.util.ArrayList<>();
        for (Runnable write : writes) {
            clock.advance(Duration.ofDays(9).plusMillis(1));
            instants.add(clock.instant());
            List<Revision> before = kept(analytics.ledger(), tenant.id());
            assertThat(kept(analytics.ledger(), tenant.id()))
                    .as("kept while nothing changed")
                    .isSameAs(before);
            write.run();
            List<Revision> after = kept(analytics.ledger(), tenant.id());
            assertThat(after).as("read again after a write").isNotSameAs(before).hasSizeGreaterThan(before.size());
            for (Instant asOf : instants) {
                assertThat(analytics.revisions(tenant.id(), asOf, s -> true))
                        .as("as of " + asOf)
                        .containsExactlyInAnyOrderElementsOf(read(tenant.id(), asOf));
            }
            assertThat(analytics.revisions(tenant.id(), clock.instant(), s -> true))
                    .containsExactlyInAnyOrderElementsOf(read(tenant.id(), clock.instant()))
                    .allSatisfy(r -> assertThat(r.siteId()).isEqualTo(site));
            assertThat(analytics.revisions(tenant.id(), clock.instant(), s -> false))
                    .as("only the sites the role covers")
                    .isEmpty();
        }
        assertThat(read(tenant.id(), clock.instant())).hasSize(2 + writes.size());
        assertThat(analytics.revisions(other.id(), clock.instant(), s -> true))
                .hasSize(1)
                .allSatisfy(r -> assertThat(r.siteId()).isNotEqualTo(site));
    }

    @Test
    void theLeastRecentlyUsedTenantIsGivenUpAtTheLimitAndATenantOverItIsNeverKept() {
        TestHub.Tenant first = hub.newTenant("first");
        TestHub.Tenant second = hub.newTenant("second");
        String firstSite = site(first);
        String firstPkg = pkg(first, "Small", 15_000);
        subscribe(first, firstSite, firstPkg);
        subscribe(first, firstSite, firstPkg);
        subscribe(second, site(second), pkg(second, "Small", 15_000));
        LedgerCache cache = new LedgerCache(2);

        List<Revision> kept = kept(cache, first.id());
        assertThat(kept(cache, first.id())).hasSize(2).isSameAs(kept);
        List<Revision> theirs = kept(cache, second.id());
        assertThat(kept(cache, second.id())).hasSize(1).isSameAs(theirs);
        assertThat(kept(cache, first.id()))
                .as("given up for the second tenant's")
                .isNotSameAs(kept)
                .containsExactlyInAnyOrderElementsOf(kept);

        subscribe(first, firstSite, firstPkg);
        List<Revision> three = kept(cache, first.id());
        assertThat(three).hasSize(3);
        assertThat(kept(cache, first.id())).as("over the limit: read each time").isNotSameAs(three);
    }
}
