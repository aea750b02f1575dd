package dev.gatehouse.edge.kiosk;

import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * One-time codes that pair a tablet, issued in the technician console and typed on the tablet: eight
 * characters of Crockford base32 (about 40 bits), valid {@link #VALID} and once. Held in memory only:
 * a restart voids the codes not yet used.
 */
final class PairingCodes {
    static final Duration VALID = Duration.ofMinutes(10);
    private static final char[] ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ".toCharArray();
    private static final SecureRandom RANDOM = new SecureRandom();

    /** What a code pairs: the tablet's name and the door its pass sign-ins open (empty: none). */
    record Pending(String name, Optional<String> door, Instant until) {}

    private final Clock clock;
    private final Map<String, Pending> codes = new HashMap<>();

    PairingCodes(Clock clock) {
        this.clock = clock;
    }

    synchronized String issue(String name, Optional<String> door) {
        Instant now = clock.instant();
        codes.values().removeIf(p -> !now.isBefore(p.until()));
        StringBuilder code = new StringBuilder();
        for (int i = 0; i < 8; i++) {
            code.append(ALPHABET[RANDOM.nextInt(ALPHABET.length)]);
        }
        codes.put(code.toString(), new Pending(name, door, now.plus(VALID)));
        return code.substring(0, 4) + "-" + code.substring(4);
    }

    /** The pairing the typed code stands for, spent by this call; empty when unknown, used or expired. */
    synchronized Optional<Pending> redeem(String typed) {
        String code = normalise(typed);
        Pending pending = codes.remove(code);
        if (pending == null || !clock.instant().isBefore(pending.until())) {
            return Optional.empty();
        }
        return Optional.of(pending);
    }

    /** Upper case, without spaces or dashes; the letters Crockford reads as digits (O, I, L) as those digits. */
    static String normalise(String typed) {
        return typed.toUpperCase(Locale.ROOT)
                .replaceAll("[\\s-]", "")
                .replace('O', '0')
                .replace('I', '1')
                .replace('L', '1');
    }
}
