package dev.gatehouse.hub.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.gatehouse.hub.testing.PostgresServer;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.util.Objects;
import java.util.Optional;
import org.flywaydb.core.Flyway;
import org.flywaydb.core.api.FlywayException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The store's half of rolling upgrades (cloud-hub/README.md, "Rolling upgrades"): the next release
 * (here this build plus the test-only migrations under {@code upgrade/next-release}, V9000 and on
 * PostgreSQL V9001) migrates the store first; then this build, release N, opens it. N must start,
 * and leave the newer schema as it is. RollingUpgradeIT
 * runs the same with hub processes behind haproxy.
 */
class FutureSchemaTest {
    @TempDir
    Path dir;

    // On PostgreSQL replicas of N keep running, and restart, beside N+1 during an upgrade. N+1's
    // CREATE INDEX CONCURRENTLY waits for every open transaction: under a Flyway lock held in one it
    // would wait forever, so a hang here fails after two minutes instead of stalling the build.
    @Test
    @Timeout(120)
    void releaseNOpensAPostgresStoreThatTheNextReleaseMigrated() throws Exception {
        String url = PostgresServer.freshDatabase();
        migrateAsNextRelease(url, StoreKind.POSTGRESQL);
        opensAndLeavesTheNewerSchemaAsItIs(url);
    }

    // On SQLite there is one hub; this is a rollback to N after N+1 ran, which the same rule allows.
    @Test
    void releaseNOpensASqliteStoreThatTheNextReleaseMigrated() throws Exception {
        String url = "jdbc:sqlite:" + dir.resolve("hub.db");
        migrateAsNextRelease(url, StoreKind.SQLITE);
        opensAndLeavesTheNewerSchemaAsItIs(url);
    }

    // What the "*:future" setting is for: without it Flyway's validation stops release N at start.
    @Test
    void withoutIgnoringFutureMigrationsFlywayWouldRefuseReleaseN() throws Exception {
        String url = "jdbc:sqlite:" + dir.resolve("strict.db");
        migrateAsNextRelease(url, StoreKind.SQLITE);
        Flyway strict = Flyway.configure()
                .dataSource(url, "", "")
                .locations("classpath:db/migration")
                .ignoreMigrationPatterns("*:missing")
                .load();
        assertThatThrownBy(strict::migrate).isInstanceOf(FlywayException.class).hasMessageContaining("9000");
    }

    /**
     * Opens the store as the next release would: this build's {@link Database}, with {@code
     * upgrade/next-release/} as one more class path root, where its {@code db/migration} and {@code
     * db/postgresql} hold the new migrations (Flyway scans the context class loader).
     */
    private void migrateAsNextRelease(String url, StoreKind kind) throws Exception {
        URL root = Objects.requireNonNull(getClass().getResource("/upgrade/next-release/"));
        Thread thread = Thread.currentThread();
        ClassLoader previous = thread.getContextClassLoader();
        try (URLClassLoader nextRelease = new URLClassLoader(new URL[] {root}, previous)) {
            thread.setContextClassLoader(nextRelease);
            try (Database next = Database.open(new StoreSettings(dir.resolve("data"), Optional.of(url), "", "", 2))) {
                assertThat(next.kind()).isEqualTo(kind);
            }
        } finally {
            thread.setContextClassLoader(previous);
        }
        assertThat(latestVersion(url)).isEqualTo(kind == StoreKind.POSTGRESQL ? "9001" : "9000");
    }

    private void opensAndLeavesTheNewerSchemaAsItIs(String url) throws Exception {
        String before = latestVersion(url);
        try (Database n = Database.open(new StoreSettings(dir.resolve("data"), Optional.of(url), "", "", 2))) {
            assertThat(n.ping()).isTrue();
            // What N+1 added is still there under N, empty and usable.
            assertThat(n.<Optional<Long>>read(c -> Sql.one(c, "SELECT count(*) FROM member_badges", Sql.LONG)))
                    .contains(0L);
            assertThat(n.<Optional<Long>>read(
                            c -> Sql.one(c, "SELECT count(*) FROM members WHERE nickname IS NULL", Sql.LONG)))
                    .contains(0L);
        }
        assertThat(latestVersion(url)).isEqualTo(before).isIn("9000", "9001");
    }

    private static String latestVersion(String url) throws Exception {
        try (Connection c = DriverManager.getConnection(url);
                var rows = c.createStatement()
                        .executeQuery("SELECT version FROM flyway_schema_history ORDER BY installed_rank DESC")) {
            assertThat(rows.next()).isTrue();
            return rows.getString(1);
        }
    }
}
