package dev.gatehouse.edge.config;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;

/**
 * The one way the edge writes a secret next to its config (the card key, the MQTT password, a
 * private key): owner-only (0600) from the first byte, and replaced atomically, so that no other
 * user on the Pi ever reads it and the agent never reads half a file.
 */
public final class SecretFiles {
    private SecretFiles() {}

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
