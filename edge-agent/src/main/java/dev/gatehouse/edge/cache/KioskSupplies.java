package dev.gatehouse.edge.cache;

import dev.gatehouse.protocol.codec.MessageCodec;
import dev.gatehouse.protocol.model.Agreement;
import dev.gatehouse.protocol.model.Entity;
import dev.gatehouse.protocol.model.WifiVoucher;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.Optional;

/**
 * What the kiosk takes from the cache: the site's visitor agreement in force, and Wi-Fi vouchers
 * from this edge's slice ({@code voucher_taken}: each code handed out once, to one sign-in, recorded
 * here and kept through snapshots like {@code pass_use}). Each call runs in the caller's transaction
 * or read view.
 */
final class KioskSupplies {
    /** A voucher with an expiry is handed out only before it (seconds since the epoch, the parameter after the device). */
    private static final String UNEXPIRED =
            " AND COALESCE(unixepoch(json_extract(e.json, '$.expiresAt')), 9223372036854775807) > ?";

    static final String SQL_AGREEMENT = "SELECT json FROM entity WHERE kind = 'agreement' ORDER BY key LIMIT 1";
    private static final String SQL_TAKEN_BY = "SELECT json FROM voucher_taken WHERE event_id = ?";
    // A slice is at most a few dozen rows; the json_extract filter scans only the voucher kind's range.
    static final String SQL_NEXT_VOUCHER = "SELECT e.key, e.json FROM entity e WHERE e.kind = 'wifi-voucher'"
            + " AND json_extract(e.json, '$.device') = ?" + UNEXPIRED
            + " AND NOT EXISTS (SELECT 1 FROM voucher_taken t WHERE t.voucher = e.key) ORDER BY e.key LIMIT 1";
    static final String SQL_LEFT = "SELECT count(*) FROM entity e WHERE e.kind = 'wifi-voucher'"
            + " AND json_extract(e.json, '$.device') = ?" + UNEXPIRED
            + " AND NOT EXISTS (SELECT 1 FROM voucher_taken t WHERE t.voucher = e.key)";
    private static final String SQL_TAKE =
            "INSERT INTO voucher_taken (event_id, voucher, json) VALUES (?, ?, ?) ON CONFLICT DO NOTHING";

    private static final String SQL_SIGNED =
            "SELECT 1 FROM agreement_signed WHERE pass = ? AND agreement = ? AND version = ?";
    private static final String SQL_SIGN = "INSERT INTO agreement_signed (pass, agreement, version, event_id)"
            + " VALUES (?, ?, ?, ?) ON CONFLICT DO NOTHING";

    private KioskSupplies() {}

    /** Whether pass {@code pass}'s visitor signed {@code version} of agreement {@code agreement} here. */
    static boolean signed(SqliteSession session, String pass, String agreement, int version) throws SQLException {
        PreparedStatement query = session.prepare(SQL_SIGNED);
        query.setString(1, pass);
        query.setString(2, agreement);
        query.setInt(3, version);
        try (ResultSet rows = query.executeQuery()) {
            return rows.next();
        }
    }

    /** Records that pass {@code pass}'s visitor signed that version at sign-in {@code eventId}; a repeat changes nothing. */
    static void sign(SqliteSession session, String pass, String agreement, int version, String eventId)
            throws SQLException {
        PreparedStatement insert = session.prepare(SQL_SIGN);
        insert.setString(1, pass);
        insert.setString(2, agreement);
        insert.setInt(3, version);
        insert.setString(4, eventId);
        insert.executeUpdate();
    }

    static Optional<Agreement> agreement(SqliteSession session) throws SQLException {
        try (ResultSet rows = session.prepare(SQL_AGREEMENT).executeQuery()) {
            return rows.next() ? Optional.of(decode(rows.getString(1), Agreement.class)) : Optional.empty();
        }
    }

    /**
     * The voucher handed out for sign-in {@code eventId}: the one recorded for it before, else the
     * first of {@code device}'s slice not handed out yet and not expired at {@code now}, recorded now;
     * empty when the slice is used up.
     */
    static Optional<WifiVoucher> take(SqliteSession session, String device, String eventId, java.time.Instant now)
            throws SQLException {
        PreparedStatement taken = session.prepare(SQL_TAKEN_BY);
        taken.setString(1, eventId);
        try (ResultSet rows = taken.executeQuery()) {
            if (rows.next()) {
                return Optional.of(decode(rows.getString(1), WifiVoucher.class));
            }
        }
        PreparedStatement next = session.prepare(SQL_NEXT_VOUCHER);
        next.setString(1, device);
        next.setLong(2, now.getEpochSecond());
        String key;
        String json;
        try (ResultSet rows = next.executeQuery()) {
            if (!rows.next()) {
                return Optional.empty();
            }
            key = rows.getString(1);
            json = rows.getString(2);
        }
        PreparedStatement take = session.prepare(SQL_TAKE);
        take.setString(1, eventId);
        take.setString(2, key);
        take.setString(3, json);
        if (take.executeUpdate() != 1) {
            // The single writer makes this unreachable; fail rather than hand out a code twice.
            throw new CacheException(CacheError.CORRUPT, "wifi voucher " + key + " is recorded as handed out already");
        }
        return Optional.of(decode(json, WifiVoucher.class));
    }

    static long left(SqliteSession session, String device, java.time.Instant now) throws SQLException {
        PreparedStatement count = session.prepare(SQL_LEFT);
        count.setString(1, device);
        count.setLong(2, now.getEpochSecond());
        try (ResultSet rows = count.executeQuery()) {
            return rows.next() ? rows.getLong(1) : 0L;
        }
    }

    private static <T extends Entity> T decode(String json, Class<T> type) {
        Entity entity = MessageCodec.decodeEntity(json);
        if (!type.isInstance(entity)) {
            throw new CacheException(
                    CacheError.CORRUPT,
                    "the cache holds a " + entity.kind() + " where a " + type.getSimpleName()
                            + " belongs; move the file aside to rebuild it from a snapshot");
        }
        return type.cast(entity);
    }
}
