package dev.gatehouse.hub.bookings;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.gatehouse.hub.audit.Audit;
import dev.gatehouse.hub.sites.ResourceKind;
import dev.gatehouse.hub.sites.SitePath;
import dev.gatehouse.hub.sites.SiteStore;
import dev.gatehouse.hub.sites.Views;
import dev.gatehouse.hub.store.WireNames;
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
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A site's bookable resources.
 *
 * <pre>
 * POST  /api/v1/sites/{siteId}/resources   a new resource with its rules, doors and plans
 * GET   /api/v1/sites/{siteId}/resources   the site's resources
 * GET   /api/v1/resources/{resourceId}     one
 * PATCH /api/v1/resources/{resourceId}     change it (absent fields keep their value)
 * </pre>
 */
public record ResourceService(SiteStore sites, ResourceStore store, Audit audit, int maxBody) implements HttpService {
    static final String[] FIELDS = {
        "parentId",
        "name",
        "kind",
        "capacity",
        "amenities",
        "x",
        "y",
        "pricePerHour",
        "creditsPerHour",
        "status",
        "rules",
        "doorIds",
        "planIds"
    };
    static final String[] RULES = {
        "granularityMinutes",
        "minMinutes",
        "maxMinutes",
        "minNoticeMinutes",
        "maxAdvanceDays",
        "bufferBeforeMinutes",
        "bufferAfterMinutes",
        "maxHoursPerDay",
        "maxHoursPerWeek",
        "cancelWindowMinutes",
        "openingHours",
        "closedOnHolidays",
        "checkInOpensBeforeMinutes",
        "releaseAfterMinutes",
        "approvalHoldHours"
    };
    /** The booking rules' field names in the API, in this order (the console's form lists them so). */
    public static final List<String> RULE_FIELDS = List.of(RULES);

    private static final int MAX_LINKS = 50;

    @Override
    public void routing(HttpRules rules) {
        rules.post("/sites/{siteId}/resources", this::create)
                .get("/sites/{siteId}/resources", this::list)
                .get("/resources/{resourceId}", this::get)
                .patch("/resources/{resourceId}", this::update);
    }

    private void create(ServerRequest req, ServerResponse res) {
        Views.SiteView site = SitePath.site(req, sites, Permission.MANAGE_SITES);
        Caller.Operator caller = Caller.operator(req);
        ResourceStore.ResourceInput input = input(Input.of(Json.object(req, maxBody), FIELDS), Optional.empty());
        Resource created = StoreResults.value(store.create(caller.tenantId(), site.id(), input));
        audit.record(req, caller, "resource.create", "resource", created.id(), site.id(), null, json(created));
        Json.created(res, json(created));
    }

    private void list(ServerRequest req, ServerResponse res) {
        Views.SiteView site = SitePath.site(req, sites, Permission.VIEW_SITES);
        List<ObjectNode> items = store.list(Caller.operator(req).tenantId(), site.id()).stream()
                .map(ResourceService::json)
                .toList();
        Json.ok(res, Map.of("items", items));
    }

    private Resource resource(ServerRequest req, Caller.Operator caller) {
        return resource(req, caller, store);
    }

    /** The path's resource, of the caller's tenant and one of its sites; else 404. */
    static Resource resource(ServerRequest req, Caller.Operator caller, ResourceStore store) {
        String id = PathIds.id(req, "resourceId", "resource");
        Resource resource = StoreResults.found(store.find(caller.tenantId(), id), "resource", id);
        caller.requireCovers(resource.siteId(), "resource", id);
        return resource;
    }

    private void get(ServerRequest req, ServerResponse res) {
        Json.ok(res, json(resource(req, Caller.require(req, Permission.VIEW_SITES))));
    }

    private void update(ServerRequest req, ServerResponse res) {
        Caller.Operator caller = Caller.require(req, Permission.MANAGE_SITES);
        Resource current = resource(req, caller);
        caller.require(Permission.MANAGE_SITES, current.siteId());
        ResourceStore.ResourceInput input = input(Input.of(Json.object(req, maxBody), FIELDS), Optional.of(current));
        Resource updated = StoreResults.value(store.update(caller.tenantId(), current.id(), input));
        audit.record(
                req,
                caller,
                "resource.update",
                "resource",
                current.id(),
                current.siteId(),
                json(current),
                json(updated));
        Json.ok(res, json(updated));
    }

