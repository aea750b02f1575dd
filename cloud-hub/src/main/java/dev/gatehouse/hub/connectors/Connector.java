package dev.gatehouse.hub.connectors;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.gatehouse.hub.outbox.OutboxEvent;
import dev.gatehouse.hub.web.Input;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * One outside service the hub keeps in step with a tenant's data (accounting, CRM, chat). The framework
 * reads the outbox behind the connector's own cursor and asks {@link #work} which events it takes;
 * those become jobs written in the drain's transaction, and the worker later hands each job to
 * {@link #apply} outside any transaction, in event order per entity, after checking the mapping table
 * so that a job is applied forward only (an entity's older version after a newer one changes nothing;
 * the same event twice is one upsert). Nothing here calls the service inside a database transaction.
 */
public interface Connector {
    /** The connector's name in URLs, rows and the outbox cursor: {@code quickbooks}. */
    String name();

    /** The service's name as people know it: {@code QuickBooks Online}. */
    String title();

    /** The non-secret settings the API takes for this connector (field names of the body). */
    List<String> settingFields();

    /** The secrets the API takes (never echoed): {@code clientId}, {@code clientSecret}, {@code botToken}… */
    Set<String> secretFields();

    /**
     * The settings to store after a change: {@code current} with the fields {@code input} carries, each
     * checked (problems go to {@code input.error}, which the caller turns into a 422).
     */
    ObjectNode settings(Input input, ObjectNode current);

    /** The OAuth2 scopes this connector asks for in the connect flow; empty when it takes a static token only. */
    Optional<String> oauthScopes();

    /** Whether the token endpoint takes the client's id and secret as HTTP Basic (else in the form body). */
    default boolean tokenBasicAuth() {
        return true;
    }

    /** A static bearer token from the credentials (a bot or private-app token), when the connector uses one. */
    default Optional<String> staticToken(Credentials credentials) {
        return Optional.empty();
    }

    /**
     * How long a 429 without {@code Retry-After} asks to wait, read from the service's answer (HubSpot names
     * the limit in {@code policyName}); empty for {@link RemoteApi#DEFAULT_WAIT}.
     */
    default Optional<java.time.Duration> rateLimitWait(JsonNode body) {
        return Optional.empty();
    }

    /** What {@code event} asks of this connector under {@code settings}, empty when it asks nothing. */
    Optional<Work> work(OutboxEvent event, JsonNode settings);

    /** Carries one job to the service; a failure is a {@link ConnectorException}. */
    Result apply(Session session, Job job);

    /** Every mismatch between the settings and the service that would make jobs fail; empty when it may be enabled. */
    List<Mismatch> preflight(Session session);

    /** The entity a job is about: its kind at this connector, its id at the hub, its version where it has one. */
    record Work(String entityKind, String entityId, java.util.OptionalLong version) {}

    /** What applying a job came to. */
    sealed interface Result permits Applied, Skipped {}

    /** The entity is at the service under {@code externalId}, with the service's concurrency token. */
    record Applied(String externalId, Optional<String> syncToken) implements Result {
        public Applied {
            if (externalId.isBlank()) {
                throw new IllegalArgumentException("an applied job needs the service's id");
            }
        }
    }

    /** Nothing to send, and why (a refund QuickBooks keeps apart, an event type the settings leave out). */
    record Skipped(String reason) implements Result {}

    /** One problem the pre-flight found: a code, what it concerns and what to fix. */
    record Mismatch(String code, String subject, String message) {}
}
