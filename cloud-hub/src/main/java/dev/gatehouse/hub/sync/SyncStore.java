package dev.gatehouse.hub.sync;

import com.nimbusds.jose.jwk.ECKey;
import dev.gatehouse.hub.agreements.AgreementStore;
import dev.gatehouse.hub.bookings.BookingEntities;
import dev.gatehouse.hub.bookings.RoomControllers;
import dev.gatehouse.hub.changes.ChangeLog;
import dev.gatehouse.hub.changes.LoggedChange;
import dev.gatehouse.hub.credentials.VisitorPassForms;
import dev.gatehouse.hub.plans.PassDays;
import dev.gatehouse.hub.projection.SiteProjection;
import dev.gatehouse.hub.sites.SiteStore;
import dev.gatehouse.hub.store.Database;
import dev.gatehouse.hub.store.Sql;
import dev.gatehouse.hub.tenants.TenantStore;
import dev.gatehouse.hub.wifi.WifiVoucherStore;
import dev.gatehouse.protocol.message.Change;
import dev.gatehouse.protocol.message.DeviceState;
import dev.gatehouse.protocol.message.KioskEvent;
import dev.gatehouse.protocol.model.Entity;
import dev.gatehouse.protocol.model.EntityKind;
import dev.gatehouse.protocol.model.WifiVoucher;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * What sync reads from the store: sites' heads and floors, log ranges with the signing key, snapshots;
 * and the seq up to which the broker accepted each site's batches ({@code sync_published}).
 */
public record SyncStore(Database database, Clock clock) {
    public SyncStore(Database database) {
        this(database, Clock.systemUTC());
    }

    /** A site's log: its last seq ({@code head}) and the last compacted-away seq ({@code floor}). */
    public record SiteHead(String tenantId, String tenantSlug, String siteId, long head, long floor) {}

    /** Entries of one site's log with what signing them needs. */
    public record Range(SiteHead site, List<LoggedChange> changes, ECKey key) {}

    /** A site's whole state as of {@code seq}, with what signing it needs. */
    public record Snapshot(SiteHead site, long seq, List<Entity> entities, ECKey key) {}

    private static final String HEAD_COLUMNS =
            "SELECT s.tenant_id, t.slug, s.id, s.change_seq, s.compacted_seq FROM sites s JOIN tenants t ON t.id = s.tenant_id";

    public List<SiteHead> heads() {
        return database.read(c -> Sql.list(c, HEAD_COLUMNS + " ORDER BY s.id", SyncStore::head));
    }

    /** The tenant's active signing key. */
    /**
     * What the hub reads from this device beyond the first version, for its {@code hub.time}: the
     * features the device reported that the hub reads ({@link DeviceState#ROOMS_FEATURE}, {@link KioskEvent#FEATURE}, {@link KioskEvent#SIGNATURES_FEATURE}); none for a
     * device that has not reported them, since an older edge refuses a {@code hub.time} with them.
     */
    public List<String> readsFrom(String tenantId, String deviceId) {
        String features = database.read(c -> Sql.one(
                        c,
                        "SELECT COALESCE(features, '') FROM devices WHERE tenant_id = ? AND id = ?",
                        Sql.STRING,
                        tenantId,
                        deviceId))
                .orElse("");
        List<String> reported = java.util.Arrays.asList(features.split(","));
        return java.util.stream.Stream.of(DeviceState.ROOMS_FEATURE, KioskEvent.FEATURE, KioskEvent.SIGNATURES_FEATURE)
                .filter(reported::contains)
                .toList();
    }

    public ECKey signingKey(String tenantId) {
        return database.read(c -> TenantStore.activeSigningKey(c, database.masterKey(), tenantId));
    }

    public Optional<SiteHead> head(String tenantId, String siteId) {
        return database.read(c -> head(c, tenantId, siteId));
    }

    static Optional<SiteHead> head(Connection c, String tenantId, String siteId) throws SQLException {
        return Sql.one(c, HEAD_COLUMNS + " WHERE s.id = ? AND s.tenant_id = ?", SyncStore::head, siteId, tenantId);
    }

    private static SiteHead head(ResultSet rows) throws SQLException {
        return new SiteHead(rows.getString(1), rows.getString(2), rows.getString(3), rows.getLong(4), rows.getLong(5));
    }

    private static Accepted accepted(ResultSet rows) throws SQLException {
        return new Accepted(rows.getString(1), rows.getString(2), rows.getLong(3));
    }

