package dev.gatehouse.edge.cache;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedDeque;
import java.util.concurrent.locks.ReentrantLock;
import org.sqlite.SQLiteErrorCode;
import org.sqlite.SQLiteException;

/**
 * The cache file's connections: one writer under a fair lock, and a pool of query-only readers.
 *
 * <p>Writes ({@link #write}, {@link #writeOne}, {@link #writeOn}) are serialised on the writer
 * connection (or a connection beside it) under one fair lock, each in one {@code BEGIN IMMEDIATE}
 * transaction or one autocommitted statement. Lookups ({@link #read}) never take that lock: a thread
 * borrows a connection from a small pool of query-only reader connections (JDBC connections are not
 * thread-safe, so one is never shared between threads at the same time), and in WAL mode a reader
 * sees the last committed state while a write is in progress. A door's decision therefore never
 * waits for sync. Its event, committed before the relay moves, waits for the write in progress, so
 * writes are kept short (see {@link SnapshotInstaller}).
 */
final class SqliteConnections implements AutoCloseable {
    private static final int MAX_IDLE_READERS = 8;

    /** Work on one connection; may throw SQLException, which the caller translates. */
    @FunctionalInterface
    interface SqlWork<T> {
        T run(SqliteSession session) throws SQLException;
    }

    /**
     * What a write transaction settles besides its work: inside the transaction, just before its
     * commit, it returns what to publish once the commit succeeded.
     */
    interface CommitHook {
        Runnable beforeCommit(SqliteSession writer) throws SQLException;
    }

    private final Path file;
    private final SqliteSession writer;
    private final CommitHook commitHook;
    // Fair: a door's event waiting between two steps of a snapshot install goes before the next step.
    private final ReentrantLock writeLock = new ReentrantLock(true);
    private final ConcurrentLinkedDeque<SqliteSession> idleReaders = new ConcurrentLinkedDeque<>();
    private volatile boolean closed;
    private int transactionDepth; // guarded by writeLock

    SqliteConnections(Path file, SqliteSession writer, CommitHook commitHook) {
        this.file = file;
        this.writer = writer;
        this.commitHook = commitHook;
    }

    /** The file holding the cache. */
    Path file() {
        return file;
    }

    /**
     * Runs {@code work} in one {@code BEGIN IMMEDIATE} transaction on the writer connection, under
     * the write lock; rolls back if it throws. A write started inside another on the same thread
     * joins it.
     */
    <T> T write(String what, SqlWork<T> work) {
        writeLock.lock();
        try {
            requireOpen();
            if (transactionDepth > 0) {
                return work.run(writer);
            }
            writer.prepare("BEGIN IMMEDIATE").execute();
            transactionDepth++;
            writer.resetChanges();
            boolean committed = false;
            try {
                T result = work.run(writer);
                Runnable publish = commitHook.beforeCommit(writer);
                writer.prepare("COMMIT").execute();
                committed = true;
                // Published only once the commit succeeded.
                publish.run();
                return result;
            } finally {
                transactionDepth--;
                if (!committed) {
                    rollbackQuietly();
                    writer.forgetStatements(); // a failed statement may not run again (a full disk)
                }
            }
        } catch (SQLException e) {
            throw translate(e, what, file);
        } finally {
            writeLock.unlock();
        }
    }

    /**
     * Runs {@code work}, which executes one writing statement, on the writer connection under the
     * write lock, without {@code BEGIN} and {@code COMMIT}: in SQLite's autocommit mode the statement
     * is a transaction of its own, committed when it returns (one statement on the hot path instead of
     * three). Inside a {@link #write} on the same thread it joins that transaction. {@code work}
     * translates its own failures; it must not write the configuration or the meta rows.
     */
    <T> T writeOne(String what, SqlWork<T> work) {
        writeLock.lock();
        try {
            requireOpen();
            return runForgettingOnFailure(writer, work);
        } catch (SQLException e) {
            throw translate(e, what, file);
        } finally {
            writeLock.unlock();
        }
    }

    /** Runs {@code work} on {@code session}; if it fails, the session's prepared statements are made anew. */
    private static <T> T runForgettingOnFailure(SqliteSession session, SqlWork<T> work) throws SQLException {
        try {
            return work.run(session);
        } catch (SQLException | RuntimeException e) {
            session.forgetStatements();
            throw e;
        }
    }

    /**
     * Runs {@code work} in one {@code BEGIN IMMEDIATE} transaction on {@code session}, a connection
     * beside the writer, under the write lock (so it waits for no one in this process and no one
     * waits for it longer than its work).
     */
    <T> T writeOn(SqliteSession session, String what, SqlWork<T> work) {
        writeLock.lock();
        try {
            requireOpen();
            session.prepare("BEGIN IMMEDIATE").execute();
            boolean committed = false;
            try {
                T result = work.run(session);
                session.prepare("COMMIT").execute();
                committed = true;
                return result;
            } finally {
                if (!committed) {
                    try {
                        session.prepare("ROLLBACK").execute();
                    } catch (SQLException e) {
                        // Rolled back already by SQLite after the failure being reported.
                    }
                    session.forgetStatements(); // a failed statement may not run again (a full disk)
                }
            }
        } catch (SQLException e) {
            throw translate(e, what, file);
        } finally {
            writeLock.unlock();
        }
    }

    /** Runs {@code work} under the write lock, outside any transaction. */
    void locked(Runnable work) {
        writeLock.lock();
        try {
            work.run();
        } finally {
            writeLock.unlock();
        }
    }

