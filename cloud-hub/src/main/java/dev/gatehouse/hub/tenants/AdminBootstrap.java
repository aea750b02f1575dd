package dev.gatehouse.hub.tenants;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Optional;
import java.util.logging.Logger;

/**
 * The first platform-admin token. There is no default secret: on the first start the hub makes a
 * random token, writes it to {@code <data-dir>/admin-token} readable by its own user only, and logs
 * where it is. Later starts find a token in the store and make none.
 */
public final class AdminBootstrap {
    private static final Logger LOG = Logger.getLogger(AdminBootstrap.class.getName());

    private AdminBootstrap() {}

    /** Makes the first admin token if there is none; returns the file it was written to. */
    public static Optional<Path> ensureAdminToken(TenantStore store, Path dataDir) {
        if (store.anyAdminToken()) {
            return Optional.empty();
        }
        Path file = dataDir.resolve("admin-token");
        // The file is written before the token is stored: were it the other way round, a failed
        // write would leave a stored admin token that nobody holds, and no later start would make one.
        String token = Tokens.generate();
        try {
            Files.createDirectories(dataDir);
            Files.deleteIfExists(file);
            Files.createFile(file, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
            Files.writeString(file, token + "\n", StandardOpenOption.TRUNCATE_EXISTING);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the first admin token to " + file, e);
        }
        store.storeToken(Optional.empty(), "bootstrap", token);
        LOG.info("created the first platform-admin token in " + file.toAbsolutePath()
                + " (readable by this user only); create tenants with it: POST /api/v1/tenants");
        return Optional.of(file);
    }
}
