package dev.gatehouse.hub.connectors;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.OptionalLong;

/**
 * A claimed job: the event that asked for it ({@code data} is the event payload's {@code data}: the
 * entity as the API shows it at that version) and how often it was tried.
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
        int attempts) {}
