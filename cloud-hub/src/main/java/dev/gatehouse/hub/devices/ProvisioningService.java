package dev.gatehouse.hub.devices;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.gatehouse.hub.audit.Audit;
import dev.gatehouse.hub.sites.DoorStore;
import dev.gatehouse.hub.sites.Views;
import dev.gatehouse.hub.tenants.Caller;
import dev.gatehouse.hub.tenants.Permission;
import dev.gatehouse.hub.web.Input;
import dev.gatehouse.hub.web.Json;
import dev.gatehouse.hub.web.PathIds;
import dev.gatehouse.hub.web.StoreResults;
import dev.gatehouse.protocol.model.SigningKey;
import io.helidon.webserver.http.HttpRules;
import io.helidon.webserver.http.HttpService;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/**
 * Device provisioning.
 *
 * <pre>
 * POST /api/v1/devices/{deviceId}/provision   → 201 the bundle an edge is set up with
 * </pre>
 *
 * Issues a new MQTT password (the old one stops working at once; a device connected with it is
 * disconnected), makes the device {@code active}, and answers the bundle:
 * tenant slug, site, device, the site's zone, the broker URL and credentials, the tenant's public
 * signing keys, its card key (hex) and the site's doors. A retired device is a 409. The password is
 * shown only in this answer; the hub keeps its SHA-256. {@code brokerUrl} is the broker URL edges are
 * given; {@code accounts} puts the new password on the broker (and drops a connection made with the
 * old one) before the answer.
 */
public record ProvisioningService(
        DeviceStore devices,
        DoorStore doors,
        Audit audit,
        Supplier<String> brokerUrl,
        DeviceAccounts accounts,
        int maxBody)
        implements HttpService {
    @Override
    public void routing(HttpRules rules) {
        rules.post("/devices/{deviceId}/provision", this::provision);
    }

    private void provision(ServerRequest req, ServerResponse res) {
        Caller.Operator caller = Caller.require(req, Permission.MANAGE_DEVICES);
        String tenantId = caller.tenantId();
        String deviceId = PathIds.id(req, "deviceId", "device");
        DeviceView before = StoreResults.found(devices.device(tenantId, deviceId), "device", deviceId);
        caller.requireCovers(before.siteId(), "device", deviceId);
        ObjectNode body = req.content().hasEntity() ? Json.object(req, maxBody) : Json.MAPPER.createObjectNode();
        Input.of(body).done();
        String password = MqttPasswords.newDevicePassword();
        DeviceStore.Issued issued = StoreResults.value(devices.provision(tenantId, deviceId, password));
        // The broker takes the new password now; a device still connected with its previous one loses
        // the connection.
        accounts.enrolled(deviceId);
        DeviceView after = StoreResults.found(devices.device(tenantId, deviceId), "device", deviceId);
        audit.record(req, caller, "device.provision", "device", deviceId, before.siteId(), before, after);
        Map<String, Object> bundle = bundle(doors, tenantId, deviceId, issued, brokerUrl.get(), password);
        res.header("Cache-Control", "no-store");
        Json.created(res, bundle);
    }

    /** The bundle an edge is set up with; the same for provisioning and enrollment by code. */
    static Map<String, Object> bundle(
            DoorStore doors,
            String tenantId,
            String deviceId,
            DeviceStore.Issued issued,
            String brokerUrl,
            String password) {
        List<Map<String, String>> siteDoors = new ArrayList<>();
        for (Views.DoorView door : doors.doors(tenantId, issued.siteId())) {
            siteDoors.add(Map.of("id", door.id(), "name", door.name()));
        }
        Map<String, Object> bundle = new LinkedHashMap<>();
        bundle.put("tenant", issued.slug());
        bundle.put("site", issued.siteId());
        bundle.put("device", deviceId);
        bundle.put("zone", issued.zone());
        Map<String, String> mqtt = new LinkedHashMap<>();
        mqtt.put("url", brokerUrl);
        mqtt.put("username", deviceId);
        mqtt.put("password", password);
        bundle.put("mqtt", mqtt);
        bundle.put(
                "trustedKeys",
                Map.of("keys", issued.keys().stream().map(SigningKey::jwk).toList()));
        bundle.put("cardKey", HexFormat.of().formatHex(issued.cardKey()));
        bundle.put("doors", siteDoors);
        return bundle;
    }
}
