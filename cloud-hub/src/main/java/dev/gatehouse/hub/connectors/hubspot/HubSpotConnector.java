package dev.gatehouse.hub.connectors.hubspot;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.gatehouse.hub.connectors.Connector;
import dev.gatehouse.hub.connectors.ConnectorException;
import dev.gatehouse.hub.connectors.ConnectorSettings;
import dev.gatehouse.hub.connectors.Credentials;
import dev.gatehouse.hub.connectors.Job;
import dev.gatehouse.hub.connectors.Mapping;
import dev.gatehouse.hub.connectors.RemoteApi;
import dev.gatehouse.hub.connectors.Session;
import dev.gatehouse.hub.outbox.EventType;
import dev.gatehouse.hub.outbox.OutboxEvent;
import dev.gatehouse.hub.web.Input;
import dev.gatehouse.hub.web.Json;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;

/**
 * HubSpot (CRM API v3): members become contacts (upserted by e-mail the first time, then updated by the
 * contact's id, so a changed address follows), a member's company becomes a company upserted by a
 * unique {@code gatehouse_company_key} and associated with the contact, and a sign-up on the public page
 * becomes a won deal upserted by {@code gatehouse_signup_id} and associated with the contact. Gatehouse
 * has no tours yet, so there are no deals from tours. Authorization: a private app's token, or OAuth2
 * (access tokens of 30 minutes, refreshed). A 429 names its limit in {@code policyName}; the wait follows
 * it (ten seconds for the rolling ten-second limit, a second for the per-second one, an hour for the
 * daily one) where no {@code Retry-After} says otherwise.
 *
 * <p>Settings: {@code pipeline} ({@code default}), {@code dealStage} ({@code closedwon}). Secrets: {@code
 * privateAppToken}, or {@code clientId} and {@code clientSecret} for the connect flow.
 */
public final class HubSpotConnector implements Connector {
    static final String PRIVATE_APP_TOKEN = "privateAppToken";
    static final String CONTACT = "contact";
    static final String COMPANY = "company";
    static final String DEAL = "deal";

    /** The custom properties the connector writes: object type → property → must its values be unique. */
    static final Map<String, Map<String, Boolean>> PROPERTIES = Map.of(
            "contacts", Map.of("gatehouse_member_id", false, "gatehouse_status", false),
            "companies", Map.of("gatehouse_company_key", true),
            "deals", Map.of("gatehouse_signup_id", true));

    @Override
    public String name() {
        return ConnectorSettings.HUBSPOT;
    }

    @Override
    public String title() {
        return "HubSpot";
    }

    @Override
    public List<String> settingFields() {
        return List.of("pipeline", "dealStage");
    }

    @Override
    public Set<String> secretFields() {
        return Set.of(PRIVATE_APP_TOKEN, Credentials.CLIENT_ID, Credentials.CLIENT_SECRET);
    }

    @Override
    public Optional<String> oauthScopes() {
        return Optional.of("crm.objects.contacts.write crm.objects.companies.write crm.objects.deals.write"
                + " crm.schemas.contacts.read crm.schemas.companies.read crm.schemas.deals.read");
    }

    @Override
    public boolean tokenBasicAuth() {
        return false;
    }

    @Override
    public Optional<String> staticToken(Credentials credentials) {
        return credentials.get(PRIVATE_APP_TOKEN);
    }

    @Override
    public ObjectNode settings(Input input, ObjectNode current) {
        for (String field : settingFields()) {
            Optional<String> value = input.optionalText(field, 100);
            if (value.isPresent()) {
                if (!value.get().matches("[A-Za-z0-9_-]{1,100}")) {
                    input.error(field, "'" + value.get() + "' is not a HubSpot id (letters, digits, _ and -)");
                } else {
                    current.put(field, value.get());
                }
            }
        }
        if (!current.has("pipeline")) {
            current.put("pipeline", "default");
        }
        if (!current.has("dealStage")) {
            current.put("dealStage", "closedwon");
        }
        return current;
    }

    @Override
    public Optional<Duration> rateLimitWait(JsonNode body) {
        return switch (body.path("policyName").asText("")) {
            case "TEN_SECONDLY_ROLLING" -> Optional.of(Duration.ofSeconds(10));
            case "SECONDLY" -> Optional.of(Duration.ofSeconds(1));
            case "DAILY" -> Optional.of(Duration.ofHours(1));
            default -> Optional.empty();
        };
    }

