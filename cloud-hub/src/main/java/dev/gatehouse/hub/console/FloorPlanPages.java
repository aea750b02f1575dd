package dev.gatehouse.hub.console;

import dev.gatehouse.hub.commands.CommandStore;
import dev.gatehouse.hub.tenants.Permission;
import dev.gatehouse.protocol.Ids;
import io.helidon.common.parameters.Parameters;
import io.helidon.http.HeaderNames;
import io.helidon.http.Status;
import io.helidon.webserver.http.HttpRules;
import io.helidon.webserver.http.HttpService;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A site's floor plan with its doors placed on it, coloured by the same live state as the doors page.
 *
 * <pre>
 * GET  /console/sites/{siteId}/floor-plan                   the page (VIEW_SITES)
 * GET  /console/sites/{siteId}/floor-plan/markers           the door markers (htmx polls them every 2 s)
 * GET  /console/sites/{siteId}/floor-plan.svg               the plan itself, under its own strict CSP
 * GET  /console/sites/{siteId}/floor-plan/positions.css     where the markers sit (the page's CSP allows
 *                                                           no inline style, so positions are a style sheet)
 * POST /console/sites/{siteId}/floor-plan                   a new plan, field svg (MANAGE_SITES)
 * POST /console/sites/{siteId}/floor-plan/doors/{doorId}    a door's position, fields x and y, 0–100 (MANAGE_SITES)
 * </pre>
 *
 * The plan arrives as a form field: the hub has no multipart support on its class path, so the page's
 * small script reads a chosen file into the field (pasting the SVG's text works without script). It
 * is checked by {@link FloorPlanSvg} before anything is stored, and shown through {@code <img>},
 * where even a plan that slipped through could run nothing.
 */
public record FloorPlanPages(Console.Parts parts, FloorPlanStore plans, DoorBoard board) implements HttpService {
    /** The policy a floor plan is served under (the console's and the portal's): it can run nothing. */
    public static final String SVG_CSP = "default-src 'none'; style-src 'unsafe-inline'";

    public FloorPlanPages(Console.Parts parts) {
        this(
                parts,
                new FloorPlanStore(parts.database(), parts.clock()),
                new DoorBoard(parts.database(), new CommandStore(parts.database(), parts.clock()), parts.clock()));
    }

    @Override
    public void routing(HttpRules rules) {
        rules.get("/console/sites/{siteId}/floor-plan", this::page)
                .get("/console/sites/{siteId}/floor-plan/markers", this::markers)
                .get("/console/sites/{siteId}/floor-plan.svg", this::svg)
                .get("/console/sites/{siteId}/floor-plan/positions.css", this::positions)
                .post("/console/sites/{siteId}/floor-plan", this::upload)
                .post("/console/sites/{siteId}/floor-plan/doors/{doorId}", this::place);
    }

    /** A door on the plan page: its live state and its position, if it has one. */
    public record Marker(DoorState door, Optional<FloorPlanStore.Position> position) {}

    /** A refused form: which one ({@code svg} or a door id), what was sent, what to fix. */
    public record FormError(String form, Map<String, String> sent, String message) {}

    private record Context(ConsoleSession session, DoorBoard.Site site) {}

    private Context context(ServerRequest req, Permission permission) {
        String siteId = req.path().pathParameters().get("siteId");
        ConsoleSession session = Guard.site(req, permission, siteId);
        DoorBoard.Site site = board.site(session.tenant().id(), siteId)
                .orElseThrow(() -> PageException.notFound("There is no site " + siteId + "."));
        return new Context(session, site);
    }

    private List<Marker> markers(Context context) {
        Map<String, FloorPlanStore.Position> positions =
                plans.positions(context.session().tenant().id(), context.site().id());
        return context.site().doors().stream()
                .map(door -> new Marker(
                        door.live(),
                        Optional.ofNullable(positions.get(door.live().id()))))
                .toList();
    }

    private void page(ServerRequest req, ServerResponse res) {
        Context context = context(req, Permission.VIEW_SITES);
        render(
                res,
                context,
                Status.OK_200,
                Optional.empty(),
                req.query().first("notice").asOptional());
    }

    private void render(
            ServerResponse res, Context context, Status status, Optional<FormError> error, Optional<String> notice) {
        Map<String, Object> params = new HashMap<>();
        params.put("page", Guard.pageFor(context.session(), "floorplan.title", "/console/doors"));
        params.put("site", context.site());
        params.put(
                "plan",
                plans.plan(context.session().tenant().id(), context.site().id()));
        params.put("markers", markers(context));
        params.put("mayManage", context.session().access().may(Permission.MANAGE_SITES));
        params.put("error", error);
        params.put("notice", notice.filter(n -> List.of("plan", "position").contains(n)));
        params.put("maxChars", FloorPlanSvg.MAX_CHARS);
        Templates.render(res, status, "floorplan.jte", params);
    }

    private void markers(ServerRequest req, ServerResponse res) {
        Context context = context(req, Permission.VIEW_SITES);
        Templates.render(
                res,
                "floorplan-markers.jte",
                Map.of(
                        "page",
                        Guard.pageFor(context.session(), "floorplan.title", "/console/doors"),
                        "markers",
                        markers(context)));
    }

    private void svg(ServerRequest req, ServerResponse res) {
        Context context = context(req, Permission.VIEW_SITES);
        FloorPlanStore.Plan plan = plans.plan(
                        context.session().tenant().id(), context.site().id())
                .orElseThrow(() -> PageException.notFound("This site has no floor plan yet."));
        res.header(HeaderNames.CONTENT_TYPE, "image/svg+xml; charset=utf-8");
        res.header(HeaderNames.create("Content-Security-Policy"), SVG_CSP);
        res.header(HeaderNames.create("X-Content-Type-Options"), "nosniff");
        res.header(HeaderNames.CACHE_CONTROL, "private, no-cache");
        res.send(plan.svg().getBytes(StandardCharsets.UTF_8));
    }

    private void positions(ServerRequest req, ServerResponse res) {
        Context context = context(req, Permission.VIEW_SITES);
        StringBuilder css = new StringBuilder();
        plans.positions(context.session().tenant().id(), context.site().id()).forEach((door, position) -> {
            if (Ids.isValid(door)) {
                css.append(".plan .marker[data-door=\"")
                        .append(door)
                        .append("\"] { left: ")
                        .append(position.x())
                        .append("%; top: ")
                        .append(position.y())
                        .append("%; }\n");
            }
        });
        res.header(HeaderNames.CONTENT_TYPE, "text/css; charset=utf-8");
        res.header(HeaderNames.CACHE_CONTROL, "no-store");
        res.send(css.toString());
    }

    private void upload(ServerRequest req, ServerResponse res) {
        Context context = context(req, Permission.MANAGE_SITES);
        Parameters form = Forms.read(req, context.session());
        String svg = form.first("svg").orElse("");
        switch (FloorPlanSvg.check(svg)) {
            case FloorPlanSvg.Refused refused ->
                render(
                        res,
                        context,
                        Status.UNPROCESSABLE_CONTENT_422,
                        Optional.of(new FormError("svg", Map.of("svg", svg), refused.reason())),
                        Optional.empty());
            case FloorPlanSvg.Clean clean -> {
                String tenantId = context.session().tenant().id();
                String siteId = context.site().id();
                boolean replaced = plans.save(tenantId, siteId, clean);
                parts.audit()
                        .record(
                                req,
                                context.session().caller(),
                                "site.floor-plan",
                                "site",
                                siteId,
                                siteId,
                                replaced ? Map.of("floorPlan", "replaced") : null,
                                Map.of("floorPlan", "uploaded", "characters", svg.length()));
                SignInService.redirect(res, "/console/sites/" + siteId + "/floor-plan?notice=plan");
            }
        }
    }

    private void place(ServerRequest req, ServerResponse res) {
        Context context = context(req, Permission.MANAGE_SITES);
        Parameters form = Forms.read(req, context.session());
        String doorId = req.path().pathParameters().get("doorId");
        if (context.site().doors().stream().noneMatch(d -> d.live().id().equals(doorId))) {
            throw PageException.notFound("There is no door " + doorId + " at this site.");
        }
        String x = form.first("x").orElse("").strip();
        String y = form.first("y").orElse("").strip();
        Optional<Integer> px = percent(x);
        Optional<Integer> py = percent(y);
        if (px.isEmpty() || py.isEmpty()) {
            render(
                    res,
                    context,
                    Status.UNPROCESSABLE_CONTENT_422,
                    Optional.of(new FormError(
                            doorId, Map.of("x", x, "y", y), Guard.messages().get("floorplan.position.invalid", x, y))),
                    Optional.empty());
            return;
        }
        String tenantId = context.session().tenant().id();
        FloorPlanStore.Position position = new FloorPlanStore.Position(px.get(), py.get());
        Optional<FloorPlanStore.Position> before =
                plans.place(tenantId, context.site().id(), doorId, position);
        parts.audit()
                .record(
                        req,
                        context.session().caller(),
                        "door.position",
                        "door",
                        doorId,
                        context.site().id(),
                        before.orElse(null),
                        position);
        SignInService.redirect(
                res, "/console/sites/" + context.site().id() + "/floor-plan?notice=position#position-" + doorId);
    }

    private static Optional<Integer> percent(String text) {
        if (!text.matches("\\d{1,3}")) {
            return Optional.empty();
        }
        int value = Integer.parseInt(text);
        return value <= 100 ? Optional.of(value) : Optional.empty();
    }
}
