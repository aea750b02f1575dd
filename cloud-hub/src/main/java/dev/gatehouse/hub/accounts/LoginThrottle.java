package dev.gatehouse.hub.accounts;

import dev.gatehouse.hub.store.Database;
import dev.gatehouse.hub.store.Sql;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Locale;
import java.util.Optional;

/**
 * Slows down password guessing: after {@code accountLimit} failed sign-ins for one account, or
 * {@code addressLimit} from one address, within {@code window}, sign-in is refused until enough of
 * those failures have left the window. Failures live in {@code login_failures} (one row each, keyed
 * {@code account:<tenant>:<email>} or {@code address:<ip>}), so every replica of the hub counts the
 * same failures; each row is written on its own, so concurrent failures are all counted.
 */
public record LoginThrottle(Database database, Clock clock, int accountLimit, int addressLimit, Duration window) {
    /** Failed sign-ins for one account within the window before it is blocked. */
    public static final int ACCOUNT_LIMIT = 5;
    /** Failed sign-ins from one address within the window before it is blocked (an office shares one). */
    public static final int ADDRESS_LIMIT = 20;
    /** How long a failure counts. */
    public static final Duration WINDOW = Duration.ofMinutes(15);

    public LoginThrottle {
        if (accountLimit < 1 || addressLimit < 1) {
            throw new IllegalArgumentException(
                    "throttle limits must be at least 1, not " + accountLimit + " and " + addressLimit);
        }
        if (window.isNegative() || window.isZero()) {
            throw new IllegalArgumentException("the throttle window must be positive, not " + window);
        }
    }

    /** The shipped limits: 5 per account, 20 per address, in 15 minutes. */
    public LoginThrottle(Database database, Clock clock) {
        this(database, clock, ACCOUNT_LIMIT, ADDRESS_LIMIT, WINDOW);
    }

    /**
     * Empty when a sign-in may be tried; otherwise how long until it may (the longer of the account's
     * and the address's waits): the time until the failure that keeps the count at its limit leaves
     * the window, which is the oldest counted one when there are exactly as many as the limit.
     */
    public Optional<Duration> blocked(String tenantId, String email, String address) {
        Instant now = clock.instant();
        return database.read(c -> {
            Optional<Duration> account = wait(c, accountKey(tenantId, email), accountLimit, now);
            Optional<Duration> fromAddress = wait(c, addressKey(address), addressLimit, now);
            if (account.isPresent() && fromAddress.isPresent()) {
                return Optional.of(account.get().compareTo(fromAddress.get()) >= 0 ? account.get() : fromAddress.get());
            }
            return account.or(() -> fromAddress);
        });
    }

    /** Counts a failed sign-in against the account and the address; forgets failures older than the window. */
    public void recordFailure(String tenantId, String email, String address) {
        Instant now = clock.instant();
        database.run(c -> {
            Sql.update(c, "DELETE FROM login_failures WHERE at <= ?", now.minus(window));
            Sql.update(
                    c, "INSERT INTO login_failures (throttle_key, at) VALUES (?, ?)", accountKey(tenantId, email), now);
            Sql.update(c, "INSERT INTO login_failures (throttle_key, at) VALUES (?, ?)", addressKey(address), now);
        });
    }

    /**
     * Forgets the account's failures after a successful sign-in. The address keeps its count: one good
     * password must not reset the count of an address guessing at many accounts.
     */
    public void clearAccount(String tenantId, String email) {
        database.run(
                c -> Sql.update(c, "DELETE FROM login_failures WHERE throttle_key = ?", accountKey(tenantId, email)));
    }

    /**
     * The wait for one key: the {@code limit}-th newest failure in the window is the one whose leaving
     * brings the count under the limit; none means fewer failures than the limit.
     */
    private Optional<Duration> wait(Connection c, String key, int limit, Instant now) throws SQLException {
        return Sql.one(
                        c,
                        "SELECT at FROM login_failures WHERE throttle_key = ? AND at > ? ORDER BY at DESC LIMIT 1 OFFSET ?",
                        Sql.LONG,
                        key,
                        now.minus(window),
                        limit - 1)
                .map(at -> Duration.between(now, Instant.ofEpochMilli(at).plus(window)));
    }

    static String accountKey(String tenantId, String email) {
        return "account:" + tenantId + ":" + email.strip().toLowerCase(Locale.ROOT);
    }

    static String addressKey(String address) {
        return "address:" + address.strip();
    }
}
