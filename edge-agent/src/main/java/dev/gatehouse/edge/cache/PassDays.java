package dev.gatehouse.edge.cache;

import dev.gatehouse.protocol.model.GrantId;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.LocalDate;
import java.util.LinkedHashSet;
import java.util.Set;

/**
 * The days this edge spent on entry-limited grants ({@code pass_day}): a grant's site-local day is
 * recorded once, by the first tap that spends it, at whichever door, thread or process. Each call
 * runs in the caller's transaction or read view.
 */
final class PassDays {
    // Package-private so that CacheIndexTest can check its query plan.
    static final String SQL_DAYS = "SELECT day FROM pass_day WHERE grant_id = ? ORDER BY day";
    private static final String SQL_SPEND =
            "INSERT INTO pass_day (grant_id, day, event_id) VALUES (?, ?, ?) ON CONFLICT (grant_id, day) DO NOTHING";

    private PassDays() {}

    /** Records the day with one conditional insert: true if it was not recorded before. */
    static boolean record(SqliteSession session, GrantId grant, LocalDate day, String eventId) throws SQLException {
        PreparedStatement insert = session.prepare(SQL_SPEND);
        insert.setString(1, grant.value());
        insert.setString(2, day.toString());
        insert.setString(3, eventId);
        return insert.executeUpdate() == 1;
    }

    /** The days recorded for {@code grant}, ascending. */
    static Set<LocalDate> spent(SqliteSession session, String grant) throws SQLException {
        PreparedStatement query = session.prepare(SQL_DAYS);
        query.setString(1, grant);
        Set<LocalDate> days = new LinkedHashSet<>();
        try (ResultSet rows = query.executeQuery()) {
            while (rows.next()) {
                days.add(LocalDate.parse(rows.getString(1)));
            }
        }
        return days;
    }
}
