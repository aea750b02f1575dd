package dev.gatehouse.hub.console;

import dev.gatehouse.hub.store.Database;
import dev.gatehouse.hub.store.HubIds;
import dev.gatehouse.hub.store.Sql;
import dev.gatehouse.protocol.model.DenyReason;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.util.Optional;

/**
 * Enrolling a card by tapping it: an operator waits at a door for the next card the door does not
 * know. The door reports such a tap as a denied event with reason unknown-credential and the card's
 * keyed hash (never its UID); the first one after the session started becomes the member's card. The
 * sessions live in the store (table {@code card_enrollments}, V7), so any replica answers the page's
 * polling; a session ends after {@link #LIFETIME}.
 */
public record CredentialEnrollments(Database database, Clock clock) {
    /** How long the page waits for a tap. */
    public static final Duration LIFETIME = Duration.ofSeconds(60);

    /** How far a door's clock may lag the hub's and its unknown-card event still count. */
    private static final long CLOCK_SLACK_MILLIS = Duration.ofMinutes(5).toMillis();

    private static final String COLUMNS = "e.id, e.site_id, e.door_id, d.name, e.member_id, e.started_at, e.expires_at,"
            + " e.credential_id, e.outcome";

    /**
     * One session. {@code credentialId} is the enrolled card once a tap came; {@code outcome} says how
     * it ended ({@code enrolled}, or why the card was refused).
     */
    public record Session(
            String id,
            String siteId,
            String doorId,
            String doorName,
            String memberId,
            long startedAt,
            long expiresAt,
            Optional<String> credentialId,
            Optional<String> outcome) {
        public boolean waiting(long now) {
            return outcome.isEmpty() && now < expiresAt;
        }
    }

    public Session start(String tenantId, String siteId, String doorId, String memberId, String operatorId) {
        String id = HubIds.next("enr");
        long now = clock.millis();
        database.run(c -> Sql.update(
                c,
                "INSERT INTO card_enrollments (id, tenant_id, site_id, door_id, member_id, operator_id, started_at,"
                        + " expires_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                id,
                tenantId,
                siteId,
                doorId,
                memberId,
                operatorId,
                now,
                now + LIFETIME.toMillis()));
        return find(tenantId, memberId, id).orElseThrow();
    }

    /** The member's session {@code id}, or empty when the tenant has none for this member. */
    public Optional<Session> find(String tenantId, String memberId, String id) {
        return database.read(c -> Sql.one(
                c,
                "SELECT " + COLUMNS + " FROM card_enrollments e JOIN doors d ON d.id = e.door_id"
                        + " WHERE e.tenant_id = ? AND e.member_id = ? AND e.id = ?",
                CredentialEnrollments::session,
                tenantId,
                memberId,
                id));
    }

    private static Session session(ResultSet row) throws SQLException {
        return new Session(
                row.getString(1),
                row.getString(2),
                row.getString(3),
                row.getString(4),
                row.getString(5),
                row.getLong(6),
                row.getLong(7),
                Optional.ofNullable(row.getString(8)),
                Optional.ofNullable(row.getString(9)));
    }

    /**
     * The hash of the first unknown card tapped at the session's door since it started (as the hub
     * received it), read through the door's index on the event time.
     */
    public Optional<String> firstUnknownCard(String tenantId, Session session) {
        return database.read(c -> Sql.one(
                c,
                "SELECT card_hash FROM access_events WHERE tenant_id = ? AND door_id = ? AND at >= ?"
                        + " AND received_at >= ? AND granted = ? AND reason = ? AND card_hash IS NOT NULL"
                        + " ORDER BY received_at, at, id LIMIT 1",
                Sql.STRING,
                tenantId,
                session.doorId(),
                session.startedAt() - CLOCK_SLACK_MILLIS,
                session.startedAt(),
                false,
                DenyReason.UNKNOWN_CREDENTIAL));
    }

    /** Ends the session once; false when it had ended already (another replica answered first). */
    public boolean finish(String tenantId, String id, Optional<String> credentialId, String outcome) {
        return database.write(c -> Sql.update(
                        c,
                        "UPDATE card_enrollments SET credential_id = ?, outcome = ? WHERE tenant_id = ? AND id = ?"
                                + " AND outcome IS NULL",
                        credentialId,
                        outcome,
                        tenantId,
                        id)
                == 1);
    }
}