    /**
     * The body over {@code current} (a new resource: over the defaults); every problem in one 422. The
     * console's resource form reads through it too, so a page and the API accept the same settings.
     */
    public static ResourceStore.ResourceInput input(Input input, Optional<Resource> current) {
        String name = input.has("name") || current.isEmpty()
                ? input.text("name", 100)
                : current.get().name();
        ResourceKind kind = input.has("kind") || current.isEmpty()
                ? required(input, "kind", input.enumValue("kind", ResourceKind.class))
                        .orElse(ResourceKind.MEETING_ROOM)
                : current.get().kind();
        int capacity = input.integer("capacity", 1, 10_000)
                .orElse(current.map(Resource::capacity).orElse(1));
        List<String> amenities = input.has("amenities")
                ? amenities(input)
                : current.map(Resource::amenities).orElse(List.of());
        Optional<Integer> x = input.has("x") ? input.integer("x", 0, 100) : current.flatMap(Resource::x);
        Optional<Integer> y = input.has("y") ? input.integer("y", 0, 100) : current.flatMap(Resource::y);
        long price = input.integer("pricePerHour", 0, 100_000_000)
                .map(Integer::longValue)
                .orElse(current.map(Resource::pricePerHour).orElse(0L));
        long credits = input.integer("creditsPerHour", 0, 1_000_000)
                .map(Integer::longValue)
                .orElse(current.map(Resource::creditsPerHour).orElse(0L));
        Resource.ResourceStatus status = input.enumValue("status", Resource.ResourceStatus.class)
                .orElse(current.map(Resource::status).orElse(Resource.ResourceStatus.ACTIVE));
        Optional<String> parent =
                input.has("parentId") ? input.optionalText("parentId", 64) : current.flatMap(Resource::parentId);
        if (parent.isPresent() && !dev.gatehouse.protocol.Ids.isValid(parent.get())) {
            input.error("parentId", "must be a resource id");
        }
        List<String> doors = input.has("doorIds")
                ? input.ids("doorIds", MAX_LINKS)
                : current.map(Resource::doorIds).orElse(List.of());
        List<String> plans = input.has("planIds")
                ? input.ids("planIds", MAX_LINKS)
                : current.map(Resource::planIds).orElse(List.of());
        BookingRules rules = rules(input, current.map(Resource::rules).orElse(BookingRules.DEFAULTS));
        input.done();
        return new ResourceStore.ResourceInput(
                parent, name, kind, capacity, amenities, x, y, price, credits, status, rules, doors, plans);
    }

    private static <T> Optional<T> required(Input input, String field, Optional<T> value) {
        if (!input.has(field) || input.isNull(field)) {
            input.error(field, "is required: one of " + WireNames.choices(ResourceKind.class));
        }
        return value;
    }

    private static List<String> amenities(Input input) {
        List<String> amenities = new java.util.ArrayList<>();
        List<com.fasterxml.jackson.databind.JsonNode> items = input.array("amenities", 30);
        for (int i = 0; i < items.size(); i++) {
            String text = items.get(i).asText("");
            if (!items.get(i).isTextual() || text.isBlank() || text.length() > 40 || text.contains(",")) {
                input.error("amenities[" + i + "]", "must be a short text (1-40 characters, no comma)");
                continue;
            }
            amenities.add(text.strip());
        }
        return List.copyOf(amenities);
    }

