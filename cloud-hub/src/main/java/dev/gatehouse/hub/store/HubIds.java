package dev.gatehouse.hub.store;

import java.security.SecureRandom;

/**
 * Ids for hub records: a short type prefix and 16 random base32 characters (80 bits), e.g.
 * {@code site_7k2m9q4x1c8v3b5n}. They are valid protocol ids (topic levels, entity keys), reveal
 * no count, and can be made by any replica without coordination.
 */
public final class HubIds {
    private static final char[] ALPHABET = "0123456789abcdefghjkmnpqrstvwxyz".toCharArray();
    private static final SecureRandom RANDOM = new SecureRandom();

    private HubIds() {}

    public static String next(String prefix) {
        byte[] bytes = new byte[10];
        RANDOM.nextBytes(bytes);
        StringBuilder id =
                new StringBuilder(prefix.length() + 17).append(prefix).append('_');
        long bits = 0;
        int available = 0;
        for (byte b : bytes) {
            bits = (bits << 8) | (b & 0xff);
            available += 8;
            while (available >= 5) {
                available -= 5;
                id.append(ALPHABET[(int) ((bits >> available) & 31)]);
            }
        }
        return id.toString();
    }
}
