package dev.gatehouse.hub.privacy;

import dev.gatehouse.hub.audit.Audit;
import dev.gatehouse.hub.credentials.CredentialViews.PassView;
import dev.gatehouse.hub.credentials.VisitorPassStore;
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

/**
 * Visitors' privacy through the API: what is held about a pass's visitor or a kiosk sign-in's, its
 * erasure, and the tenant's retention period. Here rather than with the passes, because a visitor's
 * records reach beyond them (kiosk sign-ins, agreement signatures).
 *
 * <pre>
 * GET  /api/v1/visitor-passes/{id}/export      everything held about its visitor (audited)
 * POST /api/v1/visitor-passes/{id}/erase       anonymise its visitor now, revoking the pass (audited)
 * GET  /api/v1/kiosk-sign-ins/{id}/export      everything held about a sign-in's visitor, e.g. a walk-in (audited)
 * POST /api/v1/kiosk-sign-ins/{id}/erase       anonymise that visitor now (and the pass's, revoked) (audited)
 * GET  /api/v1/visitor-retention               the tenant's retention period for visitor data
 * PUT  /api/v1/visitor-retention               set it, in days after a pass ends (audited)
 * </pre>
 */
public record VisitorPrivacyService(VisitorPassStore store, Audit audit, int maxBody) implements HttpService {
    @Override
    public void routing(HttpRules rules) {
        rules.get("/visitor-passes/{passId}/export", this::export)
                .post("/visitor-passes/{passId}/erase", this::erase)
                .get("/kiosk-sign-ins/{signInId}/export", this::exportSignIn)
                .post("/kiosk-sign-ins/{signInId}/erase", this::eraseSignIn)
                .get("/visitor-retention", this::retention)
                .put("/visitor-retention", this::setRetention);
    }

    private VisitorPrivacyStore privacy() {
        return new VisitorPrivacyStore(store.database(), store.clock());
    }

    private void export(ServerRequest req, ServerResponse res) {
        Caller.Operator caller = Caller.require(req, Permission.VIEW_MEMBERS);
        PassView pass = pass(req, caller);
        java.util.Map<String, Object> export =
                privacy().export(caller.tenantId(), pass).orElseThrow();
        // Reading a person's data is itself on record.
        audit.record(req, caller, "visitor-pass.export", "visitor-pass", pass.id(), pass.siteId(), null, null);
        Json.ok(res, export);
    }

    private void erase(ServerRequest req, ServerResponse res) {
        Caller.Operator caller = Caller.require(req, Permission.MANAGE_CREDENTIALS);
        PassView current = pass(req, caller);
        if (current.status().equals("active")) {
            StoreResults.value(store.revoke(caller.tenantId(), current.id()));
        }
        StoreResults.value(privacy().erase(caller.tenantId(), current.id()));
        PassView erased = store.find(caller.tenantId(), current.id()).orElseThrow();
        // The audit keeps no copy of what was erased: only that it was.
        audit.record(
                req,
                caller,
                "visitor-pass.erase",
                "visitor-pass",
                current.id(),
                current.siteId(),
                null,
                java.util.Map.of("status", erased.status()));
        Json.ok(res, erased);
    }

    /** The sign-in the path names, when it is at one of the caller's sites (else 404). */
    private VisitorPrivacyStore.SignInRef signIn(ServerRequest req, Caller.Operator caller) {
        String id = PathIds.id(req, "signInId", "kiosk sign-in");
        VisitorPrivacyStore.SignInRef signIn =
                StoreResults.found(privacy().signIn(caller.tenantId(), id), "kiosk sign-in", id);
        caller.requireCovers(signIn.siteId(), "kiosk sign-in", id);
        return signIn;
    }

    private void exportSignIn(ServerRequest req, ServerResponse res) {
        Caller.Operator caller = Caller.require(req, Permission.VIEW_MEMBERS);
        VisitorPrivacyStore.SignInRef signIn = signIn(req, caller);
        java.util.Map<String, Object> export = privacy().exportSignIn(caller.tenantId(), signIn);
        audit.record(req, caller, "kiosk-sign-in.export", "kiosk-sign-in", signIn.id(), signIn.siteId(), null, null);
        Json.ok(res, export);
    }

    private void eraseSignIn(ServerRequest req, ServerResponse res) {
        Caller.Operator caller = Caller.require(req, Permission.MANAGE_CREDENTIALS);
        VisitorPrivacyStore.SignInRef signIn = signIn(req, caller);
        Optional<PassView> pass = signIn.passId().flatMap(id -> store.find(caller.tenantId(), id));
        if (pass.isPresent() && pass.get().status().equals("active")) {
            StoreResults.value(store.revoke(caller.tenantId(), pass.get().id()));
        }
        privacy().eraseSignIn(caller.tenantId(), signIn);
        // The audit keeps no copy of what was erased: only that it was.
        audit.record(req, caller, "kiosk-sign-in.erase", "kiosk-sign-in", signIn.id(), signIn.siteId(), null, null);
        Json.ok(res, privacy().exportSignIn(caller.tenantId(), signIn));
    }

    private void retention(ServerRequest req, ServerResponse res) {
        Caller.Operator caller = Caller.require(req, Permission.VIEW_MEMBERS);
        Json.ok(res, java.util.Map.of("days", privacy().retentionDays(caller.tenantId())));
    }

    private void setRetention(ServerRequest req, ServerResponse res) {
        Caller.Operator caller = Caller.require(req, Permission.MANAGE_SETTINGS);
        Input input = Input.of(Json.object(req, maxBody), "days");
        Optional<Integer> days = input.integer("days", 1, VisitorPrivacyStore.MAX_DAYS);
        if (!input.has("days")) {
            input.error(
                    "days",
                    "is required: the days visitor data is kept after a pass ends (1 to " + VisitorPrivacyStore.MAX_DAYS
                            + ")");
        }
        input.done();
        int before = privacy().retentionDays(caller.tenantId());
        privacy().setRetentionDays(caller.tenantId(), days.orElseThrow());
        audit.record(
                req,
                caller,
                "visitor-retention.update",
                "tenant",
                caller.tenantId(),
                null,
                java.util.Map.of("days", before),
                java.util.Map.of("days", days.get()));
        Json.ok(res, java.util.Map.of("days", days.get()));
    }

    /** The pass the path names, when it is at one of the caller's sites (else 404). */
    private PassView pass(ServerRequest req, Caller.Operator caller) {
        String passId = PathIds.id(req, "passId", "visitor pass");
        PassView pass = StoreResults.found(store.find(caller.tenantId(), passId), "visitor pass", passId);
        caller.requireCovers(pass.siteId(), "visitor pass", passId);
        return pass;
    }
}
