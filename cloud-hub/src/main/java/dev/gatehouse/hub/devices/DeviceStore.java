package dev.gatehouse.hub.devices;

import dev.gatehouse.hub.bookings.SiteFeatures;
import dev.gatehouse.hub.secrets.MasterKey;
import dev.gatehouse.hub.sites.SiteStore;
import dev.gatehouse.hub.store.Database;
import dev.gatehouse.hub.store.HubIds;
import dev.gatehouse.hub.store.SealedColumns;
import dev.gatehouse.hub.store.Sql;
import dev.gatehouse.hub.store.StoreResult;
import dev.gatehouse.hub.tenants.TenantStore;
import dev.gatehouse.hub.web.Times;
import dev.gatehouse.protocol.model.SigningKey;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * The edge devices of a site: created {@code pending}, {@code active} once provisioned (with the
 * SHA-256 of their MQTT password), {@code retired} for good.
 */
public record DeviceStore(Database database, Clock clock) {
    private static final String COLUMNS =
            "id, site_id, name, status, version, last_seen_at, acked_seq, created_at, updated_at";

    public StoreResult<DeviceView> createDevice(String tenantId, String siteId, String name) {
        String id = HubIds.next("dev");
        Instant now = clock.instant();
        boolean created = database.write(c -> {
            if (!SiteStore.siteExists(c, tenantId, siteId)) {
                return false;
            }
            Sql.update(
                    c,
                    "INSERT INTO devices (id, tenant_id, site_id, name, status, created_at, updated_at)"
                            + " VALUES (?, ?, ?, ?, 'pending', ?, ?)",
                    id,
                    tenantId,
                    siteId,
                    name,
                    now,
                    now);
            return true;
        });
        return created
                ? StoreResult.found(device(tenantId, id).orElseThrow())
                : new StoreResult.NotFound<>("site", siteId);
    }

    /** Renames the device and/or sets its status (each only when given). */
    public StoreResult<DeviceView> updateDevice(
            String tenantId, String deviceId, Optional<String> name, Optional<String> status) {
        int changed = database.write(c -> {
            Optional<String> siteId = Sql.byId(c, "devices", "site_id", Sql.STRING, tenantId, deviceId);
            Optional<SiteFeatures.Reads> before =
                    siteId.isEmpty() ? Optional.empty() : Optional.of(SiteFeatures.reads(c, tenantId, siteId.get()));
            int rows = Sql.update(
                    c,
                    "UPDATE devices SET name = COALESCE(?, name), status = COALESCE(?, status), updated_at = ?"
                            + " WHERE id = ? AND tenant_id = ?",
                    name,
                    status,
                    clock.instant(),
                    deviceId,
                    tenantId);
            if (rows == 1 && before.isPresent()) {
                // A retired device no longer holds its site back from what the others read.
                SiteFeatures.catchUp(c, tenantId, siteId.get(), before.get(), clock.instant());
            }
            return rows;
        });
        return changed == 1
                ? StoreResult.found(device(tenantId, deviceId).orElseThrow())
                : new StoreResult.NotFound<>("device", deviceId);
    }

    public Optional<DeviceView> device(String tenantId, String deviceId) {
        return database.read(c -> Sql.byId(c, "devices", COLUMNS, DeviceStore::view, tenantId, deviceId));
    }

    /** The site's devices by name. */
    public List<DeviceView> devices(String tenantId, String siteId) {
        return database.read(c -> Sql.list(
                c,
                "SELECT " + COLUMNS + " FROM devices WHERE tenant_id = ? AND site_id = ? ORDER BY name, id",
                DeviceStore::view,
                tenantId,
                siteId));
    }

    private static DeviceView view(ResultSet row) throws SQLException {
        Long acked = row.getLong(7);
        if (row.wasNull()) {
            acked = null;
        }
        return new DeviceView(
                row.getString(1),
                row.getString(2),
                row.getString(3),
                row.getString(4),
                row.getString(5),
                Sql.instant(row, 6).map(Times::iso).orElse(null),
                acked,
                Times.iso(row.getLong(8)),
                Times.iso(row.getLong(9)));
    }

    /** A device's site and status, read inside a transaction. */
    record Placed(String siteId, String status) {
        boolean retired() {
            return status.equals("retired");
        }
    }

    static Optional<Placed> placed(Connection c, String tenantId, String deviceId) throws SQLException {
        return Sql.one(
                c,
                "SELECT site_id, status FROM devices WHERE id = ? AND tenant_id = ?",
                row -> new Placed(row.getString(1), row.getString(2)),
                deviceId,
                tenantId);
    }

    /** What provisioning tells an edge about its tenant and site. */
    public record Issued(String slug, String siteId, String zone, List<SigningKey> keys, byte[] cardKey) {}

    /**
     * Makes the device {@code active} with a new MQTT password (the store keeps its SHA-256, and the
     * password sealed under the master key for the broker's account; the old one stops working) and
     * answers what the edge's bundle needs; a retired device is a Conflict.
     */
    public StoreResult<Issued> provision(String tenantId, String deviceId, String password) {
        Instant now = clock.instant();
        return database.write(
                c -> provision(c, database.masterKey(), tenantId, deviceId, password, Optional.empty(), now));
    }

    /**
     * {@link #provision} inside the caller's transaction; {@code publicKey} (a public JWK) is stored
     * when given, as enrollment does.
     */
    static StoreResult<Issued> provision(
            Connection c,
            MasterKey masterKey,
            String tenantId,
            String deviceId,
            String password,
            Optional<String> publicKey,
            Instant now)
            throws SQLException {
        Optional<Placed> device = placed(c, tenantId, deviceId);
        if (device.isEmpty()) {
            return new StoreResult.NotFound<>("device", deviceId);
        }
        if (device.get().retired()) {
            return new StoreResult.Conflict<>(
                    "device " + deviceId + " is retired and cannot be provisioned again; create a new device");
        }
        int changed = Sql.update(
                c,
                "UPDATE devices SET status = 'active', mqtt_password_hash = ?, mqtt_password_sealed = ?, updated_at = ?,"
                        + " public_key = COALESCE(?, public_key),"
                        + " enrolled_at = COALESCE(?, enrolled_at)"
                        + " WHERE id = ? AND tenant_id = ? AND status <> 'retired'",
                MqttPasswords.hash(password),
                masterKey.seal(password, SealedColumns.DEVICE_PASSWORDS.context(deviceId)),
                now,
                publicKey,
                publicKey.map(k -> now),
                deviceId,
                tenantId);
        if (changed != 1) {
            return new StoreResult.Conflict<>("device " + deviceId + " was retired meanwhile");
        }
        String siteId = device.get().siteId();
        String slug = Sql.one(c, "SELECT slug FROM tenants WHERE id = ?", Sql.STRING, tenantId)
                .orElseThrow();
        String zone =
                Sql.byId(c, "sites", "time_zone", Sql.STRING, tenantId, siteId).orElseThrow();
        return StoreResult.found(new Issued(
                slug, siteId, zone, TenantStore.signingKeys(c, tenantId), TenantStore.cardKey(c, masterKey, tenantId)));
    }
}
