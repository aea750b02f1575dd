package dev.gatehouse.hub.sites;

import com.fasterxml.jackson.databind.JsonNode;
import dev.gatehouse.hub.changes.ChangeLog;
import dev.gatehouse.hub.changes.LoggedChange;
import dev.gatehouse.hub.tenants.Caller;
import dev.gatehouse.hub.web.ApiException;
import dev.gatehouse.hub.web.Input;
import dev.gatehouse.hub.web.Json;
import dev.gatehouse.hub.web.PathIds;
import dev.gatehouse.hub.web.Times;
import dev.gatehouse.protocol.codec.MessageCodec;
import dev.gatehouse.protocol.message.Change;
import dev.gatehouse.protocol.model.DegradedMode;
import dev.gatehouse.protocol.model.Door;
import io.helidon.http.Status;
import io.helidon.webserver.http.HttpRules;
import io.helidon.webserver.http.HttpService;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import java.time.LocalDate;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Consumer;

/**
 * Sites, holidays, doors, door groups, devices and each site's change log.
 *
 * <pre>
 * POST  /api/v1/sites                      GET /api/v1/sites     GET|PATCH /api/v1/sites/{siteId}
 * PUT   /api/v1/sites/{siteId}/holidays    replace the site's holidays
 * POST  /api/v1/sites/{siteId}/doors       GET (list)            GET|PATCH|DELETE /api/v1/doors/{doorId}
 * POST  /api/v1/sites/{siteId}/door-groups GET (list)            GET|PATCH|DELETE /api/v1/door-groups/{id}
 * POST  /api/v1/sites/{siteId}/devices     GET (list)            GET|PATCH /api/v1/devices/{deviceId}
 * GET   /api/v1/sites/{siteId}/changes?after=0&amp;limit=100       the site's change log
 * </pre>
 */
public final class SiteService implements HttpService {
    private final SiteStore store;
    private final ChangeLog changes;
    private final int maxBody;
    private final Consumer<String> deviceRetired;

    public SiteService(SiteStore store, ChangeLog changes, int maxBody) {
        this(store, changes, maxBody, deviceId -> {});
    }

    /** {@code deviceRetired} runs after a device is retired (the hub drops its MQTT connection). */
    public SiteService(SiteStore store, ChangeLog changes, int maxBody, Consumer<String> deviceRetired) {
        this.store = store;
        this.changes = changes;
        this.maxBody = maxBody;
        this.deviceRetired = deviceRetired;
    }

    @Override
    public void routing(HttpRules rules) {
        rules.post("/sites", this::createSite)
                .get("/sites", this::listSites)
                .get("/sites/{siteId}", this::getSite)
                .patch("/sites/{siteId}", this::updateSite)
                .put("/sites/{siteId}/holidays", this::replaceHolidays)
                .post("/sites/{siteId}/doors", this::createDoor)
                .get("/sites/{siteId}/doors", this::listDoors)
                .get("/doors/{doorId}", this::getDoor)
                .patch("/doors/{doorId}", this::updateDoor)
                .delete("/doors/{doorId}", this::deleteDoor)
                .post("/sites/{siteId}/door-groups", this::createGroup)
                .get("/sites/{siteId}/door-groups", this::listGroups)
                .get("/door-groups/{groupId}", this::getGroup)
                .patch("/door-groups/{groupId}", this::updateGroup)
                .delete("/door-groups/{groupId}", this::deleteGroup)
                .post("/sites/{siteId}/devices", this::createDevice)
                .get("/sites/{siteId}/devices", this::listDevices)
                .get("/devices/{deviceId}", this::getDevice)
                .patch("/devices/{deviceId}", this::updateDevice)
                .get("/sites/{siteId}/changes", this::listChanges);
    }

    // ---- sites

    private void createSite(ServerRequest req, ServerResponse res) {
        String tenantId = Caller.tenantId(req);
        Input input = Input.of(Json.object(req, maxBody), "name", "address", "timeZone");
        String name = input.text("name", 100);
        String address = input.text("address", 300);
        Optional<ZoneId> zone = input.zone("timeZone");
        input.done();
        Json.created(res, store.createSite(tenantId, new SiteStore.SiteInput(name, address, zone.orElseThrow())));
    }

    private void listSites(ServerRequest req, ServerResponse res) {
        Json.ok(res, Map.of("items", store.sites(Caller.tenantId(req))));
    }

