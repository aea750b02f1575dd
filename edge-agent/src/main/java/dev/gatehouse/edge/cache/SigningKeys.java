package dev.gatehouse.edge.cache;

import dev.gatehouse.protocol.model.EntityKind;
import dev.gatehouse.protocol.model.SigningKey;
import dev.gatehouse.protocol.sign.KeySet;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * The keys this edge trusts: its {@code signing-key} entities, read on each call and decoded again
 * only when they changed. Thread-safe, like the cache.
 */
final class SigningKeys {
    private final SqliteConnections connections;
    private final SqliteEntityRows entities;
    private volatile CachedKeys cachedKeys = new CachedKeys(List.of(), KeySet.of(List.of()));

    SigningKeys(SqliteConnections connections, SqliteEntityRows entities) {
        this.connections = connections;
        this.entities = entities;
    }

    private record CachedKeys(List<String> jsons, KeySet keys) {}

    /** The keys this edge trusts (empty before provisioning). */
    KeySet trusted() {
        List<String> jsons = connections.read(
                "read the signing keys", session -> SqliteEntityRows.jsonsOfKind(session, EntityKind.SIGNING_KEY));
        CachedKeys cached = cachedKeys;
        if (cached.jsons().equals(jsons)) {
            return cached.keys();
        }
        List<SigningKey> keys = new ArrayList<>();
        for (String json : jsons) {
            keys.add(entities.decode(json, SigningKey.class));
        }
        KeySet keySet = KeySet.fromSigningKeys(keys);
        cachedKeys = new CachedKeys(jsons, keySet);
        return keySet;
    }

    /** Stores {@code provisioned} only if the cache holds no keys; returns whether it did. */
    boolean seed(KeySet provisioned) {
        Objects.requireNonNull(provisioned, "provisioned");
        return connections.write("store the provisioned signing keys", session -> {
            if (!SqliteEntityRows.jsonsOfKind(session, EntityKind.SIGNING_KEY).isEmpty()) {
                return false;
            }
            for (SigningKey key : provisioned.toSigningKeys()) {
                entities.upsert(session, SqliteEntityRows.Row.of(key));
            }
            return true;
        });
    }
}
