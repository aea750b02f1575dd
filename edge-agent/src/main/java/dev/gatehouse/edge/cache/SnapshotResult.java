package dev.gatehouse.edge.cache;

/** What {@link SqliteEntitlementCache#offer} did with a verified snapshot chunk. */
public sealed interface SnapshotResult
        permits SnapshotResult.Incomplete, SnapshotResult.Installed, SnapshotResult.Ignored, SnapshotResult.Discarded {

    /** The chunk was stored; {@code received} of the snapshot's {@code count} chunks are in. */
    record Incomplete(int received, int count) implements SnapshotResult {}

    /**
     * The last chunk arrived: the whole cache was replaced and its seq set to {@code seq}, at once
     * for every reader (built in short transactions, swapped in by one).
     */
    record Installed(long seq) implements SnapshotResult {}

    /** The chunk was not used, for {@code reason} (an older snapshot than the cache or than the one being collected). */
    record Ignored(String reason) implements SnapshotResult {}

    /**
     * The snapshot being collected contradicted itself (chunks of one snapshot id with different
     * {@code seq} or {@code count}): every chunk collected so far was thrown away. The caller requests
     * a snapshot again.
     */
    record Discarded(String reason) implements SnapshotResult {}
}
