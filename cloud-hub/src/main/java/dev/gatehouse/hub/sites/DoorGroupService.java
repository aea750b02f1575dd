package dev.gatehouse.hub.sites;

import dev.gatehouse.hub.tenants.Caller;
import dev.gatehouse.hub.web.Input;
import dev.gatehouse.hub.web.Json;
import dev.gatehouse.hub.web.PathIds;
import dev.gatehouse.hub.web.StoreResults;
import io.helidon.http.Status;
import io.helidon.webserver.http.HttpRules;
import io.helidon.webserver.http.HttpService;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Door groups: named sets of a site's doors.
 *
 * <pre>
 * POST  /api/v1/sites/{siteId}/door-groups GET (list)            GET|PATCH|DELETE /api/v1/door-groups/{id}
 * </pre>
 */
public record DoorGroupService(SiteStore sites, DoorGroupStore store, int maxBody) implements HttpService {
    @Override
    public void routing(HttpRules rules) {
        rules.post("/sites/{siteId}/door-groups", this::createGroup)
                .get("/sites/{siteId}/door-groups", this::listGroups)
                .get("/door-groups/{groupId}", this::getGroup)
                .patch("/door-groups/{groupId}", this::updateGroup)
                .delete("/door-groups/{groupId}", this::deleteGroup);
    }

    private void createGroup(ServerRequest req, ServerResponse res) {
        Views.SiteView site = SitePath.site(req, sites);
        Input input = Input.of(Json.object(req, maxBody), "name", "doorIds");
        String name = input.text("name", 100);
        List<String> doorIds = input.ids("doorIds", 500);
        input.done();
        Json.created(res, StoreResults.value(store.createGroup(Caller.tenantId(req), site.id(), name, doorIds)));
    }

    private void listGroups(ServerRequest req, ServerResponse res) {
        Views.SiteView site = SitePath.site(req, sites);
        Json.ok(res, Map.of("items", store.groups(Caller.tenantId(req), site.id())));
    }

    private static String groupId(ServerRequest req) {
        return PathIds.id(req, "groupId", "door group");
    }

    private void getGroup(ServerRequest req, ServerResponse res) {
        String groupId = groupId(req);
        Json.ok(res, StoreResults.found(store.group(Caller.tenantId(req), groupId), "door group", groupId));
    }

    private void updateGroup(ServerRequest req, ServerResponse res) {
        String groupId = groupId(req);
        Input input = Input.of(Json.object(req, maxBody), "name", "doorIds");
        Optional<String> name = input.has("name") ? Optional.of(input.text("name", 100)) : Optional.empty();
        Optional<List<String>> doorIds =
                input.has("doorIds") ? Optional.of(input.ids("doorIds", 500)) : Optional.empty();
        input.done();
        Json.ok(res, StoreResults.value(store.updateGroup(Caller.tenantId(req), groupId, name, doorIds)));
    }

    private void deleteGroup(ServerRequest req, ServerResponse res) {
        StoreResults.value(store.deleteGroup(Caller.tenantId(req), groupId(req)));
        res.status(Status.NO_CONTENT_204).send();
    }
}
