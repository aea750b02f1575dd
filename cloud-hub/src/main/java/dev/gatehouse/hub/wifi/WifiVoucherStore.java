package dev.gatehouse.hub.wifi;

import dev.gatehouse.hub.changes.ChangeLog;
import dev.gatehouse.hub.secrets.MasterKey;
import dev.gatehouse.hub.sites.EdgeFeatures;
import dev.gatehouse.hub.store.Database;
import dev.gatehouse.hub.store.FieldError;
import dev.gatehouse.hub.store.HubIds;
import dev.gatehouse.hub.store.SealedColumns;
import dev.gatehouse.hub.store.Sql;
import dev.gatehouse.hub.store.StoreResult;
import dev.gatehouse.hub.tenants.TenantStore;
import dev.gatehouse.protocol.message.Change;
import dev.gatehouse.protocol.model.Agreement;
import dev.gatehouse.protocol.model.EntityKind;
import dev.gatehouse.protocol.model.WifiVoucher;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Each site's Wi-Fi voucher pool. Codes are credentials: each is sealed under the master key
 * ({@link SealedColumns#WIFI_CODES}) and found again by its keyed hash (HMAC-SHA256 under the
 * tenant's card key, domain {@code gh-wifi-v1:}), never logged or answered. Each active edge of the
 * site holds a slice of unused codes (up to the pool's slice size) that only it hands out: a voucher
 * is allocated to one device and sent to the site as a {@code wifi-voucher} entity naming it. The
 * site's change log never holds a code: a voucher is logged with {@link #SEALED} in its place, and
 * {@link #withCodes} fills the codes in when a batch or snapshot is made for the edges.
 */
public record WifiVoucherStore(Database database, Clock clock) {
    /** What stands in the change log for a voucher's code. */
    public static final String SEALED = "(sealed)";

    public static final int DEFAULT_LOW_THRESHOLD = 20;
    public static final int DEFAULT_SLICE_SIZE = 50;
    public static final int MAX_SLICE_SIZE = 500;

    /** A site's pool: codes not handed out ({@code remaining}), how many of them edges hold, and the settings. */
    public record Pool(
            String siteId,
            long remaining,
            long unallocated,
            Map<String, Long> heldByDevice,
            long issued,
            long expired,
            int lowThreshold,
            int sliceSize) {
        public boolean low() {
            return remaining < lowThreshold;
        }
    }

    /** An upload's outcome: how many codes were added and the pool after it. */
    public record Upload(String uploadId, int added, Pool pool) {}

    /** What marking a voucher issued came to. */
    public sealed interface Marking permits Marked, NotMarked {}

    /** Recorded for this sign-in now, or ({@code again}) before, which changes nothing. */
    public record Marked(String voucherId, boolean again) implements Marking {}

    /** Not recorded, with why: an unknown voucher, or one handed out for another sign-in. */
    public record NotMarked(String reason) implements Marking {}

    /** One voucher as the upload checked it. */
    record NewVoucher(int line, String code, Optional<Integer> minutes, Optional<Instant> expires) {}

    // ---- pool -------------------------------------------------------------------------------------

    public Optional<Pool> pool(String tenantId, String siteId) {
        Instant now = clock.instant();
        return database.read(
                c -> siteExists(c, tenantId, siteId) ? Optional.of(pool(c, tenantId, siteId, now)) : Optional.empty());
    }

    static Pool pool(Connection c, String tenantId, String siteId, Instant at) throws SQLException {
        long now = at.toEpochMilli();
        int[] settings = settings(c, siteId);
        Map<String, Long> held = new LinkedHashMap<>();
        for (Object[] row : Sql.list(
                c,
                "SELECT device_id, count(*) FROM wifi_vouchers WHERE site_id = ? AND tenant_id = ? AND issued_at IS NULL"
                        + " AND device_id IS NOT NULL GROUP BY device_id ORDER BY device_id",
                r -> new Object[] {r.getString(1), r.getLong(2)},
                siteId,
                tenantId)) {
            held.put((String) row[0], (Long) row[1]);
        }
        long remaining =
                count(c, tenantId, siteId, "issued_at IS NULL AND (expires_at IS NULL OR expires_at > ?)", now);
        long unallocated = count(
                c,
                tenantId,
                siteId,
                "issued_at IS NULL AND device_id IS NULL AND (expires_at IS NULL OR expires_at > ?)",
                now);
        long issued = count(c, tenantId, siteId, "issued_at IS NOT NULL AND ? > 0", 1L);
        long expired = count(c, tenantId, siteId, "issued_at IS NULL AND expires_at <= ?", now);
        return new Pool(siteId, remaining, unallocated, held, issued, expired, settings[0], settings[1]);
    }

    private static long count(Connection c, String tenantId, String siteId, String where, long param)
            throws SQLException {
        return Sql.one(
                        c,
                        "SELECT count(*) FROM wifi_vouchers WHERE site_id = ? AND tenant_id = ? AND " + where,
                        Sql.LONG,
                        siteId,
                        tenantId,
                        param)
                .orElse(0L);
    }

    /** {@code [lowThreshold, sliceSize]} of the site's pool, the defaults when never set. */
    private static int[] settings(Connection c, String siteId) throws SQLException {
        return Sql.one(
                        c,
                        "SELECT low_threshold, slice_size FROM wifi_pools WHERE site_id = ?",
                        r -> new int[] {r.getInt(1), r.getInt(2)},
                        siteId)
                .orElse(new int[] {DEFAULT_LOW_THRESHOLD, DEFAULT_SLICE_SIZE});
    }

    /** Sets when the pool counts as low and how many codes each edge holds; tops the slices up to a larger size. */
    public StoreResult<Pool> saveSettings(String tenantId, String siteId, int lowThreshold, int sliceSize) {
        Instant now = clock.instant();
        return database.write(c -> {
            if (!siteExists(c, tenantId, siteId)) {
                return new StoreResult.NotFound<>("site", siteId);
            }
            Sql.update(
                    c,
                    "INSERT INTO wifi_pools (site_id, tenant_id, low_threshold, slice_size, updated_at) VALUES (?, ?, ?, ?, ?)"
                            + " ON CONFLICT (site_id) DO UPDATE SET low_threshold = excluded.low_threshold,"
                            + " slice_size = excluded.slice_size, updated_at = excluded.updated_at",
                    siteId,
                    tenantId,
                    lowThreshold,
                    sliceSize,
                    now);
            allocate(c, tenantId, siteId, now);
            return StoreResult.found(pool(c, tenantId, siteId, now));
        });
    }

    // ---- upload -----------------------------------------------------------------------------------

    /**
     * Adds the vouchers to the site's pool in one transaction, and tops up every edge's slice: all or
     * nothing. A code already in the pool (handed out or not) is refused with its line number.
     */
    StoreResult<Upload> upload(String tenantId, String siteId, List<NewVoucher> vouchers) {
        Instant now = clock.instant();
        MasterKey key = database.masterKey();
        return database.write(c -> {
            if (!siteExists(c, tenantId, siteId)) {
                return new StoreResult.NotFound<>("site", siteId);
            }
            byte[] cardKey = TenantStore.cardKey(c, key, tenantId);
            Map<String, NewVoucher> byHash = new LinkedHashMap<>();
            for (NewVoucher voucher : vouchers) {
                byHash.put(hash(cardKey, siteId, voucher.code()), voucher);
            }
            Set<String> taken = new HashSet<>();
            List<String> hashes = new ArrayList<>(byHash.keySet());
            for (int from = 0; from < hashes.size(); from += 500) {
                List<String> part = hashes.subList(from, Math.min(hashes.size(), from + 500));
                List<Object> params = new ArrayList<>();
                params.add(siteId);
                params.addAll(part);
                taken.addAll(Sql.list(
                        c,
                        "SELECT code_hash FROM wifi_vouchers WHERE site_id = ? AND code_hash IN ("
                                + "?, ".repeat(part.size() - 1) + "?)",
                        Sql.STRING,
                        params.toArray()));
            }
            if (!taken.isEmpty()) {
                List<FieldError> errors = new ArrayList<>();
                byHash.forEach((hash, voucher) -> {
                    if (taken.contains(hash)) {
                        errors.add(new FieldError(
                                "line " + voucher.line(),
                                "the code is in this site's pool already (uploaded before); remove the line"));
                    }
                });
                return new StoreResult.Invalid<>(errors);
            }
            String uploadId = HubIds.next("wvu");
            List<List<Object>> rows = new ArrayList<>();
            for (Map.Entry<String, NewVoucher> entry : byHash.entrySet()) {
                String id = HubIds.next("wv");
                NewVoucher voucher = entry.getValue();
                rows.add(java.util.Arrays.asList(
                        id,
                        tenantId,
                        siteId,
                        key.seal(voucher.code(), SealedColumns.WIFI_CODES.context(id)),
                        entry.getKey(),
                        voucher.minutes().orElse(null),
                        voucher.expires().map(Instant::toEpochMilli).orElse(null),
                        uploadId,
                        now.toEpochMilli()));
            }
            Sql.batch(
                    c,
                    "INSERT INTO wifi_vouchers (id, tenant_id, site_id, code_sealed, code_hash, valid_minutes, expires_at,"
                            + " upload_id, uploaded_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    rows);
            allocate(c, tenantId, siteId, now);
            return StoreResult.found(new Upload(uploadId, rows.size(), pool(c, tenantId, siteId, now)));
        });
    }

    private static String hash(byte[] cardKey, String siteId, String code) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(cardKey, "HmacSHA256"));
            return HexFormat.of()
                    .formatHex(mac.doFinal(("gh-wifi-v1:" + siteId + ":" + code).getBytes(StandardCharsets.UTF_8)));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HMAC-SHA256 is not available in this JVM", e);
        }
    }

    // ---- slices -----------------------------------------------------------------------------------

    /**
     * Tops up the slice of every active edge of the site to the pool's slice size with codes no edge
     * holds (oldest upload first, unexpired), and sends each newly allocated voucher to the site. Does
     * nothing while an edge of the site cannot read vouchers: the codes stay in the pool until it can.
     * Call it in the transaction that changed the pool or the site's edges.
     */
    public static void allocate(Connection c, String tenantId, String siteId, Instant now) throws SQLException {
        if (!EdgeFeatures.siteReads(c, tenantId, siteId, Agreement.FEATURE)) {
            return;
        }
        int sliceSize = settings(c, siteId)[1];
        List<Change> changes = new ArrayList<>();
        for (String device : Sql.list(
                c,
                "SELECT id FROM devices WHERE tenant_id = ? AND site_id = ? AND status = 'active' ORDER BY id",
                Sql.STRING,
                tenantId,
                siteId)) {
            long held = Sql.one(
                            c,
                            "SELECT count(*) FROM wifi_vouchers WHERE site_id = ? AND device_id = ? AND issued_at IS NULL"
                                    + " AND (expires_at IS NULL OR expires_at > ?)",
                            Sql.LONG,
                            siteId,
                            device,
                            now)
                    .orElse(0L);
            if (held >= sliceSize) {
                continue;
            }
            List<Row> free = Sql.list(
                    c,
                    ROW_COLUMNS + " WHERE site_id = ? AND tenant_id = ? AND device_id IS NULL AND issued_at IS NULL"
                            + " AND (expires_at IS NULL OR expires_at > ?) ORDER BY uploaded_at, id LIMIT ?",
                    WifiVoucherStore::row,
                    siteId,
                    tenantId,
                    now,
                    sliceSize - held);
            for (Row row : free) {
                // The device_id IS NULL condition makes a concurrent allocation of the same code a no-op.
                if (Sql.update(
                                c,
                                "UPDATE wifi_vouchers SET device_id = ?, allocated_at = ? WHERE id = ? AND device_id IS NULL",
                                device,
                                now,
                                row.id())
                        == 1) {
                    changes.add(new Change.Upsert(row.entity(device, SEALED)));
                }
            }
        }
        ChangeLog.append(c, tenantId, siteId, changes, now);
    }

    /**
     * Records that voucher {@code voucherId} was handed out for sign-in {@code eventId} at edge {@code
     * deviceId}, in the caller's transaction (the kiosk's sign-in ingest calls this): once per sign-in
     * event, a second call answering {@code again} and changing nothing. The voucher leaves the edges'
     * caches and the edge's slice is topped up. A voucher the site does not have, or one handed out
     * for another sign-in, is not recorded (the answer says which).
     */
    public static Marking markIssued(
            Connection c, String tenantId, String siteId, String voucherId, String eventId, String deviceId, Instant at)
            throws SQLException {
        Optional<String[]> row = Sql.one(
                c,
                "SELECT issued_event_id, device_id FROM wifi_vouchers WHERE id = ? AND site_id = ? AND tenant_id = ?",
                r -> new String[] {r.getString(1), r.getString(2)},
                voucherId,
                siteId,
                tenantId);
        if (row.isEmpty()) {
            return new NotMarked("site " + siteId + " has no wifi voucher " + voucherId);
        }
        if (row.get()[0] != null) {
            return row.get()[0].equals(eventId)
                    ? new Marked(voucherId, true)
                    : new NotMarked(
                            "wifi voucher " + voucherId + " was handed out for sign-in " + row.get()[0] + " already");
        }
        Optional<String> other = Sql.one(
                c,
                "SELECT id FROM wifi_vouchers WHERE tenant_id = ? AND issued_event_id = ?",
                Sql.STRING,
                tenantId,
                eventId);
        if (other.isPresent()) {
            return new NotMarked("sign-in " + eventId + " was given wifi voucher " + other.get() + " already");
        }
        Sql.update(
                c,
                "UPDATE wifi_vouchers SET issued_at = ?, issued_event_id = ?, issued_device_id = ? WHERE id = ?"
                        + " AND issued_at IS NULL",
                at,
                eventId,
                deviceId,
                voucherId);
        ChangeLog.append(c, tenantId, siteId, List.of(new Change.Remove(EntityKind.WIFI_VOUCHER, voucherId)), at);
        allocate(c, tenantId, siteId, at);
        return new Marked(voucherId, false);
    }

    /** {@link #markIssued(Connection, String, String, String, String, String, Instant)} in its own transaction. */
    public Marking markIssued(String tenantId, String siteId, String voucherId, String eventId, String deviceId) {
        Instant now = clock.instant();
        return database.write(c -> markIssued(c, tenantId, siteId, voucherId, eventId, deviceId, now));
    }

    /** A voucher handed out at the hub's kiosk: its code and until when it lets the visitor on. */
    public record HandedOut(String voucherId, String code, Instant validUntil) {
        @Override
        public String toString() {
            return "HandedOut[voucherId=" + voucherId + ", code=…, validUntil=" + validUntil + "]";
        }
    }

    /**
     * Hands a voucher out at the kiosk the hub serves for a site without an edge, for sign-in {@code
     * eventId}, in the caller's transaction: the oldest code no edge holds, unexpired, marked issued
     * (device {@code hub}) and opened. Empty when the pool has none left. A code is handed out once
     * however many kiosks ask at once (the conditional update).
     */
    public static Optional<HandedOut> handOutAtHub(
            Connection c, MasterKey key, String tenantId, String siteId, String eventId, Instant now)
            throws SQLException {
        for (Row row : Sql.list(
                c,
                ROW_COLUMNS + " WHERE site_id = ? AND tenant_id = ? AND device_id IS NULL AND issued_at IS NULL"
                        + " AND (expires_at IS NULL OR expires_at > ?) ORDER BY uploaded_at, id LIMIT 5",
                WifiVoucherStore::row,
                siteId,
                tenantId,
                now)) {
            if (Sql.update(
                            c,
                            "UPDATE wifi_vouchers SET issued_at = ?, issued_event_id = ?, issued_device_id = 'hub'"
                                    + " WHERE id = ? AND issued_at IS NULL AND device_id IS NULL",
                            now,
                            eventId,
                            row.id())
                    == 1) {
                String sealed = Sql.one(c, "SELECT code_sealed FROM wifi_vouchers WHERE id = ?", Sql.STRING, row.id())
                        .orElseThrow();
                Instant until = row.minutes()
                        .map(minutes -> now.plus(Duration.ofMinutes(minutes)))
                        .orElseGet(() -> row.expires().orElseThrow());
                return Optional.of(
                        new HandedOut(row.id(), key.open(sealed, SealedColumns.WIFI_CODES.context(row.id())), until));
            }
        }
        return Optional.empty();
    }

    /** The vouchers the site's edges hold (allocated, not handed out), without their codes: what a snapshot carries. */
    public static List<WifiVoucher> live(Connection c, String tenantId, String siteId) throws SQLException {
        return Sql.list(
                        c,
                        ROW_COLUMNS
                                + " WHERE site_id = ? AND tenant_id = ? AND device_id IS NOT NULL AND issued_at IS NULL"
                                + " ORDER BY id",
                        WifiVoucherStore::row,
                        siteId,
                        tenantId)
                .stream()
                .map(row -> row.entity(row.device(), SEALED))
                .toList();
    }

    /**
     * The vouchers with their codes opened, for a batch or snapshot about to be signed and sent to the
     * site's edges: each {@link #SEALED} code replaced by the voucher's own.
     */
    public static WifiVoucher withCode(Connection c, MasterKey key, String tenantId, WifiVoucher voucher)
            throws SQLException {
        Optional<String> sealed = Sql.one(
                c,
                "SELECT code_sealed FROM wifi_vouchers WHERE id = ? AND tenant_id = ?",
                Sql.STRING,
                voucher.id(),
                tenantId);
        if (sealed.isEmpty()) {
            return voucher;
        }
        return new WifiVoucher(
                voucher.id(),
                voucher.device(),
                key.open(sealed.get(), SealedColumns.WIFI_CODES.context(voucher.id())),
                voucher.validFor(),
                voucher.expiresAt());
    }

    private static final String ROW_COLUMNS = "SELECT id, device_id, valid_minutes, expires_at FROM wifi_vouchers";

    private record Row(String id, String device, Optional<Integer> minutes, Optional<Instant> expires) {
        WifiVoucher entity(String device, String code) {
            return new WifiVoucher(
                    id,
                    device,
                    code,
                    minutes.map(m -> Duration.ofMinutes(m)),
                    minutes.isPresent() ? Optional.empty() : expires);
        }
    }

    private static Row row(ResultSet r) throws SQLException {
        int minutes = r.getInt(3);
        Optional<Integer> validMinutes = r.wasNull() ? Optional.empty() : Optional.of(minutes);
        return new Row(r.getString(1), r.getString(2), validMinutes, Sql.instant(r, 4));
    }

    private static boolean siteExists(Connection c, String tenantId, String siteId) throws SQLException {
        return Sql.exists(c, "SELECT 1 FROM sites WHERE id = ? AND tenant_id = ?", siteId, tenantId);
    }
}
