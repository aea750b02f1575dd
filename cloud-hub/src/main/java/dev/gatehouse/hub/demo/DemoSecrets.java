package dev.gatehouse.hub.demo;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;

/**
 * The one way the demo writes a file that holds a secret (the edge's card key and MQTT password, the
 * instructions with the demo's API token): owner-only (0600) from its creation, as the edge's own
 * {@code gatehouse edge provision} writes them.
 */
final class DemoSecrets {
    private DemoSecrets() {}

    static Path writeOwnerOnly(Path file, String content) throws IOException {
        Files.deleteIfExists(file);
        Files.createFile(file, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        Files.writeString(file, content, StandardOpenOption.TRUNCATE_EXISTING);
        return file;
    }
}
