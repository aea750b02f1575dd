package dev.gatehouse.hub.sites;

import dev.gatehouse.hub.store.WireNames;
import dev.gatehouse.hub.tenants.Caller;
import dev.gatehouse.hub.web.Input;
import dev.gatehouse.hub.web.Json;
import dev.gatehouse.hub.web.PathIds;
import dev.gatehouse.hub.web.StoreResults;
import dev.gatehouse.protocol.model.DegradedMode;
import dev.gatehouse.protocol.model.Door;
import io.helidon.http.Status;
import io.helidon.webserver.http.HttpRules;
import io.helidon.webserver.http.HttpService;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;

/**
 * The doors of a site.
 *
 * <pre>
 * POST  /api/v1/sites/{siteId}/doors       GET (list)            GET|PATCH|DELETE /api/v1/doors/{doorId}
 * </pre>
 */
public record DoorService(SiteStore sites, DoorStore store, int maxBody) implements HttpService {
    private static final String[] FIELDS = {
        "name", "unlockSeconds", "untrustedClock", "offlineMode", "offlineAfterSeconds"
    };

    @Override
    public void routing(HttpRules rules) {
        rules.post("/sites/{siteId}/doors", this::createDoor)
                .get("/sites/{siteId}/doors", this::listDoors)
                .get("/doors/{doorId}", this::getDoor)
                .patch("/doors/{doorId}", this::updateDoor)
                .delete("/doors/{doorId}", this::deleteDoor);
    }

    /** The door the body describes, each field absent taken from {@code current} (or its default for a new door). */
    private static DoorStore.DoorInput doorInput(Input input, Optional<Views.DoorView> current) {
        String name = input.has("name") || current.isEmpty()
                ? input.text("name", 100)
                : current.get().name();
        int unlock = input.integer(
                        "unlockSeconds", (int) Door.MIN_UNLOCK.toSeconds(), (int) Door.MAX_UNLOCK.toSeconds())
                .orElse(current.map(Views.DoorView::unlockSeconds).orElse(5));
        DegradedMode untrusted = input.enumValue("untrustedClock", DegradedMode.class)
                .orElse(current.map(d -> WireNames.of(DegradedMode.class, d.untrustedClock()))
                        .orElse(DegradedMode.KEEP_GRANTING));
        DegradedMode offline = input.enumValue("offlineMode", DegradedMode.class)
                .orElse(current.map(d -> WireNames.of(DegradedMode.class, d.offlineMode()))
                        .orElse(DegradedMode.KEEP_GRANTING));
        long offlineAfter = input.integer("offlineAfterSeconds", 0, 30 * 24 * 3600)
                .map(Integer::longValue)
                .orElse(current.map(Views.DoorView::offlineAfterSeconds).orElse(0L));
        input.done();
        return new DoorStore.DoorInput(name, unlock, untrusted, offline, offlineAfter);
    }

    private void createDoor(ServerRequest req, ServerResponse res) {
        String tenantId = Caller.tenantId(req);
        Views.SiteView site = SitePath.site(req, sites);
        DoorStore.DoorInput input = doorInput(Input.of(Json.object(req, maxBody), FIELDS), Optional.empty());
        Json.created(res, StoreResults.value(store.createDoor(tenantId, site.id(), input)));
    }

    private void listDoors(ServerRequest req, ServerResponse res) {
        Views.SiteView site = SitePath.site(req, sites);
        Json.ok(res, Map.of("items", store.doors(Caller.tenantId(req), site.id())));
    }

    private Views.DoorView door(ServerRequest req) {
        String doorId = PathIds.id(req, "doorId", "door");
        return StoreResults.found(store.door(Caller.tenantId(req), doorId), "door", doorId);
    }

    private void getDoor(ServerRequest req, ServerResponse res) {
        Json.ok(res, door(req));
    }

    private void updateDoor(ServerRequest req, ServerResponse res) {
        Views.DoorView current = door(req);
        DoorStore.DoorInput input = doorInput(Input.of(Json.object(req, maxBody), FIELDS), Optional.of(current));
        Json.ok(
                res,
                StoreResults.value(store.updateDoor(
                        Caller.tenantId(req),
                        current.id(),
                        input,
                        Instant.parse(current.updatedAt()).toEpochMilli())));
    }

    private void deleteDoor(ServerRequest req, ServerResponse res) {
        String doorId = PathIds.id(req, "doorId", "door");
        StoreResults.value(store.deleteDoor(Caller.tenantId(req), doorId));
        res.status(Status.NO_CONTENT_204).send();
    }
}