    private Views.SiteView site(ServerRequest req, String tenantId) {
        String siteId = PathIds.id(req, "siteId", "site");
        return store.site(tenantId, siteId).orElseThrow(() -> ApiException.notFound("site", siteId));
    }

    private void getSite(ServerRequest req, ServerResponse res) {
        Json.ok(res, site(req, Caller.tenantId(req)));
    }

    private void updateSite(ServerRequest req, ServerResponse res) {
        String tenantId = Caller.tenantId(req);
        Views.SiteView current = site(req, tenantId);
        Input input = Input.of(Json.object(req, maxBody), "name", "address", "timeZone");
        String name = input.has("name") ? input.text("name", 100) : current.name();
        String address = input.has("address") ? input.text("address", 300) : current.address();
        Optional<ZoneId> zone =
                input.has("timeZone") ? input.zone("timeZone") : Optional.of(ZoneId.of(current.timeZone()));
        input.done();
        Json.ok(
                res,
                store.updateSite(
                                tenantId,
                                current.id(),
                                new SiteStore.SiteInput(name, address, zone.orElseThrow()),
                                java.time.Instant.parse(current.updatedAt()).toEpochMilli())
                        .orElseThrow(() -> ApiException.notFound("site", current.id())));
    }

    private void replaceHolidays(ServerRequest req, ServerResponse res) {
        String tenantId = Caller.tenantId(req);
        Views.SiteView site = site(req, tenantId);
        Input input = Input.of(Json.object(req, maxBody), "holidays");
        if (!input.has("holidays")) {
            input.error("holidays", "is required: an array of {\"date\": \"YYYY-MM-DD\", \"name\": \"…\"}");
        }
        List<Views.Holiday> holidays = new ArrayList<>();
        Set<LocalDate> seen = new HashSet<>();
        List<JsonNode> items = input.array("holidays", 366);
        for (int i = 0; i < items.size(); i++) {
            JsonNode item = items.get(i);
            String field = "holidays[" + i + "]";
            if (!item.isObject()) {
                input.error(field, "must be an object with date and name");
                continue;
            }
            Input entry = Input.of((com.fasterxml.jackson.databind.node.ObjectNode) item, "date", "name");
            Optional<LocalDate> date = entry.date("date");
            if (!entry.has("date") || entry.isNull("date")) {
                entry.error("date", "is required");
            }
            String name = entry.text("name", 100);
            try {
                entry.done();
            } catch (ApiException e) {
                e.errors().forEach(error -> input.error(field + "." + error.field(), error.message()));
                continue;
            }
            if (!seen.add(date.orElseThrow())) {
                input.error(field + ".date", date.get() + " is listed twice");
                continue;
            }
            holidays.add(new Views.Holiday(date.get().toString(), name));
        }
        input.done();
        Json.ok(
                res,
                store.replaceHolidays(tenantId, site.id(), holidays)
                        .orElseThrow(() -> ApiException.notFound("site", site.id())));
    }

    // ---- doors

    private static final String[] DOOR_FIELDS = {
        "name", "unlockSeconds", "untrustedClock", "offlineMode", "offlineAfterSeconds"
    };

    private static SiteStore.DoorInput doorInput(Input input, Optional<Views.DoorView> current) {
        String name = input.has("name") || current.isEmpty()
                ? input.text("name", 100)
                : current.get().name();
        int unlock = input.integer(
                        "unlockSeconds", (int) Door.MIN_UNLOCK.toSeconds(), (int) Door.MAX_UNLOCK.toSeconds())
                .orElse(current.map(Views.DoorView::unlockSeconds).orElse(5));
        DegradedMode untrusted = input.enumValue("untrustedClock", DegradedMode.class)
                .orElse(current.map(d -> mode(d.untrustedClock())).orElse(DegradedMode.KEEP_GRANTING));
        DegradedMode offline = input.enumValue("offlineMode", DegradedMode.class)
                .orElse(current.map(d -> mode(d.offlineMode())).orElse(DegradedMode.KEEP_GRANTING));
        long offlineAfter = input.integer("offlineAfterSeconds", 0, 30 * 24 * 3600)
                .map(Integer::longValue)
                .orElse(current.map(Views.DoorView::offlineAfterSeconds).orElse(0L));
        input.done();
        return new SiteStore.DoorInput(name, unlock, untrusted, offline, offlineAfter);
    }

