package dev.gatehouse.hub.store;

import java.nio.file.Path;
import java.util.Optional;

/**
 * Where the hub keeps its data: a SQLite file under {@code dataDir} unless {@code jdbcUrl} names
 * PostgreSQL.
 */
public record StoreSettings(Path dataDir, Optional<String> jdbcUrl, String username, String password, int poolSize) {
    public StoreSettings {
        if (poolSize < 1 || poolSize > 200) {
            throw new StoreException(StoreError.MISCONFIGURED, "hub.store.pool-size is " + poolSize + "; use 1 to 200");
        }
        if (jdbcUrl.isPresent()
                && !jdbcUrl.get().startsWith("jdbc:postgresql:")
                && !jdbcUrl.get().startsWith("jdbc:sqlite:")) {
            throw new StoreException(
                    StoreError.MISCONFIGURED,
                    "hub.store.jdbc-url '" + jdbcUrl.get()
                            + "' is neither jdbc:postgresql://host:port/database nor jdbc:sqlite:/path/file.db;"
                            + " leave it empty for a SQLite file under hub.data-dir");
        }
    }

    public static StoreSettings sqlite(Path dataDir) {
        return new StoreSettings(dataDir, Optional.empty(), "", "", 4);
    }

    public StoreKind kind() {
        return jdbcUrl.filter(url -> url.startsWith("jdbc:postgresql:"))
                .map(url -> StoreKind.POSTGRESQL)
                .orElse(StoreKind.SQLITE);
    }
}
