package dev.gatehouse.hub.tenants;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.HexFormat;
import java.util.regex.Pattern;

/**
 * API tokens: {@code ght_} and 43 base64url characters (256 random bits). Only the SHA-256 of a token
 * is stored: with 256 bits of entropy a fast hash is safe (no dictionary to try), and a lookup per
 * request stays a point read. A slow password hash would cost ~100 ms on every request.
 */
public final class Tokens {
    public static final String PREFIX = "ght_";
    private static final Pattern FORMAT = Pattern.compile("ght_[A-Za-z0-9_-]{43}");
    private static final SecureRandom RANDOM = new SecureRandom();

    private Tokens() {}

    public static String generate() {
        byte[] bytes = new byte[32];
        RANDOM.nextBytes(bytes);
        return PREFIX + Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    }

    public static boolean wellFormed(String token) {
        return token != null && FORMAT.matcher(token).matches();
    }

    public static String hash(String token) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(token.getBytes(StandardCharsets.US_ASCII));
            return HexFormat.of().formatHex(digest);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is missing from this JVM", e);
        }
    }

    /** The first characters after the prefix, shown in listings so an operator can tell tokens apart. */
    public static String hint(String token) {
        return token.substring(0, PREFIX.length() + 6) + "…";
    }

    /** 32 random bytes, base64url: a tenant's card key or another secret. */
    public static String secret() {
        byte[] bytes = new byte[32];
        RANDOM.nextBytes(bytes);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    }
}
