package dev.gatehouse.hub.portal;

import dev.gatehouse.hub.store.Database;
import dev.gatehouse.hub.store.Sql;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Locale;

/**
 * Limits sign-in link requests: at most {@link #PER_EMAIL} per e-mail address and {@link
 * #PER_ADDRESS} per client address within {@link #WINDOW}. Every request counts, whether or not the
 * address belongs to a member, so being throttled tells nothing about who is a member. Requests are
 * rows of {@code login_failures} under their own keys ({@code member-link:…}), counted by every
 * replica of the hub alike and forgotten once out of the window.
 */
record LinkThrottle(Database database, Clock clock) {
    static final int PER_EMAIL = 5;
    static final int PER_ADDRESS = 20;
    static final Duration WINDOW = Duration.ofMinutes(15);

    /**
     * Counts this request and answers whether it is within the limits; a request over them is not
     * counted, so a flood does not push the wait further out.
     */
    boolean allow(String tenantKey, String email, String address) {
        return allow("member-link", tenantKey, email, address);
    }

    /** The same limits for another use ({@code purpose}, e.g. purchases on the public page), counted apart. */
    boolean allow(String purpose, String tenantKey, String email, String address) {
        String emailKey = purpose + ":" + tenantKey + ":" + email.strip().toLowerCase(Locale.ROOT);
        String addressKey = purpose + "-address:" + address.strip();
        Instant now = clock.instant();
        return database.write(c -> {
            Sql.update(c, "DELETE FROM login_failures WHERE at <= ?", now.minus(WINDOW));
            long byEmail = count(c, emailKey, now);
            long byAddress = count(c, addressKey, now);
            if (byEmail >= PER_EMAIL || byAddress >= PER_ADDRESS) {
                return false;
            }
            Sql.update(c, "INSERT INTO login_failures (throttle_key, at) VALUES (?, ?)", emailKey, now);
            Sql.update(c, "INSERT INTO login_failures (throttle_key, at) VALUES (?, ?)", addressKey, now);
            return true;
        });
    }

    private long count(Connection c, String key, Instant now) throws SQLException {
        return Sql.one(
                        c,
                        "SELECT COUNT(*) FROM login_failures WHERE throttle_key = ? AND at > ?",
                        Sql.LONG,
                        key,
                        now.minus(WINDOW))
                .orElse(0L);
    }
}
