package dev.gatehouse.hub.webhooks;

import com.fasterxml.jackson.databind.JsonNode;
import dev.gatehouse.hub.outbox.EventType;
import dev.gatehouse.hub.store.WireNames;
import dev.gatehouse.hub.tenants.Caller;
import dev.gatehouse.hub.tenants.Permission;
import dev.gatehouse.hub.web.ApiException;
import dev.gatehouse.hub.web.Input;
import dev.gatehouse.hub.web.Json;
import dev.gatehouse.hub.web.Paging;
import dev.gatehouse.hub.web.PathIds;
import dev.gatehouse.hub.web.StoreResults;
import io.helidon.http.Status;
import io.helidon.webserver.http.HttpRules;
import io.helidon.webserver.http.HttpService;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Outbound webhook endpoints of a tenant (owners: {@link Permission#MANAGE_SETTINGS}, like API tokens,
 * since an endpoint receives the tenant's member data).
 *
 * <pre>
 * GET    /api/v1/webhook-event-types
 * POST   /api/v1/webhook-endpoints                      {"url", "description"?, "eventTypes"?, "enabled"?}
 * GET    /api/v1/webhook-endpoints                      GET/PATCH/DELETE /api/v1/webhook-endpoints/{endpointId}
 * POST   /api/v1/webhook-endpoints/{endpointId}/rotate-secret
 * GET    /api/v1/webhook-endpoints/{endpointId}/deliveries?status=&amp;limit=
 * POST   /api/v1/webhook-endpoints/{endpointId}/deliveries/{deliveryId}/replay
 * POST   /api/v1/webhook-endpoints/{endpointId}/replay-dead-letters
 * </pre>
 */
public record WebhookService(WebhookActions actions, int maxBody) implements HttpService {
    private static final String[] FIELDS = {"url", "description", "eventTypes", "enabled"};

    /** One entry of the event catalogue. */
    public record EventTypeView(String type, String description) {}

    @Override
    public void routing(HttpRules rules) {
        rules.get("/webhook-event-types", this::eventTypes)
                .post("/webhook-endpoints", this::create)
                .get("/webhook-endpoints", this::list)
                .get("/webhook-endpoints/{endpointId}", this::get)
                .patch("/webhook-endpoints/{endpointId}", this::update)
                .delete("/webhook-endpoints/{endpointId}", this::delete)
                .post("/webhook-endpoints/{endpointId}/rotate-secret", this::rotate)
                .get("/webhook-endpoints/{endpointId}/deliveries", this::deliveries)
                .post("/webhook-endpoints/{endpointId}/deliveries/{deliveryId}/replay", this::replay)
                .post("/webhook-endpoints/{endpointId}/replay-dead-letters", this::replayDead);
    }

    private void eventTypes(ServerRequest req, ServerResponse res) {
        Caller.require(req, Permission.MANAGE_SETTINGS);
        Json.ok(
                res,
                Map.of(
                        "items",
                        Arrays.stream(EventType.values())
                                .map(t -> new EventTypeView(t.wire(), t.description()))
                                .toList()));
    }

    private void create(ServerRequest req, ServerResponse res) {
        Caller.Operator caller = Caller.require(req, Permission.MANAGE_SETTINGS);
        Input input = Input.of(Json.object(req, maxBody), FIELDS);
        String url = url(input, actions.settings());
        String description = input.optionalText("description", 500).orElse("");
        Set<EventType> types = eventTypes(input).orElse(Set.of());
        boolean enabled = input.bool("enabled").orElse(true);
        input.done();
        WebhookStore.Created created =
                actions.create(req, caller, new WebhookStore.EndpointInput(url, description, types, enabled));
        Json.created(res, created);
    }

    private void list(ServerRequest req, ServerResponse res) {
        String tenantId = Caller.require(req, Permission.MANAGE_SETTINGS).tenantId();
        Json.ok(res, Map.of("items", actions.store().list(tenantId)));
    }

    private WebhookStore.EndpointView endpoint(ServerRequest req, String tenantId) {
        String id = PathIds.id(req, "endpointId", "webhook endpoint");
        return StoreResults.found(actions.store().find(tenantId, id), "webhook endpoint", id);
    }

    private void get(ServerRequest req, ServerResponse res) {
        String tenantId = Caller.require(req, Permission.MANAGE_SETTINGS).tenantId();
        Json.ok(res, endpoint(req, tenantId));
    }

    private void update(ServerRequest req, ServerResponse res) {
        Caller.Operator caller = Caller.require(req, Permission.MANAGE_SETTINGS);
        WebhookStore.EndpointView before = endpoint(req, caller.tenantId());
        Input input = Input.of(Json.object(req, maxBody), FIELDS);
        Optional<String> url = input.has("url") ? Optional.of(url(input, actions.settings())) : Optional.empty();
        Optional<String> description = input.optionalText("description", 500);
        Optional<Set<EventType>> types = eventTypes(input);
        Optional<Boolean> enabled = input.bool("enabled");
        input.done();
        WebhookStore.EndpointView after = StoreResults.value(actions.update(
                req,
                caller,
                before,
                current -> new WebhookStore.EndpointInput(
                        url.orElse(current.url()),
                        input.has("description") ? description.orElse("") : current.description(),
                        types.orElse(current.eventTypes()),
                        enabled.orElse(current.enabled()))));
        Json.ok(res, after);
    }

    private void delete(ServerRequest req, ServerResponse res) {
        Caller.Operator caller = Caller.require(req, Permission.MANAGE_SETTINGS);
        WebhookStore.EndpointView before = endpoint(req, caller.tenantId());
        if (actions.store().delete(caller.tenantId(), before.id())) {
            actions.audit()
                    .record(
                            req,
                            caller,
                            "webhook-endpoint.delete",
                            "webhook-endpoint",
                            before.id(),
                            null,
                            before,
                            null);
        }
        res.status(Status.NO_CONTENT_204).send();
    }

    private void rotate(ServerRequest req, ServerResponse res) {
        Caller.Operator caller = Caller.require(req, Permission.MANAGE_SETTINGS);
        WebhookStore.EndpointView before = endpoint(req, caller.tenantId());
        WebhookStore.Rotated rotated = StoreResults.value(actions.rotate(req, caller, before));
        Json.ok(res, rotated);
    }

    private void deliveries(ServerRequest req, ServerResponse res) {
        String tenantId = Caller.require(req, Permission.MANAGE_SETTINGS).tenantId();
        WebhookStore.EndpointView endpoint = endpoint(req, tenantId);
        Optional<WebhookStore.Status> status = req.query()
                .first("status")
                .asOptional()
                .map(text -> WireNames.parse(WebhookStore.Status.class, text.strip())
                        .orElseThrow(() -> ApiException.invalid(
                                "status",
                                "'" + text + "' is not one of " + WireNames.choices(WebhookStore.Status.class))));
        int limit = Paging.limit(req.query().first("limit").asOptional());
        Json.ok(res, Map.of("items", actions.store().deliveries(tenantId, endpoint.id(), status, limit)));
    }

    private void replay(ServerRequest req, ServerResponse res) {
        Caller.Operator caller = Caller.require(req, Permission.MANAGE_SETTINGS);
        WebhookStore.EndpointView endpoint = endpoint(req, caller.tenantId());
        String deliveryId = PathIds.id(req, "deliveryId", "delivery");
        WebhookStore.DeliveryView replayed = StoreResults.value(actions.replay(req, caller, endpoint.id(), deliveryId));
        Json.send(res, Status.ACCEPTED_202, replayed);
    }

    private void replayDead(ServerRequest req, ServerResponse res) {
        Caller.Operator caller = Caller.require(req, Permission.MANAGE_SETTINGS);
        WebhookStore.EndpointView endpoint = endpoint(req, caller.tenantId());
        int replayed = StoreResults.value(actions.replayDead(req, caller, endpoint.id()));
        Json.send(res, Status.ACCEPTED_202, Map.of("replayed", replayed));
    }

    /** The endpoint URL of the body: the API's rule, which the console's form shares. */
    public static String url(Input input, WebhookSettings settings) {
        String url = input.text("url", 2000);
        if (!url.isEmpty()) {
            settings.urlProblem(url).ifPresent(problem -> input.error("url", problem));
        }
        return url;
    }

    /** The event types of the body (wire names), absent when not sent; an unknown name is an error naming the choices. */
    public static Optional<Set<EventType>> eventTypes(Input input) {
        if (!input.has("eventTypes")) {
            return Optional.empty();
        }
        List<JsonNode> items = input.array("eventTypes", EventType.values().length);
        Set<EventType> types = EnumSet.noneOf(EventType.class);
        for (int i = 0; i < items.size(); i++) {
            JsonNode item = items.get(i);
            Optional<EventType> type = item.isTextual() ? EventType.parse(item.asText()) : Optional.empty();
            if (type.isEmpty()) {
                input.error(
                        "eventTypes[" + i + "]",
                        "'" + item.asText() + "' is not an event type; use one of " + choices()
                                + " (or leave eventTypes empty for every type)");
                continue;
            }
            types.add(type.get());
        }
        return Optional.of(types);
    }

    static String choices() {
        return String.join(
                ", ", Arrays.stream(EventType.values()).map(EventType::wire).toList());
    }
}
