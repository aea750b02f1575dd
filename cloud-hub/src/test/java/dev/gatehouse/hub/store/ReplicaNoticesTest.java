package dev.gatehouse.hub.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.gatehouse.hub.testing.TestHub;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What hub replicas tell each other through PostgreSQL LISTEN/NOTIFY: two stores opened on one
 * PostgreSQL database, as two hub processes open it. A committed change-log append and stored
 * events reach the other replica, a rolled-back one never does, a replica does not hear itself, and
 * a listener whose connection is cut reconnects and says so (notices sent meanwhile are lost, so
 * the hub then sweeps). On SQLite there is one hub and nothing listens.
 */
class ReplicaNoticesTest {
    static final long WAIT_SECONDS = 30;

    @TempDir
    Path dir;

    final List<Database> open = new ArrayList<>();
    Database a;
    Database b;
    final BlockingQueue<Set<SiteRef>> heardByB = new LinkedBlockingQueue<>();
    final BlockingQueue<Set<SiteRef>> heardByA = new LinkedBlockingQueue<>();
    final BlockingQueue<String> ingestAtB = new LinkedBlockingQueue<>();
    final BlockingQueue<String> reconnectsOfB = new LinkedBlockingQueue<>();

    @BeforeEach
    void replicas() {
        StoreSettings settings = TestHub.settings(StoreKind.POSTGRESQL, dir);
        a = Database.open(settings);
        open.add(a);
        b = Database.open(settings);
        open.add(b);
        a.notices().onChanges(heardByA::add).start();
        b.notices()
                .onChanges(heardByB::add)
                .onIngest(() -> ingestAtB.add("ingest"))
                .onReconnect(() -> reconnectsOfB.add("back"))
                .start();
    }

    @AfterEach
    void close() {
        open.forEach(Database::close);
    }

    static void append(Database database, String tenantId, String siteId) {
        database.run(c -> Database.noteChange(c, tenantId, siteId));
    }

    @Test
    void aCommittedAppendReachesTheOtherReplicaAndARolledBackOneNever() throws Exception {
        assertThat(a.replicaId()).isNotEqualTo(b.replicaId());
        assertThatThrownBy(() -> a.run(c -> {
                    Database.noteChange(c, "ten_rolled", "site_back");
                    throw new IllegalStateException("test: roll back");
                }))
                .isInstanceOf(IllegalStateException.class);
        append(a, "ten_1", "site_1");
        // Notices arrive in commit order: had the rolled-back one been sent, it would come first.
        assertThat(heardByB.poll(WAIT_SECONDS, TimeUnit.SECONDS)).containsExactly(new SiteRef("ten_1", "site_1"));

        // b's append reaches a; a never heard its own (it would have come before this one).
        append(b, "ten_2", "site_2");
        assertThat(heardByA.poll(WAIT_SECONDS, TimeUnit.SECONDS)).containsExactly(new SiteRef("ten_2", "site_2"));
        assertThat(heardByB).isEmpty();
    }

    @Test
    void storedEventsWakeTheOtherReplicasFeeds() throws Exception {
        a.run(c -> a.notifyReplicas(c, ReplicaNotices.INGEST, "events"));
        assertThat(ingestAtB.poll(WAIT_SECONDS, TimeUnit.SECONDS)).isEqualTo("ingest");
    }

    // During a rolling upgrade a replica of the next release may say more than this one reads
    // (cloud-hub/README.md, "Rolling upgrades"): this one skips it and goes on listening.
    @Test
    void noticesOfANewerReleaseThatThisOneCannotReadAreSkipped() throws Exception {
        a.run(c -> {
            a.notifyReplicas(c, ReplicaNotices.CHANGES, "ten_new site_new a-field-added-later");
            a.notifyReplicas(c, ReplicaNotices.CHANGES, "");
            a.notifyReplicas(c, "gh_a_channel_added_later", "ten_new site_new");
        });
        append(a, "ten_4", "site_4");
        assertThat(heardByB.poll(WAIT_SECONDS, TimeUnit.SECONDS)).containsExactly(new SiteRef("ten_4", "site_4"));
        append(a, "ten_5", "site_5");
        assertThat(heardByB.poll(WAIT_SECONDS, TimeUnit.SECONDS)).containsExactly(new SiteRef("ten_5", "site_5"));
    }

    @Test
    void aListenerWhoseConnectionIsCutListensAgainAndSaysSo() throws Exception {
        int cut = a.write(c -> Sql.one(
                        c,
                        "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity"
                                + " WHERE datname = current_database() AND pid <> pg_backend_pid()"
                                + " AND query LIKE 'LISTEN%'",
                        Sql.LONG)
                .orElseThrow()
                .intValue());
        assertThat(cut).isEqualTo(2); // a's and b's listeners
        assertThat(reconnectsOfB.poll(WAIT_SECONDS, TimeUnit.SECONDS)).isEqualTo("back");
        append(a, "ten_3", "site_3");
        assertThat(heardByB.poll(WAIT_SECONDS, TimeUnit.SECONDS)).containsExactly(new SiteRef("ten_3", "site_3"));
    }

    @Test
    void onSqliteNothingListens() {
        try (Database single = Database.open(StoreSettings.sqlite(dir))) {
            single.notices().onChanges(heard -> {}).start();
            single.run(c -> single.notifyReplicas(c, ReplicaNotices.INGEST, "events"));
            assertThat(single.notices().listening()).isFalse();
            assertThat(a.notices().listening()).isTrue();
        }
    }
}
