package dev.gatehouse.hub.sync;

import dev.gatehouse.hub.store.Database;
import dev.gatehouse.protocol.topic.Topic;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** {@link EdgeDevices} read straight from the hub's store (devices joined with their tenant). */
public final class StoreEdgeDevices implements EdgeDevices {
    private final Database database;

    public StoreEdgeDevices(Database database) {
        this.database = database;
    }

    @Override
    public Optional<Device> byTopic(Topic topic) {
        return database.read(c -> {
            try (PreparedStatement statement = c.prepareStatement("SELECT d.tenant_id, t.slug, d.site_id, d.id"
                    + " FROM devices d JOIN tenants t ON t.id = d.tenant_id WHERE d.id = ? AND d.status = 'active'")) {
                statement.setString(1, topic.device());
                try (ResultSet rows = statement.executeQuery()) {
                    if (!rows.next()) {
                        return Optional.empty();
                    }
                    Device device =
                            new Device(rows.getString(1), rows.getString(2), rows.getString(3), rows.getString(4));
                    return device.tenantSlug().equals(topic.tenant())
                                    && device.siteId().equals(topic.site())
                            ? Optional.of(device)
                            : Optional.empty();
                }
            }
        });
    }

    @Override
    public List<String> active(String tenantId, String siteId) {
        return database.read(c -> {
            List<String> ids = new ArrayList<>();
            try (PreparedStatement statement = c.prepareStatement("SELECT id FROM devices"
                    + " WHERE tenant_id = ? AND site_id = ? AND status = 'active' ORDER BY id")) {
                statement.setString(1, tenantId);
                statement.setString(2, siteId);
                try (ResultSet rows = statement.executeQuery()) {
                    while (rows.next()) {
                        ids.add(rows.getString(1));
                    }
                }
            }
            return ids;
        });
    }
}
