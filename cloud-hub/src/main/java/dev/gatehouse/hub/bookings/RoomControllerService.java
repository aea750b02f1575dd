package dev.gatehouse.hub.bookings;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.gatehouse.hub.audit.Audit;
import dev.gatehouse.hub.tenants.Caller;
import dev.gatehouse.hub.tenants.Permission;
import dev.gatehouse.hub.web.Input;
import dev.gatehouse.hub.web.Json;
import dev.gatehouse.hub.web.StoreResults;
import dev.gatehouse.protocol.model.Room;
import io.helidon.webserver.http.HttpRules;
import io.helidon.webserver.http.HttpService;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import java.util.Iterator;
import java.util.Map;
import java.util.TreeMap;

/**
 * A bookable room's A/V controller, held at the hub and run by the edge at the room's door.
 *
 * <pre>
 * GET    /api/v1/resources/{resourceId}/controller   the endpoint, node mapping and edges not running it yet
 * PUT    /api/v1/resources/{resourceId}/controller   {"endpoint": "opc.tcp://…", "nodes": {"display-power": "ns=2;s=…"}}
 * DELETE /api/v1/resources/{resourceId}/controller   the edge's own config runs the room again, if it has it
 * </pre>
 *
 * Reading needs sites' view; setting and removing need the devices' permission (a technician's job).
 */
public record RoomControllerService(ResourceStore resources, RoomControllerStore store, Audit audit, int maxBody)
        implements HttpService {
    @Override
    public void routing(HttpRules rules) {
        rules.get("/resources/{resourceId}/controller", this::get)
                .put("/resources/{resourceId}/controller", this::put)
                .delete("/resources/{resourceId}/controller", this::delete);
    }

    private Resource resource(ServerRequest req, Caller.Operator caller) {
        return ResourceService.resource(req, caller, resources);
    }

    private void get(ServerRequest req, ServerResponse res) {
        Caller.Operator caller = Caller.require(req, Permission.VIEW_SITES);
        Resource resource = resource(req, caller);
        Json.ok(
                res,
                json(StoreResults.found(
                        store.find(caller.tenantId(), resource.id()), "room controller of resource", resource.id())));
    }

    private void put(ServerRequest req, ServerResponse res) {
        Caller.Operator caller = Caller.require(req, Permission.MANAGE_DEVICES);
        Resource resource = resource(req, caller);
        caller.require(Permission.MANAGE_DEVICES, resource.siteId());
        Setting setting = setting(Json.object(req, maxBody));
        var before = store.find(caller.tenantId(), resource.id()).map(RoomControllerService::json);
        RoomControllerStore.Controller saved =
                StoreResults.value(store.put(caller.tenantId(), resource.id(), setting.endpoint(), setting.nodes()));
        audit.record(
                req,
                caller,
                "room-controller.set",
                "resource",
                resource.id(),
                resource.siteId(),
                before.orElse(null),
                json(saved));
        Json.ok(res, json(saved));
    }

    private void delete(ServerRequest req, ServerResponse res) {
        Caller.Operator caller = Caller.require(req, Permission.MANAGE_DEVICES);
        Resource resource = resource(req, caller);
        caller.require(Permission.MANAGE_DEVICES, resource.siteId());
        RoomControllerStore.Controller removed = StoreResults.value(store.remove(caller.tenantId(), resource.id()));
        audit.record(
                req,
                caller,
                "room-controller.remove",
                "resource",
                resource.id(),
                resource.siteId(),
                json(removed),
                null);
        res.status(io.helidon.http.Status.NO_CONTENT_204).send();
    }

    /** An endpoint and node mapping as checked. */
    public record Setting(String endpoint, Map<String, String> nodes) {}

    /**
     * Reads {@code {"endpoint": …, "nodes": {…}}}; every problem in one 422 ({@code ApiException}). The
     * console's form reads through it too, so a page and the API accept the same and say so alike.
     */
    public static Setting setting(ObjectNode body) {
        Input input = Input.of(body, "endpoint", "nodes");
        String endpoint = input.text("endpoint", Room.MAX_ENDPOINT);
        if (!endpoint.isEmpty()) {
            Room.endpointProblem(endpoint).ifPresent(problem -> input.error("endpoint", problem));
        }
        Map<String, String> nodes = nodes(input);
        input.done();
        return new Setting(endpoint, nodes);
    }

    /** {@code nodes}: an object of 1 to 6 functions, each to an OPC UA node id; every problem named by its key. */
    private static Map<String, String> nodes(Input input) {
        Map<String, String> nodes = new TreeMap<>();
        if (!input.has("nodes") || !input.raw().get("nodes").isObject()) {
            input.error(
                    "nodes",
                    "is required: an object mapping functions (" + String.join(", ", Room.FUNCTIONS)
                            + ") to the controller's node ids, e.g. {\"display-power\": \"ns=2;s=room-1/Display/Power\"}");
            return nodes;
        }
        JsonNode object = input.raw().get("nodes");
        if (object.isEmpty()) {
            input.error("nodes", "maps no function; map at least one, e.g. display-power");
        }
        for (Iterator<Map.Entry<String, JsonNode>> fields = object.fields(); fields.hasNext(); ) {
            Map.Entry<String, JsonNode> field = fields.next();
            String name = "nodes." + field.getKey();
            if (!Room.FUNCTIONS.contains(field.getKey())) {
                input.error(name, "is not a room function; use any of " + String.join(", ", Room.FUNCTIONS));
            } else if (!field.getValue().isTextual()
                    || field.getValue().asText().isBlank()
                    || field.getValue().asText().length() > Room.MAX_NODE_ID
                    || field.getValue().asText().chars().anyMatch(Character::isISOControl)) {
                input.error(
                        name, "must be a node id of at most " + Room.MAX_NODE_ID + " characters, e.g. ns=2;s=room-1/x");
            } else {
                String node = field.getValue().asText().strip();
                Room.nodeIdProblem(node)
                        .ifPresentOrElse(problem -> input.error(name, problem), () -> nodes.put(field.getKey(), node));
            }
        }
        return nodes;
    }

    public static ObjectNode json(RoomControllerStore.Controller controller) {
        ObjectNode json = Json.MAPPER.createObjectNode();
        json.put("resourceId", controller.resourceId());
        json.put("siteId", controller.siteId());
        json.put("endpoint", controller.endpoint());
        ObjectNode nodes = json.putObject("nodes");
        controller.nodes().forEach(nodes::put);
        controller.edgesBehind().forEach(json.putArray("edgesBehind")::add);
        json.put("createdAt", controller.createdAt().toString());
        json.put("updatedAt", controller.updatedAt().toString());
        return json;
    }
}