    @Override
    public Optional<Work> work(OutboxEvent event, JsonNode settings) {
        Optional<EventType> type = EventType.parse(event.type());
        if (type.isEmpty() || event.entityId().isEmpty()) {
            return Optional.empty();
        }
        String id = event.entityId().get();
        return switch (type.get()) {
            case MEMBER_CREATED, MEMBER_UPDATED, MEMBER_SUSPENDED, MEMBER_REACTIVATED, MEMBER_CANCELLED ->
                Optional.of(new Work(CONTACT, id, event.entityVersion()));
            case SIGNUP_COMPLETED -> Optional.of(new Work(DEAL, id, OptionalLong.empty()));
            default -> Optional.empty();
        };
    }

    @Override
    public Result apply(Session session, Job job) {
        Crm crm = new Crm(session);
        return switch (job.entityKind()) {
            case CONTACT -> crm.contact(job.entityId(), job.data());
            case DEAL -> crm.deal(job.entityId(), job.data());
            default -> new Skipped("HubSpot takes no " + job.entityKind());
        };
    }

    @Override
    public List<Mismatch> preflight(Session session) {
        List<Mismatch> problems = new ArrayList<>();
        Crm crm = new Crm(session);
        PROPERTIES.forEach((object, properties) -> properties.forEach((property, unique) -> {
            RemoteApi.Response found = crm.get("/crm/v3/properties/" + object + "/" + property);
            if (found.status() == 404) {
                problems.add(new Mismatch(
                        "property-missing",
                        object + "." + property,
                        "HubSpot's " + object + " have no property " + property + ": create it (single-line text"
                                + (unique ? ", unique values" : "") + ")"));
            } else if (!found.ok()) {
                throw Crm.refusal("read property " + object + "." + property, found);
            } else if (!found.body().path("type").asText().equals("string")) {
                problems.add(new Mismatch(
                        "property-type",
                        object + "." + property,
                        "HubSpot's " + object + " property " + property + " is of type "
                                + found.body().path("type").asText() + "; it must be a string (single-line text)"));
            } else if (unique && !found.body().path("hasUniqueValue").asBoolean(false)) {
                problems.add(new Mismatch(
                        "property-not-unique",
                        object + "." + property,
                        "HubSpot's " + object + " property " + property
                                + " must require unique values: Gatehouse upserts by it"));
            }
        }));
        String pipeline = session.settings().path("pipeline").asText("default");
        String stage = session.settings().path("dealStage").asText("closedwon");
        RemoteApi.Response found = crm.get("/crm/v3/pipelines/deals/" + pipeline);
        if (found.status() == 404) {
            problems.add(new Mismatch("pipeline", "pipeline", "HubSpot has no deal pipeline " + pipeline));
        } else if (!found.ok()) {
            throw Crm.refusal("read deal pipeline " + pipeline, found);
        } else {
            boolean known = false;
            for (JsonNode s : found.body().path("stages")) {
                known |= s.path("id").asText().equals(stage);
            }
            if (!known) {
                problems.add(new Mismatch(
                        "deal-stage", "dealStage", "deal pipeline " + pipeline + " has no stage " + stage));
            }
        }
        problems.sort(java.util.Comparator.comparing(Mismatch::subject));
        return problems;
    }

    /** One tenant's HubSpot account, through the session's API. */
    private static final class Crm {
        private final Session session;

        Crm(Session session) {
            this.session = session;
        }

        RemoteApi.Response get(String path) {
            return session.api().get(URI.create(session.endpoints().api() + path));
        }

        private JsonNode send(String method, String path, JsonNode body, String what) {
            RemoteApi.Response response =
                    session.api().send(method, URI.create(session.endpoints().api() + path), Optional.of(body));
            if (!response.ok() || response.status() == 207) {
                throw refusal(what, response);
            }
            return response.body();
        }

        /** HubSpot's {@code {"status":"error","message","category"}} (or a batch's errors) as what to fix. */
        static ConnectorException refusal(String what, RemoteApi.Response response) {
            JsonNode body = response.body();
            String message = body.path("message")
                    .asText(body.path("errors").path(0).path("message").asText("HTTP " + response.status()));
            String category = body.path("category")
                    .asText(body.path("errors").path(0).path("category").asText(""));
            return new ConnectorException(
                    ConnectorException.Kind.REJECTED,
                    "HubSpot refused to " + what + ": " + message + (category.isEmpty() ? "" : " (" + category + ")"));
        }