    private void rollbackQuietly() {
        try {
            writer.prepare("ROLLBACK").execute();
        } catch (SQLException e) {
            // The transaction is gone already: SQLite rolls back by itself after some errors (a full disk).
        }
    }

    /** Runs {@code work} on a pooled reader connection, which no other thread uses meanwhile. */
    <T> T read(String what, SqlWork<T> work) {
        requireOpen();
        SqliteSession reader = idleReaders.pollFirst();
        try {
            if (reader == null) {
                reader = openReader();
            }
            return runForgettingOnFailure(reader, work);
        } catch (SQLException e) {
            throw translate(e, what, file);
        } finally {
            if (reader != null) {
                release(reader);
            }
        }
    }

    private SqliteSession openReader() throws SQLException {
        SqliteSession reader = SqliteSession.connect(file);
        try {
            reader.execute("PRAGMA query_only = 1");
            return reader;
        } catch (SQLException e) {
            SqliteSession.closeQuietly(reader);
            throw e;
        }
    }

    private void release(SqliteSession reader) {
        if (closed || idleReaders.size() >= MAX_IDLE_READERS) {
            SqliteSession.closeQuietly(reader);
            return;
        }
        idleReaders.offerFirst(reader);
        if (closed) {
            closeIdleReaders();
        }
    }

    private void closeIdleReaders() {
        for (SqliteSession reader = idleReaders.pollFirst(); reader != null; reader = idleReaders.pollFirst()) {
            SqliteSession.closeQuietly(reader);
        }
    }

    /** The bytes the cache occupies on disk: the database file and its write-ahead log. */
    long sizeOnDiskBytes() {
        requireOpen();
        try {
            Path wal = file.resolveSibling(file.getFileName() + "-wal");
            return Files.size(file) + (Files.exists(wal) ? Files.size(wal) : 0);
        } catch (IOException e) {
            throw new CacheException(
                    CacheError.STORAGE, "cannot read the size of the entitlement cache " + file + ": " + e, e);
        }
    }

    /** {@code PRAGMA integrity_check}: {@code ["ok"]} for a sound file, else SQLite's list of problems. */
    List<String> integrityCheck() {
        return read("check the cache's integrity", session -> {
            List<String> problems = new ArrayList<>();
            try (Statement statement = session.connection.createStatement();
                    ResultSet rows = statement.executeQuery("PRAGMA integrity_check")) {
                while (rows.next()) {
                    problems.add(rows.getString(1));
                }
            }
            return List.copyOf(problems);
        });
    }

    boolean isClosed() {
        return closed;
    }

    void requireOpen() {
        if (closed) {
            throw new CacheException(CacheError.CLOSED, "the entitlement cache " + file + " is closed");
        }
    }

    /** Closes every connection; the last one checkpoints the WAL into the database file. Idempotent. */
    @Override
    public void close() {
        writeLock.lock();
        try {
            if (closed) {
                return;
            }
            closed = true;
            closeIdleReaders();
            writer.close();
        } catch (SQLException e) {
            throw translate(e, "close the entitlement cache", file);
        } finally {
            writeLock.unlock();
        }
    }

    static int primary(SQLiteException e) {
        return e.getResultCode().code & 0xff;
    }

    /** Whether the driver refused a statement for a constraint (a unique key already taken). */
    static boolean isConstraintViolation(SQLException e) {
        return e instanceof SQLiteException sqlite && primary(sqlite) == SQLiteErrorCode.SQLITE_CONSTRAINT.code;
    }

    /** Translates a driver failure into a {@link CacheException} naming the file and what to do. */
    static CacheException translate(SQLException e, String what, Path file) {
        int code = e instanceof SQLiteException sqlite ? primary(sqlite) : -1;
        String cause = e.getMessage();
        if (code == SQLiteErrorCode.SQLITE_NOTADB.code || code == SQLiteErrorCode.SQLITE_CORRUPT.code) {
            return new CacheException(
                    CacheError.CORRUPT,
                    "cannot " + what + ": " + file + " is not a SQLite database or is damaged (" + cause
                            + "). Stop the agent, move the file aside and start again: the cache is rebuilt from"
                            + " a snapshot (events still in its outbox are lost)",
                    e);
        }
        if (code == SQLiteErrorCode.SQLITE_FULL.code) {
            return new CacheException(
                    CacheError.DISK_FULL,
                    "cannot " + what + ": the disk holding " + file + " is full (" + cause + ")",
                    e);
        }
        if (code == SQLiteErrorCode.SQLITE_BUSY.code || code == SQLiteErrorCode.SQLITE_LOCKED.code) {
            return new CacheException(
                    CacheError.BUSY,
                    "cannot " + what + ": " + file + " stayed locked by another process for "
                            + SqliteSession.BUSY_TIMEOUT_MILLIS + " ms (" + cause
                            + "); is a second agent running on this data directory?",
                    e);
        }
        if (code == SQLiteErrorCode.SQLITE_CANTOPEN.code
                || code == SQLiteErrorCode.SQLITE_PERM.code
                || code == SQLiteErrorCode.SQLITE_READONLY.code) {
            return new CacheException(
                    CacheError.CANNOT_OPEN,
                    "cannot " + what + ": " + file + " cannot be opened for writing (" + cause
                            + "); check that the data directory exists and the agent's user may write it",
                    e);
        }
        return new CacheException(CacheError.STORAGE, "cannot " + what + " in " + file + ": " + cause, e);
    }
}