    private static DegradedMode mode(String wire) {
        return DegradedMode.valueOf(wire.toUpperCase(java.util.Locale.ROOT).replace('-', '_'));
    }

    private void createDoor(ServerRequest req, ServerResponse res) {
        String tenantId = Caller.tenantId(req);
        Views.SiteView site = site(req, tenantId);
        SiteStore.DoorInput input = doorInput(Input.of(Json.object(req, maxBody), DOOR_FIELDS), Optional.empty());
        Json.created(
                res,
                store.createDoor(tenantId, site.id(), input)
                        .orElseThrow(() -> ApiException.notFound("site", site.id())));
    }

    private void listDoors(ServerRequest req, ServerResponse res) {
        String tenantId = Caller.tenantId(req);
        Views.SiteView site = site(req, tenantId);
        Json.ok(res, Map.of("items", store.doors(tenantId, site.id())));
    }

    private Views.DoorView door(ServerRequest req, String tenantId) {
        String doorId = PathIds.id(req, "doorId", "door");
        return store.door(tenantId, doorId).orElseThrow(() -> ApiException.notFound("door", doorId));
    }

    private void getDoor(ServerRequest req, ServerResponse res) {
        Json.ok(res, door(req, Caller.tenantId(req)));
    }

    private void updateDoor(ServerRequest req, ServerResponse res) {
        String tenantId = Caller.tenantId(req);
        Views.DoorView current = door(req, tenantId);
        SiteStore.DoorInput input = doorInput(Input.of(Json.object(req, maxBody), DOOR_FIELDS), Optional.of(current));
        Json.ok(
                res,
                store.updateDoor(
                                tenantId,
                                current.id(),
                                input,
                                java.time.Instant.parse(current.updatedAt()).toEpochMilli())
                        .orElseThrow(() -> ApiException.notFound("door", current.id())));
    }

    private void deleteDoor(ServerRequest req, ServerResponse res) {
        String tenantId = Caller.tenantId(req);
        String doorId = PathIds.id(req, "doorId", "door");
        deleted(res, store.deleteDoor(tenantId, doorId), "door", doorId);
    }

    private static void deleted(ServerResponse res, SiteStore.DeleteResult result, String what, String id) {
        switch (result) {
            case SiteStore.Deleted deleted -> res.status(Status.NO_CONTENT_204).send();
            case SiteStore.Missing missing -> throw ApiException.notFound(what, id);
            case SiteStore.InUse inUse -> throw ApiException.conflict(inUse.reason());
        }
    }

    // ---- door groups

    private void createGroup(ServerRequest req, ServerResponse res) {
        String tenantId = Caller.tenantId(req);
        Views.SiteView site = site(req, tenantId);
        Input input = Input.of(Json.object(req, maxBody), "name", "doorIds");
        String name = input.text("name", 100);
        List<String> doorIds = input.ids("doorIds", 500);
        input.done();
        Json.created(res, saved(store.createGroup(tenantId, site.id(), name, doorIds), "site", site.id()));
    }

    private static Views.DoorGroupView saved(SiteStore.GroupResult result, String what, String id) {
        return switch (result) {
            case SiteStore.GroupSaved saved -> saved.group();
            case SiteStore.GroupMissing missing -> throw ApiException.notFound(what, id);
            case SiteStore.UnknownDoors unknown ->
                throw ApiException.invalid(
                        "doorIds",
                        "no door " + String.join(", ", unknown.doorIds())
                                + " at this site; list the site's doors with GET" + " /api/v1/sites/{siteId}/doors");
        };
    }

    private void listGroups(ServerRequest req, ServerResponse res) {
        String tenantId = Caller.tenantId(req);
        Views.SiteView site = site(req, tenantId);
        Json.ok(res, Map.of("items", store.groups(tenantId, site.id())));
    }

    private void getGroup(ServerRequest req, ServerResponse res) {
        String tenantId = Caller.tenantId(req);
        String groupId = PathIds.id(req, "groupId", "door group");
        Json.ok(res, store.group(tenantId, groupId).orElseThrow(() -> ApiException.notFound("door group", groupId)));
    }

