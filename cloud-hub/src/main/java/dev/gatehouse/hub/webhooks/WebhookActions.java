package dev.gatehouse.hub.webhooks;

import dev.gatehouse.hub.audit.Audit;
import dev.gatehouse.hub.store.StoreResult;
import dev.gatehouse.hub.tenants.Caller;
import io.helidon.webserver.http.ServerRequest;
import java.util.Map;
import java.util.function.UnaryOperator;

/**
 * An owner's changes to webhook endpoints with their audit entries: the one path for the API and the
 * console pages, so both write the same rows and the same audit log (never a secret: the entries
 * hold the endpoint's view).
 */
public record WebhookActions(WebhookStore store, Audit audit, WebhookSettings settings) {
    private static final String ENDPOINT = "webhook-endpoint";

    public WebhookStore.Created create(ServerRequest req, Caller.Operator caller, WebhookStore.EndpointInput input) {
        WebhookStore.Created created = store.create(caller.tenantId(), input);
        audit.record(
                req,
                caller,
                "webhook-endpoint.create",
                ENDPOINT,
                created.endpoint().id(),
                null,
                null,
                created.endpoint());
        return created;
    }

    public StoreResult<WebhookStore.EndpointView> update(
            ServerRequest req,
            Caller.Operator caller,
            WebhookStore.EndpointView before,
            UnaryOperator<WebhookStore.EndpointInput> change) {
        StoreResult<WebhookStore.EndpointView> result = store.update(caller.tenantId(), before.id(), change);
        if (result instanceof StoreResult.Found<WebhookStore.EndpointView> found) {
            audit.record(
                    req, caller, action(before, found.value()), ENDPOINT, before.id(), null, before, found.value());
        }
        return result;
    }

    /** The audit action of an endpoint's change: enabling and disabling have their own names. */
    static String action(WebhookStore.EndpointView before, WebhookStore.EndpointView after) {
        if (before.enabled() == after.enabled()) {
            return "webhook-endpoint.update";
        }
        return after.enabled() ? "webhook-endpoint.enable" : "webhook-endpoint.disable";
    }

    public StoreResult<WebhookStore.Rotated> rotate(
            ServerRequest req, Caller.Operator caller, WebhookStore.EndpointView before) {
        StoreResult<WebhookStore.Rotated> result =
                store.rotate(caller.tenantId(), before.id(), settings.rotationOverlap());
        if (result instanceof StoreResult.Found<WebhookStore.Rotated> found) {
            audit.record(
                    req,
                    caller,
                    "webhook-endpoint.rotate-secret",
                    ENDPOINT,
                    before.id(),
                    null,
                    before,
                    found.value().endpoint());
        }
        return result;
    }

    public StoreResult<WebhookStore.DeliveryView> replay(
            ServerRequest req, Caller.Operator caller, String endpointId, String deliveryId) {
        StoreResult<WebhookStore.DeliveryView> result = store.replay(caller.tenantId(), endpointId, deliveryId);
        if (result instanceof StoreResult.Found<WebhookStore.DeliveryView> found) {
            audit.record(
                    req, caller, "webhook-delivery.replay", "webhook-delivery", deliveryId, null, null, found.value());
        }
        return result;
    }

    public StoreResult<Integer> replayDead(ServerRequest req, Caller.Operator caller, String endpointId) {
        StoreResult<Integer> result = store.replayDead(caller.tenantId(), endpointId);
        if (result instanceof StoreResult.Found<Integer> found) {
            audit.record(
                    req,
                    caller,
                    "webhook-endpoint.replay-dead-letters",
                    ENDPOINT,
                    endpointId,
                    null,
                    null,
                    Map.of("replayed", found.value()));
        }
        return result;
    }
}
