package dev.gatehouse.hub.connectors;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.OptionalLong;

/**
 * A claimed job: the event that asked for it ({@code data} is the event payload's {@code data}: the
 * entity as the API shows it at that version), how often it was tried, and how often an operator put it
 * back after it failed ({@code retries}, part of {@link #idempotencyKey}), and since when an earlier
 * attempt may have reached the service without the hub learning what came of it ({@code unsureSince}:
 * its answer was lost to a timeout, a broken connection or a 5xx, or the hub stopped during the call;
 * empty when every earlier attempt failed for certain or there was none). A service without
 * idempotency keys looks for the earlier attempt's work before doing it again (Slack).
 */
public record Job(
        String id,
        String tenantId,
        String connector,
        String eventId,
        long eventSeq,
        String eventType,
        String entityKind,
        String entityId,
        OptionalLong entityVersion,
        JsonNode data,
        int attempts,
        int retries,
        java.util.Optional<java.time.Instant> unsureSince) {

    /**
     * A key that is the same for every attempt of this job at {@code what} (an entity kind and id it
     * creates) and new after an operator's retry: at most 50 characters, as QuickBooks' {@code requestid}
     * allows. A service that remembers it answers a repeated create with the first one's result.
     */
    public String idempotencyKey(String what) {
        String name = tenantId + "/" + connector + "/" + eventId + "/" + retries + "/" + what;
        return java.util
                .UUID
                .nameUUIDFromBytes(name.getBytes(java.nio.charset.StandardCharsets.UTF_8))
                .toString();
    }
}
