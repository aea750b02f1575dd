package dev.gatehouse.edge.cache;

import java.nio.file.Path;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.Optional;

/**
 * The {@code meta} rows of the cache file: the tenant and site it is bound to, the applied sync
 * {@code seq}, the hub-time high-water mark, the configuration's generation ({@code config_gen},
 * see {@link CommittedState}) and the owner of an install in progress. Each call runs in the
 * caller's transaction.
 */
final class MetaStore {
    private static final String SQL_META = "SELECT value FROM meta WHERE name = ?";
    private static final String SQL_SET_META =
            "INSERT INTO meta (name, value) VALUES (?, ?) ON CONFLICT (name) DO UPDATE SET value = excluded.value";

    private final Path file;

    MetaStore(Path file) {
        this.file = file;
    }

    /**
     * Binds a new file to {@code tenant}'s {@code site}; refuses a file bound to another.
     *
     * @throws CacheException {@code WRONG_SITE}
     */
    void bind(SqliteSession session, String tenant, String site) throws SQLException {
        Optional<String> boundTenant = meta(session, "tenant");
        Optional<String> boundSite = meta(session, "site");
        if (boundTenant.isEmpty() && boundSite.isEmpty()) {
            setMeta(session, "tenant", tenant);
            setMeta(session, "site", site);
            setMeta(session, "seq", "0");
            return;
        }
        if (!boundTenant.equals(Optional.of(tenant)) || !boundSite.equals(Optional.of(site))) {
            throw new CacheException(
                    CacheError.WRONG_SITE,
                    "the entitlement cache " + file + " belongs to " + boundTenant.orElse("?") + "/"
                            + boundSite.orElse("?") + ", but this agent is configured for " + tenant + "/" + site
                            + "; point the data directory at this site's cache, or move the file aside");
        }
    }

    static Optional<String> meta(SqliteSession session, String name) throws SQLException {
        PreparedStatement query = session.prepare(SQL_META);
        query.setString(1, name);
        try (ResultSet rows = query.executeQuery()) {
            return rows.next() ? Optional.of(rows.getString(1)) : Optional.empty();
        }
    }

    static void setMeta(SqliteSession session, String name, String value) throws SQLException {
        session.metaWritten();
        PreparedStatement update = session.prepare(SQL_SET_META);
        update.setString(1, name);
        update.setString(2, value);
        update.executeUpdate();
    }

    static long seqOf(SqliteSession session) throws SQLException {
        return meta(session, "seq").map(Long::parseLong).orElse(0L);
    }

    Optional<Instant> hubTimeOf(SqliteSession session) throws SQLException {
        Optional<String> stored = meta(session, "hub_time");
        return stored.isEmpty() ? Optional.empty() : Optional.of(instant(stored.get()));
    }

    void raiseHubTime(SqliteSession session, Instant time) throws SQLException {
        Optional<Instant> current = hubTimeOf(session);
        if (current.isEmpty() || time.isAfter(current.get())) {
            setMeta(session, "hub_time", time.toString());
        }
    }

    Instant instant(String text) {
        try {
            return Instant.parse(text);
        } catch (DateTimeParseException e) {
            throw new CacheException(
                    CacheError.CORRUPT,
                    "the entitlement cache " + file + " holds an unreadable time '" + text
                            + "'; move the file aside to rebuild it from a snapshot",
                    e);
        }
    }
}
