package dev.gatehouse.protocol.card;

import dev.gatehouse.protocol.ProtocolError;
import dev.gatehouse.protocol.ProtocolException;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.util.HexFormat;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Turns an NFC card UID into the lookup key that is stored and sent instead of it:
 * {@code hex(HMAC-SHA256(tenantKey, "gh-card-v1:" || uid))}. The tenant key (32 bytes or more) lives
 * at the hub and on that tenant's edges only, so a leaked cache or event log does not reveal the
 * UIDs, and one tenant's hashes mean nothing to another. Thread-safe.
 */
public final class CardHasher {
    /** Shortest tenant key accepted, in bytes. */
    public static final int MIN_KEY_BYTES = 32;

    private static final byte[] DOMAIN = "gh-card-v1:".getBytes(java.nio.charset.StandardCharsets.US_ASCII);
    private static final byte[] PIN_DOMAIN = "gh-pin-v1:".getBytes(java.nio.charset.StandardCharsets.US_ASCII);
    private static final java.util.regex.Pattern PIN = java.util.regex.Pattern.compile("[0-9]{6}");
    private static final HexFormat HEX = HexFormat.of();

    private final ThreadLocal<Mac> mac;

    public CardHasher(byte[] tenantKey) {
        if (tenantKey == null || tenantKey.length < MIN_KEY_BYTES) {
            throw new ProtocolException(
                    ProtocolError.BAD_KEY,
                    "the card hash key must be at least " + MIN_KEY_BYTES + " random bytes (got "
                            + (tenantKey == null ? 0 : tenantKey.length) + ")");
        }
        SecretKeySpec key = new SecretKeySpec(tenantKey.clone(), "HmacSHA256");
        this.mac = ThreadLocal.withInitial(() -> {
            try {
                Mac instance = Mac.getInstance("HmacSHA256");
                instance.init(key);
                return instance;
            } catch (GeneralSecurityException e) {
                throw new IllegalStateException("HmacSHA256 is part of every Java runtime", e);
            }
        });
    }

    /** The lookup key for a UID of 4, 7 or 10 bytes (ISO/IEC 14443 single, double and triple size). */
    public String hash(byte[] uid) {
        if (uid == null || (uid.length != 4 && uid.length != 7 && uid.length != 10)) {
            throw new ProtocolException(
                    ProtocolError.BAD_VALUE, "a card UID is 4, 7 or 10 bytes, not " + (uid == null ? 0 : uid.length));
        }
        Mac instance = mac.get();
        instance.update(DOMAIN);
        return HEX.formatHex(instance.doFinal(uid));
    }

    /**
     * The lookup key of a visitor pass's 6-digit PIN at a site:
     * {@code hex(HMAC-SHA256(tenantKey, "gh-pin-v1:" || site || ":" || pin))}. The same tenant key as
     * for cards (the hub and the tenant's edges hold it), so an edge checks a typed PIN offline; the
     * site in the message makes the same PIN at two sites two different hashes. A PIN has only 10^6
     * values: the hash hides it from a casual reader of a database, not from someone holding the key.
     */
    public String pinHash(String site, String pin) {
        if (pin == null || !PIN.matcher(pin).matches()) {
            throw new ProtocolException(ProtocolError.BAD_VALUE, "a visitor PIN is 6 digits");
        }
        if (site == null || site.isBlank()) {
            throw new ProtocolException(ProtocolError.BAD_VALUE, "a visitor PIN belongs to a site");
        }
        Mac instance = mac.get();
        instance.update(PIN_DOMAIN);
        instance.update((site + ":" + pin).getBytes(java.nio.charset.StandardCharsets.US_ASCII));
        return HEX.formatHex(instance.doFinal());
    }

    /** The lookup key for a UID written in hex, with or without ':' or ' ' separators, in either case. */
    public String hashHex(String uidHex) {
        return hash(parseUid(uidHex));
    }

    /** Parses a hex UID such as {@code 04:A2:2B:1C:5D:80:00} or {@code 04a22b1c5d8000}. */
    public static byte[] parseUid(String uidHex) {
        if (uidHex == null) {
            throw new ProtocolException(ProtocolError.BAD_VALUE, "the card UID is missing");
        }
        String digits = uidHex.strip().replace(":", "").replace(" ", "").replace("-", "");
        try {
            return HEX.parseHex(digits);
        } catch (IllegalArgumentException e) {
            throw new ProtocolException(ProtocolError.BAD_VALUE, "the card UID '" + uidHex + "' is not hex bytes");
        }
    }

    /** Constant-time comparison of two hashes. */
    public static boolean same(String a, String b) {
        return MessageDigest.isEqual(
                a.getBytes(java.nio.charset.StandardCharsets.US_ASCII),
                b.getBytes(java.nio.charset.StandardCharsets.US_ASCII));
    }
}
