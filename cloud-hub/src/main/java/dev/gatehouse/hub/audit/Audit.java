package dev.gatehouse.hub.audit;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.gatehouse.hub.tenants.AuditTrail;
import dev.gatehouse.hub.tenants.Caller;
import dev.gatehouse.hub.web.Json;
import dev.gatehouse.hub.web.TrustedProxies;
import io.helidon.webserver.http.ServerRequest;
import java.util.Iterator;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Writes the audit entry of an administrative action, for the console's pages and the API alike: the
 * caller's actor, the action ({@code member.suspend}), the resource, its site, the resource's view
 * before and after as the API shows it, and the client's address (the request's peer, or what a trusted proxy forwarded).
 *
 * <p>Secrets never reach the log: fields that hold one (tokens, passwords and their hashes, card UIDs,
 * keys, QR payloads) are dropped from before and after at any depth, whatever view is handed in.
 */
public record Audit(AuditStore store) implements AuditTrail {
    /** Field names whose values are secrets or secret-derived; never written to the audit log. */
    private static final Set<String> SECRET_FIELDS = Set.of(
            "token",
            "password",
            "passwordHash",
            "tokenHash",
            "secret",
            "totpSecret",
            "uid",
            "cardUid",
            "cardHash",
            "cardKey",
            "qr",
            "mqtt");

    /**
     * Records that {@code caller} did {@code action} to the resource; call it after the change
     * succeeded. {@code before} and {@code after} are the JSON-serialisable views the API answers (null
     * when there is none: a creation has no before, a deletion no after); {@code siteIdOrNull} is the
     * site the resource belongs to, null for tenant-wide resources such as members.
     */
    @Override
    public void record(
            ServerRequest req,
            Caller.Operator caller,
            String action,
            String resourceType,
            String resourceId,
            String siteIdOrNull,
            Object before,
            Object after) {
        store.append(new AuditStore.NewEntry(
                caller.tenantId(),
                caller.actor(),
                action,
                resourceType,
                resourceId,
                Optional.ofNullable(siteIdOrNull),
                json(before),
                json(after),
                address(req)));
    }

    /**
     * The client's IP address as the hub attributes it: the connection's peer, or behind a trusted proxy
     * ({@code hub.trusted-proxies}) the address that proxy forwarded.
     */
    public static String address(ServerRequest req) {
        return TrustedProxies.address(req);
    }

    static Optional<String> json(Object view) {
        if (view == null) {
            return Optional.empty();
        }
        JsonNode tree = Json.MAPPER.valueToTree(view);
        dropSecrets(tree);
        return Optional.of(tree.toString());
    }

    private static void dropSecrets(JsonNode node) {
        if (node instanceof ObjectNode object) {
            Iterator<Map.Entry<String, JsonNode>> fields = object.properties().iterator();
            while (fields.hasNext()) {
                Map.Entry<String, JsonNode> field = fields.next();
                if (SECRET_FIELDS.contains(field.getKey())) {
                    fields.remove();
                } else {
                    dropSecrets(field.getValue());
                }
            }
        } else if (node.isArray()) {
            node.forEach(Audit::dropSecrets);
        }
    }
}
