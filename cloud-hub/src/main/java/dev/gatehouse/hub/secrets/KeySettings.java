package dev.gatehouse.hub.secrets;

import java.nio.file.Path;
import java.util.Optional;

/**
 * Where the master key lives: {@code hub.key-file} (made 0600 at the first start when the store holds
 * no sealed key yet) and, while rotating, {@code hub.previous-key-file}, whose sealed values the hub
 * seals again under the current key at start.
 */
public record KeySettings(Path keyFile, Optional<Path> previousKeyFile) {
    /** The default: {@code <dataDir>/master.key}, no previous key. */
    public static KeySettings in(Path dataDir) {
        return new KeySettings(dataDir.resolve("master.key"), Optional.empty());
    }
}
