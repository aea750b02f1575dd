package dev.gatehouse.hub.outbox;

import java.time.Instant;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * One event of a tenant's outbox: its place in the tenant's order ({@code seq}), its id (the
 * {@code webhook-id} receivers deduplicate by), its type, the entity it is about and that entity's
 * version where it has one (receivers apply forward only), and the JSON payload as sent.
 */
public record OutboxEvent(
        String tenantId,
        long seq,
        String id,
        String type,
        Optional<String> entityId,
        OptionalLong entityVersion,
        String payload,
        Instant createdAt) {}
