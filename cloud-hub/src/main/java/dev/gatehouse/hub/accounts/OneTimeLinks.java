package dev.gatehouse.hub.accounts;

import dev.gatehouse.hub.store.Database;
import dev.gatehouse.hub.store.Sql;
import dev.gatehouse.hub.tenants.Tokens;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * Links sent by e-mail that work once: an operator's invitation, a password reset, a member's
 * sign-in. The token in the link is 256 random bits (base64url); only its SHA-256 is stored, so a
 * copy of the database opens nothing. {@link #consume} marks a link used in one conditional UPDATE,
 * so two clicks at the same moment (two tabs, a mail scanner and the person) let exactly one in.
 *
 * <p>A token names its tenant: the caller compares {@link Link#tenantId()} with the tenant the
 * request came to and treats a mismatch as an unknown link.
 */
public record OneTimeLinks(Database database, Clock clock) {
    private static final String SELECT = "SELECT tenant_id, purpose, principal_id, expires_at FROM one_time_links";
    private static final Pattern TOKEN = Pattern.compile("[A-Za-z0-9_-]{43}");

    /** What a link lets its holder do, with how long it lives unless the caller says otherwise. */
    public enum Purpose {
        /** An operator account's first password: a week, so an invitation survives a holiday. */
        INVITATION(Duration.ofDays(7)),
        /** A new password for an operator: an hour, since a reset is asked for and used at once. */
        PASSWORD_RESET(Duration.ofHours(1)),
        /** A member's sign-in to the portal, in place of a password: a quarter of an hour. */
        MEMBER_SIGN_IN(Duration.ofMinutes(15));

        private final Duration lifetime;

        Purpose(Duration lifetime) {
            this.lifetime = lifetime;
        }

        /** The default lifetime of a link for this purpose. */
        public Duration lifetime() {
            return lifetime;
        }
    }

    /** A valid link: whom it is for, what for, until when. */
    public record Link(String tenantId, Purpose purpose, String principalId, Instant expiresAt) {}

    /** A new link of the purpose's default lifetime; see {@link #issue(String, Purpose, String, Duration)}. */
    public String issue(String tenantId, Purpose purpose, String principalId) {
        return issue(tenantId, purpose, principalId, purpose.lifetime());
    }

    /**
     * A new link for {@code principalId} (an operator account or a member id) that lives {@code ttl};
     * answers the token to put in the URL, never stored. The principal's earlier unused links of the
     * same purpose stop working, so only the newest mail counts.
     */
    public String issue(String tenantId, Purpose purpose, String principalId, Duration ttl) {
        if (ttl.isNegative() || ttl.isZero()) {
            throw new IllegalArgumentException("a link's lifetime must be positive, not " + ttl);
        }
        String token = Tokens.secret();
        Instant now = clock.instant();
        database.run(c -> {
            Sql.update(
                    c,
                    "DELETE FROM one_time_links WHERE tenant_id = ? AND ((purpose = ? AND principal_id = ? AND used_at IS NULL)"
                            + " OR expires_at <= ?)",
                    tenantId,
                    purpose,
                    principalId,
                    now);
            Sql.update(
                    c,
                    "INSERT INTO one_time_links (token_hash, tenant_id, purpose, principal_id, created_at, expires_at)"
                            + " VALUES (?, ?, ?, ?, ?, ?)",
                    Tokens.hash(token),
                    tenantId,
                    purpose,
                    principalId,
                    now,
                    now.plus(ttl));
        });
        return token;
    }

    /**
     * Uses the link: answers it and marks it used, or empty when the token is unknown, malformed, of
     * another purpose, expired or already used. Only one of any number of concurrent calls with the
     * same token gets the link.
     */
    public Optional<Link> consume(String token, Purpose purpose) {
        if (!wellFormed(token)) {
            return Optional.empty();
        }
        String hash = Tokens.hash(token);
        Instant now = clock.instant();
        return database.write(c -> {
            int used = Sql.update(
                    c,
                    "UPDATE one_time_links SET used_at = ?"
                            + " WHERE token_hash = ? AND purpose = ? AND used_at IS NULL AND expires_at > ?",
                    now,
                    hash,
                    purpose,
                    now);
            return used == 1
                    ? Sql.one(c, SELECT + " WHERE token_hash = ?", OneTimeLinks::link, hash)
                    : Optional.<Link>empty();
        });
    }

    /**
     * The link if it would be accepted now, without using it: to show the form (choose a password)
     * before {@link #consume} accepts it.
     */
    public Optional<Link> peek(String token, Purpose purpose) {
        if (!wellFormed(token)) {
            return Optional.empty();
        }
        Instant now = clock.instant();
        return database.read(c -> Sql.one(
                c,
                SELECT + " WHERE token_hash = ? AND purpose = ? AND used_at IS NULL AND expires_at > ?",
                OneTimeLinks::link,
                Tokens.hash(token),
                purpose,
                now));
    }

    private static Link link(ResultSet row) throws SQLException {
        return new Link(
                row.getString(1),
                Purpose.valueOf(row.getString(2)),
                row.getString(3),
                Instant.ofEpochMilli(row.getLong(4)));
    }

    private static boolean wellFormed(String token) {
        return token != null && TOKEN.matcher(token).matches();
    }
}
