package dev.gatehouse.hub.secrets;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFileAttributes;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.EnumSet;
import java.util.Set;

/**
 * The hub's secret files (the master key, a TLS private key or keystore password): they must exist,
 * belong to the user the hub runs as and be readable by that user only, and the hub writes its own
 * owner-only (0600) from the first byte. As the edge's {@code SecretFiles}.
 */
public final class SecretFiles {
    private SecretFiles() {}

    /**
     * Refuses a file that is missing, belongs to another user, or has any group or other permission
     * bit; {@code key} names the configuration key in the message, which says the command that fixes it.
     */
    public static void requireOwnerOnly(Path file, String key) {
        PosixFileAttributes attributes;
        try {
            attributes = Files.readAttributes(file, PosixFileAttributes.class);
        } catch (UnsupportedOperationException e) {
            return; // not a POSIX file system: its own access rules apply
        } catch (java.nio.file.NoSuchFileException e) {
            throw new SecretException(key + ": " + file.toAbsolutePath() + " does not exist");
        } catch (IOException e) {
            throw new SecretException(key + ": cannot read " + file.toAbsolutePath() + ": " + e.getMessage());
        }
        String user = System.getProperty("user.name");
        String owner = attributes.owner().getName();
        if (!owner.equals(user)) {
            throw new SecretException(key + ": " + file.toAbsolutePath() + " belongs to " + owner + ", not to " + user
                    + " who runs the hub: a secret must be its own (chown " + user + " " + file.toAbsolutePath() + ")");
        }
        Set<PosixFilePermission> loose = EnumSet.copyOf(attributes.permissions());
        loose.removeAll(EnumSet.of(PosixFilePermission.OWNER_READ, PosixFilePermission.OWNER_WRITE));
        if (!loose.isEmpty()) {
            throw new SecretException(key + ": " + file.toAbsolutePath() + " is "
                    + PosixFilePermissions.toString(attributes.permissions())
                    + ": a secret must be readable by its owner only (chmod 600 " + file.toAbsolutePath() + ")");
        }
    }

    /** Reads a secret file after {@link #requireOwnerOnly}. */
    public static byte[] read(Path file, String key) {
        requireOwnerOnly(file, key);
        try {
            return Files.readAllBytes(file);
        } catch (IOException e) {
            throw new SecretException(key + ": cannot read " + file.toAbsolutePath() + ": " + e.getMessage());
        }
    }

    /** Creates {@code file} (which must not exist) owner-only and writes {@code content}. */
    public static void createOwnerOnly(Path file, String content) throws IOException {
        Path parent = file.toAbsolutePath().getParent();
        if (parent != null) {
            Files.createDirectories(parent);
        }
        try {
            Files.createFile(file, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        } catch (UnsupportedOperationException e) {
            Files.createFile(file); // not a POSIX file system: its own access rules apply
        }
        Files.writeString(file, content, StandardOpenOption.TRUNCATE_EXISTING, StandardOpenOption.SYNC);
    }
}
