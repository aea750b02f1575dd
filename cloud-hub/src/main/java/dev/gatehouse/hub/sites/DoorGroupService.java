package dev.gatehouse.hub.sites;

import dev.gatehouse.hub.audit.Audit;
import dev.gatehouse.hub.tenants.Caller;
import dev.gatehouse.hub.tenants.Permission;
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
public record DoorGroupService(SiteStore sites, DoorGroupStore store, Audit audit, int maxBody) implements HttpService {
    @Override
    public void routing(HttpRules rules) {
        rules.post("/sites/{siteId}/door-groups", this::createGroup)
                .get("/sites/{siteId}/door-groups", this::listGroups)
                .get("/door-groups/{groupId}", this::getGroup)
                .patch("/door-groups/{groupId}", this::updateGroup)
                .delete("/door-groups/{groupId}", this::deleteGroup);
    }

    private void createGroup(ServerRequest req, ServerResponse res) {
        Views.SiteView site = SitePath.site(req, sites, Permission.MANAGE_SITES);
        Caller.Operator caller = Caller.operator(req);
        Input input = Input.of(Json.object(req, maxBody), "name", "doorIds");
        String name = input.text("name", 100);
        List<String> doorIds = input.ids("doorIds", 500);
        input.done();
        Views.DoorGroupView created =
                StoreResults.value(store.createGroup(caller.tenantId(), site.id(), name, doorIds));
        audit.record(req, caller, "door-group.create", "door-group", created.id(), site.id(), null, created);
        Json.created(res, created);
    }

    private void listGroups(ServerRequest req, ServerResponse res) {
        Views.SiteView site = SitePath.site(req, sites, Permission.VIEW_SITES);
        Json.ok(res, Map.of("items", store.groups(Caller.operator(req).tenantId(), site.id())));
    }

    private static String groupId(ServerRequest req) {
        return PathIds.id(req, "groupId", "door group");
    }

    /** The door group the path names, when it is at one of the caller's sites (else 404). */
    private Views.DoorGroupView group(ServerRequest req, Caller.Operator caller) {
        String groupId = groupId(req);
        Views.DoorGroupView group = StoreResults.found(store.group(caller.tenantId(), groupId), "door group", groupId);
        caller.requireCovers(group.siteId(), "door group", groupId);
        return group;
    }

    private void getGroup(ServerRequest req, ServerResponse res) {
        Json.ok(res, group(req, Caller.require(req, Permission.VIEW_SITES)));
    }

    private void updateGroup(ServerRequest req, ServerResponse res) {
        Caller.Operator caller = Caller.require(req, Permission.MANAGE_SITES);
        Views.DoorGroupView current = group(req, caller);
        Input input = Input.of(Json.object(req, maxBody), "name", "doorIds", "forVisitors");
        Optional<String> name = input.has("name") ? Optional.of(input.text("name", 100)) : Optional.empty();
        Optional<List<String>> doorIds =
                input.has("doorIds") ? Optional.of(input.ids("doorIds", 500)) : Optional.empty();
        Optional<Boolean> forVisitors = input.bool("forVisitors");
        input.done();
        Views.DoorGroupView updated =
                StoreResults.value(store.updateGroup(caller.tenantId(), current.id(), name, doorIds, forVisitors));
        audit.record(req, caller, "door-group.update", "door-group", current.id(), current.siteId(), current, updated);
        Json.ok(res, updated);
    }

    private void deleteGroup(ServerRequest req, ServerResponse res) {
        Caller.Operator caller = Caller.require(req, Permission.MANAGE_SITES);
        Views.DoorGroupView current = group(req, caller);
        StoreResults.value(store.deleteGroup(caller.tenantId(), current.id()));
        audit.record(req, caller, "door-group.delete", "door-group", current.id(), current.siteId(), current, null);
        res.status(Status.NO_CONTENT_204).send();
    }
}
