package dev.gatehouse.hub.announcements;

import dev.gatehouse.hub.tenants.Caller;
import dev.gatehouse.hub.tenants.Permission;
import dev.gatehouse.hub.web.Json;
import dev.gatehouse.hub.web.PathIds;
import io.helidon.webserver.http.HttpRules;
import io.helidon.webserver.http.HttpService;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import java.util.Map;

/**
 * Announcements to members (issue 17 item 6).
 *
 * <pre>
 * POST  /api/v1/announcements                   {siteId?, title, body, publishAt?, expiresAt?}
 * GET   /api/v1/announcements                   newest first (the caller's sites' and the tenant's)
 * GET   /api/v1/announcements/{id}
 * PATCH /api/v1/announcements/{id}              {title, body, publishAt?, expiresAt?}
 * POST  /api/v1/announcements/{id}/withdraw
 * </pre>
 */
public record AnnouncementService(Announcements announcements, int maxBody) implements HttpService {
    @Override
    public void routing(HttpRules rules) {
        rules.post("/announcements", this::create)
                .get("/announcements", this::list)
                .get("/announcements/{announcementId}", this::show)
                .patch("/announcements/{announcementId}", this::update)
                .post("/announcements/{announcementId}/withdraw", this::withdraw);
    }

    private void create(ServerRequest req, ServerResponse res) {
        Caller.Operator caller = Caller.require(req, Permission.MANAGE_MEMBERS);
        AnnouncementStore.Draft draft = Announcements.read(Json.object(req, maxBody));
        Json.created(res, announcements.json(announcements.create(req, caller, draft)));
    }

    private void list(ServerRequest req, ServerResponse res) {
        Caller.Operator caller = Caller.require(req, Permission.VIEW_MEMBERS);
        Json.ok(
                res,
                Map.of(
                        "items",
                        announcements.list(caller).stream()
                                .map(announcements::json)
                                .toList()));
    }

    private void show(ServerRequest req, ServerResponse res) {
        Caller.Operator caller = Caller.require(req, Permission.VIEW_MEMBERS);
        Json.ok(res, announcements.json(announcements.find(caller, PathIds.id(req, "announcementId", "announcement"))));
    }

    private void update(ServerRequest req, ServerResponse res) {
        Caller.Operator caller = Caller.require(req, Permission.MANAGE_MEMBERS);
        String id = PathIds.id(req, "announcementId", "announcement");
        AnnouncementStore.Draft draft = Announcements.read(Json.object(req, maxBody));
        Json.ok(res, announcements.json(announcements.update(req, caller, id, draft)));
    }

    private void withdraw(ServerRequest req, ServerResponse res) {
        Caller.Operator caller = Caller.require(req, Permission.MANAGE_MEMBERS);
        Json.ok(
                res,
                announcements.json(
                        announcements.withdraw(req, caller, PathIds.id(req, "announcementId", "announcement"))));
    }
}
