package dev.gatehouse.hub.kiosk;

import dev.gatehouse.hub.sites.SitePath;
import dev.gatehouse.hub.sites.SiteStore;
import dev.gatehouse.hub.sites.Views;
import dev.gatehouse.hub.store.WireNames;
import dev.gatehouse.hub.tenants.Caller;
import dev.gatehouse.hub.tenants.Permission;
import dev.gatehouse.hub.web.Json;
import dev.gatehouse.hub.web.Paging;
import io.helidon.webserver.http.HttpRules;
import io.helidon.webserver.http.HttpService;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The site's visitor log: who signed in at its kiosks, whom they came to see, when, at which kiosk,
 * whether the kiosk was offline then, and whether the host was told.
 *
 * <pre>
 * GET /api/v1/sites/{siteId}/visitor-log?limit=&amp;cursor=    newest first (view-members at the site)
 * </pre>
 */
public record VisitorLogService(SiteStore sites, KioskSignIns signIns) implements HttpService {
    @Override
    public void routing(HttpRules rules) {
        rules.get("/sites/{siteId}/visitor-log", this::list);
    }

    private void list(ServerRequest req, ServerResponse res) {
        Views.SiteView site = SitePath.site(req, sites, Permission.VIEW_MEMBERS);
        Caller.Operator caller = Caller.operator(req);
        Paging paging = Paging.of(req);
        Json.ok(
                res,
                signIns.list(caller.tenantId(), site.id(), paging.after(), paging.limit())
                        .map(VisitorLogService::json)
                        .body());
    }

    /** One sign-in as the API shows it (absent values left out). */
    public static Map<String, Object> json(KioskSignIns.SignIn signIn) {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("id", signIn.id());
        out.put("siteId", signIn.siteId());
        out.put("kioskId", signIn.kioskId());
        out.put("deviceId", signIn.deviceId());
        out.put("kind", WireNames.wire(signIn.kind()));
        signIn.passId().ifPresent(v -> out.put("passId", v));
        signIn.memberId().ifPresent(v -> out.put("memberId", v));
        signIn.memberName().ifPresent(v -> out.put("memberName", v));
        signIn.visitorName().ifPresent(v -> out.put("visitorName", v));
        signIn.visitorEmail().ifPresent(v -> out.put("visitorEmail", v));
        signIn.hostMemberId().ifPresent(v -> out.put("hostMemberId", v));
        signIn.hostName().ifPresent(v -> out.put("hostName", v));
        out.put("madeOffline", signIn.madeOffline());
        out.put("occurredAt", signIn.occurredAt().toString());
        out.put("receivedAt", signIn.receivedAt().toString());
        out.put("hostNotice", WireNames.wire(signIn.noticeState()));
        signIn.noticedAt().ifPresent(v -> out.put("hostNoticeAt", v.toString()));
        signIn.noticeError().ifPresent(v -> out.put("hostNoticeError", v));
        return out;
    }
}
