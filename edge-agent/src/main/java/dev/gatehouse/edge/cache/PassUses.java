package dev.gatehouse.edge.cache;

import dev.gatehouse.protocol.model.PassId;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;

/**
 * The uses of single-use visitor passes ({@code pass_use}): a pass opens a door once per site,
 * whichever door, thread or process records its use first. Each call runs in the caller's
 * transaction or read view.
 */
final class PassUses {
    // Package-private so that CacheIndexTest can check its query plan.
    static final String SQL_PASS_USED = "SELECT 1 FROM pass_use WHERE pass = ?";
    private static final String SQL_USE_PASS =
            "INSERT INTO pass_use (pass, event_id) VALUES (?, ?) ON CONFLICT (pass) DO NOTHING";

    private PassUses() {}

    /** Records the use with one conditional insert: true for the first use only. */
    static boolean record(SqliteSession session, PassId pass, String eventId) throws SQLException {
        PreparedStatement insert = session.prepare(SQL_USE_PASS);
        insert.setString(1, pass.value());
        insert.setString(2, eventId);
        return insert.executeUpdate() == 1;
    }

    /** Whether a use of {@code pass} is recorded. */
    static boolean used(SqliteSession session, String pass) throws SQLException {
        PreparedStatement query = session.prepare(SQL_PASS_USED);
        query.setString(1, pass);
        try (ResultSet rows = query.executeQuery()) {
            return rows.next();
        }
    }
}
