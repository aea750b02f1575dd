package dev.gatehouse.hub.sync;

import static org.assertj.core.api.Assertions.assertThat;

import dev.gatehouse.edge.cache.ApplyResult;
import dev.gatehouse.edge.cache.SqliteEntitlementCache;
import dev.gatehouse.hub.Hub;
import dev.gatehouse.hub.changes.ChangeLog;
import dev.gatehouse.hub.sites.SiteStore;
import dev.gatehouse.hub.store.Database;
import dev.gatehouse.hub.store.Sql;
import dev.gatehouse.hub.store.StoreKind;
import dev.gatehouse.hub.store.StoreSettings;
import dev.gatehouse.hub.tenants.TenantStore;
import dev.gatehouse.hub.testing.MovableClock;
import dev.gatehouse.hub.testing.TestHub;
import dev.gatehouse.protocol.message.Change;
import dev.gatehouse.protocol.message.Envelope;
import dev.gatehouse.protocol.message.SyncBatch;
import dev.gatehouse.protocol.model.ClockStatus;
import dev.gatehouse.protocol.model.Door;
import dev.gatehouse.protocol.model.DoorId;
import dev.gatehouse.protocol.model.EntityKind;
import dev.gatehouse.protocol.sign.KeySet;
import dev.gatehouse.protocol.sign.SignedMessages;
import java.nio.file.Path;
import java.time.Duration;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ThreadLocalRandom;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.Parameter;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Hub replicas and the site publish lease (issue 18): two publishers, each over its own connection
 * pool to one store (as two hub processes would be), each holding leases under its own replica id.
 * One replica at a time publishes a site; when the holder stops renewing, the other takes the site
 * over once the term has passed, resuming from the seq the broker accepted; and a batch the old
 * holder publishes late changes nothing at an edge (a real SQLite entitlement cache), because every
 * batch carries its seqs and the edge applies each seq once. The lease terms are read on a clock the
 * test moves; the leases are renewed when the test says.
 */
@ParameterizedClass
@EnumSource(StoreKind.class)
class SiteLeasesTest {
    static final Duration WAIT = Duration.ofSeconds(30);
    static final Duration TERM = Duration.ofMinutes(10);
    static final String DEVICE = "dev_lease";
    static final String DOOR = "door_front";

    @Parameter
    StoreKind store;

    @TempDir
    Path dir;

    final MovableClock clock = MovableClock.standingStill();
    final List<AutoCloseable> open = new ArrayList<>();
    StoreSettings settings;
    Database first;
    String tenantId;
    String slug;
    String siteId;

    @BeforeEach
    void site() {
        settings = TestHub.settings(store, dir);
        first = database();
        Hub.Stores stores = Hub.Stores.over(first, clock);
        slug = "lease-" + ThreadLocalRandom.current().nextInt(1_000_000);
        tenantId = stores.tenants()
                .create(slug, new TenantStore.Branding("Lease", Optional.empty(), Optional.empty(), Optional.empty()))
                .tenant()
                .id();
        siteId = stores.sites()
                .createSite(tenantId, new SiteStore.SiteInput("Lease", "1 Test St", ZoneId.of("UTC")))
                .id();
    }

    @AfterEach
    void close() throws Exception {
        for (AutoCloseable closeable : open.reversed()) {
            closeable.close();
        }
    }

    /** Another connection pool to the same store: what a second hub process has. */
    Database database() {
        Database database = Database.open(settings);
        open.add(database);
        return database;
    }

    /** A replica: its store connection, its publisher under its own replica id, its link. */
    record Replica(Database database, SyncPublisher publisher, SyncResumeTest.HeldLink link) {
        String id() {
            return publisher.replica();
        }
    }

    Replica replica(Database database) {
        SyncRecorder devices = new SyncRecorder();
        devices.register(tenantId, slug, siteId, DEVICE);
        SyncResumeTest.HeldLink link = new SyncResumeTest.HeldLink();
        SyncPublisher publisher = new SyncPublisher(
                database,
                devices,
                link,
                clock,
                SyncSettings.defaults(),
                new StoreLeases(database, database.replicaId(), TERM));
        open.add(publisher);
        publisher.start();
        return new Replica(database, publisher, link);
    }

    long append(Database database, Change change) {
        database.write(c -> ChangeLog.append(c, tenantId, siteId, List.of(change), clock.instant()));
        return new SyncStore(database).head(tenantId, siteId).orElseThrow().head();
    }