        /** Upserts one object by a unique property with the batch upsert endpoint; answers its id. */
        private String upsert(String object, String idProperty, String id, ObjectNode properties, String what) {
            ObjectNode body = Json.MAPPER.createObjectNode();
            ObjectNode input = body.putArray("inputs").addObject();
            input.put("idProperty", idProperty);
            input.put("id", id);
            input.set("properties", properties);
            JsonNode answer = send("POST", "/crm/v3/objects/" + object + "/batch/upsert", body, what);
            String created = answer.path("results").path(0).path("id").asText("");
            if (created.isEmpty()) {
                throw new ConnectorException(
                        ConnectorException.Kind.UNAVAILABLE, "HubSpot answered the " + what + " without an id");
            }
            return created;
        }

        private void associate(String from, String fromId, String to, String toId) {
            send(
                    "PUT",
                    "/crm/v4/objects/" + from + "/" + fromId + "/associations/default/" + to + "/" + toId,
                    Json.MAPPER.createObjectNode(),
                    "associate " + from + " " + fromId + " with " + to + " " + toId);
        }

        Result contact(String memberId, JsonNode member) {
            String email = member.path("email").asText("");
            String[] name = member.path("fullName").asText("").split(" ", 2);
            ObjectNode properties = Json.MAPPER.createObjectNode();
            properties.put("email", email);
            properties.put("firstname", name[0]);
            properties.put("lastname", name.length > 1 ? name[1] : "");
            properties.put("phone", member.path("phone").asText(""));
            properties.put("company", member.path("company").asText(""));
            properties.put("gatehouse_member_id", memberId);
            properties.put("gatehouse_status", member.path("status").asText(""));
            Optional<Mapping> mapped = session.mappings().find(CONTACT, memberId);
            String contactId;
            if (mapped.isPresent()) {
                ObjectNode body = Json.MAPPER.createObjectNode();
                body.set("properties", properties);
                contactId = send(
                                "PATCH",
                                "/crm/v3/objects/contacts/" + mapped.get().externalId(),
                                body,
                                "update contact " + mapped.get().externalId())
                        .path("id")
                        .asText(mapped.get().externalId());
            } else {
                contactId = upsert("contacts", "email", email, properties, "upsert the contact of member " + memberId);
            }
            if (member.path("company").isTextual()
                    && !member.get("company").asText().isBlank()) {
                String company = member.get("company").asText().strip();
                String key = company.toLowerCase(Locale.ROOT);
                ObjectNode companyProperties = Json.MAPPER.createObjectNode();
                companyProperties.put("name", company);
                companyProperties.put("gatehouse_company_key", key);
                String companyId = upsert(
                        "companies", "gatehouse_company_key", key, companyProperties, "upsert company " + company);
                session.mappings().save(COMPANY, key, companyId, 0, Optional.empty());
                associate("contacts", contactId, "companies", companyId);
            }
            return new Applied(contactId, Optional.empty());
        }

        private String contactOf(String memberId) {
            return session.ensure(CONTACT, memberId, records -> records.member(memberId), latest ->
                    (Applied) contact(memberId, latest.data()));
        }

        Result deal(String signupId, JsonNode signup) {
            String contactId = contactOf(signup.path("memberId").asText());
            ObjectNode properties = Json.MAPPER.createObjectNode();
            properties.put(
                    "dealname",
                    signup.path("packageName").asText("Sign-up") + " – "
                            + signup.path("fullName").asText(""));
            properties.put(
                    "amount",
                    Session.decimal(
                                    signup.path("amount").asLong(),
                                    signup.path("currency").asText("EUR"))
                            .toPlainString());
            properties.put("pipeline", session.settings().path("pipeline").asText("default"));
            properties.put("dealstage", session.settings().path("dealStage").asText("closedwon"));
            properties.put("closedate", signup.path("paidAt").asText(""));
            properties.put("gatehouse_signup_id", signupId);
            String dealId = upsert("deals", "gatehouse_signup_id", signupId, properties, "upsert the deal " + signupId);
            associate("deals", dealId, "contacts", contactId);
            return new Applied(dealId, Optional.empty());
        }
    }
}
