package dev.gatehouse.hub.store;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import dev.gatehouse.hub.secrets.KeySettings;
import dev.gatehouse.hub.secrets.MasterKey;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;
import java.util.logging.Level;
import java.util.logging.Logger;
import org.flywaydb.core.Flyway;
import org.flywaydb.core.api.FlywayException;
import org.flywaydb.core.api.configuration.FluentConfiguration;
import org.flywaydb.database.postgresql.PostgreSQLConfigurationExtension;

/**
 * The hub's store: SQLite (one writer connection, a pool of readers, WAL) or PostgreSQL (one pool),
 * migrated by one set of Flyway migrations. Work runs in {@link #write} or {@link #run} (a
 * transaction) or {@link #read}, using the {@link Sql} helpers on the connection it is given; JDBC
 * failures leave as {@link StoreException}.
 */
public final class Database implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(Database.class.getName());

    /** The write transactions open on this thread, innermost last (nesting is rare but harmless). */
    private static final ThreadLocal<List<Frame>> FRAMES = ThreadLocal.withInitial(ArrayList::new);

    /** One open write transaction: its connection and the sites whose change log it appended to. */
    private record Frame(Connection connection, Set<SiteRef> changedSites, AtomicBoolean outbox) {}

    private final List<Consumer<Set<SiteRef>>> commitListeners = new CopyOnWriteArrayList<>();
    private final List<Runnable> outboxListeners = new CopyOnWriteArrayList<>();
    private final StoreKind kind;
    private final HikariDataSource writer;
    private final HikariDataSource reader;
    private final String description;
    private final MasterKey masterKey;
    /** This hub process's id among replicas (random per opened store): its leases and notices carry it. */
    private final String replicaId = "r" + ProcessHandle.current().pid() + "-"
            + java.util.HexFormat.of().formatHex(new java.security.SecureRandom().generateSeed(4));
    /** What the other replicas tell this one (listening once started; nothing on SQLite). */
    private final ReplicaNotices notices = new ReplicaNotices(this);

    private Database(
            StoreKind kind, HikariDataSource writer, HikariDataSource reader, String description, KeySettings keys) {
        this.kind = kind;
        this.writer = writer;
        this.reader = reader;
        this.description = description;
        try (Connection connection = writer.getConnection()) {
            this.masterKey = SealedColumns.prepare(connection, keys);
        } catch (SQLException e) {
            close();
            throw StoreException.from(e, kind);
        } catch (RuntimeException e) {
            close();
            throw e;
        }
    }

    /**
     * Opens the store, creating the SQLite file when needed, and applies pending migrations; the
     * master key is {@code <dataDir>/master.key} (made at the first start).
     */
    public static Database open(StoreSettings settings) {
        return open(settings, KeySettings.in(settings.dataDir()));
    }

    /**
     * Opens the store and migrates it, then seals the tenants' keys under the master key that
     * {@code keys} names ({@link SealedColumns#prepare}): a wrong or missing key stops here.
     */
    public static Database open(StoreSettings settings, KeySettings keys) {
        return switch (settings.kind()) {
            case SQLITE -> openSqlite(settings, keys);
            case POSTGRESQL -> openPostgres(settings, keys);
        };
    }

    /** The key the tenants' signing and card keys are sealed under ({@link SealedColumns}). */
    public MasterKey masterKey() {
        return masterKey;
    }

    private static Database openSqlite(StoreSettings settings, KeySettings keys) {
        String url = settings.jdbcUrl().orElseGet(() -> {
            Path dir = settings.dataDir();
            try {
                Files.createDirectories(dir);
            } catch (IOException e) {
                throw new StoreException(
                        StoreError.MISCONFIGURED,
                        "cannot create hub.data-dir " + dir.toAbsolutePath() + ": " + e.getMessage(),
                        e);
            }
            return "jdbc:sqlite:" + dir.resolve("hub.db").toAbsolutePath();
        });
        // WAL: readers never block the writer. synchronous=NORMAL: a commit does not wait for an
        // fsync (a power cut can lose the last commits, never the file). One writer connection, so
        // SQLite never answers SQLITE_BUSY to a write; busy_timeout covers checkpoints.
        String tuned = url + (url.contains("?") ? "&" : "?")
                + "journal_mode=WAL&synchronous=NORMAL&foreign_keys=true&busy_timeout=10000";
        migrate(tuned, "", "", StoreKind.SQLITE);
        HikariDataSource writer = pool(tuned, "", "", 1, "hub-sqlite-writer");
        HikariDataSource reader = pool(tuned, "", "", settings.poolSize(), "hub-sqlite-reader");
        return new Database(StoreKind.SQLITE, writer, reader, "SQLite " + url.substring("jdbc:sqlite:".length()), keys);
    }

    private static Database openPostgres(StoreSettings settings, KeySettings keys) {
        String url = settings.jdbcUrl().orElseThrow();
        migrate(url, settings.username(), settings.password(), StoreKind.POSTGRESQL);
        HikariDataSource pool = pool(url, settings.username(), settings.password(), settings.poolSize(), "hub-pg");
        return new Database(StoreKind.POSTGRESQL, pool, pool, "PostgreSQL " + redact(url), keys);
    }

    /** Tries at most this many times a PostgreSQL migration that lost a lock conflict with running replicas. */
    static final int MIGRATION_ATTEMPTS = 6;

    /**
     * Migrates the store. On PostgreSQL, replicas of the previous release keep writing while a new one
     * migrates (rolling upgrades): a migration that takes a table's lock in another order than their
     * transactions can be chosen as a deadlock's victim (40P01), or find a lock not available (55P03).
     * PostgreSQL rolled it back, so it is tried again after a short pause, as the replicas' own
     * transactions would be; anything else fails at once.
     */
    private static void migrate(String url, String user, String password, StoreKind kind) {
        for (int attempt = 1; ; attempt++) {
            try {
                migrateOnce(url, user, password, kind);
                return;
            } catch (StoreException e) {
                if (kind != StoreKind.POSTGRESQL || attempt >= MIGRATION_ATTEMPTS || !lostALockConflict(e)) {
                    throw e;
                }
                LOG.warning("migrating the store: lost a lock conflict with running replicas (attempt " + attempt
                        + " of " + MIGRATION_ATTEMPTS + "), PostgreSQL rolled it back; trying again: "
                        + e.getMessage().lines().findFirst().orElse(""));
                try {
                    Thread.sleep(250L * attempt);
                } catch (InterruptedException interrupted) {
                    Thread.currentThread().interrupt();
                    throw e;
                }
            }
        }
    }

    /** Whether a deadlock (40P01) or an unavailable lock (55P03) is among {@code e}'s causes. */
    static boolean lostALockConflict(Throwable e) {
        for (Throwable cause = e; cause != null; cause = cause.getCause()) {
            if (cause instanceof SQLException sql
                    && ("40P01".equals(sql.getSQLState()) || "55P03".equals(sql.getSQLState()))) {
                return true;
            }
        }
        return false;
    }

    private static void migrateOnce(String url, String user, String password, StoreKind kind) {
        try {
            FluentConfiguration flyway = Flyway.configure();
            // Flyway's lock on PostgreSQL as a session advisory lock, not one held in an open
            // transaction: CREATE INDEX CONCURRENTLY (how a release indexes a busy table while replicas
            // of the previous one write to it) waits for every open transaction, and would wait for
            // Flyway's own lock forever (FutureSchemaTest).
            flyway.getConfigurationExtension(PostgreSQLConfigurationExtension.class)
                    .setTransactionalLock(false);
            flyway.dataSource(url, user, password)
                    // Portable SQL for both stores, plus what only PostgreSQL can say (exclusion constraints).
                    .locations(
                            kind == StoreKind.POSTGRESQL
                                    ? new String[] {"classpath:db/migration", "classpath:db/postgresql"}
                                    : new String[] {"classpath:db/migration"})
                    .failOnMissingLocations(true)
                    // Rolling upgrades (cloud-hub/README.md): a replica of release N starts and runs on a
                    // schema that a replica of N+1 migrated further. The applied versions N does not know
                    // are "future": validated, they must not stop it, and N never undoes them. Flyway's
                    // default (13.12), written out so that a Flyway upgrade cannot change it unnoticed.
                    .validateOnMigrate(true)
                    .ignoreMigrationPatterns("*:future")
                    .load()
                    .migrate();
        } catch (FlywayException e) {
            throw new StoreException(
                    StoreError.MISCONFIGURED,
                    "cannot migrate the " + kind.label() + " store at " + redact(url) + ": " + e.getMessage(),
                    e);
        }
    }

    private static HikariDataSource pool(String url, String user, String password, int size, String name) {
        HikariConfig config = new HikariConfig();
        config.setJdbcUrl(url);
        if (!user.isEmpty()) {
            config.setUsername(user);
        }
        if (!password.isEmpty()) {
            config.setPassword(password);
        }
        config.setMaximumPoolSize(size);
        config.setMinimumIdle(Math.min(size, 2));
        config.setPoolName(name);
        config.setAutoCommit(true);
        config.setConnectionTimeout(10_000);
        try {
            return new HikariDataSource(config);
        } catch (RuntimeException e) {
            throw new StoreException(
                    StoreError.UNAVAILABLE, "cannot connect to " + redact(url) + ": " + e.getMessage(), e);
        }
    }

    private static String redact(String url) {
        return url.replaceAll("(?i)password=[^&]*", "password=***");
    }

    public StoreKind kind() {
        return kind;
    }

    /** "SQLite /path/hub.db" or "PostgreSQL jdbc:postgresql://…", for logs and health. */
    public String description() {
        return description;
    }

    /**
     * Runs {@code work} in one transaction: committed when it returns, rolled back when it throws.
     * After the commit (never before, never after a rollback) every {@linkplain #onChangesCommitted
     * commit listener} hears which sites' change logs the transaction appended to.
     */
    public <T> T write(SqlWork<T> work) {
        Set<SiteRef> changed;
        boolean outbox;
        T result;
        try (Connection connection = writer.getConnection()) {
            connection.setAutoCommit(false);
            Frame frame = new Frame(connection, new LinkedHashSet<>(), new AtomicBoolean());
            List<Frame> frames = FRAMES.get();
            frames.add(frame);
            try {
                result = work.run(connection);
                if (kind == StoreKind.POSTGRESQL) {
                    // Other replicas hear of the new entries when (and only if) this commits.
                    for (SiteRef site : frame.changedSites()) {
                        notifyReplicas(connection, ReplicaNotices.CHANGES, site.tenantId() + " " + site.siteId());
                    }
                }
                connection.commit();
                changed = frame.changedSites();
                outbox = frame.outbox().get();
            } catch (SQLException | RuntimeException | Error e) {
                rollbackQuietly(connection, e);
                throw e;
            } finally {
                frames.remove(frames.size() - 1);
                if (frames.isEmpty()) {
                    FRAMES.remove();
                }
                connection.setAutoCommit(true);
            }
        } catch (SQLException e) {
            throw StoreException.from(e, kind);
        }
        if (!changed.isEmpty()) {
            Set<SiteRef> sites = Set.copyOf(changed);
            for (Consumer<Set<SiteRef>> listener : commitListeners) {
                try {
                    listener.accept(sites);
                } catch (RuntimeException e) {
                    // The write has committed: a listener's failure must not turn it into an error.
                    // Sync's periodic sweep publishes whatever a missed notification left behind.
                    LOG.log(Level.WARNING, "a change-log commit listener failed: " + e, e);
                }
            }
        }
        if (outbox) {
            for (Runnable listener : outboxListeners) {
                try {
                    listener.run();
                } catch (RuntimeException e) {
                    LOG.log(Level.WARNING, "an outbox commit listener failed: " + e, e);
                }
            }
        }
        return result;
    }

    /** Runs {@code action} in one transaction, like {@link #write}, for work that answers nothing. */
    public void run(SqlAction action) {
        write(c -> {
            action.run(c);
            return null;
        });
    }

    /**
     * Records, inside a {@link #write} on this thread over {@code connection}, that the transaction
     * appended to a site's change log; its commit listeners hear of it once the transaction commits.
     * Outside such a write it does nothing (nobody is told; the sync sweep still finds the entries).
     */
    public static void noteChange(Connection connection, String tenantId, String siteId) {
        List<Frame> frames = FRAMES.get();
        for (int i = frames.size() - 1; i >= 0; i--) {
            Frame frame = frames.get(i);
            if (frame.connection() == connection) {
                frame.changedSites().add(new SiteRef(tenantId, siteId));
                return;
            }
        }
        if (frames.isEmpty()) {
            FRAMES.remove();
        }
    }

    /**
     * Records, inside a {@link #write} on this thread over {@code connection}, that the transaction
     * wrote to the event outbox; the {@linkplain #onOutboxCommitted outbox listeners} hear of it once
     * it commits. Outside such a write it does nothing (the consumers' periodic pass still finds it).
     */
    public static void noteOutbox(Connection connection) {
        List<Frame> frames = FRAMES.get();
        for (int i = frames.size() - 1; i >= 0; i--) {
            if (frames.get(i).connection() == connection) {
                frames.get(i).outbox().set(true);
                return;
            }
        }
        if (frames.isEmpty()) {
            FRAMES.remove();
        }
    }

    /** The other replicas' notices: add listeners, then {@link ReplicaNotices#start}; closed with the store. */
    public ReplicaNotices notices() {
        return notices;
    }

    /** This hub process's replica id: random for each opened store, so two processes never share one. */
    public String replicaId() {
        return replicaId;
    }

    /**
     * On PostgreSQL, queues a notice to every replica listening on {@code channel} ({@link
     * ReplicaNotices}), sent when the transaction on {@code connection} commits and dropped if it
     * rolls back; the payload is this replica's id and {@code detail} (ids only, never row data). On
     * SQLite (one hub) it does nothing.
     */
    public void notifyReplicas(Connection connection, String channel, String detail) throws SQLException {
        if (kind != StoreKind.POSTGRESQL) {
            return;
        }
        try (var statement = connection.prepareStatement("SELECT pg_notify(?, ?)")) {
            statement.setString(1, channel);
            statement.setString(2, replicaId + " " + detail);
            statement.execute();
        }
    }

    /** A connection of its own to the store (PostgreSQL: to LISTEN on), outside the pools; the caller closes it. */
    Connection dedicatedConnection() throws SQLException {
        String user = writer.getUsername();
        String password = writer.getPassword();
        return java.sql.DriverManager.getConnection(
                writer.getJdbcUrl(), user == null ? null : user, password == null ? null : password);
    }

    /** Adds a listener run on the committing thread after each commit that wrote outbox events; it must be quick. */
    public void onOutboxCommitted(Runnable listener) {
        outboxListeners.add(listener);
    }

    public void removeOutboxListener(Runnable listener) {
        outboxListeners.remove(listener);
    }

    /**
     * Adds a listener told, on the committing thread right after each commit, which sites got new
     * change-log entries. It must be quick and must not write to this database; a throw is logged.
     */
    public void onChangesCommitted(Consumer<Set<SiteRef>> listener) {
        commitListeners.add(listener);
    }

    public void removeChangesListener(Consumer<Set<SiteRef>> listener) {
        commitListeners.remove(listener);
    }

    /**
     * Runs read-only {@code work} in one transaction that sees a single consistent state of the store
     * (SQLite: a WAL read transaction; PostgreSQL: REPEATABLE READ), e.g. a site's whole projection
     * together with the change-log head it corresponds to.
     */
    public <T> T readConsistent(SqlWork<T> work) {
        try (Connection connection = reader.getConnection()) {
            int isolation = connection.getTransactionIsolation();
            if (kind == StoreKind.POSTGRESQL) {
                connection.setTransactionIsolation(Connection.TRANSACTION_REPEATABLE_READ);
            }
            connection.setAutoCommit(false);
            try {
                T result = work.run(connection);
                connection.commit();
                return result;
            } catch (SQLException | RuntimeException | Error e) {
                rollbackQuietly(connection, e);
                throw e;
            } finally {
                connection.setAutoCommit(true);
                if (kind == StoreKind.POSTGRESQL) {
                    connection.setTransactionIsolation(isolation);
                }
            }
        } catch (SQLException e) {
            throw StoreException.from(e, kind);
        }
    }

    /** Runs read-only {@code work} on a reader connection (the same pool on PostgreSQL). */
    public <T> T read(SqlWork<T> work) {
        try (Connection connection = reader.getConnection()) {
            return work.run(connection);
        } catch (SQLException e) {
            throw StoreException.from(e, kind);
        }
    }

    /** True when a trivial query answers; for the health endpoint. */
    public boolean ping() {
        try {
            return read(c -> {
                try (var statement = c.createStatement();
                        var rows = statement.executeQuery("SELECT 1")) {
                    return rows.next();
                }
            });
        } catch (StoreException e) {
            return false;
        }
    }

    private static void rollbackQuietly(Connection connection, Throwable cause) {
        try {
            connection.rollback();
        } catch (SQLException e) {
            cause.addSuppressed(e);
        }
    }

    @Override
    public void close() {
        notices.close();
        if (reader != writer) {
            reader.close();
        }
        writer.close();
    }
}
