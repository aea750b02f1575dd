package dev.gatehouse.hub.connectors;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Clock;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * What a connector works with for one tenant: its settings, the service's API authorized with the
 * tenant's token (refreshed when it expires or is refused), the mapping table, the hub's records as they
 * are now, the service's addresses and the clock.
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

    /** An entity's current state as the API shows it (what an event's {@code data} carries) and its version. */
    public record Latest(JsonNode data, OptionalLong version) {}

    /**
     * The service's id of the entity, from the mapping table, or else upserted now from the entity's
     * current state ({@code current}, read from the hub's records) through {@code upsert} and mapped (an
     * invoice whose member was never sent brings the member along).
     */
    public String ensure(
            String entityKind,
            String entityId,
            java.util.function.Function<Records, Optional<Latest>> current,
            java.util.function.Function<Latest, Connector.Applied> upsert) {
        Optional<Mapping> mapped = mappings.find(entityKind, entityId);
        if (mapped.isPresent()) {
            return mapped.get().externalId();
        }
        Latest latest = current.apply(records)
                .orElseThrow(() -> new ConnectorException(
                        ConnectorException.Kind.REJECTED, "the hub has no " + entityKind + " " + entityId));
        Connector.Applied applied = upsert.apply(latest);
        mappings.save(
                entityKind, entityId, applied.externalId(), latest.version().orElse(0), applied.syncToken());
        return applied.externalId();
    }

    /** Minor units as the currency's decimal amount: 12345 EUR → 123.45 (2 places for an unknown code). */
    public static java.math.BigDecimal decimal(long minor, String currency) {
        int digits;
        try {
            digits = Math.max(0, java.util.Currency.getInstance(currency).getDefaultFractionDigits());
        } catch (IllegalArgumentException e) {
            digits = 2;
        }
        return java.math.BigDecimal.valueOf(minor, digits);
    }

    /** The hub's entities as they are now, read from their stores. */
    public interface Records {
        /** The member as the API shows it, with its version (the last of its history). */
        Optional<Latest> member(String memberId);

        /** The issued invoice or credit note as the API shows it (documents do not change once issued). */
        Optional<Latest> invoice(String invoiceId);
    }
}