    Optional<String> holder() {
        return first.read(c -> Sql.one(c, "SELECT holder FROM sync_leases WHERE site_id = ?", Sql.STRING, siteId));
    }

    Envelope verified(SyncResumeTest.HeldLink.Held held) {
        KeySet keys = KeySet.fromSigningKeys(first.read(c -> TenantStore.signingKeys(c, tenantId)));
        return SignedMessages.verify(held.payload(), keys, slug, siteId, clock.instant(), ClockStatus.TRUSTED);
    }

    static long toSeq(Envelope batch) {
        return ((SyncBatch) batch.payload()).toSeq();
    }

    @Test
    void oneReplicaAtATimePublishesASiteAndAnotherTakesItOverOnceTheHoldersTermHasPassed() throws Exception {
        Replica a = replica(first);
        Replica b = replica(database());
        assertThat(a.id()).isNotEqualTo(b.id());
        assertThat(holder()).contains(a.id());

        long opening = new SyncStore(first).head(tenantId, siteId).orElseThrow().head();
        assertThat(a.publisher().awaitPublished(siteId, opening, WAIT)).isTrue();
        long added = append(b.database(), new Change.Upsert(Door.standard(DOOR, "Front")));
        // The change committed through b; a, the holder, publishes it (at its sweep here: in a hub the
        // PostgreSQL notice wakes it at once).
        a.publisher().sweep();
        assertThat(a.publisher().awaitPublished(siteId, added, WAIT)).isTrue();
        b.publisher().sweep();
        b.publisher().renew();
        assertThat(b.publisher().publishedSeq(siteId)).isZero();
        assertThat(b.link().held()).isEmpty();
        a.link().held().forEach(SyncResumeTest.HeldLink.Held::accept);
        a.publisher().save();

        // a stops renewing (it died, or cannot reach the store): within the term nobody else publishes.
        clock.advance(TERM.minusSeconds(1));
        b.publisher().renew();
        assertThat(holder()).contains(a.id());
        clock.advance(Duration.ofSeconds(2));
        b.publisher().renew();
        assertThat(holder()).contains(b.id());

        long revoked = append(b.database(), new Change.Remove(EntityKind.DOOR, DOOR));
        assertThat(b.publisher().awaitPublished(siteId, revoked, WAIT)).isTrue();
        assertThat(b.link().held()).extracting(h -> toSeq(verified(h))).containsExactly(revoked);
        // a's term has passed on its own clock: it publishes nothing, and forgets the site once it
        // learns that b holds it.
        int before = a.link().held().size();
        a.publisher().sweep();
        a.publisher().renew();
        a.publisher().sweep();
        assertThat(a.link().held()).hasSize(before);
        assertThat(holder()).contains(b.id());
    }

    @Test
    void aBatchPublishedLateByAReplicaThatLostItsLeaseChangesNothingAtTheEdge() throws Exception {
        SqliteEntitlementCache edge = SqliteEntitlementCache.open(dir.resolve("edge.db"), slug, siteId);
        open.add(edge);
        Replica a = replica(first);
        Replica b = replica(database());
        long named = append(a.database(), new Change.Upsert(Door.standard(DOOR, "Front v1")));
        assertThat(a.publisher().awaitPublished(siteId, named, WAIT)).isTrue();
        for (SyncResumeTest.HeldLink.Held held : a.link().held()) {
            assertThat(edge.apply(verified(held))).isInstanceOf(ApplyResult.Applied.class);
            held.accept();
        }
        a.publisher().save();
        assertThat(edge.seq()).isEqualTo(named);

        // a hands the next change to its broker connection, which stalls: the batch is on its way.
        long renamed = append(a.database(), new Change.Upsert(Door.standard(DOOR, "Front v2")));
        assertThat(a.publisher().awaitPublished(siteId, renamed, WAIT)).isTrue();
        SyncResumeTest.HeldLink.Held late = a.link().held().getLast();
        assertThat(toSeq(verified(late))).isEqualTo(renamed);

        // a's lease runs out; b takes the site over from the seq the broker accepted (before the
        // rename), publishes the rename again, then a revocation.
        clock.advance(TERM.plusSeconds(1));
        b.publisher().renew();
        assertThat(holder()).contains(b.id());
        assertThat(b.publisher().awaitPublished(siteId, renamed, WAIT)).isTrue();
        long revoked = append(b.database(), new Change.Remove(EntityKind.DOOR, DOOR));
        assertThat(b.publisher().awaitPublished(siteId, revoked, WAIT)).isTrue();
        for (SyncResumeTest.HeldLink.Held held : b.link().held()) {
            assertThat(edge.apply(verified(held))).isInstanceOf(ApplyResult.Applied.class);
        }
        assertThat(edge.seq()).isEqualTo(revoked);
        assertThat(edge.door(DoorId.of(DOOR))).isEmpty();

        // Now a's stalled batch arrives, and a replay of everything a ever sent: each is a repeat.
        assertThat(edge.apply(verified(late))).isInstanceOf(ApplyResult.Repeat.class);
        for (SyncResumeTest.HeldLink.Held held : a.link().held()) {
            assertThat(edge.apply(verified(held))).isInstanceOf(ApplyResult.Repeat.class);
        }
        assertThat(edge.seq()).isEqualTo(revoked);
        assertThat(edge.door(DoorId.of(DOOR)))
                .as("the revoked door stays revoked")
                .isEmpty();
    }

