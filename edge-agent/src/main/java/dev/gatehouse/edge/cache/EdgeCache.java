package dev.gatehouse.edge.cache;

import dev.gatehouse.protocol.message.Envelope;
import dev.gatehouse.protocol.model.Booking;
import dev.gatehouse.protocol.model.BookingId;
import dev.gatehouse.protocol.model.DoorId;
import dev.gatehouse.protocol.model.GrantId;
import dev.gatehouse.protocol.model.PassId;
import dev.gatehouse.protocol.policy.DoorMode;
import dev.gatehouse.protocol.policy.Entitlements;
import dev.gatehouse.protocol.sign.KeySet;
import java.time.Instant;
import java.time.LocalDate;
import java.util.List;
import java.util.Optional;
import java.util.function.Function;

/**
 * What the agent needs from its entitlement cache: one site's entities, its applied sync
 * {@code seq}, the hub-time high-water mark, the trusted keys, single-use pass consumption, door
 * modes and executed command ids, and the event {@link Outbox}, kept so that an entity change and
 * its seq, or an event and a pass use, commit together. The lookups of {@link Entitlements} each
 * read the last committed state; {@link #reading} gives one consistent view for a decision.
 * {@link SqliteEntitlementCache} is the implementation. All methods are safe to call from any
 * thread; the failures are {@link CacheException}s.
 */
public interface EdgeCache extends Entitlements, AutoCloseable {

    /** The last change-log seq applied (0 when new). */
    long seq();

    /** Every booking that meets [from, until), whoever made it: what the rooms' A/V runs on. */
    java.util.List<dev.gatehouse.protocol.model.Booking> bookingsBetween(
            java.time.Instant from, java.time.Instant until);

    /** The rooms' A/V controllers the hub pushed ({@code room} entities), in id order. */
    java.util.List<dev.gatehouse.protocol.model.Room> rooms();

    /** The highest hub time seen in a batch that advanced the seq, or in an installed snapshot; never moves backwards. */
    Optional<Instant> hubTimeHighWater();

    /**
     * Applies a sync batch whose signature the caller has verified ({@code SignedMessages} /
     * {@code Inbound}), by the protocol's rules, in one transaction with the new seq: a batch the
     * cache already has is a {@link ApplyResult.Repeat}, one that starts after {@code seq + 1} a
     * {@link ApplyResult.Gap}; both change nothing. Otherwise the changes after the cache's seq are
     * applied, the seq becomes {@code toSeq} and the hub-time high-water mark moves up to the
     * envelope's time: {@link ApplyResult.Applied}.
     *
     * @throws CacheException {@code WRONG_MESSAGE} if the envelope is not a sync batch for this
     *     cache's tenant and site; {@code DUPLICATE_CARD_HASH} if a change would enroll one card
     *     twice (the whole batch is rolled back: nothing changed)
     */
    ApplyResult apply(Envelope verifiedBatch);

    /**
     * Collects a snapshot chunk whose signature the caller has verified. Chunks are kept across a
     * restart; when the last one of a snapshot arrives, the whole cache is replaced by the
     * snapshot's entities and the seq set to the snapshot's, at once for every reader. Rules: a
     * snapshot whose seq is below the cache's is ignored; a different snapshot with a seq at least
     * that of the one being collected replaces it (a lower one is ignored); chunks of one snapshot id
     * that disagree on {@code seq} or {@code count} discard the snapshot; a chunk received twice is
     * harmless.
     *
     * @throws CacheException {@code WRONG_MESSAGE} if the envelope is not a snapshot chunk for this
     *     cache's tenant and site; {@code DUPLICATE_CARD_HASH} if the completed snapshot enrolls one
     *     card twice (the cache is unchanged and the collected chunks are discarded)
     */
    SnapshotResult offer(Envelope verifiedSnapshotChunk);

    /** The keys this edge trusts: its {@code signing-key} entities (empty before provisioning). */
    KeySet trustedKeys();

    /**
     * Stores the keys the edge was provisioned with as {@code signing-key} entities, only if the
     * cache holds none: once sync has delivered keys, they alone are trusted.
     *
     * @return whether the keys were stored
     */
    boolean seedKeys(KeySet provisioned);

    /**
     * Runs {@code work} against one consistent state of the cache (one read transaction), so that a
     * decision's several lookups cannot straddle a sync batch. The view must not be used after
     * {@code work} returns. Does not wait for writers.
     */
    <T> T reading(Function<Entitlements, T> work);

