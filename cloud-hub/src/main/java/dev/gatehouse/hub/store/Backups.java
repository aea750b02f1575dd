package dev.gatehouse.hub.store;

import dev.gatehouse.hub.secrets.SecretFiles;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;

/**
 * {@code gatehouse-hub backup FILE} and {@code restore FILE} for the SQLite store. A backup is
 * {@code VACUUM INTO}: one read transaction of its own, so it is a consistent copy taken while the hub
 * runs and writes (WAL readers never block the writer). It holds the tenants' keys sealed under the
 * master key, which it does not contain. PostgreSQL is backed up with {@code pg_dump}, not here.
 */
public final class Backups {
    private Backups() {}

    /** What a restore found in the backup. */
    public record Restored(Path database, long tenants) {}

    /** Writes a consistent copy of the SQLite store to {@code target}, owner-only; answers its size. */
    public static long backup(StoreSettings settings, Path target) {
        Path source = sqliteFile(settings, "backup");
        if (!Files.exists(source)) {
            throw new StoreException(
                    StoreError.MISCONFIGURED,
                    "there is no store at " + source.toAbsolutePath() + " to back up (check hub.data-dir)");
        }
        if (Files.exists(target)) {
            throw new StoreException(
                    StoreError.MISCONFIGURED,
                    target.toAbsolutePath() + " exists; a backup never overwrites a file: name a new one");
        }
        try {
            // VACUUM INTO accepts an empty file: made first, owner-only, as the backup holds personal data.
            SecretFiles.createOwnerOnly(target, "");
        } catch (IOException e) {
            throw new StoreException(
                    StoreError.MISCONFIGURED, "cannot create " + target.toAbsolutePath() + ": " + e.getMessage(), e);
        }
        try (Connection c =
                        DriverManager.getConnection("jdbc:sqlite:" + source.toAbsolutePath() + "?busy_timeout=10000");
                Statement statement = c.createStatement()) {
            statement.execute(
                    "VACUUM INTO '" + target.toAbsolutePath().toString().replace("'", "''") + "'");
            return Files.size(target);
        } catch (SQLException | IOException e) {
            try {
                Files.deleteIfExists(target);
            } catch (IOException ignored) {
                // the message below says what failed
            }
            throw new StoreException(
                    StoreError.UNAVAILABLE,
                    "cannot back up " + source.toAbsolutePath() + " to " + target.toAbsolutePath() + ": "
                            + e.getMessage(),
                    e);
        }
    }

    /**
     * Replaces the SQLite store with {@code backup} (checked to be a whole hub store first). A store that
     * holds any tenant is replaced only with {@code force}. The hub must be stopped; its next start
     * migrates the restored store and opens its keys with the master key it was sealed under.
     */
    public static Restored restore(StoreSettings settings, Path backup, boolean force) {
        Path target = sqliteFile(settings, "restore");
        if (!Files.isRegularFile(backup)) {
            throw new StoreException(StoreError.MISCONFIGURED, backup.toAbsolutePath() + " does not exist");
        }
        long tenants = check(backup);
        if (Files.exists(target)) {
            long present = tenantsIn(target);
            if (present > 0 && !force) {
                throw new StoreException(
                        StoreError.CONFLICT,
                        target.toAbsolutePath() + " is not empty (" + present + " tenant(s)); a restore would replace"
                                + " it: stop the hub, back it up, and run the restore again with --force");
            }
        }
        Path partial = target.resolveSibling(target.getFileName() + ".restoring");
        try {
            Files.createDirectories(target.toAbsolutePath().getParent());
            Files.deleteIfExists(partial);
            SecretFiles.createOwnerOnly(partial, "");
            Files.copy(backup, partial, StandardCopyOption.REPLACE_EXISTING);
            // The old store's write-ahead log and index belong to the old file: they must not be replayed.
            Files.deleteIfExists(target.resolveSibling(target.getFileName() + "-wal"));
            Files.deleteIfExists(target.resolveSibling(target.getFileName() + "-shm"));
            Files.move(partial, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            throw new StoreException(
                    StoreError.UNAVAILABLE,
                    "cannot restore " + backup.toAbsolutePath() + " to " + target.toAbsolutePath() + ": "
                            + e.getMessage(),
                    e);
        }
        return new Restored(target, tenants);
    }

    /** The backup's tenant count, after checking it is an intact hub store. */
    private static long check(Path backup) {
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + backup.toAbsolutePath() + "?open_mode=1");
                Statement statement = c.createStatement()) {
            try (ResultSet rows = statement.executeQuery("PRAGMA integrity_check")) {
                if (!rows.next() || !rows.getString(1).equals("ok")) {
                    throw new StoreException(
                            StoreError.MISCONFIGURED, backup.toAbsolutePath() + " is damaged (integrity check failed)");
                }
            }
            try (ResultSet rows = statement.executeQuery(
                    "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name IN ('flyway_schema_history',"
                            + " 'tenants', 'signing_keys')")) {
                if (!rows.next() || rows.getLong(1) != 3) {
                    throw new StoreException(
                            StoreError.MISCONFIGURED, backup.toAbsolutePath() + " is not a Gatehouse hub backup");
                }
            }
            return tenantsIn(c);
        } catch (SQLException e) {
            throw new StoreException(
                    StoreError.MISCONFIGURED,
                    backup.toAbsolutePath() + " is not a SQLite hub backup: " + e.getMessage(),
                    e);
        }
    }

    private static long tenantsIn(Path database) {
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + database.toAbsolutePath() + "?open_mode=1")) {
            return tenantsIn(c);
        } catch (SQLException e) {
            throw new StoreException(
                    StoreError.MISCONFIGURED,
                    "cannot read the store at " + database.toAbsolutePath() + ": " + e.getMessage(),
                    e);
        }
    }

    private static long tenantsIn(Connection c) throws SQLException {
        try (Statement statement = c.createStatement();
                ResultSet table = statement.executeQuery(
                        "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = 'tenants'")) {
            table.next();
            if (table.getLong(1) == 0) {
                return 0;
            }
        }
        try (Statement statement = c.createStatement();
                ResultSet rows = statement.executeQuery("SELECT count(*) FROM tenants")) {
            rows.next();
            return rows.getLong(1);
        }
    }

    private static Path sqliteFile(StoreSettings settings, String command) {
        if (settings.kind() == StoreKind.POSTGRESQL) {
            throw new StoreException(
                    StoreError.MISCONFIGURED,
                    "the store is PostgreSQL (hub.store.jdbc-url): " + command + " it with "
                            + (command.equals("backup")
                                    ? "pg_dump --format=custom --file=FILE DATABASE"
                                    : "pg_restore --clean --if-exists --dbname=DATABASE FILE")
                            + " (see cloud-hub/README.md, Backup and restore)");
        }
        return settings.jdbcUrl()
                .map(url -> Path.of(url.substring("jdbc:sqlite:".length()).replaceFirst("\\?.*$", "")))
                .orElse(settings.dataDir().resolve("hub.db"));
    }
}
