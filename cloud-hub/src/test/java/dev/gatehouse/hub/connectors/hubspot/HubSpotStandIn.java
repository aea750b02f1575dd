package dev.gatehouse.hub.connectors.hubspot;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.gatehouse.hub.connectors.StandIn;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * HubSpot's CRM API v3 as documented: {@code POST /crm/v3/objects/{type}/batch/upsert} by a unique
 * {@code idProperty} (answering {@code {"status":"COMPLETE","results":[{"id","properties","new"}]}}),
 * {@code PATCH /crm/v3/objects/{type}/{id}}, default associations at {@code PUT /crm/v4/objects/…}, the
 * properties and deal pipelines read by the pre-flight. Errors are {@code {"status":"error","message",
 * "category","correlationId"}}; a rate limit is HTTP 429 with {@code "errorType":"RATE_LIMIT"} and the
 * {@code policyName} of the limit hit. Tokens: a private app's, or OAuth2 ones from {@code /oauth/v1/token}
 * (client id and secret in the form; access tokens expire; the refresh token stays the same).
 */
public final class HubSpotStandIn extends StandIn {
    public static final String PRIVATE_APP_TOKEN = "pat-na1-11111111-2222-3333-4444-555555555555";
    public static final String CLIENT_ID = "hs-client-0a1b";
    public static final String CLIENT_SECRET = "hs-secret-9f8e";

    private final Map<String, Map<String, ObjectNode>> objects = new LinkedHashMap<>();
    private final Map<String, Map<String, ObjectNode>> properties = new LinkedHashMap<>();
    private final List<String> associations = new ArrayList<>();
    private final Set<String> accessTokens = new HashSet<>();
    private final Set<String> codes = new HashSet<>();
    private final String refreshToken = "hs-refresh-" + UUID.randomUUID();
    private final AtomicLong ids = new AtomicLong(5100);
    private int limited;
    private String policy = "";
    private int refreshes;

    public HubSpotStandIn() {
        for (String type : List.of("contacts", "companies", "deals")) {
            objects.put(type, new LinkedHashMap<>());
            properties.put(type, new LinkedHashMap<>());
        }
        property("contacts", "email", "string", true);
        property("contacts", "gatehouse_member_id", "string", false);
        property("contacts", "gatehouse_status", "string", false);
        property("companies", "gatehouse_company_key", "string", true);
        property("deals", "gatehouse_signup_id", "string", true);
    }

    // ---- what tests set and read

    public synchronized void property(String type, String name, String valueType, boolean unique) {
        properties
                .get(type)
                .put(
                        name,
                        JSON.createObjectNode()
                                .put("name", name)
                                .put("label", name)
                                .put("type", valueType)
                                .put("fieldType", valueType.equals("string") ? "text" : "number")
                                .put("groupName", type.substring(0, type.length() - 1) + "information")
                                .put("hasUniqueValue", unique));
    }

    public synchronized void dropProperty(String type, String name) {
        properties.get(type).remove(name);
    }

    public synchronized void rateLimitNext(int calls, String policyName) {
        limited = calls;
        policy = policyName;
    }

    public synchronized String issueCode() {
        String code = "hs-code-" + UUID.randomUUID();
        codes.add(code);
        return code;
    }

    public synchronized void expireAccessTokens() {
        accessTokens.clear();
    }

    public synchronized int refreshes() {
        return refreshes;
    }

    public synchronized List<ObjectNode> objects(String type) {
        return objects.get(type).values().stream().map(ObjectNode::deepCopy).toList();
    }

    public synchronized List<String> associations() {
        return List.copyOf(associations);
    }

    // ---- the service

