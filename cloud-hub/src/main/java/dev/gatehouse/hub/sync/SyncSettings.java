package dev.gatehouse.hub.sync;

import dev.gatehouse.protocol.message.SyncBatch;
import java.time.Duration;

/**
 * {@code hub.sync.*}: how the hub publishes each site's change log to its edges.
 *
 * @param batchMaxChanges most changes in one {@code sync.batch} (1–500)
 * @param sweepInterval how often every site's head is re-checked (changes made by another replica,
 *     or a missed notification), and the log compacted
 * @param logKeep change-log entries kept per site; older ones are deleted (an edge further behind
 *     gets a snapshot)
 * @param snapshotChunkBytes largest signed snapshot chunk, in bytes
 * @param leaseTerm how long a hub replica's lease on publishing a site lasts without a renewal (on
 *     PostgreSQL; renewed every third of it): a dead replica's sites are taken over within about
 *     {@code 4/3} of it
 * @throws IllegalArgumentException naming the {@code hub.sync.*} key that is out of range (the
 *     configuration reader turns it into a {@code HubConfigException})
 */
public record SyncSettings(
        int batchMaxChanges, Duration sweepInterval, long logKeep, int snapshotChunkBytes, Duration leaseTerm) {
    /** Largest signed sync batch, in bytes (the protocol's 256 KiB). */
    public static final int MAX_BATCH_BYTES = 256 * 1024;

    public SyncSettings {
        if (batchMaxChanges < 1 || batchMaxChanges > SyncBatch.MAX_CHANGES) {
            throw new IllegalArgumentException(
                    "hub.sync.batch-max-changes is " + batchMaxChanges + "; use 1 to " + SyncBatch.MAX_CHANGES);
        }
        if (sweepInterval.compareTo(Duration.ofMillis(100)) < 0 || sweepInterval.compareTo(Duration.ofHours(1)) > 0) {
            throw new IllegalArgumentException("hub.sync.sweep-interval is " + sweepInterval + "; use 100ms to 1h");
        }
        if (logKeep < 1000) {
            throw new IllegalArgumentException(
                    "hub.sync.log-keep is " + logKeep + "; keep at least 1000 changes per site");
        }
        if (snapshotChunkBytes < 16 * 1024 || snapshotChunkBytes > MAX_BATCH_BYTES) {
            throw new IllegalArgumentException(
                    "hub.sync.snapshot-chunk-bytes is " + snapshotChunkBytes + "; use 16384 to " + MAX_BATCH_BYTES);
        }
        if (leaseTerm.compareTo(Duration.ofMillis(300)) < 0 || leaseTerm.compareTo(Duration.ofMinutes(5)) > 0) {
            throw new IllegalArgumentException("hub.sync.lease-term is " + leaseTerm + "; use 300ms to 5m");
        }
    }

    public static SyncSettings defaults() {
        return new SyncSettings(SyncBatch.MAX_CHANGES, Duration.ofSeconds(5), 100_000, 200_000, Duration.ofSeconds(9));
    }

    public SyncSettings withLogKeep(long keep) {
        return new SyncSettings(batchMaxChanges, sweepInterval, keep, snapshotChunkBytes, leaseTerm);
    }

    public SyncSettings withSweepInterval(Duration interval) {
        return new SyncSettings(batchMaxChanges, interval, logKeep, snapshotChunkBytes, leaseTerm);
    }

    public SyncSettings withLeaseTerm(Duration term) {
        return new SyncSettings(batchMaxChanges, sweepInterval, logKeep, snapshotChunkBytes, term);
    }
}
