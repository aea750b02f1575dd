package dev.gatehouse.hub.console;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.gatehouse.hub.bookings.BookingRules;
import dev.gatehouse.hub.bookings.Resource;
import dev.gatehouse.hub.bookings.ResourceService;
import dev.gatehouse.hub.bookings.ResourceStore;
import dev.gatehouse.hub.plans.PlanStore;
import dev.gatehouse.hub.sites.DoorStore;
import dev.gatehouse.hub.sites.ResourceKind;
import dev.gatehouse.hub.sites.SiteStore;
import dev.gatehouse.hub.sites.Views;
import dev.gatehouse.hub.store.FieldError;
import dev.gatehouse.hub.store.StoreResult;
import dev.gatehouse.hub.store.WireNames;
import dev.gatehouse.hub.tenants.Permission;
import dev.gatehouse.hub.web.ApiException;
import dev.gatehouse.hub.web.Input;
import dev.gatehouse.hub.web.Json;
import dev.gatehouse.protocol.model.TimeWindow;
import io.helidon.common.parameters.Parameters;
import io.helidon.http.Status;
import io.helidon.webserver.http.HttpRules;
import io.helidon.webserver.http.HttpService;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * A site's bookable resources and their settings. The form is read through the API's own {@link
 * ResourceService#input}, so a page accepts exactly the settings the API accepts and says what is wrong
 * in the same words, and it is saved by {@link ResourceStore} and audited as from the API
 * ({@code resource.create}, {@code resource.update}).
 *
 * <pre>
 * GET  /console/sites/{siteId}/resources        the site's resources (VIEW_SITES)
 * GET  /console/sites/{siteId}/resources/new    a new one's form (MANAGE_SITES)
 * POST /console/sites/{siteId}/resources        create it
 * GET  /console/resources/{resourceId}          a resource's settings (MANAGE_SITES)
 * POST /console/resources/{resourceId}          change them
 * </pre>
 *
 * Prices are typed as amounts ({@code 12.50}) and kept in minor units; opening hours one window per line
 * as on the door policy page ({@code monday-friday 08:00-18:00}).
 */
public record ResourcePages(
        Console.Parts parts, SiteStore sites, ResourceStore resources, DoorStore doors, PlanStore plans)
        implements HttpService {
    static final int MAX_PLANS = 500;

    public ResourcePages(Console.Parts parts) {
        this(
                parts,
                new SiteStore(parts.database(), parts.clock()),
                new ResourceStore(parts.database(), parts.clock()),
                new DoorStore(parts.database(), parts.clock()),
                new PlanStore(parts.database(), parts.clock()));
    }

    @Override
    public void routing(HttpRules rules) {
        rules.get("/console/sites/{siteId}/resources", this::list)
                .get("/console/sites/{siteId}/resources/new", this::fresh)
                .post("/console/sites/{siteId}/resources", this::create)
                .get("/console/resources/{resourceId}", this::edit)
                .post("/console/resources/{resourceId}", this::update);
    }

    /** The list page: the site, its resources, and the names of what they refer to. */
    public record Listing(
            Views.SiteView site,
            List<Resource> resources,
            Map<String, String> names,
            boolean mayManage,
            boolean mayBook,
            Optional<String> notice) {
        public Listing {
            resources = List.copyOf(resources);
            names = Map.copyOf(names);
        }

        public String name(String id) {
            return names.getOrDefault(id, id);
        }

        public String price(Resource r) {
            return BookingTimes.money(r.pricePerHour());
        }

        public String hours(Resource r) {
            return r.rules().openingHours().isEmpty() ? "" : typed(r.rules().openingHours());
        }
    }

    private Views.SiteView site(ConsoleSession session, String siteId) {
        return sites.site(session.tenant().id(), siteId)
                .orElseThrow(() -> PageException.notFound("There is no site " + siteId + "."));
    }

    private void list(ServerRequest req, ServerResponse res) {
        String siteId = req.path().pathParameters().get("siteId");
        ConsoleSession session = Guard.site(req, Permission.VIEW_SITES, siteId);
        Views.SiteView site = site(session, siteId);
        List<Resource> all = resources.list(session.tenant().id(), siteId);
        Map<String, String> names = new HashMap<>();
        all.forEach(r -> names.put(r.id(), r.name()));
        doors.doors(session.tenant().id(), siteId).forEach(d -> names.put(d.id(), d.name()));
        plans.list(session.tenant().id(), MAX_PLANS, Optional.empty())
                .items()
                .forEach(p -> names.put(p.id(), p.name()));
        Templates.render(
                res,
                "resources.jte",
                Map.of(
                        "page",
                        Guard.pageFor(session, "resources.title", "/console/bookings"),
                        "list",
                        new Listing(
                                site,
                                all,
                                names,
                                session.access().may(Permission.MANAGE_SITES, siteId),
                                session.access().may(Permission.MANAGE_BOOKINGS, siteId),
                                req.query().first("notice").asOptional().filter(n -> List.of("created", "updated")
                                        .contains(n)))));
    }

    /** The settings form: the values as typed (or stored), the choices, and every problem. */
    public record Form(
            Views.SiteView site,
            Optional<Resource> resource,
            Map<String, String> values,
            List<String> doorIds,
            List<String> planIds,
            List<Views.DoorView> doors,
            List<PlanStore.PlanView> plans,
            List<Resource> parents,
            List<FieldError> errors) {
        public Form {
            values = Map.copyOf(values);
            doorIds = List.copyOf(doorIds);
            planIds = List.copyOf(planIds);
            doors = List.copyOf(doors);
            plans = List.copyOf(plans);
            parents = List.copyOf(parents);
            errors = List.copyOf(errors);
        }

        public String value(String field) {
            return values.getOrDefault(field, "");
        }

        /** The problems of a field (and of its items, {@code amenities[2]}), joined. */
        public Optional<String> error(String field) {
            List<String> messages = errors.stream()
                    .filter(e -> e.field().equals(field) || e.field().startsWith(field + "["))
                    .map(e -> e.field().equals(field) ? e.message() : e.field() + ": " + e.message())
                    .toList();
            return messages.isEmpty() ? Optional.empty() : Optional.of(String.join("; ", messages));
        }

        public String action() {
            return resource.map(r -> "/console/resources/" + r.id())
                    .orElse("/console/sites/" + site.id() + "/resources");
        }

        public List<String> kinds() {
            return java.util.Arrays.stream(ResourceKind.values())
                    .map(WireNames::wire)
                    .toList();
        }

        public List<String> statuses() {
            return java.util.Arrays.stream(Resource.ResourceStatus.values())
                    .map(WireNames::wire)
                    .toList();
        }

        public List<Integer> granularities() {
            return BookingRules.GRANULARITIES;
        }

        public List<String> numberRules() {
            return RULE_NUMBERS;
        }
    }

    /** The rule fields the form shows as whole numbers, in the API's names and order. */
    static final List<String> RULE_NUMBERS = ResourceService.RULE_FIELDS.stream()
            .filter(field -> !List.of("granularityMinutes", "openingHours", "closedOnHolidays")
                    .contains(field))
            .toList();

    private void fresh(ServerRequest req, ServerResponse res) {
        String siteId = req.path().pathParameters().get("siteId");
        ConsoleSession session = Guard.site(req, Permission.MANAGE_SITES, siteId);
        Map<String, String> values = stored(Optional.empty());
        render(
                res,
                Status.OK_200,
                session,
                site(session, siteId),
                Optional.empty(),
                values,
                List.of(),
                List.of(),
                List.of());
    }

    private Resource resource(ServerRequest req, ConsoleSession session) {
        String id = req.path().pathParameters().get("resourceId");
        return resources
                .find(session.tenant().id(), id)
                .filter(r -> session.access().covers(r.siteId()))
                .orElseThrow(() -> PageException.notFound("There is no resource " + id + "."));
    }

    private void edit(ServerRequest req, ServerResponse res) {
        ConsoleSession session = Guard.page(req, Permission.MANAGE_SITES);
        Resource resource = resource(req, session);
        render(
                res,
                Status.OK_200,
                session,
                site(session, resource.siteId()),
                Optional.of(resource),
                stored(Optional.of(resource)),
                resource.doorIds(),
                resource.planIds(),
                List.of());
    }

    private void create(ServerRequest req, ServerResponse res) {
        String siteId = req.path().pathParameters().get("siteId");
        ConsoleSession session = Guard.site(req, Permission.MANAGE_SITES, siteId);
        save(req, res, session, site(session, siteId), Optional.empty());
    }

    private void update(ServerRequest req, ServerResponse res) {
        ConsoleSession session = Guard.page(req, Permission.MANAGE_SITES);
        Resource resource = resource(req, session);
        save(req, res, session, site(session, resource.siteId()), Optional.of(resource));
    }

    private void save(
            ServerRequest req,
            ServerResponse res,
            ConsoleSession session,
            Views.SiteView site,
            Optional<Resource> current) {
        Parameters form = Forms.read(req, session);
        Map<String, String> values = new LinkedHashMap<>();
        for (String name : form.names()) {
            if (!name.equals(Forms.CSRF_FIELD) && !name.equals("doorIds") && !name.equals("planIds")) {
                values.put(name, form.first(name).orElse(""));
            }
        }
        List<String> doorIds = form.contains("doorIds") ? form.all("doorIds") : List.of();
        List<String> planIds = form.contains("planIds") ? form.all("planIds") : List.of();
        List<FieldError> errors = new ArrayList<>();
        ObjectNode body = body(values, doorIds, planIds, errors);
        ResourceStore.ResourceInput input = null;
        try {
            input = ResourceService.input(Input.of(body, names(body)), current);
        } catch (ApiException e) {
            errors.addAll(e.errors());
        }
        String tenantId = session.tenant().id();
        if (errors.isEmpty() && input != null) {
            StoreResult<Resource> saved = current.isPresent()
                    ? resources.update(tenantId, current.get().id(), input)
                    : resources.create(tenantId, site.id(), input);
            switch (saved) {
                case StoreResult.Found<Resource> found -> {
                    Resource r = found.value();
                    parts.audit()
                            .record(
                                    req,
                                    session.caller(),
                                    current.isPresent() ? "resource.update" : "resource.create",
                                    "resource",
                                    r.id(),
                                    r.siteId(),
                                    current.map(ResourceService::json).orElse(null),
                                    ResourceService.json(r));
                    SignInService.redirect(
                            res,
                            "/console/sites/" + r.siteId() + "/resources?notice="
                                    + (current.isPresent() ? "updated" : "created") + "#resource-" + r.id());
                    return;
                }
                case StoreResult.Invalid<Resource> invalid -> errors.addAll(invalid.errors());
                case StoreResult.NotFound<Resource> gone ->
                    throw PageException.notFound("There is no " + gone.what() + " " + gone.id() + ".");
                case StoreResult.Conflict<Resource> conflict -> throw PageException.badRequest(conflict.reason());
            }
        }
        render(res, Status.UNPROCESSABLE_CONTENT_422, session, site, current, values, doorIds, planIds, errors);
    }

    /** The form as the API's JSON body; what cannot even be put into it is an error already. */
    static ObjectNode body(
            Map<String, String> values, List<String> doorIds, List<String> planIds, List<FieldError> errors) {
        ObjectNode body = Json.MAPPER.createObjectNode();
        body.put("name", values.getOrDefault("name", ""));
        body.put("kind", values.getOrDefault("kind", ""));
        body.put("status", values.getOrDefault("status", "active"));
        number(body, "capacity", values.getOrDefault("capacity", ""), false);
        ArrayNode amenities = body.putArray("amenities");
        for (String amenity : values.getOrDefault("amenities", "").split(",")) {
            if (!amenity.isBlank()) {
                amenities.add(amenity.strip());
            }
        }
        number(body, "x", values.getOrDefault("x", ""), true);
        number(body, "y", values.getOrDefault("y", ""), true);
        String price = values.getOrDefault("pricePerHour", "").strip();
        if (!price.isEmpty()) {
            Optional<Long> minor = BookingTimes.minorUnits(price);
            if (minor.isEmpty() || minor.get() > Integer.MAX_VALUE) {
                errors.add(new FieldError("pricePerHour", Guard.messages().get("resources.price.invalid", price)));
            } else {
                body.put("pricePerHour", minor.get().intValue());
            }
        }
        number(body, "creditsPerHour", values.getOrDefault("creditsPerHour", ""), false);
        String parent = values.getOrDefault("parentId", "").strip();
        if (parent.isEmpty()) {
            body.putNull("parentId");
        } else {
            body.put("parentId", parent);
        }
        ArrayNode doors = body.putArray("doorIds");
        doorIds.forEach(doors::add);
        ArrayNode plans = body.putArray("planIds");
        planIds.forEach(plans::add);
        ObjectNode rules = body.putObject("rules");
        number(rules, "granularityMinutes", values.getOrDefault("rules.granularityMinutes", ""), false);
        for (String rule : RULE_NUMBERS) {
            number(rules, rule, values.getOrDefault("rules." + rule, ""), false);
        }
        ArrayNode hours = rules.putArray("openingHours");
        for (String line : values.getOrDefault("rules.openingHours", "").split("\\R")) {
            if (line.isBlank()) {
                continue;
            }
            List<TimeWindow> windows = new ArrayList<>();
            Optional<String> problem = DoorPolicyPages.parse(line.strip().toLowerCase(Locale.ROOT), windows);
            if (problem.isPresent()) {
                errors.add(new FieldError(
                        "rules.openingHours",
                        Guard.messages().get("resources.hours.invalid", line.strip(), problem.get())));
            }
            for (TimeWindow w : windows) {
                hours.addObject()
                        .put("day", w.day().name().toLowerCase(Locale.ROOT))
                        .put("from", TimeWindow.format(w.startMinute()))
                        .put("to", TimeWindow.format(w.endMinute()));
            }
        }
        rules.put("closedOnHolidays", values.containsKey("rules.closedOnHolidays"));
        return body;
    }

    /** A whole number as a number; anything else as text, which the API's reader refuses with its reason. */
    static void number(ObjectNode node, String field, String text, boolean nullWhenEmpty) {
        String t = text.strip();
        if (t.isEmpty()) {
            if (nullWhenEmpty) {
                node.putNull(field);
            }
            return;
        }
        if (t.matches("-?\\d{1,9}")) {
            node.put(field, Integer.parseInt(t));
        } else {
            node.put(field, t);
        }
    }

    private static String[] names(ObjectNode body) {
        List<String> names = new ArrayList<>();
        for (Iterator<String> it = body.fieldNames(); it.hasNext(); ) {
            names.add(it.next());
        }
        return names.toArray(String[]::new);
    }

    /** A resource's stored settings (or the defaults of a new one) as the form shows them. */
    static Map<String, String> stored(Optional<Resource> resource) {
        Map<String, String> values = new HashMap<>();
        BookingRules rules = resource.map(Resource::rules).orElse(BookingRules.DEFAULTS);
        resource.ifPresent(r -> {
            values.put("name", r.name());
            values.put("kind", WireNames.wire(r.kind()));
            values.put("status", WireNames.wire(r.status()));
            values.put("capacity", String.valueOf(r.capacity()));
            values.put("amenities", String.join(", ", r.amenities()));
            r.x().ifPresent(x -> values.put("x", String.valueOf(x)));
            r.y().ifPresent(y -> values.put("y", String.valueOf(y)));
            values.put("pricePerHour", BookingTimes.money(r.pricePerHour()));
            values.put("creditsPerHour", String.valueOf(r.creditsPerHour()));
            r.parentId().ifPresent(p -> values.put("parentId", p));
        });
        if (resource.isEmpty()) {
            values.put("kind", "meeting-room");
            values.put("status", "active");
            values.put("capacity", "1");
            values.put("pricePerHour", "0.00");
            values.put("creditsPerHour", "0");
        }
        values.put("rules.granularityMinutes", String.valueOf(rules.granularityMinutes()));
        values.put("rules.minMinutes", String.valueOf(rules.minMinutes()));
        values.put("rules.maxMinutes", String.valueOf(rules.maxMinutes()));
        values.put("rules.minNoticeMinutes", String.valueOf(rules.minNoticeMinutes()));
        values.put("rules.maxAdvanceDays", String.valueOf(rules.maxAdvanceDays()));
        values.put("rules.bufferBeforeMinutes", String.valueOf(rules.bufferBeforeMinutes()));
        values.put("rules.bufferAfterMinutes", String.valueOf(rules.bufferAfterMinutes()));
        values.put("rules.maxHoursPerDay", String.valueOf(rules.maxHoursPerDay()));
        values.put("rules.maxHoursPerWeek", String.valueOf(rules.maxHoursPerWeek()));
        values.put("rules.cancelWindowMinutes", String.valueOf(rules.cancelWindowMinutes()));
        values.put("rules.checkInOpensBeforeMinutes", String.valueOf(rules.checkInOpensBeforeMinutes()));
        values.put("rules.releaseAfterMinutes", String.valueOf(rules.releaseAfterMinutes()));
        values.put("rules.approvalHoldHours", String.valueOf(rules.approvalHoldHours()));
        values.put("rules.openingHours", typed(rules.openingHours()));
        if (rules.closedOnHolidays()) {
            values.put("rules.closedOnHolidays", "on");
        }
        return values;
    }

    /**
     * Windows one per line, as typed, with a run of days that share a window on one line: {@code
     * monday-friday 08:00-18:00}.
     */
    static String typed(List<TimeWindow> windows) {
        List<TimeWindow> sorted = windows.stream()
                .sorted(java.util.Comparator.comparing(TimeWindow::startMinute)
                        .thenComparing(TimeWindow::endMinute)
                        .thenComparing(TimeWindow::day))
                .toList();
        java.util.TreeMap<String, String> lines = new java.util.TreeMap<>();
        for (int i = 0; i < sorted.size(); ) {
            TimeWindow first = sorted.get(i);
            int j = i + 1;
            while (j < sorted.size()
                    && sorted.get(j).startMinute() == first.startMinute()
                    && sorted.get(j).endMinute() == first.endMinute()
                    && sorted.get(j).day().getValue() == sorted.get(j - 1).day().getValue() + 1) {
                j++;
            }
            TimeWindow last = sorted.get(j - 1);
            String days = first.day().name().toLowerCase(Locale.ROOT)
                    + (last == first ? "" : "-" + last.day().name().toLowerCase(Locale.ROOT));
            // Keyed by first day, then time: the lines read Monday first.
            lines.put(
                    first.day().getValue() + TimeWindow.format(first.startMinute()) + i,
                    days + " " + TimeWindow.format(first.startMinute()) + "-" + TimeWindow.format(first.endMinute()));
            i = j;
        }
        return lines.values().stream().map(line -> line + "\n").reduce("", String::concat);
    }

    private void render(
            ServerResponse res,
            Status status,
            ConsoleSession session,
            Views.SiteView site,
            Optional<Resource> resource,
            Map<String, String> values,
            List<String> doorIds,
            List<String> planIds,
            List<FieldError> errors) {
        String tenantId = session.tenant().id();
        List<Resource> parents = resources.list(tenantId, site.id()).stream()
                .filter(r -> resource.isEmpty() || !r.id().equals(resource.get().id()))
                .toList();
        Templates.render(
                res,
                status,
                "resource-form.jte",
                Map.of(
                        "page",
                        Guard.pageFor(
                                session,
                                resource.isPresent() ? "resources.edit.title" : "resources.new.title",
                                "/console/bookings"),
                        "form",
                        new Form(
                                site,
                                resource,
                                values,
                                doorIds,
                                planIds,
                                doors.doors(tenantId, site.id()),
                                plans.list(tenantId, MAX_PLANS, Optional.empty())
                                        .items(),
                                parents,
                                errors)));
    }
}
