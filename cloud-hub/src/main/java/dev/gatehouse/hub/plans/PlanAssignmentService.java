package dev.gatehouse.hub.plans;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.gatehouse.hub.audit.Audit;
import dev.gatehouse.hub.tenants.Caller;
import dev.gatehouse.hub.tenants.Permission;
import dev.gatehouse.hub.web.ApiException;
import dev.gatehouse.hub.web.Input;
import dev.gatehouse.hub.web.Json;
import dev.gatehouse.hub.web.PathIds;
import dev.gatehouse.hub.web.StoreResults;
import io.helidon.http.Status;
import io.helidon.webserver.http.HttpRules;
import io.helidon.webserver.http.HttpService;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The plans members hold.
 *
 * <pre>
 * GET    /api/v1/members/{memberId}/plans
 * PUT    /api/v1/members/{memberId}/plans/{planId}       {"validFrom"?, "validUntil"?}
 * DELETE /api/v1/members/{memberId}/plans/{planId}
 * </pre>
 */
public record PlanAssignmentService(PlanAssignmentStore store, Audit audit, int maxBody) implements HttpService {
    @Override
    public void routing(HttpRules rules) {
        rules.get("/members/{memberId}/plans", this::assignments)
                .put("/members/{memberId}/plans/{planId}", this::assign)
                .delete("/members/{memberId}/plans/{planId}", this::unassign);
    }

    private void assignments(ServerRequest req, ServerResponse res) {
        String tenantId = Caller.require(req, Permission.VIEW_MEMBERS).tenantId();
        String memberId = PathIds.id(req, "memberId", "member");
        Json.ok(res, Map.of("items", StoreResults.value(store.assignments(tenantId, memberId))));
    }

    /** The member's assignment of the plan now, when the member holds it. */
    private Optional<PlanAssignmentStore.AssignmentView> held(String tenantId, String memberId, String planId) {
        return StoreResults.value(store.assignments(tenantId, memberId)).stream()
                .filter(assignment -> assignment.planId().equals(planId))
                .findFirst();
    }

    private void assign(ServerRequest req, ServerResponse res) {
        Caller.Operator caller = Caller.require(req, Permission.MANAGE_MEMBERS);
        String memberId = PathIds.id(req, "memberId", "member");
        String planId = PathIds.id(req, "planId", "plan");
        ObjectNode body = req.content().hasEntity() ? Json.object(req, maxBody) : Json.MAPPER.createObjectNode();
        Input input = Input.of(body, "validFrom", "validUntil");
        Optional<Instant> validFrom = input.instant("validFrom");
        Optional<Instant> validUntil = input.instant("validUntil");
        if (validFrom.isPresent() && validUntil.isPresent() && !validUntil.get().isAfter(validFrom.get())) {
            input.error("validUntil", "must be after validFrom (" + validFrom.get() + ")");
        }
        input.done();
        Optional<PlanAssignmentStore.AssignmentView> before = held(caller.tenantId(), memberId, planId);
        PlanAssignmentStore.Assigned assigned = StoreResults.value(
                store.assign(caller.tenantId(), caller.actorId(), memberId, planId, validFrom, validUntil));
        audit.record(req, caller, "plan.assign", "member", memberId, null, before.orElse(null), assigned.assignment());
        Json.send(res, assigned.created() ? Status.CREATED_201 : Status.OK_200, assigned.assignment());
    }

    private void unassign(ServerRequest req, ServerResponse res) {
        Caller.Operator caller = Caller.require(req, Permission.MANAGE_MEMBERS);
        String memberId = PathIds.id(req, "memberId", "member");
        String planId = PathIds.id(req, "planId", "plan");
        PlanAssignmentStore.AssignmentView removed = StoreResults.value(
                        store.unassign(caller.tenantId(), caller.actorId(), memberId, planId))
                .orElseThrow(() -> new ApiException(
                        404,
                        "not-found",
                        "Not found",
                        "member " + memberId + " does not hold plan '" + planId + "'",
                        List.of()));
        audit.record(req, caller, "plan.unassign", "member", memberId, null, removed, null);
        res.status(Status.NO_CONTENT_204).send();
    }
}
