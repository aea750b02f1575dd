package dev.gatehouse.hub.sync;

import static org.assertj.core.api.Assertions.assertThat;

import dev.gatehouse.hub.Hub;
import dev.gatehouse.hub.sites.SiteStore;
import dev.gatehouse.hub.store.Database;
import dev.gatehouse.hub.store.Sql;
import dev.gatehouse.hub.store.StoreKind;
import dev.gatehouse.hub.tenants.TenantStore;
import dev.gatehouse.hub.testing.MovableClock;
import dev.gatehouse.hub.testing.TestHub;
import java.nio.file.Path;
import java.time.Duration;
import java.time.ZoneId;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.Parameter;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Replicas share the sites' publish leases: a replica alone takes every site; one that joins gets
 * its share as the first gives the rest up; a new site claimed above a share is handed on; a dead
 * replica's sites go to the survivors; and at every step each site has at most one holder and, once
 * the renewals have run, exactly one.
 */
@ParameterizedClass
@EnumSource(StoreKind.class)
class LeaseShareTest {
    static final Duration TERM = Duration.ofSeconds(9);

    @Parameter
    StoreKind store;

    @TempDir
    Path dir;

    final MovableClock clock = MovableClock.standingStill();
    Database database;
    Hub.Stores stores;
    String tenantId;

    @BeforeEach
    void sites() {
        database = Database.open(TestHub.settings(store, dir));
        stores = Hub.Stores.over(database, clock);
        tenantId = stores.tenants()
                .create(
                        "share-" + System.nanoTime() % 1_000_000,
                        new TenantStore.Branding("Share", Optional.empty(), Optional.empty(), Optional.empty()))
                .tenant()
                .id();
        for (int i = 0; i < 7; i++) {
            site(i);
        }
    }

    String site(int i) {
        return stores.sites()
                .createSite(tenantId, new SiteStore.SiteInput("Site " + i, i + " Test St", ZoneId.of("UTC")))
                .id();
    }

    @AfterEach
    void close() {
        database.close();
    }

    StoreLeases replica(String name) {
        return new StoreLeases(database, name, TERM);
    }

    Set<String> renew(StoreLeases replica) {
        return replica.renew(clock.millis()).siteIds();
    }

    /** Every site's holder: none twice (the primary key), and how many sites have none. */
    long unheld() {
        return database.read(c -> Sql.one(
                        c,
                        "SELECT COUNT(*) FROM sites s WHERE NOT EXISTS (SELECT 1 FROM sync_leases l"
                                + " WHERE l.site_id = s.id AND l.expires_at > ?)",
                        Sql.LONG,
                        clock.millis()))
                .orElseThrow();
    }

    @Test
    void replicasShareTheSitesAndTheSurvivorTakesADeadOnesBack() {
        StoreLeases a = replica("a");
        StoreLeases b = replica("b");
        assertThat(renew(a)).hasSize(7);

        // b joins: it takes nothing held; a gives up what is above the lower share (3 of 7), b takes
        // the rest up to the upper share (4).
        assertThat(renew(b)).isEmpty();
        assertThat(renew(a)).hasSize(3);
        assertThat(unheld()).isEqualTo(4);
        Set<String> bs = renew(b);
        assertThat(bs).hasSize(4);
        assertThat(unheld()).isZero();
        clock.advance(Duration.ofSeconds(3));
        Set<String> as = renew(a);
        assertThat(as).hasSize(3).doesNotContainAnyElementsOf(renew(b));

        // A new site claimed by a (its first change went through a): 4 and 4 of 8.
        String fresh = site(7);
        assertThat(a.claim(fresh, clock.millis() + TERM.toMillis())).isTrue();
        assertThat(b.claim(fresh, clock.millis() + TERM.toMillis())).isFalse();
        assertThat(renew(a)).hasSize(4);
        assertThat(renew(b)).hasSize(4);
        assertThat(unheld()).isZero();

        // b dies (stops renewing): past its term a, alone alive, takes every site back.
        clock.advance(Duration.ofSeconds(3));
        renew(a);
        clock.advance(TERM);
        Set<String> all = new HashSet<>(renew(a));
        assertThat(all).hasSize(8);
        assertThat(unheld()).isZero();

        // A clean stop gives everything up at once, and the other takes it at its next renewal.
        a.release();
        assertThat(unheld()).isEqualTo(8);
        assertThat(renew(b)).hasSize(8);
        List<String> alive = database.read(c -> Sql.list(c, "SELECT holder FROM sync_replicas", Sql.STRING));
        assertThat(alive).containsExactly("b");
    }

    @Test
    void manyReplicasRenewingInAnyOrderEndWithEverySiteHeldOnceAndSharesEven() {
        List<StoreLeases> replicas = List.of(replica("r1"), replica("r2"), replica("r3"));
        for (int round = 0; round < 4; round++) {
            for (int i = 0; i < replicas.size(); i++) {
                renew(replicas.get((i + round) % replicas.size()));
            }
        }
        assertThat(unheld()).isZero();
        List<Long> counts = database.read(
                c -> Sql.list(c, "SELECT COUNT(*) FROM sync_leases GROUP BY holder ORDER BY COUNT(*)", Sql.LONG));
        assertThat(counts).hasSize(3);
        assertThat(counts.getLast() - counts.getFirst()).isLessThanOrEqualTo(1);
        assertThat(counts.stream().mapToLong(Long::longValue).sum()).isEqualTo(7);
    }
}
