package dev.gatehouse.hub.tenants;

import io.helidon.webserver.http.ServerRequest;

/**
 * Where the tenant routes record their administrative actions: {@code hub.audit.Audit}. An interface
 * here so that this package, which the audit log itself depends on (callers, actors), does not depend
 * on it back.
 */
@FunctionalInterface
public interface AuditTrail {
    /** As {@code Audit.record}: who did what to which resource, its view before and after (or null). */
    void record(
            ServerRequest req,
            Caller.Operator caller,
            String action,
            String resourceType,
            String resourceId,
            String siteIdOrNull,
            Object before,
            Object after);
}
