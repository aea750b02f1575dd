package dev.gatehouse.hub.external;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.gatehouse.hub.audit.Audit;
import dev.gatehouse.hub.external.ExternalAccessStore.Desired;
import dev.gatehouse.hub.external.ExternalAccessStore.LinkView;
import dev.gatehouse.hub.external.ExternalAccessStore.Wanted;
import dev.gatehouse.hub.store.FieldError;
import dev.gatehouse.hub.store.StoreResult;
import dev.gatehouse.hub.tenants.Caller;
import dev.gatehouse.hub.tenants.Permission;
import dev.gatehouse.hub.web.ApiException;
import dev.gatehouse.hub.web.Input;
import dev.gatehouse.hub.web.Json;
import dev.gatehouse.hub.web.PathIds;
import dev.gatehouse.hub.web.StoreResults;
import dev.gatehouse.hub.web.Times;
import dev.gatehouse.protocol.Ids;
import io.helidon.http.Status;
import io.helidon.webserver.http.HttpRules;
import io.helidon.webserver.http.HttpService;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * Doors for other platforms: a coworking platform that keeps its members and billing (Nexudus,
 * OfficeRnD, one of its own) gives and takes access by its own ids, with an API token of the tenant
 * that may manage members.
 *
 * <pre>
 * PUT    /api/v1/external-access/{system}/{externalId}   the person's whole state: {"email", "fullName",
 *                                                          "plans": [{"planId", "validUntil"?}], "version"?}
 * GET    /api/v1/external-access/{system}/{externalId}   the link: member, plans it gave
 * DELETE /api/v1/external-access/{system}/{externalId}   take away what it gave, end the link
 * GET    /api/v1/integrations/nexudus/access-groups      Nexudus Custom ACS: the plans to map items to
 * POST   /api/v1/integrations/nexudus/webhook            Nexudus Custom ACS: a customer's access changed
 * </pre>
 *
 * <p>Entries come back to the platform as signed webhooks ({@code access.granted} and {@code
 * access.denied}), whose member carries the platform's ids.
 */
public record ExternalAccessService(ExternalAccessStore store, Audit audit, int maxBody) implements HttpService {
    /** The Nexudus Custom ACS integration's platform name. */
    public static final String NEXUDUS = "nexudus";

    private static final Pattern SYSTEM = Pattern.compile("[a-z][a-z0-9-]{1,31}");
    private static final Pattern EMAIL = Pattern.compile("[^@\\s]{1,64}@[^@\\s]+\\.[^@\\s]+");
    private static final int MAX_PLANS = 100;

    @Override
    public void routing(HttpRules rules) {
        rules.put("/external-access/{system}/{externalId}", this::apply)
                .get("/external-access/{system}/{externalId}", this::find)
                .delete("/external-access/{system}/{externalId}", this::remove)
                .get("/integrations/nexudus/access-groups", this::accessGroups)
                .post("/integrations/nexudus/webhook", this::nexudus);
    }

    private static String system(ServerRequest req) {
        String system = req.path().pathParameters().get("system");
        if (!SYSTEM.matcher(system).matches()) {
            throw ApiException.notFound("platform", Ids.printable(system));
        }
        return system;
    }

    private void find(ServerRequest req, ServerResponse res) {
        String tenantId = Caller.require(req, Permission.VIEW_MEMBERS).tenantId();
        String system = system(req);
        String externalId = PathIds.id(req, "externalId", system + " person");
        Json.ok(res, StoreResults.value(store.find(tenantId, system, externalId)));
    }

    private void apply(ServerRequest req, ServerResponse res) {
        Caller.Operator caller = Caller.require(req, Permission.MANAGE_MEMBERS);
        String system = system(req);
        String externalId = PathIds.id(req, "externalId", system + " person");
        Input input = Input.of(Json.object(req, maxBody), "email", "fullName", "plans", "version");
        String email = input.email("email");
        String fullName = input.text("fullName", 200);
        List<Wanted> plans = new ArrayList<>();
        List<JsonNode> items = input.array("plans", MAX_PLANS);
        Map<String, Integer> seen = new HashMap<>();
        for (int i = 0; i < items.size(); i++) {
            JsonNode item = items.get(i);
            String field = "plans[" + i + "]";
            if (!(item instanceof ObjectNode object)) {
                input.error(field, "must be an object {\"planId\", \"validUntil\"?}");
                continue;
            }
            Input plan = Input.of(object, "planId", "validUntil");
            String planId = plan.text("planId", 64);
            Optional<Instant> until = plan.instant("validUntil");
            try {
                plan.done();
            } catch (ApiException e) {
                input.error(field, "must be {\"planId\": a plan id, \"validUntil\"?: an ISO-8601 timestamp}");
                continue;
            }
            Integer first = seen.putIfAbsent(planId, i);
            if (first != null) {
                input.error(field, "names plan '" + planId + "' again (plans[" + first + "]); name each plan once");
                continue;
            }
            plans.add(new Wanted(planId, until));
        }
        Optional<Long> version = input.wholeNumber("version", 0, Long.MAX_VALUE);
        input.done();
        applied(req, res, caller, system, externalId, new Desired(email, fullName, plans, version));
    }

    private void applied(
            ServerRequest req,
            ServerResponse res,
            Caller.Operator caller,
            String system,
            String externalId,
            Desired desired) {
        Optional<LinkView> before = found(store.find(caller.tenantId(), system, externalId));
        LinkView after =
                StoreResults.value(store.apply(caller.tenantId(), caller.actorId(), system, externalId, desired));
        if (after.applied()) {
            audit.record(
                    req, caller, "external-access.apply", "member", after.memberId(), null, before.orElse(null), after);
        }
        Json.send(res, before.isEmpty() ? Status.CREATED_201 : Status.OK_200, after);
    }