    /**
     * Up to {@code limit} entries after {@code afterSeq} (and after the floor), the site's head and
     * the tenant's active signing key, read together. Empty when the tenant has no such site.
     */
    public Optional<Range> range(String tenantId, String siteId, long afterSeq, int limit) {
        return database.readConsistent(c -> {
            Optional<SiteHead> head = head(c, tenantId, siteId);
            if (head.isEmpty()) {
                return Optional.empty();
            }
            List<LoggedChange> changes = ChangeLog.read(
                    c,
                    tenantId,
                    siteId,
                    Math.max(afterSeq, head.get().floor()),
                    head.get().head(),
                    limit);
            if (BookingEntities.anyExtended(
                            changes.stream().map(LoggedChange::change).toList())
                    && !BookingEntities.siteReadsV2(c, tenantId, siteId)) {
                // An edge of the site cannot read bookings-v2: it gets the bookings' first form.
                changes = changes.stream()
                        .map(change -> new LoggedChange(
                                change.siteId(), change.seq(), BookingEntities.forSite(change.change()), change.at()))
                        .toList();
            }
            if (changes.stream().anyMatch(change -> RoomControllers.isRoom(change.change()))
                    && !RoomControllers.siteReads(c, tenantId, siteId)) {
                // An edge of the site cannot read rooms: each room change (one per seq) becomes the
                // site's own entity again, which changes nothing; the rooms follow once it can.
                Change site = new Change.Upsert(
                        SiteStore.siteEntity(c, tenantId, siteId).orElseThrow());
                changes = changes.stream()
                        .map(change -> RoomControllers.isRoom(change.change())
                                ? new LoggedChange(change.siteId(), change.seq(), site, change.at())
                                : change)
                        .toList();
            }
            if (changes.stream().anyMatch(change -> PassDays.isEntryLimited(change.change()))
                    && !PassDays.siteReads(c, tenantId, siteId)) {
                // An edge of the site cannot read a grant's entries: the pass holder's grant is removed
                // there (fail closed); the grants follow once it can.
                changes = changes.stream()
                        .map(change -> new LoggedChange(
                                change.siteId(), change.seq(), PassDays.forOldEdges(change.change()), change.at()))
                        .toList();
            }
            if (changes.stream().anyMatch(change -> VisitorPassForms.isExtended(change.change()))) {
                // An edge of the site may not read a used pass or a PIN hash: used becomes revoked,
                // the PIN hash is left out (VisitorPassForms).
                VisitorPassForms.Reads reads = VisitorPassForms.reads(c, tenantId, siteId);
                changes = changes.stream()
                        .map(change -> new LoggedChange(
                                change.siteId(),
                                change.seq(),
                                VisitorPassForms.forSite(change.change(), reads),
                                change.at()))
                        .toList();
            }
            if (changes.stream().anyMatch(change -> isKioskSupply(change.change()))) {
                changes = kioskSupplies(c, tenantId, siteId, changes);
            }
            ECKey key = changes.isEmpty() ? null : signingKey(c, tenantId);
            return Optional.of(new Range(head.get(), changes, key));
        });
    }

    /**
     * The tenant's active signing key, opened once per sealed form: a change reaching every site of a
     * tenant reads the key once per site, and opening it (AES-GCM under the master key, then parsing
     * the JWK) cost as much as signing the batch. The sealed row is still read each time, so a rotated
     * or retired key, or one sealed again under a new master key, is opened afresh.
     */
    private ECKey signingKey(Connection c, String tenantId) throws SQLException {
        TenantStore.SealedSigningKey sealed = TenantStore.activeSealedKey(c, tenantId);
        ECKey opened = OPENED_KEYS.get(sealed);
        if (opened == null) {
            opened = sealed.open(database.masterKey());
            if (OPENED_KEYS.size() >= MAX_OPENED_KEYS) {
                OPENED_KEYS.clear(); // many tenants (or rotations): start over rather than grow without bound
            }
            OPENED_KEYS.put(sealed, opened);
        }
        return opened;
    }

    private static final int MAX_OPENED_KEYS = 10_000;

    /**
     * Signing keys opened, by their sealed form as stored (key id, master key id, nonce, ciphertext):
     * it answers only for those exact bytes, which opened once under the store's master key.
     */
    private static final Map<TenantStore.SealedSigningKey, ECKey> OPENED_KEYS =
            new java.util.concurrent.ConcurrentHashMap<>();

    private static boolean isKioskSupply(Change change) {
        return change.kind() == EntityKind.AGREEMENT || change.kind() == EntityKind.WIFI_VOUCHER;
    }

    /**
     * Agreements and vouchers as the site reads them: each a no-op (the site's own entity again) while
     * an edge of the site cannot read them, else each voucher with its code opened (the log holds
     * none, see {@link WifiVoucherStore}).
     */
    private List<LoggedChange> kioskSupplies(Connection c, String tenantId, String siteId, List<LoggedChange> changes)
            throws SQLException {
        boolean reads = AgreementStore.siteReads(c, tenantId, siteId);
        Change site = reads
                ? null
                : new Change.Upsert(SiteStore.siteEntity(c, tenantId, siteId).orElseThrow());
        List<LoggedChange> out = new java.util.ArrayList<>(changes.size());
        for (LoggedChange change : changes) {
            Change sent = change.change();
            if (isKioskSupply(sent)) {
                if (!reads) {
                    sent = site;
                } else if (sent instanceof Change.Upsert(WifiVoucher voucher)) {
                    sent = new Change.Upsert(WifiVoucherStore.withCode(c, database.masterKey(), tenantId, voucher));
                }
            }
            out.add(new LoggedChange(change.siteId(), change.seq(), sent, change.at()));
        }
        return out;
    }

