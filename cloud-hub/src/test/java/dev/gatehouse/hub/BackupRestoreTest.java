package dev.gatehouse.hub;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.gatehouse.hub.secrets.KeySettings;
import dev.gatehouse.hub.store.Backups;
import dev.gatehouse.hub.store.StoreException;
import dev.gatehouse.hub.store.StoreKind;
import dev.gatehouse.hub.store.StoreSettings;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Clock;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * {@code gatehouse-hub backup} / {@code restore} on SQLite: a backup taken while the hub serves and
 * writes restores into a fresh data directory where a hub finds every row and the same tenant keys.
 */
class BackupRestoreTest {
    @TempDir
    Path dir;

    @Test
    void aBackupTakenWhileTheHubWritesRestoresEveryRowAndTheSameKeys() throws Exception {
        Path live = dir.resolve("live");
        HubConfig config = HubConfig.forTests(live, StoreSettings.sqlite(live));
        Path backup = dir.resolve("hub-backup.db");
        BackupScenario scenario;
        try (Hub hub = Hub.start(config, Clock.systemUTC())) {
            scenario = BackupScenario.seed(hub, live);
            long bytes = scenario.whileTheHubWrites(() -> Backups.backup(config.store(), backup));
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
            scenario.assertRestoredIn(hub);
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
    void aPostgresqlStoreIsToldTheExactPgDumpAndPgRestoreToRun() {
        StoreSettings postgres = new StoreSettings(
                dir, Optional.of("jdbc:postgresql://db.example:5432/gatehouse"), "gatehouse", "secret", 2);
        Path dump = dir.resolve("hub 1.dump");
        assertThatThrownBy(() -> Backups.backup(postgres, dump))
                .isInstanceOf(StoreException.class)
                .hasMessageContaining("pg_dump --format=custom '--file=" + dump.toAbsolutePath()
                        + "' postgresql://gatehouse@db.example:5432/gatehouse")
                .hasMessageContaining("PGPASSWORD")
                .hasMessageNotContaining("secret");
        assertThatThrownBy(() -> Backups.restore(postgres, dump, false))
                .isInstanceOf(StoreException.class)
                .hasMessageContaining("pg_restore --clean --if-exists --no-owner"
                        + " --dbname=postgresql://gatehouse@db.example:5432/gatehouse '" + dump.toAbsolutePath() + "'")
                .hasMessageContaining("hub.key-file");
        assertThat(postgres.kind()).isEqualTo(StoreKind.POSTGRESQL);
        assertThat(dump).doesNotExist();
    }

    /** The JDBC URL an operator configured, as the URI PostgreSQL's own tools read (libpq). */
    @ParameterizedTest
    @CsvSource(
            delimiter = '|',
            value = {
                "jdbc:postgresql://db:5432/gh             |          | postgresql://db:5432/gh",
                "jdbc:postgresql://db/gh?user=app&ssl=true |          | postgresql://app@db/gh",
                "jdbc:postgresql://db/gh?user=app         | hub user | postgresql://hub%20user@db/gh",
                "jdbc:postgresql://a:5432,b:5433/gh?sslmode=verify-full&password=x | gh | postgresql://gh@a:5432,b:5433/gh?sslmode=verify-full",
                "jdbc:postgresql:gh                       |          | postgresql://localhost/gh",
            })
    void theJdbcUrlBecomesALibpqUri(String jdbcUrl, String username, String libpq) {
        StoreSettings settings = new StoreSettings(dir, Optional.of(jdbcUrl), username == null ? "" : username, "", 2);
        assertThat(Backups.pgDumpCommand(settings, dir.resolve("d")).getLast()).isEqualTo(libpq);
    }
}
