package dev.gatehouse.hub.connectors;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Clock;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * What a connector works with for one tenant: its settings, the service's API authorized with the
 * tenant's token (refreshed when it expires or is refused), the mapping table, the hub's records as the
 * outbox last described them, the service's addresses and the clock.
 */
public record Session(
        String tenantId,
        ObjectNode settings,
        RemoteApi api,
        Mappings mappings,
        Records records,
        ConnectorSettings.Endpoints endpoints,
        Clock clock) {

    /** The tenant's mappings at this connector. */
    public interface Mappings {
        Optional<Mapping> find(String entityKind, String entityId);

        /** Records that the entity is {@code externalId} at the service (never moving its version back). */
        void save(String entityKind, String entityId, String externalId, long version, Optional<String> syncToken);
    }

    /** An entity's latest state as the outbox carries it: its {@code data} and version. */
    public record Latest(JsonNode data, OptionalLong version) {}

    /** The hub's entities as their latest outbox event shows them (a member, an invoice). */
    public interface Records {
        Optional<Latest> latest(String entityId);
    }
}