    @Override
    protected synchronized Answer answer(Request request, String authorization) {
        if (request.path().equals("/oauth/v1/token")) {
            return token(form(request.body()));
        }
        if (!request.bearer().equals(PRIVATE_APP_TOKEN) && !accessTokens.contains(request.bearer())) {
            return Answer.json(401, error("Authentication credentials not found.", "INVALID_AUTHENTICATION"));
        }
        if (limited > 0) {
            limited--;
            ObjectNode body = error("You have reached your " + policy.toLowerCase() + " limit.", "RATE_LIMITS");
            body.put("errorType", "RATE_LIMIT").put("policyName", policy).put("groupName", "publicapi");
            return Answer.json(429, body);
        }
        Matcher property = Pattern.compile("/crm/v3/properties/(\\w+)/(\\w+)").matcher(request.path());
        if (request.method().equals("GET") && property.matches()) {
            ObjectNode found =
                    properties.getOrDefault(property.group(1), Map.of()).get(property.group(2));
            return found == null
                    ? Answer.json(
                            404,
                            error(
                                    "Unable to find property " + property.group(2) + " for object type "
                                            + property.group(1),
                                    "OBJECT_NOT_FOUND"))
                    : Answer.json(200, found);
        }
        Matcher pipeline = Pattern.compile("/crm/v3/pipelines/deals/(\\w+)").matcher(request.path());
        if (request.method().equals("GET") && pipeline.matches()) {
            if (!pipeline.group(1).equals("default")) {
                return Answer.json(404, error("Unable to find pipeline " + pipeline.group(1), "OBJECT_NOT_FOUND"));
            }
            ObjectNode answer = JSON.createObjectNode().put("id", "default").put("label", "Sales Pipeline");
            ArrayNode stages = answer.putArray("stages");
            for (String stage : List.of("appointmentscheduled", "contractsent", "closedwon", "closedlost")) {
                stages.addObject().put("id", stage).put("label", stage);
            }
            return Answer.json(200, answer);
        }
        Matcher upsert = Pattern.compile("/crm/v3/objects/(\\w+)/batch/upsert").matcher(request.path());
        if (request.method().equals("POST") && upsert.matches()) {
            return upsert(upsert.group(1), request.json());
        }
        Matcher patch = Pattern.compile("/crm/v3/objects/(\\w+)/(\\d+)").matcher(request.path());
        if (request.method().equals("PATCH") && patch.matches()) {
            ObjectNode found = objects.getOrDefault(patch.group(1), Map.of()).get(patch.group(2));
            if (found == null) {
                return Answer.json(404, error("resource not found", "OBJECT_NOT_FOUND"));
            }
            ((ObjectNode) found.get("properties"))
                    .setAll((ObjectNode) request.json().get("properties"));
            return Answer.json(200, found);
        }
        Matcher associate = Pattern.compile("/crm/v4/objects/(\\w+)/(\\d+)/associations/default/(\\w+)/(\\d+)")
                .matcher(request.path());
        if (request.method().equals("PUT") && associate.matches()) {
            String link = associate.group(1) + ":" + associate.group(2) + "->" + associate.group(3) + ":"
                    + associate.group(4);
            if (!associations.contains(link)) {
                associations.add(link);
            }
            return Answer.json(200, Map.of("status", "COMPLETE", "results", List.of()));
        }
        return Answer.json(404, error("no route " + request.method() + " " + request.path(), "OBJECT_NOT_FOUND"));
    }

    private Answer upsert(String type, JsonNode body) {
        Map<String, ObjectNode> table = objects.get(type);
        ArrayNode results = JSON.createArrayNode();
        for (JsonNode input : body.path("inputs")) {
            String idProperty = input.path("idProperty").asText();
            ObjectNode property = properties.get(type).get(idProperty);
            if (property == null || !property.path("hasUniqueValue").asBoolean()) {
                return Answer.json(
                        400,
                        error("Property " + idProperty + " is not a unique identifier property", "VALIDATION_ERROR"));
            }
            for (var field : (Iterable<Map.Entry<String, JsonNode>>)
                    () -> input.path("properties").fields()) {
                if (!properties.get(type).containsKey(field.getKey())
                        && !List.of(
                                        "firstname",
                                        "lastname",
                                        "phone",
                                        "company",
                                        "name",
                                        "dealname",
                                        "amount",
                                        "pipeline",
                                        "dealstage",
                                        "closedate")
                                .contains(field.getKey())) {
                    return Answer.json(
                            400,
                            error(
                                    "Property values were not valid: Property \"" + field.getKey()
                                            + "\" does not exist",
                                    "VALIDATION_ERROR"));
                }
            }
            String key = input.path("id").asText();
            ObjectNode found = table.values().stream()
                    .filter(o -> o.path("properties").path(idProperty).asText().equals(key))
                    .findFirst()
                    .orElse(null);
            boolean created = found == null;
            if (created) {
                String id = Long.toString(ids.incrementAndGet());
                found = JSON.createObjectNode().put("id", id).put("archived", false);
                found.putObject("properties").put(idProperty, key);
                table.put(id, found);
            }
            ((ObjectNode) found.get("properties")).setAll((ObjectNode) input.get("properties"));
            results.add(found.deepCopy().put("new", created));
        }
        ObjectNode answer = JSON.createObjectNode().put("status", "COMPLETE");
        answer.set("results", results);
        answer.put("startedAt", "2027-03-10T08:00:00.000Z").put("completedAt", "2027-03-10T08:00:00.050Z");
        return Answer.json(200, answer);
    }

    private Answer token(Map<String, String> form) {
        if (!CLIENT_ID.equals(form.get("client_id")) || !CLIENT_SECRET.equals(form.get("client_secret"))) {
            return Answer.json(400, Map.of("status", "BAD_CLIENT_ID", "message", "missing or unknown client id"));
        }
        String grant = form.getOrDefault("grant_type", "");
        if (grant.equals("authorization_code")) {
            if (!codes.remove(form.getOrDefault("code", ""))) {
                return Answer.json(400, Map.of("status", "BAD_AUTH_CODE", "message", "auth code not found"));
            }
        } else if (grant.equals("refresh_token") && refreshToken.equals(form.get("refresh_token"))) {
            refreshes++;
        } else {
            return Answer.json(
                    400, Map.of("status", "BAD_REFRESH_TOKEN", "message", "missing or unknown refresh token"));
        }
        String access = "CJ-access-" + UUID.randomUUID();
        accessTokens.add(access);
        Map<String, Object> answer = new LinkedHashMap<>();
        answer.put("token_type", "bearer");
        answer.put("access_token", access);
        answer.put("refresh_token", refreshToken);
        answer.put("expires_in", 1800);
        return Answer.json(200, answer);
    }

    private static ObjectNode error(String message, String category) {
        return JSON.createObjectNode()
                .put("status", "error")
                .put("message", message)
                .put("correlationId", UUID.randomUUID().toString())
                .put("category", category);
    }
}
