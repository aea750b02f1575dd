package dev.gatehouse.hub.console;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.gatehouse.hub.bookings.Resource;
import dev.gatehouse.hub.bookings.ResourceStore;
import dev.gatehouse.hub.bookings.RoomControllerService;
import dev.gatehouse.hub.bookings.RoomControllerStore;
import dev.gatehouse.hub.store.FieldError;
import dev.gatehouse.hub.store.StoreResult;
import dev.gatehouse.hub.tenants.Permission;
import dev.gatehouse.hub.web.ApiException;
import dev.gatehouse.hub.web.Json;
import dev.gatehouse.protocol.Ids;
import dev.gatehouse.protocol.model.Room;
import io.helidon.common.parameters.Parameters;
import io.helidon.http.Status;
import io.helidon.webserver.http.HttpRules;
import io.helidon.webserver.http.HttpService;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A room's A/V controller as the hub holds it and the edge at the room's door runs it: the OPC UA
 * endpoint and the node of each function. Read through {@link RoomControllerService#setting}, saved by
 * {@link RoomControllerStore} and audited as from the API ({@code room-controller.set}, {@code
 * room-controller.remove}); a technician's page ({@code MANAGE_DEVICES}).
 *
 * <pre>
 * GET  /console/resources/{resourceId}/controller   the form, and the edges that do not run it yet
 * POST /console/resources/{resourceId}/controller   endpoint, node.FUNCTION …; or action=remove
 * </pre>
 */
public record RoomControllerPages(Console.Parts parts, ResourceStore resources, RoomControllerStore controllers)
        implements HttpService {
    public RoomControllerPages(Console.Parts parts) {
        this(
                parts,
                new ResourceStore(parts.database(), parts.clock()),
                new RoomControllerStore(parts.database(), parts.clock()));
    }

    /**
     * What the page shows: the room, its controller as stored (if any), the values as typed or stored
     * (function key to node id), the edges not running it yet, and what was wrong.
     */
    public record Form(
            Resource resource,
            Optional<RoomControllerStore.Controller> stored,
            String endpoint,
            Map<String, String> nodes,
            List<FieldError> errors,
            Optional<String> notice) {
        public List<String> functions() {
            return Room.FUNCTIONS;
        }

        public String node(String function) {
            return nodes.getOrDefault(function, "");
        }

        public Optional<String> error(String field) {
            return errors.stream()
                    .filter(e -> e.field().equals(field))
                    .map(FieldError::message)
                    .findFirst();
        }
    }

    @Override
    public void routing(HttpRules rules) {
        rules.get("/console/resources/{resourceId}/controller", this::page)
                .post("/console/resources/{resourceId}/controller", this::save);
    }

    private Resource resource(ServerRequest req, ConsoleSession session) {
        String id = req.path().pathParameters().get("resourceId");
        return Optional.of(id)
                .filter(Ids::isValid)
                .flatMap(r -> resources.find(session.tenant().id(), r))
                .filter(r -> session.access().covers(r.siteId()))
                .orElseThrow(() -> PageException.notFound("There is no room " + Ids.printable(id) + "."));
    }

    private void page(ServerRequest req, ServerResponse res) {
        ConsoleSession session = Guard.page(req, Permission.MANAGE_DEVICES);
        Resource resource = resource(req, session);
        Optional<RoomControllerStore.Controller> stored =
                controllers.find(session.tenant().id(), resource.id());
        Optional<String> notice = req.query().first("notice").asOptional().filter(n -> List.of("saved", "removed")
                .contains(n));
        render(
                res,
                session,
                Status.OK_200,
                new Form(
                        resource,
                        stored,
                        stored.map(RoomControllerStore.Controller::endpoint).orElse(""),
                        stored.map(RoomControllerStore.Controller::nodes).orElse(Map.of()),
                        List.of(),
                        notice));
    }

    private void render(ServerResponse res, ConsoleSession session, Status status, Form form) {
        Map<String, Object> params = new HashMap<>();
        params.put("page", Guard.pageFor(session, "room-controller.title", "/console/bookings"));
        params.put("form", form);
        Templates.render(res, status, "room-controller.jte", params);
    }

    private void save(ServerRequest req, ServerResponse res) {
        ConsoleSession session = Guard.page(req, Permission.MANAGE_DEVICES);
        Parameters posted = Forms.read(req, session);
        Resource resource = resource(req, session);
        String tenantId = session.tenant().id();
        String self = "/console/resources/" + resource.id() + "/controller";
        if (posted.first("action").orElse("").equals("remove")) {
            if (controllers.remove(tenantId, resource.id())
                    instanceof StoreResult.Found<RoomControllerStore.Controller> gone) {
                parts.audit()
                        .record(
                                req,
                                session.caller(),
                                "room-controller.remove",
                                "resource",
                                resource.id(),
                                resource.siteId(),
                                RoomControllerService.json(gone.value()),
                                null);
            }
            SignInService.redirect(res, self + "?notice=removed");
            return;
        }
        String endpoint = Forms.field(posted, "endpoint").orElse("");
        Map<String, String> typed = new LinkedHashMap<>();
        ObjectNode body = Json.MAPPER.createObjectNode();
        body.put("endpoint", endpoint);
        ObjectNode nodes = body.putObject("nodes");
        for (String function : Room.FUNCTIONS) {
            Forms.field(posted, "node." + function).ifPresent(node -> {
                typed.put(function, node);
                nodes.put(function, node);
            });
        }
        Optional<RoomControllerStore.Controller> before = controllers.find(tenantId, resource.id());
        List<FieldError> errors = new ArrayList<>();
        try {
            RoomControllerService.Setting setting = RoomControllerService.setting(body);
            switch (controllers.put(tenantId, resource.id(), setting.endpoint(), setting.nodes())) {
                case StoreResult.Found<RoomControllerStore.Controller> saved -> {
                    parts.audit()
                            .record(
                                    req,
                                    session.caller(),
                                    "room-controller.set",
                                    "resource",
                                    resource.id(),
                                    resource.siteId(),
                                    before.map(RoomControllerService::json).orElse(null),
                                    RoomControllerService.json(saved.value()));
                    SignInService.redirect(res, self + "?notice=saved");
                    return;
                }
                case StoreResult.Invalid<RoomControllerStore.Controller> invalid -> errors.addAll(invalid.errors());
                default -> throw PageException.notFound("There is no room " + resource.id() + ".");
            }
        } catch (ApiException e) {
            errors.addAll(e.errors());
        }
        render(
                res,
                session,
                Status.UNPROCESSABLE_CONTENT_422,
                new Form(resource, before, endpoint, typed, errors, Optional.empty()));
    }
}