    private static Optional<LinkView> found(StoreResult<LinkView> result) {
        return result instanceof StoreResult.Found<LinkView>(LinkView view) ? Optional.of(view) : Optional.empty();
    }

    private void remove(ServerRequest req, ServerResponse res) {
        Caller.Operator caller = Caller.require(req, Permission.MANAGE_MEMBERS);
        String system = system(req);
        String externalId = PathIds.id(req, "externalId", system + " person");
        LinkView removed = StoreResults.value(store.remove(caller.tenantId(), caller.actorId(), system, externalId));
        audit.record(req, caller, "external-access.remove", "member", removed.memberId(), null, removed, null);
        res.status(Status.NO_CONTENT_204).send();
    }

    private void accessGroups(ServerRequest req, ServerResponse res) {
        String tenantId = Caller.require(req, Permission.VIEW_MEMBERS).tenantId();
        Json.ok(res, store.accessGroups(tenantId));
    }

    /**
     * Nexudus's Custom ACS webhook: {@code {"time", "business": {...}, "coworker": {"uniqueId", "email",
     * "fullName"?, ...}, "groups": ["planId"], "schedule": [{"group", "expires_on"}]}}. The customer's
     * {@code uniqueId} is the link; {@code groups} are the plans they hold now (those in {@code schedule}
     * until its {@code expires_on}); {@code time} orders the notifications. Fields Nexudus adds that
     * Gatehouse does not use (the business, the PIN, the card number) are ignored: cards are enrolled at
     * a reader, where Gatehouse keeps only their keyed hash.
     */
    private void nexudus(ServerRequest req, ServerResponse res) {
        Caller.Operator caller = Caller.require(req, Permission.MANAGE_MEMBERS);
        ObjectNode body = Json.object(req, maxBody);
        List<FieldError> problems = new ArrayList<>();
        JsonNode coworker = body.path("coworker");
        String externalId = coworker.path("uniqueId").asText("");
        if (!coworker.path("uniqueId").isTextual() || !Ids.isValid(externalId)) {
            problems.add(new FieldError(
                    "coworker.uniqueId",
                    "is required: the customer's unique id (1-64 characters of A-Z, a-z, 0-9, '_', '-')"));
        }
        String email = coworker.path("email").asText("").strip();
        if (!coworker.path("email").isTextual()
                || email.length() > 254
                || !EMAIL.matcher(email).matches()) {
            problems.add(new FieldError("coworker.email", "is required: the customer's e-mail address"));
        }
        String fullName = firstText(coworker, "fullName", "FullName", "name")
                .orElse(email.contains("@") ? email.substring(0, email.indexOf('@')) : email)
                .strip();
        if (fullName.length() > 200 || fullName.chars().anyMatch(Character::isISOControl)) {
            problems.add(
                    new FieldError("coworker.fullName", "must be at most 200 characters without control characters"));
        }
        Optional<Long> version = Optional.empty();
        if (body.has("time")) {
            try {
                version = Optional.of(
                        Times.parseInstant(body.get("time").asText()).toEpochMilli());
            } catch (DateTimeParseException e) {
                problems.add(new FieldError(
                        "time", "'" + body.get("time").asText() + "' is not an ISO-8601 timestamp with an offset"));
            }
        }
        Map<String, Optional<Instant>> expiries = new HashMap<>();
        JsonNode schedule = body.path("schedule");
        if (!schedule.isMissingNode() && !schedule.isNull() && !schedule.isArray()) {
            problems.add(new FieldError("schedule", "must be an array of {\"group\", \"expires_on\"}"));
        }
        for (int i = 0; i < schedule.size() && schedule.isArray(); i++) {
            JsonNode entry = schedule.get(i);
            JsonNode expires = entry.path("expires_on");
            if (!entry.path("group").isTextual()) {
                problems.add(new FieldError("schedule[" + i + "].group", "must be a group id"));
                continue;
            }
            if (expires.isMissingNode() || expires.isNull()) {
                expiries.put(entry.get("group").asText(), Optional.empty());
                continue;
            }
            try {
                expiries.put(entry.get("group").asText(), Optional.of(Times.parseInstant(expires.asText())));
            } catch (DateTimeParseException e) {
                problems.add(new FieldError(
                        "schedule[" + i + "].expires_on",
                        "'" + expires.asText() + "' is not an ISO-8601 timestamp with an offset"));
            }
        }
        JsonNode groups = body.path("groups");
        List<Wanted> plans = new ArrayList<>();
        if (!groups.isArray() || groups.size() > MAX_PLANS) {
            problems.add(new FieldError(
                    "groups",
                    "is required: an array of at most " + MAX_PLANS + " access group ids (empty: no access)"));
        } else {
            for (int i = 0; i < groups.size(); i++) {
                JsonNode group = groups.get(i);
                if (!group.isTextual() || !Ids.isValid(group.asText())) {
                    problems.add(new FieldError("groups[" + i + "]", "must be an access group id"));
                } else if (plans.stream().noneMatch(p -> p.planId().equals(group.asText()))) {
                    plans.add(new Wanted(group.asText(), expiries.getOrDefault(group.asText(), Optional.empty())));
                }
            }
        }
        if (!problems.isEmpty()) {
            throw ApiException.invalid(problems);
        }
        applied(req, res, caller, NEXUDUS, externalId, new Desired(email, fullName, plans, version));
    }

    private static Optional<String> firstText(JsonNode node, String... fields) {
        for (String field : fields) {
            if (node.path(field).isTextual() && !node.path(field).asText().isBlank()) {
                return Optional.of(node.path(field).asText());
            }
        }
        return Optional.empty();
    }
}
