package dev.gatehouse.edge.cache;

/** What {@link SqliteEntitlementCache#apply} did with a verified sync batch. */
public sealed interface ApplyResult permits ApplyResult.Applied, ApplyResult.Repeat, ApplyResult.Gap {

    /**
     * The changes {@code fromSeq..toSeq} were applied now, in one transaction with the new seq
     * {@code toSeq}. {@code fromSeq} is the first change this cache had not seen, which is after the
     * batch's own {@code fromSeq} when the batch overlapped what the cache already had.
     */
    record Applied(long fromSeq, long toSeq) implements ApplyResult {}

    /** The cache already had every change of the batch (a redelivery); nothing changed. The cache is at {@code seq}. */
    record Repeat(long seq) implements ApplyResult {}

    /**
     * The batch starts after the cache's next seq: nothing was applied. The caller publishes
     * {@code sync.request{haveSeq}} and waits for the missing changes or a snapshot.
     */
    record Gap(long haveSeq) implements ApplyResult {}
}
