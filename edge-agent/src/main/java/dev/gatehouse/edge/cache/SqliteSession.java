package dev.gatehouse.edge.cache;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.HashMap;
import java.util.Map;
import org.sqlite.SQLiteConfig;

/**
 * One JDBC connection and its prepared statements; used by one thread at a time. On the writer it
 * also notes what the current write transaction changed besides rows (see {@link SqliteConnections#write}).
 */
final class SqliteSession implements AutoCloseable {
    static final int BUSY_TIMEOUT_MILLIS = 5_000;

    final Connection connection;
    private final Map<String, PreparedStatement> statements = new HashMap<>();
    // Guarded by the write lock, on the writer: what the current write transaction changed.
    private boolean metaWritten;
    private boolean configChanged;

    private SqliteSession(Connection connection) {
        this.connection = connection;
    }

    static SqliteSession connect(Path file) throws SQLException {
        SQLiteConfig config = new SQLiteConfig();
        config.setBusyTimeout(BUSY_TIMEOUT_MILLIS);
        return new SqliteSession(config.createConnection("jdbc:sqlite:" + file.toAbsolutePath()));
    }

    PreparedStatement prepare(String sql) throws SQLException {
        PreparedStatement statement = statements.get(sql);
        if (statement == null) {
            statement = connection.prepareStatement(sql);
            statements.put(sql, statement);
        }
        return statement;
    }

    /**
     * Closes and forgets every prepared statement, so the next use prepares it afresh. Called after a
     * failed statement: sqlite-jdbc may leave a statement that failed (a full disk, {@code SQLITE_FULL})
     * unusable ("statement is not executing"), and a cached one would then fail every later write
     * even once there is room again.
     */
    void forgetStatements() {
        for (PreparedStatement statement : statements.values()) {
            try {
                statement.close();
            } catch (SQLException e) {
                // it is being dropped because it failed
            }
        }
        statements.clear();
    }

    void execute(String sql) throws SQLException {
        try (Statement statement = connection.createStatement()) {
            statement.execute(sql);
        }
    }

    String queryString(String sql) throws SQLException {
        try (Statement statement = connection.createStatement();
                ResultSet rows = statement.executeQuery(sql)) {
            return rows.next() ? rows.getString(1) : "";
        }
    }

    long queryLong(String sql) throws SQLException {
        try (Statement statement = connection.createStatement();
                ResultSet rows = statement.executeQuery(sql)) {
            return rows.next() ? rows.getLong(1) : 0L;
        }
    }

    /** Starts noting a write transaction's changes afresh. */
    void resetChanges() {
        metaWritten = false;
        configChanged = false;
    }

    /** A {@code meta} row was written in the current transaction. */
    void metaWritten() {
        metaWritten = true;
    }

    /** An entity of {@code kind} was written or removed in the current transaction. */
    void entityWritten(String kind) {
        configChanged |= CommittedState.isConfigKind(kind);
    }

    /** A whole configuration may have changed in the current transaction (a snapshot swap). */
    void configReplaced() {
        configChanged = true;
    }

    boolean wroteMeta() {
        return metaWritten;
    }

    boolean changedConfig() {
        return configChanged;
    }

    @Override
    public void close() throws SQLException {
        try {
            for (PreparedStatement statement : statements.values()) {
                statement.close();
            }
            statements.clear();
        } finally {
            connection.close();
        }
    }

    /** Closes {@code session}, if any, after a failure: the first failure is the one reported. */
    static void closeQuietly(SqliteSession session) {
        if (session == null) {
            return;
        }
        try {
            session.close();
        } catch (SQLException e) {
            // Closing after a failure: the first failure is the one reported.
        }
    }
}
