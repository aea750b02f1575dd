package dev.gatehouse.hub.billing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.stripe.exception.SignatureVerificationException;
import com.stripe.net.Webhook;
import dev.gatehouse.hub.web.ApiException;
import dev.gatehouse.hub.web.Json;
import io.helidon.http.HeaderNames;
import io.helidon.webserver.http.HttpRules;
import io.helidon.webserver.http.HttpService;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.List;

/**
 * Stripe's webhooks, at the root (no token, no session): each tenant's endpoint is
 * {@code POST /billing/stripe/webhook/{tenantId}}, and a request is Stripe's only if its
 * {@code Stripe-Signature} ({@code t=<unix seconds>,v1=<hex HMAC-SHA256 of "t.payload">}) verifies
 * with the tenant's signing secret and {@code t} is within {@value #TOLERANCE_SECONDS} s of the
 * hub's clock. A verified event goes to the inbox once per id and is applied ({@link StripeStore#receive});
 * anything else is a 400 that writes nothing.
 */
public record StripeWebhookService(StripeStore store, Clock clock, int maxBody) implements HttpService {
    /** The endpoint's path before the tenant id. */
    public static final String PATH = "/billing/stripe/webhook/";

    /** Stripe's own default tolerance between the signed timestamp and now. */
    public static final long TOLERANCE_SECONDS = 300;

    @Override
    public void routing(HttpRules rules) {
        rules.post("/billing/stripe/webhook/{tenantId}", this::receive);
    }

    private void receive(ServerRequest req, ServerResponse res) {
        String tenantId = req.path().pathParameters().get("tenantId");
        // An unknown tenant and one without Stripe answer alike.
        StripeStore.Secrets secrets = store.secrets(tenantId)
                .orElseThrow(() -> new ApiException(
                        404,
                        "not-found",
                        "Not found",
                        "there is no Stripe webhook endpoint at this address: Stripe is not set up for this tenant",
                        List.of()));
        String signature = req.headers()
                .first(HeaderNames.create("Stripe-Signature"))
                .orElseThrow(() -> ApiException.badRequest(
                        "the Stripe-Signature header is missing: only Stripe's signed webhooks are accepted here"));
        // Signed as sent: a byte that is not UTF-8 changes the text, and the signature then fails.
        String payload = new String(body(req), StandardCharsets.UTF_8);
        try {
            Webhook.Signature.verifyHeader(payload, signature, secrets.webhookSecret(), TOLERANCE_SECONDS, clock);
        } catch (SignatureVerificationException | RuntimeException e) {
            // stripe-java throws a NumberFormatException for a header whose t= is not a number.
            throw ApiException.badRequest("the Stripe-Signature does not verify: "
                    + (e instanceof SignatureVerificationException ? e.getMessage() : "the header is malformed")
                    + "; the event must be signed with this endpoint's signing secret within "
                    + TOLERANCE_SECONDS + " s of now; nothing was recorded");
        }
        JsonNode event = Json.parseObject(payload.getBytes(StandardCharsets.UTF_8));
        if (!event.path("id").isTextual()
                || !event.path("type").isTextual()
                || !event.path("data").isObject()) {
            throw ApiException.badRequest("the event has no id, type or data object; nothing was recorded");
        }
        StripeStore.Receipt receipt = store.receive(tenantId, event, payload);
        ObjectNode body = Json.MAPPER
                .createObjectNode()
                .put("eventId", receipt.eventId())
                .put("type", receipt.type())
                .put("outcome", receipt.outcome())
                .put("duplicate", receipt.duplicate());
        Json.ok(res, body);
    }

    private byte[] body(ServerRequest req) {
        if (!req.content().hasEntity()) {
            throw ApiException.badRequest("the webhook has no body");
        }
        byte[] bytes;
        try (InputStream in = req.content().inputStream()) {
            bytes = in.readNBytes(maxBody + 1);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        if (bytes.length > maxBody) {
            throw ApiException.tooLarge(maxBody);
        }
        return bytes;
    }
}
