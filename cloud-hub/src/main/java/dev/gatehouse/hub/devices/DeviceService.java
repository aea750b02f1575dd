package dev.gatehouse.hub.devices;

import dev.gatehouse.hub.audit.Audit;
import dev.gatehouse.hub.sites.SitePath;
import dev.gatehouse.hub.sites.SiteStore;
import dev.gatehouse.hub.sites.Views;
import dev.gatehouse.hub.tenants.Caller;
import dev.gatehouse.hub.tenants.Permission;
import dev.gatehouse.hub.web.Input;
import dev.gatehouse.hub.web.Json;
import dev.gatehouse.hub.web.PathIds;
import dev.gatehouse.hub.web.StoreResults;
import io.helidon.webserver.http.HttpRules;
import io.helidon.webserver.http.HttpService;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * The edge devices of a site; provisioning one is {@link ProvisioningService}. {@code deviceRetired}
 * runs after a device is retired (the hub drops its MQTT connection).
 *
 * <pre>
 * POST  /api/v1/sites/{siteId}/devices     GET (list)            GET|PATCH /api/v1/devices/{deviceId}
 * </pre>
 */
public record DeviceService(
        SiteStore sites, DeviceStore store, Audit audit, int maxBody, Consumer<String> deviceRetired)
        implements HttpService {
    @Override
    public void routing(HttpRules rules) {
        rules.post("/sites/{siteId}/devices", this::createDevice)
                .get("/sites/{siteId}/devices", this::listDevices)
                .get("/devices/{deviceId}", this::getDevice)
                .patch("/devices/{deviceId}", this::updateDevice);
    }

    private void createDevice(ServerRequest req, ServerResponse res) {
        Views.SiteView site = SitePath.site(req, sites, Permission.MANAGE_DEVICES);
        Caller.Operator caller = Caller.operator(req);
        Input input = Input.of(Json.object(req, maxBody), "name");
        String name = input.text("name", 100);
        input.done();
        DeviceView created = StoreResults.value(store.createDevice(caller.tenantId(), site.id(), name));
        audit.record(req, caller, "device.create", "device", created.id(), site.id(), null, created);
        Json.created(res, created);
    }

    private void listDevices(ServerRequest req, ServerResponse res) {
        Views.SiteView site = SitePath.site(req, sites, Permission.VIEW_SITES);
        Json.ok(res, Map.of("items", store.devices(Caller.operator(req).tenantId(), site.id())));
    }

    /** The device the path names, when it is at one of the caller's sites (else 404). */
    private DeviceView device(ServerRequest req, Caller.Operator caller) {
        String deviceId = PathIds.id(req, "deviceId", "device");
        DeviceView device = StoreResults.found(store.device(caller.tenantId(), deviceId), "device", deviceId);
        caller.requireCovers(device.siteId(), "device", deviceId);
        return device;
    }

    private void getDevice(ServerRequest req, ServerResponse res) {
        Json.ok(res, device(req, Caller.require(req, Permission.VIEW_SITES)));
    }

    /** Renames a device or retires it; provisioning (pending → active) is POST /devices/{id}/provision. */
    private void updateDevice(ServerRequest req, ServerResponse res) {
        Caller.Operator caller = Caller.require(req, Permission.MANAGE_DEVICES);
        DeviceView current = device(req, caller);
        Input input = Input.of(Json.object(req, maxBody), "name", "status");
        Optional<String> name = input.has("name") ? Optional.of(input.text("name", 100)) : Optional.empty();
        Optional<String> status = input.optionalText("status", 20);
        if (status.isPresent()
                && !status.get().equals("retired")
                && !status.get().equals(current.status())) {
            input.error("status", "can only be set to 'retired' here; a device becomes active when it is provisioned");
        }
        if (current.status().equals("retired")
                && status.isPresent()
                && !status.get().equals("retired")) {
            input.error("status", "a retired device stays retired; create a new device instead");
        }
        input.done();
        DeviceView updated = StoreResults.value(store.updateDevice(caller.tenantId(), current.id(), name, status));
        boolean retired =
                updated.status().equals("retired") && !current.status().equals("retired");
        if (retired) {
            deviceRetired.accept(current.id());
        }
        audit.record(
                req,
                caller,
                retired ? "device.retire" : "device.update",
                "device",
                current.id(),
                current.siteId(),
                current,
                updated);
        Json.ok(res, updated);
    }
}
