package dev.gatehouse.edge.cache;

import java.sql.SQLException;

/**
 * The connection of one install (or clean-up), beside the writer: it sorts the lookups into its
 * own temporary tables (a read of the file, so no writer waits) and copies them from there, and
 * it checkpoints the WAL between steps. Meanwhile the writer does not checkpoint by itself: a
 * commit that crosses {@code wal_autocheckpoint} would otherwise copy the install's pages into
 * the database file, fsyncs included, while a door's event waits behind it.
 */
final class InstallConnection implements AutoCloseable {
    /** Install steps between two checkpoints that let the WAL start over (see {@link #checkpoint}). */
    private static final int RESTART_EVERY_STEPS = 16;

    private final SqliteConnections connections;
    final SqliteSession session;
    private final long autocheckpoint;

    InstallConnection(SqliteConnections connections) {
        this.connections = connections;
        try {
            session = SqliteSession.connect(connections.file());
        } catch (SQLException e) {
            throw SqliteConnections.translate(e, "open a connection for the snapshot install", connections.file());
        }
        try {
            autocheckpoint = connections.writeOne("stop checkpoints on commit", writer -> {
                long pages = writer.queryLong("PRAGMA wal_autocheckpoint");
                writer.queryLong("PRAGMA wal_autocheckpoint = 0");
                return pages;
            });
            // The install's commits as the writer's: same durability (no fsync per commit with
            // NORMAL, while a door may wait for the lock), and no checkpoint inside a commit.
            long synchronous =
                    connections.writeOne("read the durability", writer -> writer.queryLong("PRAGMA synchronous"));
            session.execute("PRAGMA synchronous = " + synchronous);
            session.queryLong("PRAGMA wal_autocheckpoint = 0");
        } catch (SQLException e) {
            SqliteSession.closeQuietly(session);
            throw SqliteConnections.translate(e, "set up the snapshot install's connection", connections.file());
        } catch (RuntimeException e) {
            SqliteSession.closeQuietly(session);
            throw e;
        }
    }

    private int steps;

    /**
     * Copies what the WAL holds into the database file, without waiting for (or blocking)
     * anyone. Every {@value #RESTART_EVERY_STEPS} steps it copies again under the write lock
     * (only what doors committed since, usually nothing), so that the next write finds the WAL
     * all copied and starts it over instead of letting it grow by everything the install writes.
     */
    void checkpoint() {
        passive();
        if (++steps % RESTART_EVERY_STEPS == 0) {
            connections.locked(this::passive);
        }
    }

    private void passive() {
        try {
            session.queryLong("PRAGMA wal_checkpoint(PASSIVE)");
        } catch (SQLException e) {
            // A checkpoint is an optimisation: the next one (or the writer's, after the install) catches up.
        }
    }

    @Override
    public void close() {
        try {
            if (!connections.isClosed()) {
                connections.writeOne(
                        "restore checkpoints on commit",
                        writer -> writer.queryLong("PRAGMA wal_autocheckpoint = " + autocheckpoint));
            }
        } catch (CacheException e) {
            // Closed meanwhile: a new writer connection starts with the default.
        } finally {
            SqliteSession.closeQuietly(session);
        }
    }
}
