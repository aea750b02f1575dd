package dev.gatehouse.hub.sites;

import dev.gatehouse.hub.audit.Audit;
import dev.gatehouse.hub.store.WireNames;
import dev.gatehouse.hub.tenants.Caller;
import dev.gatehouse.hub.tenants.Permission;
import dev.gatehouse.hub.web.Input;
import dev.gatehouse.hub.web.Json;
import dev.gatehouse.hub.web.PathIds;
import dev.gatehouse.hub.web.StoreResults;
import dev.gatehouse.protocol.model.DegradedMode;
import dev.gatehouse.protocol.model.Door;
import dev.gatehouse.protocol.model.TimeWindow;
import io.helidon.http.Status;
import io.helidon.webserver.http.HttpRules;
import io.helidon.webserver.http.HttpService;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import java.time.DayOfWeek;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * The doors of a site.
 *
 * <pre>
 * POST  /api/v1/sites/{siteId}/doors       GET (list)            GET|PATCH|DELETE /api/v1/doors/{doorId}
 * </pre>
 */
public record DoorService(SiteStore sites, DoorStore store, Audit audit, int maxBody) implements HttpService {
    private static final String[] FIELDS = {
        "name",
        "unlockSeconds",
        "untrustedClock",
        "offlineMode",
        "offlineAfterSeconds",
        "heldOpenSeconds",
        "officeHours"
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
        // Pushed door policy: absent keeps what the door has, null hands it back to the edges' configuration.
        Optional<Integer> heldOpen = input.isNull("heldOpenSeconds")
                ? Optional.empty()
                : input.has("heldOpenSeconds")
                        ? input.integer("heldOpenSeconds", (int) Door.MIN_HELD_OPEN.toSeconds(), (int)
                                Door.MAX_HELD_OPEN.toSeconds())
                        : current.flatMap(d -> Optional.ofNullable(d.heldOpenSeconds()))
                                .map(Long::intValue);
        Optional<List<TimeWindow>> officeHours = input.isNull("officeHours")
                ? Optional.empty()
                : input.has("officeHours")
                        ? Optional.of(input.weeklyWindows("officeHours", Door.MAX_OFFICE_HOURS))
                        : current.flatMap(d -> Optional.ofNullable(d.officeHours()))
                                .map(DoorService::windows);
        input.done();
        return new DoorStore.DoorInput(name, unlock, untrusted, offline, offlineAfter, heldOpen, officeHours);
    }

    private static List<TimeWindow> windows(List<Views.OfficeHours> hours) {
        return hours.stream()
                .map(h -> TimeWindow.of(DayOfWeek.valueOf(h.day().toUpperCase(Locale.ROOT)), h.from(), h.to()))
                .toList();
    }

    private void createDoor(ServerRequest req, ServerResponse res) {
        Views.SiteView site = SitePath.site(req, sites, Permission.MANAGE_SITES);
        Caller.Operator caller = Caller.operator(req);
        DoorStore.DoorInput input = doorInput(Input.of(Json.object(req, maxBody), FIELDS), Optional.empty());
        Views.DoorView created = StoreResults.value(store.createDoor(caller.tenantId(), site.id(), input));
        audit.record(req, caller, "door.create", "door", created.id(), site.id(), null, created);
        Json.created(res, created);
    }

    private void listDoors(ServerRequest req, ServerResponse res) {
        Views.SiteView site = SitePath.site(req, sites, Permission.VIEW_SITES);
        Json.ok(res, Map.of("items", store.doors(Caller.operator(req).tenantId(), site.id())));
    }

    /** The door the path names, when it is at one of the caller's sites (else 404). */
    private Views.DoorView door(ServerRequest req, Caller.Operator caller) {
        String doorId = PathIds.id(req, "doorId", "door");
        Views.DoorView door = StoreResults.found(store.door(caller.tenantId(), doorId), "door", doorId);
        caller.requireCovers(door.siteId(), "door", doorId);
        return door;
    }

    private void getDoor(ServerRequest req, ServerResponse res) {
        Json.ok(res, door(req, Caller.require(req, Permission.VIEW_SITES)));
    }

    private void updateDoor(ServerRequest req, ServerResponse res) {
        Caller.Operator caller = Caller.require(req, Permission.MANAGE_SITES);
        Views.DoorView current = door(req, caller);
        DoorStore.DoorInput input = doorInput(Input.of(Json.object(req, maxBody), FIELDS), Optional.of(current));
        Views.DoorView updated = StoreResults.value(store.updateDoor(
                caller.tenantId(),
                current.id(),
                input,
                Instant.parse(current.updatedAt()).toEpochMilli()));
        audit.record(req, caller, "door.update", "door", current.id(), current.siteId(), current, updated);
        Json.ok(res, updated);
    }

    private void deleteDoor(ServerRequest req, ServerResponse res) {
        Caller.Operator caller = Caller.require(req, Permission.MANAGE_SITES);
        Views.DoorView current = door(req, caller);
        StoreResults.value(store.deleteDoor(caller.tenantId(), current.id()));
        audit.record(req, caller, "door.delete", "door", current.id(), current.siteId(), current, null);
        res.status(Status.NO_CONTENT_204).send();
    }
}