    private void updateGroup(ServerRequest req, ServerResponse res) {
        String tenantId = Caller.tenantId(req);
        String groupId = PathIds.id(req, "groupId", "door group");
        Input input = Input.of(Json.object(req, maxBody), "name", "doorIds");
        Optional<String> name = input.has("name") ? Optional.of(input.text("name", 100)) : Optional.empty();
        Optional<List<String>> doorIds =
                input.has("doorIds") ? Optional.of(input.ids("doorIds", 500)) : Optional.empty();
        input.done();
        Json.ok(res, saved(store.updateGroup(tenantId, groupId, name, doorIds), "door group", groupId));
    }

    private void deleteGroup(ServerRequest req, ServerResponse res) {
        String tenantId = Caller.tenantId(req);
        String groupId = PathIds.id(req, "groupId", "door group");
        deleted(res, store.deleteGroup(tenantId, groupId), "door group", groupId);
    }

    // ---- devices

    private void createDevice(ServerRequest req, ServerResponse res) {
        String tenantId = Caller.tenantId(req);
        Views.SiteView site = site(req, tenantId);
        Input input = Input.of(Json.object(req, maxBody), "name");
        String name = input.text("name", 100);
        input.done();
        Json.created(
                res,
                store.createDevice(tenantId, site.id(), name)
                        .orElseThrow(() -> ApiException.notFound("site", site.id())));
    }

    private void listDevices(ServerRequest req, ServerResponse res) {
        String tenantId = Caller.tenantId(req);
        Views.SiteView site = site(req, tenantId);
        Json.ok(res, Map.of("items", store.devices(tenantId, site.id())));
    }

    private void getDevice(ServerRequest req, ServerResponse res) {
        String tenantId = Caller.tenantId(req);
        String deviceId = PathIds.id(req, "deviceId", "device");
        Json.ok(res, store.device(tenantId, deviceId).orElseThrow(() -> ApiException.notFound("device", deviceId)));
    }

    /** Renames a device or retires it; provisioning (pending → active) is POST /devices/{id}/provision. */
    private void updateDevice(ServerRequest req, ServerResponse res) {
        String tenantId = Caller.tenantId(req);
        String deviceId = PathIds.id(req, "deviceId", "device");
        Views.DeviceView current =
                store.device(tenantId, deviceId).orElseThrow(() -> ApiException.notFound("device", deviceId));
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
        Views.DeviceView updated = store.updateDevice(tenantId, deviceId, name, status)
                .orElseThrow(() -> ApiException.notFound("device", deviceId));
        if (updated.status().equals("retired") && !current.status().equals("retired")) {
            deviceRetired.accept(deviceId);
        }
        Json.ok(res, updated);
    }

    // ---- change log

    private void listChanges(ServerRequest req, ServerResponse res) {
        String tenantId = Caller.tenantId(req);
        Views.SiteView site = site(req, tenantId);
        long after = query(req, "after", 0, Long.MAX_VALUE, 0);
        int limit = (int) query(req, "limit", 1, 1000, 100);
        List<Map<String, Object>> items = new ArrayList<>();
        for (LoggedChange change : changes.read(tenantId, site.id(), after, limit)) {
            Map<String, Object> item = new LinkedHashMap<>();
            item.put("seq", change.seq());
            item.put("at", Times.iso(change.at()));
            item.put("kind", change.change().kind().name());
            item.put("key", change.change().key());
            switch (change.change()) {
                case Change.Upsert upsert -> {
                    item.put("op", "upsert");
                    item.put("entity", parse(MessageCodec.encodeEntity(upsert.entity())));
                }
                case Change.Remove remove -> item.put("op", "remove");
            }
            items.add(item);
        }
        Json.ok(res, Map.of("siteId", site.id(), "head", site.changeSeq(), "items", items));
    }

    private static JsonNode parse(String json) {
        try {
            return Json.MAPPER.readTree(json);
        } catch (java.io.IOException e) {
            throw new IllegalStateException("stored change is not JSON", e);
        }
    }

    /** A whole-number query parameter within bounds, or 422 naming it. */
    public static long query(ServerRequest req, String name, long min, long max, long fallback) {
        Optional<String> text = req.query().first(name).asOptional();
        if (text.isEmpty()) {
            return fallback;
        }
        try {
            long value = Long.parseLong(text.get());
            if (value < min || value > max) {
                throw ApiException.invalid(name, "is " + value + "; use " + min + " to " + max);
            }
            return value;
        } catch (NumberFormatException e) {
            throw ApiException.invalid(name, "'" + text.get() + "' is not a whole number");
        }
    }
}
