package dev.gatehouse.hub.billing;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.gatehouse.hub.audit.Audit;
import dev.gatehouse.hub.members.MemberStore;
import dev.gatehouse.hub.store.Database;
import dev.gatehouse.hub.tenants.Caller;
import dev.gatehouse.hub.tenants.Permission;
import dev.gatehouse.hub.web.ApiException;
import dev.gatehouse.hub.web.Input;
import dev.gatehouse.hub.web.Json;
import dev.gatehouse.hub.web.PathIds;
import io.helidon.webserver.http.HttpRules;
import io.helidon.webserver.http.HttpService;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import java.time.Clock;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * Dunning's thresholds, a member's standing, and a run on demand ({@link Dunning}).
 *
 * <pre>
 * GET   /api/v1/billing/dunning                {pastDueDays, restrictDays, suspendDays}
 * PATCH /api/v1/billing/dunning                set them (finance); members move at the next run
 * POST  /api/v1/billing/dunning/run            move the tenant's members now: {steps:[{memberId, from, to, invoiceId}]}
 * GET   /api/v1/members/{memberId}/dunning     {state, invoiceId, since}
 * </pre>
 */
public record DunningService(Database database, Audit audit, Clock clock, int maxBody) implements HttpService {
    @Override
    public void routing(HttpRules rules) {
        rules.get("/billing/dunning", this::thresholds)
                .patch("/billing/dunning", this::setThresholds)
                .post("/billing/dunning/run", this::run)
                .get("/members/{memberId}/dunning", this::standing);
    }

    private void thresholds(ServerRequest req, ServerResponse res) {
        Caller.Operator caller = Caller.require(req, Permission.FINANCE);
        Json.ok(res, json(database.read(c -> Dunning.thresholds(c, caller.tenantId()))));
    }

    private void setThresholds(ServerRequest req, ServerResponse res) {
        Caller.Operator caller = Caller.require(req, Permission.FINANCE);
        Input input = Input.of(Json.object(req, maxBody), "pastDueDays", "restrictDays", "suspendDays");
        Dunning.Thresholds before = database.read(c -> Dunning.thresholds(c, caller.tenantId()));
        Dunning.Thresholds after = new Dunning.Thresholds(
                input.integer("pastDueDays", 1, Dunning.Thresholds.MAX_DAYS).orElse(before.pastDueDays()),
                input.integer("restrictDays", 1, Dunning.Thresholds.MAX_DAYS).orElse(before.restrictDays()),
                input.integer("suspendDays", 1, Dunning.Thresholds.MAX_DAYS).orElse(before.suspendDays()));
        input.done();
        after.problem().ifPresent(problem -> {
            throw ApiException.invalid("suspendDays", problem);
        });
        database.run(c -> Dunning.setThresholds(c, caller.tenantId(), after, clock.instant()));
        audit.record(
                req, caller, "billing.dunning.update", "tenant", caller.tenantId(), null, json(before), json(after));
        Json.ok(res, json(after));
    }

    private void run(ServerRequest req, ServerResponse res) {
        Caller.Operator caller = Caller.require(req, Permission.FINANCE);
        List<Map<String, Object>> steps =
                Dunning.run(database, Optional.of(caller.tenantId()), clock.instant()).stream()
                        .map(step -> Map.<String, Object>of(
                                "memberId", step.memberId(),
                                "from", wire(step.from()),
                                "to", wire(step.to()),
                                "invoiceId", step.invoiceId().orElse("")))
                        .toList();
        Json.ok(res, Map.of("steps", steps));
    }

    private void standing(ServerRequest req, ServerResponse res) {
        Caller.Operator caller = Caller.require(req, Permission.VIEW_MEMBERS);
        String member = PathIds.id(req, "memberId", "member");
        Dunning.Standing standing = database.read(c -> {
            if (MemberStore.entity(c, caller.tenantId(), member).isEmpty()) {
                throw ApiException.notFound("member", member);
            }
            return Dunning.standing(c, caller.tenantId(), member);
        });
        ObjectNode json = Json.MAPPER.createObjectNode().put("state", wire(standing.state()));
        standing.invoiceId().ifPresent(id -> json.put("invoiceId", id));
        standing.since().ifPresent(since -> json.put("since", since.toString()));
        Json.ok(res, json);
    }

    static String wire(Dunning.State state) {
        return state.name().toLowerCase(Locale.ROOT).replace('_', '-');
    }

    private static ObjectNode json(Dunning.Thresholds thresholds) {
        return Json.MAPPER
                .createObjectNode()
                .put("pastDueDays", thresholds.pastDueDays())
                .put("restrictDays", thresholds.restrictDays())
                .put("suspendDays", thresholds.suspendDays());
    }
}
