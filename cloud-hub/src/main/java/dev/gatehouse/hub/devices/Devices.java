package dev.gatehouse.hub.devices;

import dev.gatehouse.hub.store.Database;
import dev.gatehouse.hub.store.SealedColumns;
import dev.gatehouse.hub.store.Sql;
import dev.gatehouse.protocol.topic.Topic;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.List;
import java.util.Optional;

/**
 * Devices as the MQTT side needs them: which device a topic names (checked against the device's
 * registration, since an external broker pins only the device level), the active devices of a site,
 * and a device's MQTT credentials for the embedded broker's authenticator.
 */
public final class Devices {
    private static final String SELECT = "SELECT t.id, t.slug, d.site_id, d.id, d.status, d.mqtt_password_hash"
            + " FROM devices d JOIN tenants t ON t.id = d.tenant_id";

    private final Database database;

    public Devices(Database database) {
        this.database = database;
    }

    /** A device and the SHA-256 hex of its MQTT password (empty until provisioned). */
    public record Login(DeviceRef device, Optional<String> passwordHash) {}

    /**
     * The device {@code topic} names, only if the topic's tenant slug and site are the device's and the
     * device is active.
     */
    public Optional<DeviceRef> byTopic(Topic topic) {
        return login(topic.device())
                .map(Login::device)
                .filter(d -> d.tenantSlug().equals(topic.tenant())
                        && d.siteId().equals(topic.site())
                        && d.status().equals("active"));
    }

    /** The device with this id, whatever its status, and its password hash. */
    public Optional<Login> login(String deviceId) {
        return database.read(c -> Sql.one(
                c,
                SELECT + " WHERE d.id = ?",
                row -> new Login(ref(row), Optional.ofNullable(row.getString(6))),
                deviceId));
    }

    /** The active devices of one site of one tenant, by id. */
    public List<DeviceRef> active(String tenantId, String siteId) {
        return database.read(c -> Sql.list(
                c,
                SELECT + " WHERE d.tenant_id = ? AND d.site_id = ? AND d.status = 'active' ORDER BY d.id",
                Devices::ref,
                tenantId,
                siteId));
    }

    /**
     * A device's MQTT account as the store keeps it: the SHA-256 of its password (null until
     * provisioned), the password sealed under the master key (null before the hub kept it), and the
     * SHA-256 of the password the broker last confirmed (null until it did).
     */
    public record Account(DeviceRef device, String hash, String sealed, String brokerHash) {}

    private static final String ACCOUNTS = "SELECT t.id, t.slug, d.site_id, d.id, d.status, d.mqtt_password_hash,"
            + " d.mqtt_password_sealed, d.mqtt_broker_hash FROM devices d JOIN tenants t ON t.id = d.tenant_id";

    /** Every device's account, retired ones included. */
    public List<Account> accounts() {
        return database.read(c -> Sql.list(c, ACCOUNTS + " ORDER BY d.id", Devices::account));
    }

    /** One device's account, whatever its status. */
    public Optional<Account> account(String deviceId) {
        return database.read(c -> Sql.one(c, ACCOUNTS + " WHERE d.id = ?", Devices::account, deviceId));
    }

    private static Account account(ResultSet row) throws SQLException {
        return new Account(ref(row), row.getString(6), row.getString(7), row.getString(8));
    }

    /** The device's password from its sealed value ({@link Account#sealed()}). */
    public String password(String deviceId, String sealed) {
        return database.masterKey().open(sealed, SealedColumns.DEVICE_PASSWORDS.context(deviceId));
    }

    /**
     * The broker confirmed the password of this SHA-256, which counts only while it is still the
     * device's: false when the device has another password by now.
     */
    public boolean brokerConfirmed(String deviceId, String hash) {
        return 1
                == database.write(c -> Sql.update(
                        c,
                        "UPDATE devices SET mqtt_broker_hash = ? WHERE id = ? AND mqtt_password_hash = ?",
                        hash,
                        deviceId,
                        hash));
    }

    private static DeviceRef ref(ResultSet rows) throws SQLException {
        return new DeviceRef(
                rows.getString(1), rows.getString(2), rows.getString(3), rows.getString(4), rows.getString(5));
    }
}
