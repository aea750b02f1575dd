package dev.gatehouse.edge.cache;

/** What went wrong with the entitlement cache or outbox. Every {@link CacheException} carries one. */
public enum CacheError {
    /** A tenant, site, argument or id given to the cache is invalid (a programming or configuration error). */
    INVALID_ARGUMENT,
    /** The cache file or its directory cannot be opened or created (missing directory, permissions, read-only). */
    CANNOT_OPEN,
    /** The file is not a SQLite database, or it (or an entry in it) is damaged. */
    CORRUPT,
    /** The file was written by a newer agent whose schema this agent does not know. */
    SCHEMA_TOO_NEW,
    /** The file belongs to another tenant or site than the one the agent is configured for. */
    WRONG_SITE,
    /** A message handed to the cache is of the wrong type or addressed to another tenant or site. */
    WRONG_MESSAGE,
    /** A batch or snapshot would enroll one card hash for two credentials; nothing was changed. */
    DUPLICATE_CARD_HASH,
    /** An event with this id is already in the outbox. */
    DUPLICATE_EVENT_ID,
    /** Another process holds the cache file locked for longer than the busy timeout. */
    BUSY,
    /** The disk holding the cache is full. */
    DISK_FULL,
    /** Any other storage failure reported by SQLite (an I/O error, for instance). */
    STORAGE,
    /** The cache was used after {@code close()}. */
    CLOSED
}
