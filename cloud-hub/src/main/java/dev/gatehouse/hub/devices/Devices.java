package dev.gatehouse.hub.devices;

import dev.gatehouse.hub.store.Database;
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

    private static DeviceRef ref(ResultSet rows) throws SQLException {
        return new DeviceRef(
                rows.getString(1), rows.getString(2), rows.getString(3), rows.getString(4), rows.getString(5));
    }
}
