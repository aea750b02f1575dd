package dev.gatehouse.hub.webhooks;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Signing and verifying per the Standard Webhooks specification (https://www.standardwebhooks.com):
 * the signed content is {@code <webhook-id>.<webhook-timestamp>.<body>}, the signature is
 * {@code v1,<base64 HMAC-SHA256>} under the secret's bytes (the base64 after {@code whsec_}), and
 * {@code webhook-signature} holds one or more signatures separated by spaces (two while a rotated
 * secret's overlap lasts). No Java library for it resolves here; this is the whole of it, and the
 * published test vectors ({@code docs/webhook-test-vectors.json}) check both directions.
 */
public final class StandardWebhooks {
    public static final String ID = "webhook-id";
    public static final String TIMESTAMP = "webhook-timestamp";
    public static final String SIGNATURE = "webhook-signature";
    public static final String PREFIX = "whsec_";
    /** How far a timestamp may be from the receiver's clock, either way (the specification's 5 minutes). */
    public static final Duration TOLERANCE = Duration.ofMinutes(5);

    private static final SecureRandom RANDOM = new SecureRandom();

    private StandardWebhooks() {}

    /** A new secret: {@code whsec_} and 32 random bytes in base64. */
    public static String newSecret() {
        byte[] key = new byte[32];
        RANDOM.nextBytes(key);
        return PREFIX + Base64.getEncoder().encodeToString(key);
    }

    /** True when {@code secret} is {@code whsec_} and base64 of 24 to 64 bytes. */
    public static boolean isSecret(String secret) {
        try {
            int length = key(secret).length;
            return length >= 24 && length <= 64;
        } catch (IllegalArgumentException e) {
            return false;
        }
    }

    /** The signature {@code v1,<base64>} of the message under one secret. */
    public static String sign(String secret, String id, long timestamp, byte[] body) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(key(secret), "HmacSHA256"));
            mac.update((id + "." + timestamp + ".").getBytes(StandardCharsets.UTF_8));
            return "v1," + Base64.getEncoder().encodeToString(mac.doFinal(body));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 is not available in this JDK", e);
        }
    }

    /** The {@code webhook-signature} header value: one signature per secret, separated by a space. */
    public static String signatures(List<String> secrets, String id, long timestamp, byte[] body) {
        List<String> parts = new ArrayList<>();
        for (String secret : secrets) {
            parts.add(sign(secret, id, timestamp, body));
        }
        return String.join(" ", parts);
    }

    private static byte[] key(String secret) {
        String encoded = secret.startsWith(PREFIX) ? secret.substring(PREFIX.length()) : secret;
        return Base64.getDecoder().decode(encoded);
    }

    /** What a receiver's check came to. */
    public sealed interface Verdict permits Verified, Refused {}

    public record Verified() implements Verdict {}

    /** Why a message was refused, in words a receiver's log can show. */
    public record Refused(String reason) implements Verdict {}

    /**
     * A receiver's check of a message: the three headers must be there (names in lower case), the
     * timestamp within {@link #TOLERANCE} of {@code now}, and one of the {@code v1} signatures must
     * match {@code secret} (compared in constant time).
     */
    public static Verdict verify(String secret, Map<String, String> headers, byte[] body, Instant now) {
        Optional<String> id = Optional.ofNullable(headers.get(ID));
        Optional<String> timestamp = Optional.ofNullable(headers.get(TIMESTAMP));
        Optional<String> signature = Optional.ofNullable(headers.get(SIGNATURE));
        if (id.isEmpty() || timestamp.isEmpty() || signature.isEmpty()) {
            return new Refused("missing header: " + (id.isEmpty() ? ID : timestamp.isEmpty() ? TIMESTAMP : SIGNATURE));
        }
        long seconds;
        try {
            seconds = Long.parseLong(timestamp.get().strip());
        } catch (NumberFormatException e) {
            return new Refused("webhook-timestamp is not whole seconds since the epoch");
        }
        long skew = Math.abs(now.getEpochSecond() - seconds);
        if (skew > TOLERANCE.toSeconds()) {
            return new Refused("webhook-timestamp is " + skew + " s away from now; the tolerance is "
                    + TOLERANCE.toSeconds() + " s");
        }
        byte[] expected = sign(secret, id.get(), seconds, body).getBytes(StandardCharsets.US_ASCII);
        for (String candidate : signature.get().strip().split(" +")) {
            if (candidate.startsWith("v1,")
                    && MessageDigest.isEqual(expected, candidate.getBytes(StandardCharsets.US_ASCII))) {
                return new Verified();
            }
        }
        return new Refused("no v1 signature matches");
    }
}
