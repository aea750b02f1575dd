package dev.gatehouse.hub.credentials;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.gatehouse.hub.audit.Audit;
import dev.gatehouse.hub.credentials.CredentialViews.PassView;
import dev.gatehouse.hub.credentials.CredentialViews.QrToken;
import dev.gatehouse.hub.tenants.Caller;
import dev.gatehouse.hub.tenants.Permission;
import dev.gatehouse.hub.web.Input;
import dev.gatehouse.hub.web.Json;
import dev.gatehouse.hub.web.Paging;
import dev.gatehouse.hub.web.PathIds;
import dev.gatehouse.hub.web.StoreResults;
import dev.gatehouse.protocol.Ids;
import dev.gatehouse.protocol.model.PassStatus;
import io.helidon.webserver.http.HttpRules;
import io.helidon.webserver.http.HttpService;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * Visitor passes (registered by {@link CredentialService}).
 *
 * <pre>
 * POST /api/v1/sites/{siteId}/visitor-passes   a pass and its QR token for the whole window
 * GET  /api/v1/sites/{siteId}/visitor-passes   the site's passes (?status=active|revoked&amp;limit=&amp;cursor=)
 * GET  /api/v1/visitor-passes/{id}             one pass
 * POST /api/v1/visitor-passes/{id}/revoke      revoke for good
 * POST /api/v1/visitor-passes/{id}/qr-token    the pass's QR token again
 * GET  /api/v1/visitor-passes/{id}/export      everything held about its visitor (audited)
 * POST /api/v1/visitor-passes/{id}/erase       anonymise its visitor now, revoking the pass (audited)
 * GET  /api/v1/kiosk-sign-ins/{id}/export      everything held about a sign-in's visitor, e.g. a walk-in (audited)
 * POST /api/v1/kiosk-sign-ins/{id}/erase       anonymise that visitor now (and the pass's, revoked) (audited)
 * GET  /api/v1/visitor-retention               the tenant's retention period for visitor data
 * PUT  /api/v1/visitor-retention               set it, in days after a pass ends (audited)
 * </pre>
 */
record VisitorPassService(VisitorPassStore store, Audit audit, Clock clock, int maxBody) implements HttpService {
    private static final int MAX_DOORS = 100;

    @Override
    public void routing(HttpRules rules) {
        rules.post("/sites/{siteId}/visitor-passes", this::create)
                .get("/sites/{siteId}/visitor-passes", this::list)
                .get("/visitor-passes/{passId}", this::get)
                .post("/visitor-passes/{passId}/revoke", this::revoke)
                .post("/visitor-passes/{passId}/qr-token", this::issueToken)
                .get("/visitor-passes/{passId}/export", this::export)
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

    private void create(ServerRequest req, ServerResponse res) {
        String siteId = PathIds.id(req, "siteId", "site");
        Caller.Operator caller =
                Caller.require(req, Permission.MANAGE_CREDENTIALS).require(Permission.MANAGE_CREDENTIALS, siteId);
        Input input = Input.of(
                Json.object(req, maxBody),
                "visitorName",
                "visitorEmail",
                "hostMemberId",
                "doorGroupIds",
                "doorIds",
                "validFrom",
                "validUntil",
                "singleUse");
        String visitorName = input.text("visitorName", 100);
        Optional<String> visitorEmail = input.has("visitorEmail") && !input.isNull("visitorEmail")
                ? Optional.of(input.email("visitorEmail"))
                : Optional.empty();
        Optional<String> host = input.optionalText("hostMemberId", 64);
        if (host.isPresent() && !Ids.isValid(host.get())) {
            input.error("hostMemberId", "must be a member id");
            host = Optional.empty();
        }
        List<String> groupIds = input.ids("doorGroupIds", MAX_DOORS);
        List<String> doorIds = input.ids("doorIds", MAX_DOORS);
        if (!namesAny(input, "doorIds") && !namesAny(input, "doorGroupIds")) {
            input.error("doorIds", "name at least one door (doorIds) or door group (doorGroupIds) of the site");
        }
        Optional<Instant> from = required(input, "validFrom");
        Optional<Instant> until = required(input, "validUntil");
        CredentialService.checkWindow(input, from, until, true, clock.instant());
        if (from.isPresent()
                && until.isPresent()
                && until.get().isAfter(from.get().plus(VisitorPassStore.MAX_LENGTH))) {
            input.error(
                    "validUntil",
                    "is more than " + VisitorPassStore.MAX_LENGTH.toDays()
                            + " days after validFrom; a pass lasts at most that long");
        }
        boolean singleUse = input.bool("singleUse").orElse(true);
        input.done();
        VisitorPassStore.CreatedPass created = StoreResults.value(store.create(
                caller.tenantId(),
                siteId,
                new VisitorPassStore.NewPass(
                        visitorName,
                        visitorEmail,
                        host,
                        groupIds,
                        doorIds,
                        from.orElseThrow(),
                        until.orElseThrow(),
                        singleUse)));
        PassView pass = created.pass();
        audit.record(req, caller, "visitor-pass.create", "visitor-pass", pass.id(), siteId, null, pass);
        ObjectNode body = Json.MAPPER.valueToTree(pass);
        body.set("qr", Json.MAPPER.valueToTree(created.qr()));
        // Shown once: the hub keeps only the PIN's keyed hash.
        body.put("pin", created.pin());
        Json.created(res, body);
    }

    private static boolean namesAny(Input input, String field) {
        return input.has(field)
                && input.raw().get(field).isArray()
                && !input.raw().get(field).isEmpty();
    }

    private static Optional<Instant> required(Input input, String field) {
        if (!input.has(field) || input.isNull(field)) {
            input.error(field, "is required: an ISO-8601 timestamp such as 2026-11-21T09:00:00Z");
            return Optional.empty();
        }
        return Requests.instant(input, field);
    }

    private void list(ServerRequest req, ServerResponse res) {
        String siteId = PathIds.id(req, "siteId", "site");
        String tenantId = Caller.require(req, Permission.VIEW_MEMBERS)
                .require(Permission.VIEW_MEMBERS, siteId)
                .tenantId();
        Optional<PassStatus> status = Requests.enumValue(req, "status", PassStatus.class);
        Paging paging = Paging.of(req);
        Json.ok(
                res,
                StoreResults.value(store.list(tenantId, siteId, status, paging.after(), paging.limit()))
                        .body());
    }

    private static String passId(ServerRequest req) {
        return PathIds.id(req, "passId", "visitor pass");
    }

    /** The pass the path names, when it is at one of the caller's sites (else 404). */
    private PassView pass(ServerRequest req, Caller.Operator caller) {
        String passId = passId(req);
        PassView pass = StoreResults.found(store.find(caller.tenantId(), passId), "visitor pass", passId);
        caller.requireCovers(pass.siteId(), "visitor pass", passId);
        return pass;
    }

    private void get(ServerRequest req, ServerResponse res) {
        Json.ok(res, pass(req, Caller.require(req, Permission.VIEW_MEMBERS)));
    }

    private void revoke(ServerRequest req, ServerResponse res) {
        Caller.Operator caller = Caller.require(req, Permission.MANAGE_CREDENTIALS);
        PassView current = pass(req, caller);
        PassView revoked = StoreResults.value(store.revoke(caller.tenantId(), current.id()));
        audit.record(
                req, caller, "visitor-pass.revoke", "visitor-pass", current.id(), current.siteId(), current, revoked);
        Json.ok(res, revoked);
    }

    private void issueToken(ServerRequest req, ServerResponse res) {
        Caller.Operator caller = Caller.require(req, Permission.MANAGE_CREDENTIALS);
        PassView current = pass(req, caller);
        QrToken token = StoreResults.value(store.issueToken(caller.tenantId(), current.id()));
        audit.record(req, caller, "visitor-pass.qr-token", "visitor-pass", current.id(), current.siteId(), null, token);
        Json.ok(res, token);
    }
}