    /** The {@code rules} object over {@code base}; its errors are named {@code rules.field}. */
    private static BookingRules rules(Input input, BookingRules base) {
        if (!input.has("rules") || input.isNull("rules")) {
            return base;
        }
        if (!input.raw().get("rules").isObject()) {
            input.error("rules", "must be an object of booking rules");
            return base;
        }
        Input in = Input.of((ObjectNode) input.raw().get("rules"), RULES);
        BookingRules rules = new BookingRules(
                in.integer("granularityMinutes", 5, 60).orElse(base.granularityMinutes()),
                in.integer("minMinutes", 5, BookingRules.LONGEST_MINUTES).orElse(base.minMinutes()),
                in.integer("maxMinutes", 5, BookingRules.LONGEST_MINUTES).orElse(base.maxMinutes()),
                in.integer("minNoticeMinutes", 0, 7 * 24 * 60).orElse(base.minNoticeMinutes()),
                in.integer("maxAdvanceDays", 1, 730).orElse(base.maxAdvanceDays()),
                in.integer("bufferBeforeMinutes", 0, BookingRules.LONGEST_BUFFER_MINUTES)
                        .orElse(base.bufferBeforeMinutes()),
                in.integer("bufferAfterMinutes", 0, BookingRules.LONGEST_BUFFER_MINUTES)
                        .orElse(base.bufferAfterMinutes()),
                in.integer("maxHoursPerDay", 0, 24).orElse(base.maxHoursPerDay()),
                in.integer("maxHoursPerWeek", 0, 168).orElse(base.maxHoursPerWeek()),
                in.integer("cancelWindowMinutes", 0, 30 * 24 * 60).orElse(base.cancelWindowMinutes()),
                in.has("openingHours")
                        ? in.weeklyWindows("openingHours", BookingRules.MAX_OPENING_WINDOWS)
                        : base.openingHours(),
                in.bool("closedOnHolidays").orElse(base.closedOnHolidays()),
                in.integer("checkInOpensBeforeMinutes", 0, 120).orElse(base.checkInOpensBeforeMinutes()),
                in.integer("releaseAfterMinutes", 0, BookingRules.LONGEST_RELEASE_MINUTES)
                        .orElse(base.releaseAfterMinutes()),
                in.integer("approvalHoldHours", 0, BookingRules.LONGEST_HOLD_HOURS)
                        .orElse(base.approvalHoldHours()));
        try {
            in.done();
        } catch (dev.gatehouse.hub.web.ApiException e) {
            e.errors().forEach(error -> input.error("rules." + error.field(), error.message()));
            return base;
        }
        rules.inconsistencies().forEach(problem -> input.error("rules", problem));
        return rules;
    }

    /** A resource as the API answers it and the audit log records it. */
    public static ObjectNode json(Resource resource) {
        ObjectNode node = Json.MAPPER.createObjectNode();
        node.put("id", resource.id()).put("siteId", resource.siteId());
        resource.parentId().ifPresentOrElse(p -> node.put("parentId", p), () -> node.putNull("parentId"));
        node.put("name", resource.name())
                .put("kind", WireNames.wire(resource.kind()))
                .put("capacity", resource.capacity());
        com.fasterxml.jackson.databind.node.ArrayNode amenities = node.putArray("amenities");
        resource.amenities().forEach(amenities::add);
        resource.x().ifPresentOrElse(v -> node.put("x", v), () -> node.putNull("x"));
        resource.y().ifPresentOrElse(v -> node.put("y", v), () -> node.putNull("y"));
        node.put("pricePerHour", resource.pricePerHour())
                .put("creditsPerHour", resource.creditsPerHour())
                .put("status", WireNames.wire(resource.status()));
        BookingRules rules = resource.rules();
        ObjectNode r = node.putObject("rules");
        r.put("granularityMinutes", rules.granularityMinutes())
                .put("minMinutes", rules.minMinutes())
                .put("maxMinutes", rules.maxMinutes())
                .put("minNoticeMinutes", rules.minNoticeMinutes())
                .put("maxAdvanceDays", rules.maxAdvanceDays())
                .put("bufferBeforeMinutes", rules.bufferBeforeMinutes())
                .put("bufferAfterMinutes", rules.bufferAfterMinutes())
                .put("maxHoursPerDay", rules.maxHoursPerDay())
                .put("maxHoursPerWeek", rules.maxHoursPerWeek())
                .put("cancelWindowMinutes", rules.cancelWindowMinutes());
        r.set("openingHours", Json.MAPPER.valueToTree(readTree(ResourceStore.windowsJson(rules.openingHours()))));
        r.put("closedOnHolidays", rules.closedOnHolidays())
                .put("checkInOpensBeforeMinutes", rules.checkInOpensBeforeMinutes())
                .put("releaseAfterMinutes", rules.releaseAfterMinutes())
                .put("approvalHoldHours", rules.approvalHoldHours());
        com.fasterxml.jackson.databind.node.ArrayNode doors = node.putArray("doorIds");
        resource.doorIds().forEach(doors::add);
        com.fasterxml.jackson.databind.node.ArrayNode plans = node.putArray("planIds");
        resource.planIds().forEach(plans::add);
        node.put("createdAt", resource.createdAt()).put("updatedAt", resource.updatedAt());
        return node;
    }

    private static com.fasterxml.jackson.databind.JsonNode readTree(String json) {
        try {
            return Json.MAPPER.readTree(json);
        } catch (java.io.IOException e) {
            throw new IllegalStateException(e);
        }
    }
}