    /**
     * Runs {@code work} in one write transaction: everything it does through the {@link Transaction}
     * commits together, or nothing does if it throws. The decision path records a single-use pass's
     * use and appends the access event this way:
     *
     * <pre>{@code
     * boolean granted = cache.inTransaction(tx -> {
     *     if (decision.consumesPass() && !tx.recordPassUse(pass, eventId)) {
     *         tx.append(deniedEvent);   // lost the race: VISITOR_PASS_USED
     *         return false;
     *     }
     *     tx.append(grantedEvent);
     *     return true;
     * });
     * }</pre>
     *
     * Keep the work short: it holds the single writer. The transaction must not be used after
     * {@code work} returns.
     */
    <T> T inTransaction(Function<Transaction, T> work);

    /** The writes that can share one transaction; see {@link #inTransaction}. */
    interface Transaction {
        /**
         * Records that single-use pass {@code pass} opened a door for event {@code eventId}, with one
         * conditional insert: true for the first use only, false if any door of the site (any thread
         * or process) recorded it before.
         */
        boolean recordPassUse(PassId pass, String eventId);

        /**
         * Records that entry-limited grant {@code grant} spent site-local {@code day} for event
         * {@code eventId}: true for the first record of that day only (any door, thread or process).
         */
        boolean recordPassDay(GrantId grant, LocalDate day, String eventId);

        /** Appends an event to the outbox, in this transaction. */
        void append(Envelope event);

        /**
         * Records that a tap checked {@code booking} in at {@code at}, for event {@code eventId}: true for
         * the first check-in only (any door, thread or process). A check-in counts even after this edge
         * released the booking, if the tap was in time and lost the race.
         */
        boolean recordCheckIn(BookingId booking, Instant at, String eventId);

        /**
         * Records that this edge released {@code booking} at {@code at}, for event {@code eventId}: true
         * only if it neither checked it in nor released it before, so the release is reported once.
         */
        boolean recordRelease(BookingId booking, Instant at, String eventId);

        /**
         * The Wi-Fi voucher handed out for sign-in {@code eventId} from the slice of edge {@code device}:
         * the same voucher on every call for the same sign-in, else the first of the slice not handed
         * out yet and not expired at {@code now} (never one handed out before, by any thread or process);
         * empty when the slice is used up. Take it in the transaction that appends the sign-in event
         * naming it.
         */
        Optional<dev.gatehouse.protocol.model.WifiVoucher> takeVoucher(String device, String eventId, Instant now);

        /**
         * Records that the visitor of pass {@code pass} signed {@code version} of agreement {@code
         * agreement} at sign-in {@code eventId}, so the kiosk does not ask them again for that version
         * ({@link EdgeCache#passSigned}); a repeat changes nothing. Record it in the transaction that
         * appends the sign-in event carrying the signature.
         */
        void recordPassSigned(PassId pass, String agreement, int version, String eventId);
    }

    /** Whether the visitor of pass {@code pass} signed {@code version} of agreement {@code agreement} at this edge. */
    boolean passSigned(PassId pass, String agreement, int version);

    /** The visitor agreement in force at the site, as the hub last sent it; empty when none is published. */
    Optional<dev.gatehouse.protocol.model.Agreement> agreement();

    /** {@link Transaction#takeVoucher} in its own transaction. */
    Optional<dev.gatehouse.protocol.model.WifiVoucher> takeVoucher(String device, String eventId, Instant now);

    /** The vouchers of edge {@code device}'s slice not handed out yet and not expired at {@code now}. */
    long vouchersLeft(String device, Instant now);

    /**
     * The bookings that need a check-in, have none, and whose release time has passed by {@code now},
     * which this edge has not released yet (see {@link Transaction#recordRelease}); by start.
     */
    List<Booking> releasesDue(Instant now);

    /** The outbox of events waiting for the hub's acknowledgement. */
    Outbox outbox();

    /** The kiosk tablets paired at this edge, and the members a kiosk offers walk-ins as hosts. */
    Kiosks kiosks();

    /**
     * Remembers that command {@code id} is being executed, until {@code keepUntil}; forgets ids whose
     * time has passed by {@code now}. Returns false, and changes nothing, when the id is already
     * remembered: a replay.
     */
    boolean rememberCommand(String id, Instant keepUntil, Instant now);

    /**
     * Persists the mode a command put {@code door} in: a lockdown or an emergency release is kept until
     * a release ({@link DoorMode#NORMAL} removes it), so a restarted agent starts the door in it.
     */
    void setDoorMode(DoorId door, DoorMode mode);

    /** The persisted mode of {@code door}: {@link DoorMode#NORMAL} unless a command left it in another. */
    DoorMode doorMode(DoorId door);

    /** The number of credentials in the cache (a count, not a point read). */
    long credentialCount();

    /** The bytes the cache occupies on disk. */
    long sizeOnDiskBytes();

    /** Closes the cache. Idempotent. */
    @Override
    void close();
}
