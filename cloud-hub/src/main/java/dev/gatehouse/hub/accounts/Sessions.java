package dev.gatehouse.hub.accounts;

import dev.gatehouse.hub.store.Database;
import dev.gatehouse.hub.store.RowMapper;
import dev.gatehouse.hub.store.Sql;
import dev.gatehouse.hub.tenants.Tokens;
import java.time.Clock;
import java.time.Duration;
import java.util.Optional;

/**
 * Browser sessions kept in the store, so any hub replica can serve any request and a restart signs
 * nobody out. The cookie carries 256 random bits; only their SHA-256 is stored, so a copy of the
 * table opens no session. A session ends when idle longer than {@code idle}, at {@code absolute} after
 * sign-in, at sign-out, and — for every session of an account — when its password, role or status
 * changes. A new session is made at each sign-in (never reused), which is what stops session fixation.
 */
public record Sessions(Database database, Clock clock, Duration idle, Duration absolute) {
    /** How stale {@code last_seen_at} may get before a request writes it again. */
    private static final long TOUCH_MILLIS = 60_000;

    private static final String COLUMNS =
            "id_hash, tenant_id, kind, principal_id, csrf_token, second_factor_due, created_at, last_seen_at";

    private static final RowMapper<WebSession> SESSION = row -> new WebSession(
            row.getString(1),
            row.getString(2),
            WebSession.Kind.valueOf(row.getString(3)),
            row.getString(4),
            row.getString(5),
            row.getBoolean(6),
            row.getLong(7));

    /** Operator sessions: 12 hours idle, 7 days at most. */
    public static Sessions operators(Database database, Clock clock) {
        return new Sessions(database, clock, Duration.ofHours(12), Duration.ofDays(7));
    }

    /** A new session: the cookie value to set (shown once) and the session as stored. */
    public record Opened(String cookieValue, WebSession session) {}

    public Opened open(
            String tenantId, WebSession.Kind kind, String principalId, String address, boolean secondFactorDue) {
        String cookie = Tokens.secret();
        String csrf = Tokens.secret();
        long now = clock.millis();
        database.run(c -> {
            // Expired sessions leave with the next sign-in: the table holds only live ones and the few
            // that went idle since.
            Sql.update(c, "DELETE FROM web_sessions WHERE expires_at <= ?", now);
            Sql.update(
                    c,
                    "INSERT INTO web_sessions (id_hash, tenant_id, kind, principal_id, csrf_token, second_factor_due,"
                            + " address, created_at, last_seen_at, expires_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    Tokens.hash(cookie),
                    tenantId,
                    kind,
                    principalId,
                    csrf,
                    secondFactorDue,
                    address,
                    now,
                    now,
                    now + absolute.toMillis());
        });
        return new Opened(
                cookie, new WebSession(Tokens.hash(cookie), tenantId, kind, principalId, csrf, secondFactorDue, now));
    }

    /** The live session of this cookie value; empty when unknown, ended, idle too long or past its end. */
    public Optional<WebSession> find(String cookieValue) {
        if (cookieValue == null || cookieValue.length() != 43) {
            return Optional.empty();
        }
        String hash = Tokens.hash(cookieValue);
        long now = clock.millis();
        Optional<Stamped> found = database.read(c -> Sql.one(
                c,
                "SELECT " + COLUMNS + " FROM web_sessions WHERE id_hash = ? AND expires_at > ? AND last_seen_at > ?",
                row -> new Stamped(SESSION.map(row), row.getLong(8)),
                hash,
                now,
                now - idle.toMillis()));
        found.filter(stamped -> now - stamped.lastSeen() > TOUCH_MILLIS)
                .ifPresent(stamped -> database.run(
                        c -> Sql.update(c, "UPDATE web_sessions SET last_seen_at = ? WHERE id_hash = ?", now, hash)));
        return found.map(Stamped::session);
    }

    private record Stamped(WebSession session, long lastSeen) {}

    /** Ends one session (sign-out). */
    public void end(String idHash) {
        database.run(c -> Sql.update(c, "DELETE FROM web_sessions WHERE id_hash = ?", idHash));
    }

    /** Ends every session of an account or member: after a password, role or status change. */
    public void endAll(String tenantId, String principalId) {
        database.run(c -> Sql.update(
                c, "DELETE FROM web_sessions WHERE tenant_id = ? AND principal_id = ?", tenantId, principalId));
    }
}
