package dev.gatehouse.hub.devices;

import dev.gatehouse.hub.sites.SitePath;
import dev.gatehouse.hub.sites.SiteStore;
import dev.gatehouse.hub.sites.Views;
import dev.gatehouse.hub.tenants.Caller;
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
public record DeviceService(SiteStore sites, DeviceStore store, int maxBody, Consumer<String> deviceRetired)
        implements HttpService {
    @Override
    public void routing(HttpRules rules) {
        rules.post("/sites/{siteId}/devices", this::createDevice)
                .get("/sites/{siteId}/devices", this::listDevices)
                .get("/devices/{deviceId}", this::getDevice)
                .patch("/devices/{deviceId}", this::updateDevice);
    }

    private void createDevice(ServerRequest req, ServerResponse res) {
        Views.SiteView site = SitePath.site(req, sites);
        Input input = Input.of(Json.object(req, maxBody), "name");
        String name = input.text("name", 100);
        input.done();
        Json.created(res, StoreResults.value(store.createDevice(Caller.tenantId(req), site.id(), name)));
    }

    private void listDevices(ServerRequest req, ServerResponse res) {
        Views.SiteView site = SitePath.site(req, sites);
        Json.ok(res, Map.of("items", store.devices(Caller.tenantId(req), site.id())));
    }

    private DeviceView device(ServerRequest req) {
        String deviceId = PathIds.id(req, "deviceId", "device");
        return StoreResults.found(store.device(Caller.tenantId(req), deviceId), "device", deviceId);
    }

    private void getDevice(ServerRequest req, ServerResponse res) {
        Json.ok(res, device(req));
    }

    /** Renames a device or retires it; provisioning (pending → active) is POST /devices/{id}/provision. */
    private void updateDevice(ServerRequest req, ServerResponse res) {
        DeviceView current = device(req);
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
        DeviceView updated = StoreResults.value(store.updateDevice(Caller.tenantId(req), current.id(), name, status));
        if (updated.status().equals("retired") && !current.status().equals("retired")) {
            deviceRetired.accept(current.id());
        }
        Json.ok(res, updated);
    }
}
