package dev.gatehouse.hub.console;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.gatehouse.hub.outbox.EventType;
import dev.gatehouse.hub.store.FieldError;
import dev.gatehouse.hub.tenants.Permission;
import dev.gatehouse.hub.web.ApiException;
import dev.gatehouse.hub.web.Input;
import dev.gatehouse.hub.webhooks.WebhookActions;
import dev.gatehouse.hub.webhooks.WebhookService;
import dev.gatehouse.hub.webhooks.WebhookStore;
import io.helidon.common.parameters.Parameters;
import io.helidon.http.Status;
import io.helidon.webserver.http.HttpRules;
import io.helidon.webserver.http.HttpService;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import java.time.Instant;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Outbound webhooks for owners: the endpoints with their health, a form to add one (its secret is
 * shown once), and per endpoint its settings, secret rotation, and its recent deliveries with replay.
 * The same store, rules and audit entries as {@code /api/v1/webhook-endpoints}.
 *
 * <pre>
 * GET  /console/webhooks                      endpoints and the form to add one
 * POST /console/webhooks                      url, description, eventTypes*, enabled
 * GET  /console/webhooks/{id}                 one endpoint: settings, rotation, deliveries
 * POST /console/webhooks/{id}                 save its settings
 * POST /console/webhooks/{id}/rotate          a new secret (the old one signs beside it for 24 h)
 * POST /console/webhooks/{id}/deliveries/{deliveryId}/replay
 * POST /console/webhooks/{id}/replay-dead-letters
 * </pre>
 */
public record WebhookPages(WebhookActions actions) implements HttpService {
    static final List<String> FIELDS = List.of("url", "description", "eventTypes", "enabled");
    private static final int DELIVERIES = 50;
    private static final ZoneId UTC = ZoneId.of("UTC");

    /** The endpoint form as shown: values as typed, errors by field, the event types ticked. */
    public record Form(FormState state, Set<String> ticked) implements FormState.Shown {
        public List<EventType> types() {
            return Arrays.asList(EventType.values());
        }

        public List<String> otherErrors() {
            return state.otherErrors(FIELDS);
        }

        static Form empty() {
            return new Form(FormState.of(Map.of("enabled", "on")), Set.of());
        }

        static Form of(WebhookStore.EndpointView endpoint) {
            return new Form(
                    FormState.of(Map.of(
                            "url",
                            endpoint.url(),
                            "description",
                            endpoint.description(),
                            "enabled",
                            endpoint.enabled() ? "on" : "")),
                    Set.copyOf(endpoint.eventTypes()));
        }
    }

    /** A secret to show this once, with what it belongs to. */
    public record Secret(String value, Optional<String> previousValidUntil) {}

    @Override
    public void routing(HttpRules rules) {
        rules.get("/console/webhooks", this::list)
                .post("/console/webhooks", this::create)
                .get("/console/webhooks/{endpointId}", this::detail)
                .post("/console/webhooks/{endpointId}", this::save)
                .post("/console/webhooks/{endpointId}/rotate", this::rotate)
                .post("/console/webhooks/{endpointId}/deliveries/{deliveryId}/replay", this::replay)
                .post("/console/webhooks/{endpointId}/replay-dead-letters", this::replayDead);
    }

    /** A time as the pages show it: UTC, to the minute. */
    public static String when(String iso) {
        if (iso == null) {
            return "—";
        }
        return Formats.dateTime(Instant.parse(iso), UTC, Guard.messages().locale());
    }

    /** A success rate as a whole percentage, or a dash without attempts. */
    public static String rate(WebhookStore.Health health) {
        return health.successRate24h() == null ? "—" : Math.round(health.successRate24h() * 100) + " %";
    }

    private void list(ServerRequest req, ServerResponse res) {
        ConsoleSession session = Guard.page(req, Permission.MANAGE_SETTINGS);
        renderList(res, session, Status.OK_200, Form.empty(), null, null);
    }

    private void renderList(
            ServerResponse res, ConsoleSession session, Status status, Form form, Secret secret, String createdId) {
        Map<String, Object> params = new HashMap<>();
        params.put("page", Guard.pageFor(session, "webhooks.title", "/console/webhooks"));
        params.put("endpoints", actions.store().list(session.tenant().id()));
        params.put("form", form);
        params.put("secret", secret);
        params.put("createdId", createdId);
        Templates.render(res, status, "webhooks.jte", params);
    }

    private void create(ServerRequest req, ServerResponse res) {
        ConsoleSession session = Guard.page(req, Permission.MANAGE_SETTINGS);
        Read read = read(Forms.read(req, session));
        if (read.input().isEmpty()) {
            renderList(res, session, Status.UNPROCESSABLE_CONTENT_422, read.form(), null, null);
            return;
        }
        WebhookStore.Created created =
                actions.create(req, session.caller(), read.input().get());
        renderList(
                res,
                session,
                Status.CREATED_201,
                Form.empty(),
                new Secret(created.secret(), Optional.empty()),
                created.endpoint().id());
    }

    private WebhookStore.EndpointView endpoint(ServerRequest req, ConsoleSession session) {
        String id = req.path().pathParameters().get("endpointId");
        return actions.store()
                .find(session.tenant().id(), id)
                .orElseThrow(() -> PageException.notFound("There is no webhook endpoint " + id + "."));
    }