    @Test
    void aReplicaStoppingCleanlyGivesItsSitesUpSoAnotherTakesThemAtOnce() throws Exception {
        Replica a = replica(first);
        Replica b = replica(database());
        long opening = new SyncStore(first).head(tenantId, siteId).orElseThrow().head();
        assertThat(a.publisher().awaitPublished(siteId, opening, WAIT)).isTrue();
        a.link().held().forEach(SyncResumeTest.HeldLink.Held::accept);
        assertThat(holder()).contains(a.id());
        a.publisher().close();
        assertThat(holder()).isEmpty();

        // No renewal: b's own commit makes it claim the site, resuming after what the broker accepted.
        long added = append(b.database(), new Change.Upsert(Door.standard(DOOR, "Front")));
        assertThat(b.publisher().awaitPublished(siteId, added, WAIT)).isTrue();
        assertThat(holder()).contains(b.id());
        assertThat(b.link().held())
                .extracting(h -> ((SyncBatch) verified(h).payload()).fromSeq())
                .containsExactly(opening + 1);
    }

    @Test
    void aHolderThatCannotRenewStopsPublishingAtTheEndOfItsTerm() throws Exception {
        Replica a = replica(first);
        long opening = new SyncStore(first).head(tenantId, siteId).orElseThrow().head();
        assertThat(a.publisher().awaitPublished(siteId, opening, WAIT)).isTrue();
        int before = a.link().held().size();
        // No renewal happens (the test renews only when it says); the term passes on a's clock.
        clock.advance(TERM.plusSeconds(1));
        long added = append(a.database(), new Change.Upsert(Door.standard(DOOR, "Front")));
        a.publisher().sweep();
        assertThat(a.link().held()).hasSize(before);
        assertThat(a.publisher().publishedSeq(siteId)).isLessThan(added);
        // A renewal (nobody else took the site) gives it back, and the change goes out.
        a.publisher().renew();
        assertThat(a.publisher().awaitPublished(siteId, added, WAIT)).isTrue();
    }

    @Test
    void aSiteMadeSinceTheLastRenewalIsTakenByTheReplicaWhoseCommitTellsItFirst() throws Exception {
        Replica a = replica(first);
        Replica b = replica(database());
        String newer = Hub.Stores.over(b.database(), clock)
                .sites()
                .createSite(tenantId, new SiteStore.SiteInput("Newer", "2 Test St", ZoneId.of("UTC")))
                .id();
        // No renewal since: b heard its own commit, claimed the site and published it.
        long head = new SyncStore(first).head(tenantId, newer).orElseThrow().head();
        assertThat(b.publisher().awaitPublished(newer, head, WAIT)).isTrue();
        Optional<String> newerHolder =
                first.read(c -> Sql.one(c, "SELECT holder FROM sync_leases WHERE site_id = ?", Sql.STRING, newer));
        assertThat(newerHolder).contains(b.id());
        // a, told of the site, leaves it to b.
        a.publisher().changed(java.util.Set.of(new dev.gatehouse.hub.store.SiteRef(tenantId, newer)));
        a.publisher().sweep();
        assertThat(a.publisher().publishedSeq(newer)).isZero();
    }
}
