package dev.gatehouse.hub.rooms;

import dev.gatehouse.hub.sites.SitePath;
import dev.gatehouse.hub.sites.SiteStore;
import dev.gatehouse.hub.sites.Views;
import dev.gatehouse.hub.tenants.Caller;
import dev.gatehouse.hub.tenants.Permission;
import dev.gatehouse.hub.web.Json;
import io.helidon.webserver.http.HttpRules;
import io.helidon.webserver.http.HttpService;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import java.util.Map;

/**
 * The rooms' live A/V state, as the site's edges report it in {@code device.state}.
 *
 * <pre>
 * GET /api/v1/sites/{siteId}/rooms/state   each room's mode, booking, presence, confirmed values and faults
 * </pre>
 */
public record RoomStateService(SiteStore sites, RoomStateStore store) implements HttpService {
    @Override
    public void routing(HttpRules rules) {
        rules.get("/sites/{siteId}/rooms/state", this::state);
    }

    private void state(ServerRequest req, ServerResponse res) {
        Views.SiteView site = SitePath.site(req, sites, Permission.VIEW_SITES);
        Json.ok(res, Map.of("items", store.site(Caller.operator(req).tenantId(), site.id())));
    }
}