    private void detail(ServerRequest req, ServerResponse res) {
        ConsoleSession session = Guard.page(req, Permission.MANAGE_SETTINGS);
        WebhookStore.EndpointView endpoint = endpoint(req, session);
        renderDetail(
                res,
                session,
                Status.OK_200,
                endpoint,
                Form.of(endpoint),
                null,
                req.query().first("notice").asOptional());
    }

    private void renderDetail(
            ServerResponse res,
            ConsoleSession session,
            Status status,
            WebhookStore.EndpointView endpoint,
            Form form,
            Secret secret,
            Optional<String> notice) {
        Map<String, Object> params = new HashMap<>();
        params.put("page", Guard.pageFor(session, "webhooks.title", "/console/webhooks"));
        params.put("endpoint", endpoint);
        params.put("form", form);
        params.put("secret", secret);
        params.put(
                "notice",
                notice.filter(n -> Set.of("saved", "replayed", "replayed-all").contains(n))
                        .map(n -> "webhooks.notice." + n));
        params.put(
                "deliveries",
                actions.store().deliveries(session.tenant().id(), endpoint.id(), Optional.empty(), DELIVERIES));
        Templates.render(res, status, "webhook.jte", params);
    }

    private void save(ServerRequest req, ServerResponse res) {
        ConsoleSession session = Guard.page(req, Permission.MANAGE_SETTINGS);
        WebhookStore.EndpointView before = endpoint(req, session);
        Read read = read(Forms.read(req, session));
        if (read.input().isEmpty()) {
            renderDetail(res, session, Status.UNPROCESSABLE_CONTENT_422, before, read.form(), null, Optional.empty());
            return;
        }
        WebhookStore.EndpointView after = MembersService.value(actions.update(
                req, session.caller(), before, current -> read.input().get()));
        SignInService.redirect(res, "/console/webhooks/" + after.id() + "?notice=saved");
    }

    private void rotate(ServerRequest req, ServerResponse res) {
        ConsoleSession session = Guard.page(req, Permission.MANAGE_SETTINGS);
        Forms.read(req, session);
        WebhookStore.EndpointView before = endpoint(req, session);
        WebhookStore.Rotated rotated = MembersService.value(actions.rotate(req, session.caller(), before));
        renderDetail(
                res,
                session,
                Status.OK_200,
                rotated.endpoint(),
                Form.of(rotated.endpoint()),
                new Secret(rotated.secret(), Optional.of(rotated.previousSecretValidUntil())),
                Optional.empty());
    }

    private void replay(ServerRequest req, ServerResponse res) {
        ConsoleSession session = Guard.page(req, Permission.MANAGE_SETTINGS);
        Forms.read(req, session);
        WebhookStore.EndpointView endpoint = endpoint(req, session);
        String deliveryId = req.path().pathParameters().get("deliveryId");
        MembersService.value(actions.replay(req, session.caller(), endpoint.id(), deliveryId));
        SignInService.redirect(res, "/console/webhooks/" + endpoint.id() + "?notice=replayed");
    }

    private void replayDead(ServerRequest req, ServerResponse res) {
        ConsoleSession session = Guard.page(req, Permission.MANAGE_SETTINGS);
        Forms.read(req, session);
        WebhookStore.EndpointView endpoint = endpoint(req, session);
        MembersService.value(actions.replayDead(req, session.caller(), endpoint.id()));
        SignInService.redirect(res, "/console/webhooks/" + endpoint.id() + "?notice=replayed-all");
    }

    private record Read(Form form, Optional<WebhookStore.EndpointInput> input) {}

    /** The form through the API's own rules: the same messages, put beside the fields. */
    private Read read(Parameters form) {
        Map<String, String> values = new LinkedHashMap<>();
        values.put("url", form.first("url").orElse(""));
        values.put("description", form.first("description").orElse(""));
        values.put("enabled", form.first("enabled").orElse(""));
        List<String> ticked = form.contains("eventTypes") ? form.all("eventTypes") : List.of();
        ObjectNode body = JsonNodeFactory.instance.objectNode();
        body.put("url", values.get("url").strip());
        if (!values.get("description").isBlank()) {
            body.put("description", values.get("description"));
        }
        ArrayNode types = body.putArray("eventTypes");
        ticked.forEach(types::add);
        List<FieldError> errors = new ArrayList<>();
        Optional<WebhookStore.EndpointInput> input = Optional.empty();
        try {
            Input in = Input.of(body, FIELDS.toArray(String[]::new));
            String url = WebhookService.url(in, actions.settings());
            String description = in.optionalText("description", 500).orElse("");
            var eventTypes = WebhookService.eventTypes(in).orElse(Set.of());
            in.done();
            input = Optional.of(new WebhookStore.EndpointInput(
                    url, description, eventTypes, !values.get("enabled").isEmpty()));
        } catch (ApiException e) {
            errors.addAll(e.errors().stream()
                    .map(error -> error.field().startsWith("eventTypes[")
                            ? new FieldError("eventTypes", error.message())
                            : error)
                    .toList());
        }
        return new Read(new Form(new FormState(values, errors), Set.copyOf(ticked)), input);
    }
}