    /** A site's seq up to which the broker accepted every batch for every active device. */
    public record Accepted(String tenantId, String siteId, long seq) {}

    /** Every site's recorded accepted seq, by site id (sites never recorded are absent). */
    public Map<String, Long> acceptedSeqs() {
        return database.read(c -> {
            Map<String, Long> seqs = new HashMap<>();
            for (Accepted site :
                    Sql.list(c, "SELECT tenant_id, site_id, seq FROM sync_published", SyncStore::accepted)) {
                seqs.put(site.siteId(), site.seq());
            }
            return seqs;
        });
    }

    /** The site's recorded accepted seq; empty when none was ever recorded. */
    public Optional<Long> acceptedSeq(String tenantId, String siteId) {
        return database.read(c -> Sql.one(
                c, "SELECT seq FROM sync_published WHERE site_id = ? AND tenant_id = ?", Sql.LONG, siteId, tenantId));
    }

    /**
     * Records sites' accepted seqs in one transaction; a seq never goes back (another replica may
     * have recorded a later one).
     */
    public void recordAccepted(Collection<Accepted> accepted, long atMillis) {
        if (accepted.isEmpty()) {
            return;
        }
        // In site order: two replicas writing overlapping sites lock rows in the same order.
        List<List<Object>> rows = accepted.stream()
                .sorted(Comparator.comparing(Accepted::siteId))
                .<List<Object>>map(site -> List.of(site.siteId(), site.tenantId(), site.seq(), atMillis))
                .toList();
        database.run(c -> Sql.batch(
                c,
                "INSERT INTO sync_published (site_id, tenant_id, seq, updated_at) VALUES (?, ?, ?, ?)"
                        + " ON CONFLICT (site_id) DO UPDATE SET seq = excluded.seq, updated_at = excluded.updated_at"
                        + " WHERE sync_published.seq < excluded.seq",
                rows));
    }

    /** The site's projection and the head it corresponds to, read in one consistent transaction. */
    public Optional<Snapshot> snapshot(String tenantId, String siteId) {
        return database.readConsistent(c -> {
            Optional<SiteHead> head = head(c, tenantId, siteId);
            if (head.isEmpty()) {
                return Optional.empty();
            }
            Optional<List<Entity>> entities = SiteProjection.of(c, tenantId, siteId);
            if (entities.isEmpty()) {
                return Optional.empty();
            }
            List<Entity> all = new java.util.ArrayList<>(entities.get());
            all.addAll(BookingEntities.live(c, tenantId, siteId, clock.instant()));
            all.addAll(RoomControllers.live(c, tenantId, siteId));
            if (AgreementStore.siteReads(c, tenantId, siteId)) {
                all.addAll(AgreementStore.live(c, tenantId, siteId));
                for (WifiVoucher voucher : WifiVoucherStore.live(c, tenantId, siteId)) {
                    all.add(WifiVoucherStore.withCode(c, database.masterKey(), tenantId, voucher));
                }
            }
            return Optional.of(new Snapshot(
                    head.get(),
                    head.get().head(),
                    VisitorPassForms.forSite(
                            PassDays.forSite(
                                    RoomControllers.forSite(
                                            BookingEntities.forSite(
                                                    all, BookingEntities.siteReadsV2(c, tenantId, siteId)),
                                            RoomControllers.siteReads(c, tenantId, siteId)),
                                    PassDays.siteReads(c, tenantId, siteId)),
                            VisitorPassForms.reads(c, tenantId, siteId)),
                    TenantStore.activeSigningKey(c, database.masterKey(), tenantId)));
        });
    }

    /**
     * Deletes the site's entries up to {@code upTo} (at most {@code maxRows} of them in this
     * transaction) and raises its floor to the last one deleted; answers the new floor.
     */
    public long compact(String tenantId, String siteId, long upTo, int maxRows) {
        return database.write(c -> {
            Optional<Long> current = Sql.byId(c, "sites", "compacted_seq", Sql.LONG, tenantId, siteId);
            if (current.isEmpty()) {
                return 0L;
            }
            long floor = current.get();
            long target = Math.min(upTo, floor + maxRows);
            if (target <= floor) {
                return floor;
            }
            // Raise the floor first: the site row's lock orders this with concurrent appends, and a
            // reader that sees the new floor never asks for the rows being deleted.
            Sql.update(
                    c,
                    "UPDATE sites SET compacted_seq = ? WHERE id = ? AND tenant_id = ? AND compacted_seq < ?",
                    target,
                    siteId,
                    tenantId,
                    target);
            Sql.update(c, "DELETE FROM site_changes WHERE site_id = ? AND seq > ? AND seq <= ?", siteId, floor, target);
            return target;
        });
    }
}
