package dev.gatehouse.hub.kiosk;

import dev.gatehouse.hub.store.Database;
import dev.gatehouse.hub.store.Sql;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;

/**
 * Wrong PINs and wrong pairing codes at the hub's kiosk: after {@link #LIMIT} within {@link #WINDOW}
 * for one key (a tablet for PINs, a client address for pairing codes), more are refused until the
 * oldest leaves the window, as the edge's kiosk does. Rows of {@code login_failures} under keys of
 * their own ({@code hub-kiosk:…}), so every hub replica counts the same; only those keys are swept
 * here (the sign-in throttles keep theirs for longer).
 */
public record KioskThrottle(Database database, Clock clock) {
    public static final int LIMIT = 5;
    public static final Duration WINDOW = Duration.ofMinutes(5);

    /** How long {@code key} stays locked, or empty when it may try. */
    public Optional<Duration> locked(String key) {
        Instant now = clock.instant();
        return database.read(c -> Sql.one(
                        c,
                        "SELECT at FROM login_failures WHERE throttle_key = ? AND at > ? ORDER BY at DESC LIMIT 1"
                                + " OFFSET " + (LIMIT - 1),
                        Sql.LONG,
                        "hub-kiosk:" + key,
                        now.minus(WINDOW))
                .map(at -> Duration.between(now, Instant.ofEpochMilli(at).plus(WINDOW)))
                .filter(wait -> !wait.isNegative() && !wait.isZero()));
    }

    /** Counts one wrong try against {@code key}. */
    public void wrong(String key) {
        Instant now = clock.instant();
        database.run(c -> {
            Sql.update(
                    c,
                    "DELETE FROM login_failures WHERE throttle_key LIKE 'hub-kiosk:%' AND at <= ?",
                    now.minus(WINDOW));
            Sql.update(c, "INSERT INTO login_failures (throttle_key, at) VALUES (?, ?)", "hub-kiosk:" + key, now);
        });
    }
}
