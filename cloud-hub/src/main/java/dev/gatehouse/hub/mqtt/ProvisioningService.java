package dev.gatehouse.hub.mqtt;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.gatehouse.hub.sites.SiteStore;
import dev.gatehouse.hub.sites.Views;
import dev.gatehouse.hub.store.Database;
import dev.gatehouse.hub.tenants.Caller;
import dev.gatehouse.hub.tenants.TenantStore;
import dev.gatehouse.hub.web.ApiException;
import dev.gatehouse.hub.web.Input;
import dev.gatehouse.hub.web.Json;
import dev.gatehouse.hub.web.PathIds;
import dev.gatehouse.protocol.model.SigningKey;
import io.helidon.webserver.http.HttpRules;
import io.helidon.webserver.http.HttpService;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Clock;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Device provisioning.
 *
 * <pre>
 * POST /api/v1/devices/{deviceId}/provision   → 201 the bundle an edge is set up with
 * </pre>
 *
 * Issues a new MQTT password (the old one stops working at once; a device connected with it is
 * disconnected on the embedded broker), makes the device {@code active}, and answers the bundle:
 * tenant slug, site, device, the site's zone, the broker URL and credentials, the tenant's public
 * signing keys, its card key (hex) and the site's doors. A retired device is a 409. The password is
 * shown only in this answer; the hub keeps its SHA-256.
 */
public final class ProvisioningService implements HttpService {
    private final Database database;
    private final Clock clock;
    private final SiteStore sites;
    private final MqttRuntime mqtt;
    private final int maxBody;

    public ProvisioningService(Database database, Clock clock, SiteStore sites, MqttRuntime mqtt, int maxBody) {
        this.database = database;
        this.clock = clock;
        this.sites = sites;
        this.mqtt = mqtt;
        this.maxBody = maxBody;
    }

    @Override
    public void routing(HttpRules rules) {
        rules.post("/devices/{deviceId}/provision", this::provision);
    }

    private record Issued(String slug, String siteId, String zone, List<SigningKey> keys, byte[] cardKey) {}

    private void provision(ServerRequest req, ServerResponse res) {
        String tenantId = Caller.tenantId(req);
        String deviceId = PathIds.id(req, "deviceId", "device");
        ObjectNode body = req.content().hasEntity() ? Json.object(req, maxBody) : Json.MAPPER.createObjectNode();
        Input.of(body).done();
        String password = MqttPasswords.newDevicePassword();
        String hash = MqttPasswords.hash(password);
        long now = clock.millis();
        Issued issued = database.write(c -> {
            String siteId;
            String status;
            try (PreparedStatement select =
                    c.prepareStatement("SELECT site_id, status FROM devices WHERE id = ? AND tenant_id = ?")) {
                select.setString(1, deviceId);
                select.setString(2, tenantId);
                try (ResultSet rows = select.executeQuery()) {
                    if (!rows.next()) {
                        throw ApiException.notFound("device", deviceId);
                    }
                    siteId = rows.getString(1);
                    status = rows.getString(2);
                }
            }
            if (status.equals("retired")) {
                throw ApiException.conflict(
                        "device " + deviceId + " is retired and cannot be provisioned again; create a new device");
            }
            try (PreparedStatement update = c.prepareStatement(
                    "UPDATE devices SET status = 'active',"
                            + " mqtt_password_hash = ?, updated_at = ? WHERE id = ? AND tenant_id = ? AND status <> 'retired'")) {
                update.setString(1, hash);
                update.setLong(2, now);
                update.setString(3, deviceId);
                update.setString(4, tenantId);
                if (update.executeUpdate() != 1) {
                    throw ApiException.conflict("device " + deviceId + " was retired meanwhile");
                }
            }
            String slug;
            try (PreparedStatement select = c.prepareStatement("SELECT slug FROM tenants WHERE id = ?")) {
                select.setString(1, tenantId);
                try (ResultSet rows = select.executeQuery()) {
                    rows.next();
                    slug = rows.getString(1);
                }
            }
            String zone;
            try (PreparedStatement select =
                    c.prepareStatement("SELECT time_zone FROM sites WHERE id = ? AND tenant_id = ?")) {
                select.setString(1, siteId);
                select.setString(2, tenantId);
                try (ResultSet rows = select.executeQuery()) {
                    rows.next();
                    zone = rows.getString(1);
                }
            }
            return new Issued(
                    slug, siteId, zone, TenantStore.signingKeys(c, tenantId), TenantStore.cardKey(c, tenantId));
        });
        // A device still connected with its previous password loses the connection now.
        mqtt.disconnect(deviceId);
        List<Map<String, String>> doors = new ArrayList<>();
        for (Views.DoorView door : sites.doors(tenantId, issued.siteId())) {
            doors.add(Map.of("id", door.id(), "name", door.name()));
        }
        Map<String, Object> bundle = new LinkedHashMap<>();
        bundle.put("tenant", issued.slug());
        bundle.put("site", issued.siteId());
        bundle.put("device", deviceId);
        bundle.put("zone", issued.zone());
        Map<String, String> broker = new LinkedHashMap<>();
        broker.put("url", mqtt.publicUrl());
        broker.put("username", deviceId);
        broker.put("password", password);
        bundle.put("mqtt", broker);
        bundle.put(
                "trustedKeys",
                Map.of("keys", issued.keys().stream().map(SigningKey::jwk).toList()));
        bundle.put("cardKey", HexFormat.of().formatHex(issued.cardKey()));
        bundle.put("doors", doors);
        res.header("Cache-Control", "no-store");
        Json.created(res, bundle);
    }
}
