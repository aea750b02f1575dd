package dev.gatehouse.hub.connectors;

import java.util.Optional;

/** A Gatehouse entity's id at a service, the version last applied there and the service's concurrency token. */
public record Mapping(
        String entityKind, String entityId, String externalId, long lastVersion, Optional<String> syncToken) {}
