package dev.gatehouse.hub.secrets;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.Base64;
import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;

/**
 * The hub's master key: 256 random bits kept in a file outside the database ({@code hub.key-file}),
 * under which the tenants' signing and card keys are sealed with AES-256-GCM.
 *
 * <p>A sealed value reads {@code ghk1:<key id>:<base64url(12-byte nonce | ciphertext | tag)>}. The
 * key id is the first 8 bytes of SHA-256 over a label and the key, in hex: it names the key a value
 * was sealed under (so the hub knows a wrong or a previous key when it sees one, and a key can be
 * rotated) without revealing anything of it. The row's identity ({@code tenants.card_key/<id>}) is the
 * GCM associated data, so a sealed value copied onto another row does not open.
 */
public final class MasterKey {
    /** The prefix of every sealed value, with the format's version. */
    public static final String PREFIX = "ghk1:";

    private static final int NONCE_BYTES = 12;
    private static final int TAG_BITS = 128;
    private static final SecureRandom RANDOM = new SecureRandom();

    private final SecretKeySpec key;
    private final String id;

    private MasterKey(byte[] raw) {
        if (raw.length != 32) {
            throw new IllegalArgumentException("a master key is 32 bytes, not " + raw.length);
        }
        this.key = new SecretKeySpec(raw.clone(), "AES");
        this.id = idOf(raw);
    }

    /** A new random key. */
    public static MasterKey generate() {
        byte[] raw = new byte[32];
        RANDOM.nextBytes(raw);
        return new MasterKey(raw);
    }

    /** The key in {@code file} (base64 of 32 bytes, one line), which must be owner-only; {@code key} names the setting. */
    public static MasterKey read(Path file, String key) {
        String text = new String(SecretFiles.read(file, key), StandardCharsets.US_ASCII).strip();
        byte[] raw;
        try {
            raw = Base64.getDecoder().decode(text);
        } catch (IllegalArgumentException e) {
            raw = new byte[0];
        }
        if (raw.length != 32) {
            Arrays.fill(raw, (byte) 0);
            throw new SecretException(key + ": " + file.toAbsolutePath()
                    + " is not a master key (base64 of 32 random bytes, e.g. made with"
                    + " 'head -c 32 /dev/urandom | base64 > FILE; chmod 600 FILE')");
        }
        try {
            return new MasterKey(raw);
        } finally {
            Arrays.fill(raw, (byte) 0);
        }
    }

    /** Writes this key to {@code file}, which must not exist yet, owner-only (0600). */
    public void writeNew(Path file) throws IOException {
        if (Files.exists(file)) {
            throw new IOException(file.toAbsolutePath() + " exists; a master key file is never overwritten");
        }
        SecretFiles.createOwnerOnly(file, Base64.getEncoder().encodeToString(key.getEncoded()) + "\n");
    }

    /** The key's id (16 hex digits), stored in every value sealed under it. */
    public String id() {
        return id;
    }

    /** True for a value in the sealed format (whatever key it was sealed under). */
    public static boolean isSealed(String value) {
        return value.startsWith(PREFIX);
    }

    /** The id of the key {@code sealed} was sealed under. */
    public static String keyIdOf(String sealed) {
        int end = sealed.indexOf(':', PREFIX.length());
        if (!isSealed(sealed) || end < 0) {
            throw new SecretException("a sealed value is malformed");
        }
        return sealed.substring(PREFIX.length(), end);
    }

    /** {@code plaintext} sealed under this key, bound to {@code context} (the row it belongs to). */
    public String seal(String plaintext, String context) {
        byte[] nonce = new byte[NONCE_BYTES];
        RANDOM.nextBytes(nonce);
        try {
            Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding");
            cipher.init(Cipher.ENCRYPT_MODE, key, new GCMParameterSpec(TAG_BITS, nonce));
            cipher.updateAAD(context.getBytes(StandardCharsets.UTF_8));
            byte[] sealed = cipher.doFinal(plaintext.getBytes(StandardCharsets.UTF_8));
            byte[] out = new byte[NONCE_BYTES + sealed.length];
            System.arraycopy(nonce, 0, out, 0, NONCE_BYTES);
            System.arraycopy(sealed, 0, out, NONCE_BYTES, sealed.length);
            return PREFIX + id + ":" + Base64.getUrlEncoder().withoutPadding().encodeToString(out);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("AES-256-GCM is not available in this JVM", e);
        }
    }

    /**
     * The plaintext of a value sealed under this key for {@code context}; a value sealed under
     * another key, altered, or moved to another row fails with a {@link SecretException}.
     */
    public String open(String sealed, String context) {
        String keyId = keyIdOf(sealed);
        if (!keyId.equals(id)) {
            throw new SecretException(context + " is sealed under master key " + keyId + ", not under " + id);
        }
        byte[] in;
        try {
            in = Base64.getUrlDecoder().decode(sealed.substring(PREFIX.length() + keyId.length() + 1));
        } catch (IllegalArgumentException e) {
            throw new SecretException(context + ": the sealed value is malformed");
        }
        if (in.length < NONCE_BYTES + TAG_BITS / 8) {
            throw new SecretException(context + ": the sealed value is too short");
        }
        try {
            Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding");
            cipher.init(Cipher.DECRYPT_MODE, key, new GCMParameterSpec(TAG_BITS, in, 0, NONCE_BYTES));
            cipher.updateAAD(context.getBytes(StandardCharsets.UTF_8));
            byte[] plain = cipher.doFinal(in, NONCE_BYTES, in.length - NONCE_BYTES);
            return new String(plain, StandardCharsets.UTF_8);
        } catch (javax.crypto.AEADBadTagException e) {
            throw new SecretException(context + " does not open under master key " + id
                    + ": the value was altered or the key file is not the one it was sealed with");
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("AES-256-GCM is not available in this JVM", e);
        }
    }

    private static String idOf(byte[] raw) {
        try {
            MessageDigest sha = MessageDigest.getInstance("SHA-256");
            sha.update("gatehouse-hub-master-key-id\0".getBytes(StandardCharsets.US_ASCII));
            byte[] digest = sha.digest(raw);
            return java.util.HexFormat.of().formatHex(digest, 0, 8);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is not available in this JVM", e);
        }
    }

    @Override
    public String toString() {
        return "MasterKey[" + id + "]";
    }
}
