package dev.gatehouse.hub.accounts;

import com.password4j.Argon2Function;
import com.password4j.Password;
import com.password4j.types.Argon2;
import java.util.Locale;
import java.util.Optional;

/**
 * Operator passwords: Argon2id (password4j), stored as the PHC string it produces ({@code
 * $argon2id$v=19$m=…,t=…,p=…$salt$hash}), so the parameters travel with each hash and can be raised
 * later. About 100 ms per hash on a Raspberry-Pi-class core, which is the point: a stolen table is
 * slow to try.
 */
public final class Passwords {
    /** Shortest password accepted (NIST SP 800-63B asks at least 8; the console asks 12). */
    public static final int MIN_LENGTH = 12;

    public static final int MAX_LENGTH = 256;

    // OWASP's Argon2id recommendation: 19 MiB, 2 iterations, 1 lane.
    private static final Argon2Function ARGON2 = Argon2Function.getInstance(19_456, 2, 1, 32, Argon2.ID);

    /** A hash of nothing anyone can type: verified against when an account is unknown, so timing tells nothing. */
    private static final String DECOY = hash("decoy password that no account has " + System.nanoTime());

    private Passwords() {}

    public static String hash(String password) {
        return Password.hash(password).addRandomSalt(16).with(ARGON2).getResult();
    }

    /** Whether {@code password} matches the stored hash; an absent hash (an invited account) never matches. */
    public static boolean matches(String password, Optional<String> storedHash) {
        if (storedHash.isEmpty()) {
            Password.check(password, DECOY).with(ARGON2);
            return false;
        }
        return Password.check(password, storedHash.get()).with(ARGON2);
    }

    /** What is wrong with a new password, in words for the form; empty when it is acceptable. */
    public static Optional<String> problem(String password, String email) {
        if (password == null || password.length() < MIN_LENGTH) {
            return Optional.of("must be at least " + MIN_LENGTH + " characters");
        }
        if (password.length() > MAX_LENGTH) {
            return Optional.of("must be at most " + MAX_LENGTH + " characters");
        }
        if (password.isBlank()) {
            return Optional.of("must not be only spaces");
        }
        if (email != null && password.toLowerCase(Locale.ROOT).contains(email.toLowerCase(Locale.ROOT))) {
            return Optional.of("must not contain your e-mail address");
        }
        return Optional.empty();
    }
}
