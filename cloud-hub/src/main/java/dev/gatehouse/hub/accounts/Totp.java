package dev.gatehouse.hub.accounts;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.time.Instant;
import java.util.Locale;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Time-based one-time passwords (RFC 6238: HMAC-SHA1, 6 digits, 30-second steps), the second factor
 * an owner may add from any authenticator app. Secrets are 160 random bits written in base32 (RFC
 * 4648, no padding), the form authenticator apps read from an {@code otpauth://} URI. The encoder is
 * here because no base32 codec is on the hub's compile classpath.
 */
public final class Totp {
    private static final int DIGITS = 6;
    private static final long STEP_SECONDS = 30;
    private static final String ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
    private static final SecureRandom RANDOM = new SecureRandom();

    private Totp() {}

    /** A new secret: 20 random bytes as 32 base32 characters. */
    public static String newSecret() {
        byte[] bytes = new byte[20];
        RANDOM.nextBytes(bytes);
        return base32(bytes);
    }

    /**
     * The URI an authenticator app reads from a QR code: {@code otpauth://totp/Issuer:account?secret=…&issuer=Issuer&…}.
     */
    public static String otpauthUri(String issuer, String account, String secret) {
        return "otpauth://totp/" + encode(issuer) + ":" + encode(account) + "?secret=" + secret + "&issuer="
                + encode(issuer) + "&algorithm=SHA1&digits=" + DIGITS + "&period=" + STEP_SECONDS;
    }

    /**
     * True when {@code code} is the secret's code for the step of {@code now} or the step before or
     * after (a phone clock a little off, a code typed as it changed). Anything but six ASCII digits is
     * false; the comparison takes the same time wherever the digits differ.
     */
    public static boolean verify(String secret, String code, Instant now) {
        return matchedStep(secret, code, now).isPresent();
    }

    /**
     * The time step whose code {@code code} is (that of {@code now}, or the one before or after), for
     * {@link dev.gatehouse.hub.accounts.AccountStore#useTotpStep} to let each code work once; empty when
     * it is none of them.
     */
    public static java.util.OptionalLong matchedStep(String secret, String code, Instant now) {
        if (code == null || !code.matches("[0-9]{6}")) {
            return java.util.OptionalLong.empty();
        }
        byte[] key = base32Decode(secret);
        long step = Math.floorDiv(now.getEpochSecond(), STEP_SECONDS);
        long matched = -1;
        for (long s = step - 1; s <= step + 1; s++) {
            if (MessageDigest.isEqual(
                    code(key, s).getBytes(StandardCharsets.US_ASCII), code.getBytes(StandardCharsets.US_ASCII))) {
                matched = s;
            }
        }
        return matched < 0 ? java.util.OptionalLong.empty() : java.util.OptionalLong.of(matched);
    }

    /** The six-digit code of the secret at {@code at}. */
    public static String codeAt(String secret, Instant at) {
        return code(base32Decode(secret), Math.floorDiv(at.getEpochSecond(), STEP_SECONDS));
    }

    private static String code(byte[] key, long step) {
        byte[] hash;
        try {
            Mac mac = Mac.getInstance("HmacSHA1");
            mac.init(new SecretKeySpec(key, "HmacSHA1"));
            byte[] counter = new byte[8];
            for (int i = 7; i >= 0; i--) {
                counter[i] = (byte) step;
                step >>>= 8;
            }
            hash = mac.doFinal(counter);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA1 is missing from this JVM", e);
        }
        int offset = hash[hash.length - 1] & 0x0f;
        int binary = ((hash[offset] & 0x7f) << 24)
                | ((hash[offset + 1] & 0xff) << 16)
                | ((hash[offset + 2] & 0xff) << 8)
                | (hash[offset + 3] & 0xff);
        return String.format(Locale.ROOT, "%06d", binary % 1_000_000);
    }

    /** RFC 4648 base32 without padding. */
    static String base32(byte[] bytes) {
        StringBuilder text = new StringBuilder((bytes.length * 8 + 4) / 5);
        int buffer = 0;
        int bits = 0;
        for (byte b : bytes) {
            buffer = (buffer << 8) | (b & 0xff);
            bits += 8;
            while (bits >= 5) {
                text.append(ALPHABET.charAt((buffer >>> (bits - 5)) & 31));
                bits -= 5;
            }
        }
        if (bits > 0) {
            text.append(ALPHABET.charAt((buffer << (5 - bits)) & 31));
        }
        return text.toString();
    }

    /** Reads base32 as apps show it: any case, spaces and padding ignored; another character is refused. */
    static byte[] base32Decode(String text) {
        String clean = text.replace(" ", "").replace("=", "").toUpperCase(Locale.ROOT);
        byte[] bytes = new byte[clean.length() * 5 / 8];
        int buffer = 0;
        int bits = 0;
        int n = 0;
        for (int i = 0; i < clean.length(); i++) {
            int value = ALPHABET.indexOf(clean.charAt(i));
            if (value < 0) {
                throw new IllegalArgumentException(
                        "a TOTP secret is base32 (A-Z, 2-7); it has '" + clean.charAt(i) + "'");
            }
            buffer = (buffer << 5) | value;
            bits += 5;
            if (bits >= 8) {
                bytes[n++] = (byte) (buffer >>> (bits - 8));
                bits -= 8;
            }
        }
        return bytes;
    }

    private static String encode(String text) {
        return URLEncoder.encode(text, StandardCharsets.UTF_8).replace("+", "%20");
    }
}
