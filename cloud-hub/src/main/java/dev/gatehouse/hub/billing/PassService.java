package dev.gatehouse.hub.billing;

import com.fasterxml.jackson.databind.node.ObjectNode;
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
import java.util.regex.Pattern;

/**
 * Passes sold to members at the front desk or by an integrator (issue 16 items 1 and 7): a day pass,
 * a 10-pass. The pass's plan reaches the doors with its window and entries; its price is charged on
 * the member's account (invoiced by the next billing run, or at once by {@code POST
 * /members/{memberId}/invoices}).
 *
 * <pre>
 * POST /api/v1/members/{memberId}/passes   {packageId, siteId, firstDay?, idempotencyKey}:
 *                                          201 the pass; 200 the same pass for a retried key
 * </pre>
 */
public record PassService(PassStore store, Audit audit, int maxBody) implements HttpService {
    private static final Pattern KEY = Pattern.compile("[A-Za-z0-9._:-]{1,100}");

    @Override
    public void routing(HttpRules rules) {
        rules.post("/members/{memberId}/passes", this::sell);
    }

    private void sell(ServerRequest req, ServerResponse res) {
        Caller.require(req, Permission.MANAGE_MEMBERS);
        String member = PathIds.id(req, "memberId", "member");
        Input input = Input.of(Json.object(req, maxBody), "packageId", "siteId", "firstDay", "idempotencyKey");
        String packageId = input.text("packageId", 64);
        String siteId = input.text("siteId", 64);
        var firstDay = input.date("firstDay");
        String key = input.text("idempotencyKey", 100);
        if (!key.isEmpty() && !KEY.matcher(key).matches()) {
            input.error(
                    "idempotencyKey",
                    "may hold only letters, digits and . _ : - (up to 100); send the same key when you retry");
        }
        input.done();
        // A role scoped to sites sells at those sites only.
        Caller.Operator caller = Caller.operator(req).require(Permission.MANAGE_MEMBERS, siteId);
        PassStore.Sold sold = StoreResults.value(store.sell(
                caller.tenantId(), caller.actorId(), member, new PassStore.Sale(packageId, siteId, firstDay, key)));
        if (sold.replayed()) {
            Json.ok(res, json(sold));
            return;
        }
        audit.record(req, caller, "pass.sell", "member", member, null, null, json(sold));
        Json.created(res, json(sold));
    }

    /** A pass sold as the API shows it. */
    public static ObjectNode json(PassStore.Sold sold) {
        ObjectNode node = Json.MAPPER.createObjectNode();
        node.put("memberId", sold.memberId())
                .put("packageId", sold.pass().id())
                .put("planId", sold.pass().planId().orElseThrow())
                .put("siteId", sold.siteId())
                .put("validFrom", sold.given().validFrom().toString())
                .put("validUntil", sold.given().validUntil().toString())
                .put("entries", sold.given().entries());
        sold.charge()
                .ifPresentOrElse(
                        charge -> node.set("charge", SubscriptionService.json(charge)), () -> node.putNull("charge"));
        return node;
    }
}
