package dev.gatehouse.hub.store;

import static org.assertj.core.api.Assertions.assertThat;

import dev.gatehouse.hub.testing.PostgresServer;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A rolling upgrade on PostgreSQL: the next release migrates while a replica of this one writes. Its
 * migration (V9000: a table referencing {@code tenants} and {@code members}) can take those tables'
 * locks in the other order than a replica's transaction, and PostgreSQL then ends one of them as a
 * deadlock's victim. RollingUpgradeIT met it in CI: the new replica did not start. Here the deadlock
 * is made on purpose and the migration is its victim; it must be tried again and succeed.
 */
class MigrationLockConflictTest {
    @TempDir
    Path dir;

    @Test
    @Timeout(120)
    void aMigrationThatLostADeadlockToARunningReplicaIsTriedAgain() throws Exception {
        String url = PostgresServer.freshDatabase();
        try (Database releaseN = Database.open(settings(url))) {
            assertThat(releaseN.ping()).isTrue();
        }
        String database = url.substring(url.lastIndexOf('/') + 1, url.indexOf('?'));
        try (Connection replica = DriverManager.getConnection(url);
                Statement sql = replica.createStatement()) {
            // The migration's sessions find a deadlock 2 s into a wait, the replica's only after a minute:
            // the migration, which waits first, is the one PostgreSQL ends.
            sql.execute("ALTER DATABASE " + database + " SET deadlock_timeout = '2s'");
            sql.execute("SET deadlock_timeout = '60s'");
            replica.setAutoCommit(false);
            sql.executeUpdate("UPDATE members SET full_name = full_name WHERE false"); // RowExclusive on members

            CompletableFuture<Void> migration = CompletableFuture.runAsync(() -> migrateAsNextRelease(url));
            awaitAWaitingMigration(url, migration);
            // The migration holds tenants (its first REFERENCES) and waits for members: the replica now
            // asks for tenants, and the cycle is closed.
            sql.executeUpdate("UPDATE tenants SET name = name WHERE false");
            replica.commit();

            migration.get(90, TimeUnit.SECONDS); // throws if the migration failed
        }
        try (Connection c = DriverManager.getConnection(url);
                var rows = c.createStatement()
                        .executeQuery(
                                "SELECT version, success FROM flyway_schema_history ORDER BY installed_rank DESC")) {
            rows.next();
            assertThat(rows.getString(1)).isEqualTo("9001");
            assertThat(rows.getBoolean(2)).isTrue();
        }
    }

    @Test
    void onlyDeadlocksAndUnavailableLocksCountAsLockConflicts() {
        assertThat(Database.lostALockConflict(new RuntimeException(new SQLException("deadlock", "40P01"))))
                .isTrue();
        assertThat(Database.lostALockConflict(new SQLException("lock timeout", "55P03")))
                .isTrue();
        assertThat(Database.lostALockConflict(new RuntimeException(new SQLException("syntax", "42601"))))
                .isFalse();
        assertThat(Database.lostALockConflict(new RuntimeException("no SQL state")))
                .isFalse();
    }

    /** Polls from a connection of its own: a transaction sees one snapshot of pg_stat_activity. */
    private static void awaitAWaitingMigration(String url, CompletableFuture<Void> migration) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        try (Connection watcher = DriverManager.getConnection(url);
                Statement sql = watcher.createStatement()) {
            while (System.nanoTime() < deadline) {
                if (migration.isDone()) {
                    migration.get(); // failed early: say why
                    throw new AssertionError("the migration ended without waiting for the replica's lock");
                }
                try (var rows = sql.executeQuery("SELECT count(*) FROM pg_stat_activity WHERE wait_event_type ="
                        + " 'Lock' AND pid <> pg_backend_pid() AND datname = current_database()")) {
                    rows.next();
                    if (rows.getInt(1) > 0) {
                        return;
                    }
                }
                Thread.sleep(20);
            }
        }
        throw new AssertionError("the migration never waited for the replica's lock on members");
    }

    /** As FutureSchemaTest does: this build with {@code upgrade/next-release/} on the class path. */
    private void migrateAsNextRelease(String url) {
        URL root = Objects.requireNonNull(getClass().getResource("/upgrade/next-release/"));
        Thread thread = Thread.currentThread();
        ClassLoader previous = thread.getContextClassLoader();
        try (URLClassLoader nextRelease = new URLClassLoader(new URL[] {root}, previous)) {
            thread.setContextClassLoader(nextRelease);
            try (Database next = Database.open(settings(url))) {
                assertThat(next.kind()).isEqualTo(StoreKind.POSTGRESQL);
            }
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        } finally {
            thread.setContextClassLoader(previous);
        }
    }

    private StoreSettings settings(String url) {
        return new StoreSettings(dir.resolve("data"), Optional.of(url), "", "", 2);
    }
}
