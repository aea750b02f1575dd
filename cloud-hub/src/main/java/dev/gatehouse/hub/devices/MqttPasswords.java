package dev.gatehouse.hub.devices;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.HexFormat;

/**
 * Device MQTT passwords: {@code ghd_} and 43 base64url characters of 32 random bytes. The hub keeps
 * only their SHA-256 (256 random bits need no slow hash) and compares in constant time.
 */
public final class MqttPasswords {
    private static final SecureRandom RANDOM = new SecureRandom();

    private MqttPasswords() {}

    public static String newPassword(String prefix) {
        byte[] bytes = new byte[32];
        RANDOM.nextBytes(bytes);
        return prefix + Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    }

    /** A new device password. */
    public static String newDevicePassword() {
        return newPassword("ghd_");
    }

    public static String hash(String password) {
        try {
            return HexFormat.of()
                    .formatHex(MessageDigest.getInstance("SHA-256").digest(password.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is missing from this JVM", e);
        }
    }

    /** Whether {@code password} hashes to {@code expectedHash}, in time independent of where they differ. */
    public static boolean matches(String password, String expectedHash) {
        return MessageDigest.isEqual(
                hash(password).getBytes(StandardCharsets.US_ASCII), expectedHash.getBytes(StandardCharsets.US_ASCII));
    }
}
