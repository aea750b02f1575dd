package dev.gatehouse.hub.sites;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.gatehouse.hub.audit.Audit;
import dev.gatehouse.hub.changes.ChangeLog;
import dev.gatehouse.hub.changes.LoggedChange;
import dev.gatehouse.hub.tenants.Caller;
import dev.gatehouse.hub.tenants.Permission;
import dev.gatehouse.hub.web.ApiException;
import dev.gatehouse.hub.web.Input;
import dev.gatehouse.hub.web.Json;
import dev.gatehouse.hub.web.Paging;
import dev.gatehouse.hub.web.StoreResults;
import dev.gatehouse.hub.web.Times;
import dev.gatehouse.protocol.codec.MessageCodec;
import dev.gatehouse.protocol.message.Change;
import io.helidon.webserver.http.HttpRules;
import io.helidon.webserver.http.HttpService;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Sites, their holidays and each site's change log. Doors are {@link DoorService}, door groups
 * {@link DoorGroupService}.
 *
 * <pre>
 * POST  /api/v1/sites                      GET /api/v1/sites     GET|PATCH /api/v1/sites/{siteId}
 * PUT   /api/v1/sites/{siteId}/holidays    replace the site's holidays
 * GET   /api/v1/sites/{siteId}/changes?after=0&amp;limit=100       the site's change log
 * </pre>
 */
public record SiteService(SiteStore store, ChangeLog changes, Audit audit, int maxBody) implements HttpService {
    @Override
    public void routing(HttpRules rules) {
        rules.post("/sites", this::createSite)
                .get("/sites", this::listSites)
                .get("/sites/{siteId}", this::getSite)
                .patch("/sites/{siteId}", this::updateSite)
                .put("/sites/{siteId}/holidays", this::replaceHolidays)
                .get("/sites/{siteId}/changes", this::listChanges);
    }

    private void createSite(ServerRequest req, ServerResponse res) {
        Caller.Operator caller = Caller.require(req, Permission.MANAGE_SITES);
        if (!caller.access().allSites()) {
            throw ApiException.forbidden("a role limited to some sites may not create a site; ask an owner");
        }
        Input input = Input.of(Json.object(req, maxBody), "name", "address", "timeZone");
        String name = input.text("name", 100);
        String address = input.text("address", 300);
        Optional<ZoneId> zone = input.zone("timeZone");
        input.done();
        Views.SiteView created =
                store.createSite(caller.tenantId(), new SiteStore.SiteInput(name, address, zone.orElseThrow()));
        audit.record(req, caller, "site.create", "site", created.id(), created.id(), null, created);
        Json.created(res, created);
    }

    private void listSites(ServerRequest req, ServerResponse res) {
        Caller.Operator caller = Caller.require(req, Permission.VIEW_SITES);
        Json.ok(
                res,
                Map.of("items", store.sites(caller.tenantId(), caller.access().siteIds())));
    }

    private void getSite(ServerRequest req, ServerResponse res) {
        Json.ok(res, SitePath.site(req, store, Permission.VIEW_SITES));
    }

    private void updateSite(ServerRequest req, ServerResponse res) {
        Views.SiteView current = SitePath.site(req, store, Permission.MANAGE_SITES);
        Caller.Operator caller = Caller.operator(req);
        Input input = Input.of(Json.object(req, maxBody), "name", "address", "timeZone");
        String name = input.has("name") ? input.text("name", 100) : current.name();
        String address = input.has("address") ? input.text("address", 300) : current.address();
        Optional<ZoneId> zone =
                input.has("timeZone") ? input.zone("timeZone") : Optional.of(ZoneId.of(current.timeZone()));
        input.done();
        Views.SiteView updated = StoreResults.value(store.updateSite(
                caller.tenantId(),
                current.id(),
                new SiteStore.SiteInput(name, address, zone.orElseThrow()),
                Instant.parse(current.updatedAt()).toEpochMilli()));
        audit.record(req, caller, "site.update", "site", current.id(), current.id(), current, updated);
        Json.ok(res, updated);
    }

    private void replaceHolidays(ServerRequest req, ServerResponse res) {
        Views.SiteView site = SitePath.site(req, store, Permission.MANAGE_SITES);
        Caller.Operator caller = Caller.operator(req);
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
            Input entry = Input.of((ObjectNode) item, "date", "name");
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
        Views.SiteView updated = StoreResults.value(store.replaceHolidays(caller.tenantId(), site.id(), holidays));
        audit.record(req, caller, "site.holidays", "site", site.id(), site.id(), site, updated);
        Json.ok(res, updated);
    }

    private void listChanges(ServerRequest req, ServerResponse res) {
        Views.SiteView site = SitePath.site(req, store, Permission.VIEW_SITES);
        String tenantId = Caller.operator(req).tenantId();
        long after = Paging.number(req, "after", 0, Long.MAX_VALUE, 0);
        int limit = (int) Paging.number(req, "limit", 1, 1000, 100);
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
}
