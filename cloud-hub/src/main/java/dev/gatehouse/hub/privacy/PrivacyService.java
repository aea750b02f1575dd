package dev.gatehouse.hub.privacy;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.gatehouse.hub.audit.Audit;
import dev.gatehouse.hub.privacy.PersonalData.Erased;
import dev.gatehouse.hub.privacy.PersonalData.Retention;
import dev.gatehouse.hub.tenants.Caller;
import dev.gatehouse.hub.tenants.Permission;
import dev.gatehouse.hub.web.Input;
import dev.gatehouse.hub.web.Json;
import dev.gatehouse.hub.web.PathIds;
import dev.gatehouse.hub.web.StoreResults;
import io.helidon.http.HeaderNames;
import io.helidon.webserver.http.HttpRules;
import io.helidon.webserver.http.HttpService;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * A person's data: export and erasure, each one call and audited, and the tenant's retention periods.
 *
 * <pre>
 * GET   /api/v1/members/{memberId}/export   everything held about the member (owner: manage-settings)
 * POST  /api/v1/members/{memberId}/erase    anonymise the member for good (owner: manage-settings)
 * GET   /api/v1/privacy/settings            {"accessEventsDays", "cancelledMembersDays"} (null: kept)
 * PUT   /api/v1/privacy/settings            the same (owner)
 * </pre>
 */
public record PrivacyService(PersonalData data, Audit audit, int maxBody) implements HttpService {
    /** The shortest retention of access events: edges replay unacknowledged events for days after an outage. */
    static final int MIN_EVENT_DAYS = 30;

    private static final int MAX_DAYS = 36_500;

    @Override
    public void routing(HttpRules rules) {
        rules.get("/members/{memberId}/export", this::export)
                .post("/members/{memberId}/erase", this::erase)
                .get("/privacy/settings", this::settings)
                .put("/privacy/settings", this::updateSettings);
    }

    private void export(ServerRequest req, ServerResponse res) {
        // Everything includes invoices and every site's entries: more than a front desk or a site's
        // manager may read, so the owner answers a person's request, as they erase.
        Caller.Operator caller = Caller.require(req, Permission.MANAGE_SETTINGS);
        String memberId = PathIds.id(req, "memberId", "member");
        ObjectNode document = StoreResults.value(data.export(caller.tenantId(), memberId));
        // Who took a copy of a person's data is itself on record; the copy is not.
        audit.record(req, caller, "member.export", "member", memberId, null, null, null);
        res.header(HeaderNames.CONTENT_DISPOSITION, "attachment; filename=\"member-" + memberId + ".json\"");
        res.header(HeaderNames.CACHE_CONTROL, "no-store");
        Json.ok(res, document);
    }

    private void erase(ServerRequest req, ServerResponse res) {
        Caller.Operator caller = Caller.require(req, Permission.MANAGE_SETTINGS);
        String memberId = PathIds.id(req, "memberId", "member");
        Erased erased = StoreResults.value(data.erase(caller.tenantId(), caller.actorId(), memberId));
        if (!erased.alreadyErased()) {
            audit.record(req, caller, "member.erase", "member", memberId, null, null, erased);
        }
        Json.ok(res, erased);
    }

    private void settings(ServerRequest req, ServerResponse res) {
        Caller.Operator caller = Caller.require(req, Permission.MANAGE_SETTINGS);
        Json.ok(res, view(data.retention(caller.tenantId())));
    }

    private void updateSettings(ServerRequest req, ServerResponse res) {
        Caller.Operator caller = Caller.require(req, Permission.MANAGE_SETTINGS);
        Input input = Input.of(Json.object(req, maxBody), "accessEventsDays", "cancelledMembersDays");
        Optional<Integer> events = input.integer("accessEventsDays", MIN_EVENT_DAYS, MAX_DAYS);
        Optional<Integer> members = input.integer("cancelledMembersDays", 1, MAX_DAYS);
        input.done();
        Retention before = data.retention(caller.tenantId());
        Retention after = data.setRetention(caller.tenantId(), new Retention(events, members));
        audit.record(req, caller, "privacy.settings", "tenant", caller.tenantId(), null, view(before), view(after));
        Json.ok(res, view(after));
    }

    private static Map<String, Object> view(Retention retention) {
        Map<String, Object> view = new LinkedHashMap<>();
        view.put("accessEventsDays", retention.accessEventsDays().orElse(null));
        view.put("cancelledMembersDays", retention.cancelledMembersDays().orElse(null));
        return view;
    }
}
