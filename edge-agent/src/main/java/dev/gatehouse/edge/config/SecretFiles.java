package dev.gatehouse.edge.config;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFileAttributes;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.EnumSet;
import java.util.Set;

/**
 * The one way the edge writes a secret next to its config (the card key, the MQTT password, a
 * private key): owner-only (0600) from the first byte, and replaced atomically, so that no other
 * user on the Pi ever reads it and the agent never reads half a file.
 */
public final class SecretFiles {
    private SecretFiles() {}

    /**
     * Refuses a secret that others could read or that belongs to another user: any group or other
     * permission bit, or an owner other than the user this process runs as. {@code key} names the
     * configuration key in the error, which says the command that fixes it.
     */
    public static void requireOwnerOnly(Path file, String key) {
        PosixFileAttributes attributes;
        try {
            attributes = Files.readAttributes(file, PosixFileAttributes.class);
        } catch (UnsupportedOperationException e) {
            return; // not a POSIX file system: its own access rules apply
        } catch (IOException e) {
            throw new ConfigException(key, "cannot read " + file + ": " + e.getMessage(), e);
        }
        String user = System.getProperty("user.name");
        String owner = attributes.owner().getName();
        if (!owner.equals(user)) {
            throw new ConfigException(
                    key,
                    file + " belongs to " + owner + ", not to " + user + " who runs the agent: a secret must be its"
                            + " own (chown " + user + " " + file + ")");
        }
        Set<PosixFilePermission> loose = EnumSet.copyOf(attributes.permissions());
        loose.removeAll(EnumSet.of(PosixFilePermission.OWNER_READ, PosixFilePermission.OWNER_WRITE));
        if (!loose.isEmpty()) {
            throw new ConfigException(
                    key,
                    file + " is " + PosixFilePermissions.toString(attributes.permissions())
                            + ": a secret must be readable by its owner only (chmod 600 " + file + ")");
        }
    }

    /** Writes {@code content} to {@code file} readable and writable by its owner only, replacing it. */
    public static Path writeOwnerOnly(Path file, String content) throws IOException {
        Path temp = file.resolveSibling(file.getFileName() + ".tmp");
        Files.deleteIfExists(temp);
        try {
            Files.createFile(temp, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        } catch (UnsupportedOperationException e) {
            Files.createFile(temp); // not a POSIX file system: its own access rules apply
        }
        Files.writeString(temp, content, StandardOpenOption.TRUNCATE_EXISTING);
        Files.move(temp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        return file;
    }
}
