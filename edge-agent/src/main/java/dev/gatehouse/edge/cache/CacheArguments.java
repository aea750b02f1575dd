package dev.gatehouse.edge.cache;

import dev.gatehouse.protocol.Ids;

/** Checks of the arguments handed to the cache. */
final class CacheArguments {
    private CacheArguments() {}

    /** @throws CacheException {@code INVALID_ARGUMENT} unless {@code value} is a valid id */
    static void requireId(String value, String what) {
        if (!Ids.isValid(value)) {
            throw new CacheException(
                    CacheError.INVALID_ARGUMENT,
                    what + " '" + (value == null ? "null" : Ids.printable(value))
                            + "' is not a valid id: use 1-64 characters of A-Z, a-z, 0-9, '_' and '-'");
        }
    }
}
