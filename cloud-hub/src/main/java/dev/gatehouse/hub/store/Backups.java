package dev.gatehouse.hub.store;

import dev.gatehouse.hub.secrets.SecretFiles;
import java.io.IOException;
import java.net.URLDecoder;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code gatehouse-hub backup FILE} and {@code restore FILE} for the SQLite store. A backup is
 * {@code VACUUM INTO}: one read transaction of its own, so it is a consistent copy taken while the hub
 * runs and writes (WAL readers never block the writer). It holds the tenants' keys sealed under the
 * master key, which it does not contain. PostgreSQL is backed up with {@code pg_dump}, not here: the
 * commands say what to run ({@link #pgDumpCommand}, {@link #pgRestoreCommand}).
 */
public final class Backups {
    private Backups() {}

    /** What a restore found in the backup. */
    public record Restored(Path database, long tenants) {}

    /** Writes a consistent copy of the SQLite store to {@code target}, owner-only; answers its size. */
    public static long backup(StoreSettings settings, Path target) {
        Path source = sqliteFile(settings, "backup", target);
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
        Path target = sqliteFile(settings, "restore", backup);
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

    /** The SQLite store's file; on PostgreSQL, a refusal saying what to run on {@code file} instead. */
    private static Path sqliteFile(StoreSettings settings, String command, Path file) {
        if (settings.kind() == StoreKind.POSTGRESQL) {
            throw new StoreException(StoreError.MISCONFIGURED, postgresAdvice(settings, command, file));
        }
        return settings.jdbcUrl()
                .map(url -> Path.of(url.substring("jdbc:sqlite:".length()).replaceFirst("\\?.*$", "")))
                .orElse(settings.dataDir().resolve("hub.db"));
    }

    /**
     * The {@code pg_dump} command that writes a consistent copy of the PostgreSQL store to {@code target}
     * (custom format, taken in one snapshot while the hub runs). The password is not in it: libpq reads
     * {@code PGPASSWORD} or {@code ~/.pgpass}.
     */
    public static List<String> pgDumpCommand(StoreSettings settings, Path target) {
        return List.of("pg_dump", "--format=custom", "--file=" + target.toAbsolutePath(), libpqUrl(settings));
    }

    /**
     * The {@code pg_restore} command that puts a {@link #pgDumpCommand} dump back into the PostgreSQL
     * store: the hub's tables are dropped first where they exist, and the objects are owned by the
     * restoring user.
     */
    public static List<String> pgRestoreCommand(StoreSettings settings, Path dump) {
        return List.of(
                "pg_restore",
                "--clean",
                "--if-exists",
                "--no-owner",
                "--dbname=" + libpqUrl(settings),
                dump.toAbsolutePath().toString());
    }

    /**
     * {@code hub.store.jdbc-url} as a libpq connection URI for PostgreSQL's own tools: the hosts, port and
     * database, {@code hub.store.username} (or the URL's {@code user}) and its {@code sslmode}; the
     * JDBC driver's other parameters mean nothing to libpq and are left out, and so is any password.
     */
    static String libpqUrl(StoreSettings settings) {
        String url = settings.jdbcUrl().orElseThrow().substring("jdbc:postgresql:".length());
        String query = "";
        int mark = url.indexOf('?');
        if (mark >= 0) {
            query = url.substring(mark + 1);
            url = url.substring(0, mark);
        }
        Map<String, String> params = new LinkedHashMap<>();
        for (String pair : query.split("&")) {
            int eq = pair.indexOf('=');
            if (eq > 0) {
                params.put(pair.substring(0, eq), URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8));
            }
        }
        // jdbc:postgresql:DB and jdbc:postgresql:/DB mean localhost:5432 to the driver (libpq would take a socket).
        String hostsAndDatabase = url.startsWith("//") ? url.substring(2) : "localhost/" + url.replaceFirst("^/", "");
        String user = settings.username().isEmpty() ? params.getOrDefault("user", "") : settings.username();
        StringBuilder out = new StringBuilder("postgresql://");
        if (!user.isEmpty()) {
            out.append(URLEncoder.encode(user, StandardCharsets.UTF_8).replace("+", "%20"))
                    .append('@');
        }
        out.append(hostsAndDatabase);
        if (params.containsKey("sslmode")) {
            out.append("?sslmode=").append(URLEncoder.encode(params.get("sslmode"), StandardCharsets.UTF_8));
        }
        return out.toString();
    }

    /** What to run instead of {@code backup}/{@code restore} on PostgreSQL, with this store and file. */
    private static String postgresAdvice(StoreSettings settings, String command, Path file) {
        String run = command.equals("backup")
                ? "back it up with PostgreSQL's own tool, which takes one consistent snapshot while the hub runs: "
                        + shell(pgDumpCommand(settings, file))
                : "restore a pg_dump file with the hub stopped: " + shell(pgRestoreCommand(settings, file))
                        + ", then start the hub with the master key the dump was sealed under (hub.key-file)";
        return "the store is PostgreSQL (hub.store.jdbc-url): " + run + " (the password from PGPASSWORD or"
                + " ~/.pgpass; see cloud-hub/README.md, Backup and restore)";
    }

    /** A command as one line a POSIX shell reads back into the same arguments. */
    private static String shell(List<String> command) {
        StringBuilder line = new StringBuilder();
        for (String arg : command) {
            if (!line.isEmpty()) {
                line.append(' ');
            }
            line.append(arg.matches("[A-Za-z0-9_./:=@%+,-]+") ? arg : "'" + arg.replace("'", "'\\''") + "'");
        }
        return line.toString();
    }
}
