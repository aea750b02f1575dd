package dev.gatehouse.edge.cache;

import dev.gatehouse.protocol.message.Envelope;
import dev.gatehouse.protocol.message.SnapshotChunk;
import dev.gatehouse.protocol.message.SyncBatch;
import dev.gatehouse.protocol.model.Booking;
import dev.gatehouse.protocol.model.BookingId;
import dev.gatehouse.protocol.model.Credential;
import dev.gatehouse.protocol.model.CredentialId;
import dev.gatehouse.protocol.model.Door;
import dev.gatehouse.protocol.model.DoorGroup;
import dev.gatehouse.protocol.model.DoorGroupId;
import dev.gatehouse.protocol.model.DoorId;
import dev.gatehouse.protocol.model.Entity;
import dev.gatehouse.protocol.model.EntityKind;
import dev.gatehouse.protocol.model.Grant;
import dev.gatehouse.protocol.model.GrantId;
import dev.gatehouse.protocol.model.Member;
import dev.gatehouse.protocol.model.MemberId;
import dev.gatehouse.protocol.model.PassId;
import dev.gatehouse.protocol.model.Schedule;
import dev.gatehouse.protocol.model.ScheduleId;
import dev.gatehouse.protocol.model.Site;
import dev.gatehouse.protocol.model.VisitorPass;
import dev.gatehouse.protocol.policy.DoorMode;
import dev.gatehouse.protocol.policy.Entitlements;
import dev.gatehouse.protocol.sign.KeySet;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.time.LocalDate;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * The edge's entitlement cache in one SQLite file in WAL mode: one site's entities, its applied
 * sync {@code seq}, the hub-time high-water mark, single-use pass consumption, door modes, executed
 * command ids and the event {@link Outbox}, so that an entity change and its seq, or an event and a
 * pass use, commit together. This class opens the file and puts its rooms together:
 *
 * <ul>
 *   <li>{@link Schema}: the tables and their migrations, numbered by {@code PRAGMA user_version};
 *   <li>{@link SqliteConnections}: the one writer under a fair lock, the pool of readers, transactions;
 *   <li>{@link SqliteEntityRows}: protocol entities as rows; {@link CacheView}: the rows read as
 *       {@link Entitlements}, with the site's configuration decoded in memory ({@link CommittedState});
 *   <li>{@link BatchApplier}: sync batches; {@link SnapshotInstaller}: snapshot chunks staged, then
 *       installed beside the live tables on an {@link InstallConnection};
 *   <li>{@link MetaStore}, {@link SigningKeys}, {@link DoorModes}, {@link CommandIds},
 *       {@link PassUses} and the {@link Outbox}: the small stores.
 * </ul>
 *
 * <h2>Durability</h2>
 *
 * {@link Durability#NORMAL} ({@code PRAGMA synchronous = NORMAL}) is the default: in WAL mode a
 * commit then writes the WAL but does not wait for an fsync (the WAL is synced at checkpoints).
 * A crash of the agent's process (even SIGKILL) loses nothing, because committed pages are in the
 * operating system's cache. A power cut or kernel crash can lose the last transactions committed
 * before it (recent access events, a pass use, the last sync batch), but the database stays
 * consistent: each transaction is there entirely or not at all, and the seq always matches the
 * entities. Lost sync batches are fetched again (the seq went back with them); a lost pass use
 * could let a single-use visitor pass open a door once more after the power returns.
 * {@link Durability#FULL} fsyncs the WAL on every commit, which puts a synchronous disk write on
 * the decision path, and an SD card's fsync is slow ({@code CacheDurabilityBenchmark}; the module
 * README has the figures). Door decisions must not wait for that, so the agent uses NORMAL.
 *
 * <h2>Threading</h2>
 *
 * All methods are safe to call from any thread. Writes are serialised on one writer connection
 * under a fair lock; lookups never take it (see {@link SqliteConnections}), so a door's decision never
 * waits for sync, and writes are kept short (see {@link SnapshotInstaller}). One instance per file
 * per process; several processes (or instances) may share a file, SQLite's locks keep them
 * consistent (an install started by another instance takes over one in progress).
 */
public final class SqliteEntitlementCache implements EdgeCache {

    /** How a commit reaches the disk; see the class comment. */
    public enum Durability {
        /** {@code PRAGMA synchronous = NORMAL}: no fsync per commit; the last commits can be lost on a power cut. */
        NORMAL,
        /** {@code PRAGMA synchronous = FULL}: an fsync of the WAL per commit; nothing committed is lost. */
        FULL
    }

    private final String tenant;
    private final String site;
    private final SqliteConnections connections;
    private final MetaStore metaStore;
    private final SqliteEntityRows entities;
    private final CommittedState state;
    private final CacheView pooled;
    private final BatchApplier batches;
    private final SnapshotInstaller installer;
    private final SigningKeys keys;
    private final DoorModes doorModes;
    private final Kiosks kiosks;
    private final CommandIds commandIds;
    private final Outbox outbox;

    private SqliteEntitlementCache(Path file, String tenant, String site, SqliteSession writer) {
        this.tenant = tenant;
        this.site = site;
        this.metaStore = new MetaStore(file);
        this.entities = new SqliteEntityRows(file);
        this.state = new CommittedState(metaStore, entities);
        this.connections = new SqliteConnections(file, writer, state);
        this.pooled = new CacheView(connections, state, entities);
        this.batches = new BatchApplier(connections, metaStore, entities);
        this.installer = new SnapshotInstaller(connections, metaStore);
        this.keys = new SigningKeys(connections, entities);
        this.doorModes = new DoorModes(connections);
        this.kiosks = new Kiosks(connections);
        this.commandIds = new CommandIds(connections);
        this.outbox = new Outbox(connections);
    }

    /** Opens (creating if needed) the cache of {@code tenant}'s {@code site} with {@link Durability#NORMAL}. */
    public static SqliteEntitlementCache open(Path file, String tenant, String site) {
        return open(file, tenant, site, Durability.NORMAL);
    }

    /**
     * Opens (creating if needed) the cache file of {@code tenant}'s {@code site}: switches it to WAL,
     * applies the schema migrations it lacks, and binds a new file to this tenant and site.
     *
     * @throws CacheException {@code CANNOT_OPEN} (no such directory, no permission), {@code CORRUPT}
     *     (not a SQLite database, or damaged), {@code SCHEMA_TOO_NEW}, {@code WRONG_SITE} (the file
     *     belongs to another tenant or site), {@code INVALID_ARGUMENT}
     */
    public static SqliteEntitlementCache open(Path file, String tenant, String site, Durability durability) {
        Objects.requireNonNull(file, "file");
        Objects.requireNonNull(durability, "durability");
        CacheArguments.requireId(tenant, "tenant");
        CacheArguments.requireId(site, "site");
        Path parent = file.toAbsolutePath().getParent();
        if (parent != null && !Files.isDirectory(parent)) {
            throw new CacheException(
                    CacheError.CANNOT_OPEN,
                    "cannot open the entitlement cache " + file + ": the directory " + parent
                            + " does not exist; create it or correct the data directory in the agent's config");
        }
        SqliteSession writer = null;
        try {
            writer = SqliteSession.connect(file);
            // Versions first: a file that is not ours, or is newer, is refused before anything changes.
            Schema.migrate(writer.connection, Schema.MIGRATIONS, file);
            String mode = writer.queryString("PRAGMA journal_mode = WAL");
            if (!"wal".equalsIgnoreCase(mode)) {
                throw new CacheException(
                        CacheError.STORAGE,
                        "the entitlement cache " + file + " could not switch to WAL mode (it stays in '" + mode
                                + "'); keep the data directory on a local file system");
            }
            writer.execute("PRAGMA synchronous = " + durability.name());
            SqliteEntitlementCache cache = new SqliteEntitlementCache(file, tenant, site, writer);
            cache.bindSite();
            cache.state.loadCommitted(cache.connections);
            cache.installer.deleteRetired(); // what an install retired before a crash or a close
            return cache;
        } catch (SQLException e) {
            SqliteSession.closeQuietly(writer);
            throw SqliteConnections.translate(e, "open the entitlement cache", file);
        } catch (RuntimeException e) {
            SqliteSession.closeQuietly(writer);
            throw e;
        }
    }

    private void bindSite() {
        connections.write("bind the cache to its tenant and site", session -> {
            metaStore.bind(session, tenant, site);
            return null;
        });
    }

    /** The tenant this cache belongs to. */
    public String tenantId() {
        return tenant;
    }

    /** The site this cache belongs to (its {@link #site()} entity arrives by sync). */
    public String siteId() {
        return site;
    }

    /** The file holding the cache. */
    public Path file() {
        return connections.file();
    }

    @Override
    public long seq() {
        connections.requireOpen();
        return state.meta().seq();
    }

    @Override
    public Optional<Instant> hubTimeHighWater() {
        connections.requireOpen();
        return state.meta().hubTime();
    }

    @Override
    public ApplyResult apply(Envelope verifiedBatch) {
        Objects.requireNonNull(verifiedBatch, "verifiedBatch");
        if (!(verifiedBatch.payload() instanceof SyncBatch batch)) {
            throw wrongMessage("a sync batch", verifiedBatch);
        }
        requireAudience("sync batch", batch.tenant(), batch.site());
        return batches.apply(batch, verifiedBatch.time());
    }

    /** {@inheritDoc} The chunks are staged in the cache file; see {@link SnapshotInstaller} for the install. */
    @Override
    public SnapshotResult offer(Envelope verifiedSnapshotChunk) {
        Objects.requireNonNull(verifiedSnapshotChunk, "verifiedSnapshotChunk");
        if (!(verifiedSnapshotChunk.payload() instanceof SnapshotChunk chunk)) {
            throw wrongMessage("a snapshot chunk", verifiedSnapshotChunk);
        }
        requireAudience("snapshot chunk", chunk.tenant(), chunk.site());
        return installer.offer(chunk, verifiedSnapshotChunk.time());
    }

    /** For tests that interleave with an install; see {@link SnapshotInstaller#onInstallStep}. */
    void onInstallStep(Consumer<String> listener) {
        installer.onInstallStep(listener);
    }

    @Override
    public KeySet trustedKeys() {
        return keys.trusted();
    }

    @Override
    public boolean seedKeys(KeySet provisioned) {
        return keys.seed(provisioned);
    }

    /**
     * Records that single-use pass {@code pass} opened a door for event {@code eventId}, in its own
     * transaction; see {@link Transaction#recordPassUse}, which commits it with the event.
     */
    public boolean recordPassUse(PassId pass, String eventId) {
        return inTransaction(tx -> tx.recordPassUse(pass, eventId));
    }

    @Override
    public Optional<dev.gatehouse.protocol.model.Agreement> agreement() {
        return connections.read("read the visitor agreement", KioskSupplies::agreement);
    }

    @Override
    public Optional<dev.gatehouse.protocol.model.WifiVoucher> takeVoucher(String device, String eventId, Instant now) {
        return inTransaction(tx -> tx.takeVoucher(device, eventId, now));
    }

    @Override
    public boolean passSigned(PassId pass, String agreement, int version) {
        Objects.requireNonNull(pass, "pass");
        CacheArguments.requireId(agreement, "agreement id");
        return connections.read(
                "read the agreements signed by pass " + pass,
                session -> KioskSupplies.signed(session, pass.value(), agreement, version));
    }

    @Override
    public long vouchersLeft(String device, Instant now) {
        CacheArguments.requireId(device, "device id");
        Objects.requireNonNull(now, "now");
        return connections.read("count the wifi vouchers left", session -> KioskSupplies.left(session, device, now));
    }

    @Override
    public <T> T inTransaction(Function<Transaction, T> work) {
        return WriteTransaction.run(connections, work);
    }

    @Override
    public boolean rememberCommand(String id, Instant keepUntil, Instant now) {
        return commandIds.remember(id, keepUntil, now);
    }

    @Override
    public void setDoorMode(DoorId door, DoorMode mode) {
        doorModes.set(door, mode);
    }

    @Override
    public DoorMode doorMode(DoorId door) {
        return doorModes.get(door);
    }

    @Override
    public Outbox outbox() {
        return outbox;
    }

    /** The connections, for tests in this package (a full disk made with {@code PRAGMA max_page_count}). */
    SqliteConnections connections() {
        return connections;
    }

    @Override
    public Kiosks kiosks() {
        return kiosks;
    }

    /**
     * Upserts many entities in one transaction, leaving the seq alone: for provisioning tests and
     * benchmarks (the hub's way in is a snapshot; {@code CacheLoadBenchmark} times it).
     *
     * @return the number of entities written
     * @throws CacheException {@code DUPLICATE_CARD_HASH} (nothing written)
     */
    public long bulkLoad(Iterable<? extends Entity> entities) {
        Objects.requireNonNull(entities, "entities");
        return connections.write("bulk-load entities", session -> this.entities.bulkLoad(session, entities));
    }

    /** {@inheritDoc} A count over the credential rows. */
    @Override
    public long credentialCount() {
        return connections.read("count the credentials", session -> {
            PreparedStatement count = session.prepare("SELECT count(*) FROM entity WHERE kind = ?");
            count.setString(1, SqliteEntityRows.kindName(EntityKind.CREDENTIAL));
            try (ResultSet rows = count.executeQuery()) {
                return rows.next() ? rows.getLong(1) : 0L;
            }
        });
    }

    /** {@inheritDoc} The database file and its write-ahead log. */
    @Override
    public long sizeOnDiskBytes() {
        return connections.sizeOnDiskBytes();
    }

    /** {@code PRAGMA integrity_check}: {@code ["ok"]} for a sound file, else SQLite's list of problems. */
    public List<String> integrityCheck() {
        return connections.integrityCheck();
    }

    /**
     * {@inheritDoc} The site, doors, door groups and schedules come from memory when the copy there
     * is of the view's state, everything else from SQLite (see {@link CacheView}).
     */
    @Override
    public <T> T reading(Function<Entitlements, T> work) {
        Objects.requireNonNull(work, "work");
        return pooled.reading(work);
    }

    @Override
    public Optional<Site> site() {
        return pooled.site();
    }

    @Override
    public Optional<Door> door(DoorId id) {
        return pooled.door(id);
    }

    @Override
    public Optional<Credential> credentialByCardHash(String cardHash) {
        return pooled.credentialByCardHash(cardHash);
    }

    @Override
    public Optional<Credential> credential(CredentialId id) {
        return pooled.credential(id);
    }

    @Override
    public Optional<Member> member(MemberId id) {
        return pooled.member(id);
    }

    @Override
    public List<Grant> grantsOf(MemberId member) {
        return pooled.grantsOf(member);
    }

    @Override
    public Optional<DoorGroup> doorGroup(DoorGroupId id) {
        return pooled.doorGroup(id);
    }

    @Override
    public Optional<Schedule> schedule(ScheduleId id) {
        return pooled.schedule(id);
    }

    @Override
    public List<Booking> bookingsOf(MemberId member) {
        return pooled.bookingsOf(member);
    }

    @Override
    public List<Booking> bookingsBetween(Instant from, Instant until) {
        return pooled.bookingsBetween(from, until);
    }

    @Override
    public List<dev.gatehouse.protocol.model.Room> rooms() {
        return pooled.rooms();
    }

    @Override
    public Optional<Instant> checkedIn(BookingId booking) {
        return pooled.checkedIn(booking);
    }

    @Override
    public List<Booking> releasesDue(Instant now) {
        Objects.requireNonNull(now, "now");
        return connections.read(
                "find the bookings due for release", session -> BookingStates.due(session, entities, now));
    }

    @Override
    public Optional<VisitorPass> visitorPass(PassId id) {
        return pooled.visitorPass(id);
    }

    @Override
    public Optional<VisitorPass> visitorPassByPinHash(String pinHash) {
        return pooled.visitorPassByPinHash(pinHash);
    }

    @Override
    public boolean visitorPassUsed(PassId id) {
        return pooled.visitorPassUsed(id);
    }

    @Override
    public Set<LocalDate> passDaysSpent(GrantId grant) {
        return pooled.passDaysSpent(grant);
    }

    /** Closes every connection; the last one checkpoints the WAL into the database file. Idempotent. */
    @Override
    public void close() {
        connections.close();
    }

    private void requireAudience(String what, String messageTenant, String messageSite) {
        if (!tenant.equals(messageTenant) || !site.equals(messageSite)) {
            throw new CacheException(
                    CacheError.WRONG_MESSAGE,
                    "a " + what + " for " + messageTenant + "/" + messageSite + " was handed to the cache of " + tenant
                            + "/" + site + "; verify messages for this site before applying them");
        }
    }

    private static CacheException wrongMessage(String expected, Envelope envelope) {
        return new CacheException(
                CacheError.WRONG_MESSAGE,
                "expected " + expected + " but got " + envelope.type().wireName() + " (" + envelope.id() + ")");
    }
}
