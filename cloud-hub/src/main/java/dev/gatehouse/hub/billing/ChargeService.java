package dev.gatehouse.hub.billing;

import dev.gatehouse.hub.audit.Audit;
import dev.gatehouse.hub.tenants.Caller;
import dev.gatehouse.hub.tenants.Permission;
import dev.gatehouse.hub.web.Input;
import dev.gatehouse.hub.web.Json;
import dev.gatehouse.hub.web.PathIds;
import dev.gatehouse.hub.web.StoreResults;
import io.helidon.webserver.http.HttpRules;
import io.helidon.webserver.http.HttpService;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * One-off charges (issue 16 item 3), for finance: an amount the member owes once, invoiced by the
 * next billing run with the member's other charges (or at once by {@code POST
 * /members/{memberId}/invoices}).
 *
 * <pre>
 * POST /api/v1/members/{memberId}/charges   {description, amount, currency, idempotencyKey}:
 *                                           201 the charge; 200 the same charge for a retried key;
 *                                           currency must be the tenant's billing currency
 * </pre>
 */
public record ChargeService(ChargeStore store, Audit audit, int maxBody) implements HttpService {
    private static final Pattern KEY = Pattern.compile("[A-Za-z0-9._:-]{1,100}");
    /** A hundred million in major units: beyond any one-off a coworking space sends, far below overflow. */
    static final long MAX_AMOUNT = 10_000_000_000L;

    @Override
    public void routing(HttpRules rules) {
        rules.post("/members/{memberId}/charges", this::oneOff);
    }

    private void oneOff(ServerRequest req, ServerResponse res) {
        Caller.Operator caller = Caller.require(req, Permission.FINANCE);
        String member = PathIds.id(req, "memberId", "member");
        Input input = Input.of(Json.object(req, maxBody), "description", "amount", "currency", "idempotencyKey");
        String description = input.text("description", 200);
        Optional<Long> amount = input.wholeNumber("amount", Long.MIN_VALUE, Long.MAX_VALUE);
        if (!input.has("amount") || input.isNull("amount")) {
            input.error("amount", "is required: what the member owes, in minor units (1250 for 12.50), above 0");
        } else if (amount.isPresent() && (amount.get() < 1 || amount.get() > MAX_AMOUNT)) {
            input.error(
                    "amount",
                    "is " + amount.get() + "; a one-off charge is 1 to " + MAX_AMOUNT + " minor units (to give money"
                            + " back, issue a credit note)");
        }
        String currency = input.text("currency", 3);
        String key = input.text("idempotencyKey", 100);
        if (!key.isEmpty() && !KEY.matcher(key).matches()) {
            input.error(
                    "idempotencyKey",
                    "may hold only letters, digits and . _ : - (up to 100); send the same key when you retry");
        }
        input.done();
        ChargeStore.OneOffOutcome outcome = StoreResults.value(store.oneOff(
                caller.tenantId(), member, new ChargeStore.OneOff(description, amount.orElseThrow(), currency, key)));
        if (outcome.replayed()) {
            Json.ok(res, SubscriptionService.json(outcome.charge()));
            return;
        }
        audit.record(
                req, caller, "charge.create", "member", member, null, null, SubscriptionService.json(outcome.charge()));
        Json.created(res, SubscriptionService.json(outcome.charge()));
    }
}
