package dev.gatehouse.hub.kiosk;

import dev.gatehouse.hub.sites.SitePath;
import dev.gatehouse.hub.sites.SiteStore;
import dev.gatehouse.hub.sites.Views;
import dev.gatehouse.hub.store.WireNames;
import dev.gatehouse.hub.tenants.Caller;
import dev.gatehouse.hub.tenants.Permission;
import dev.gatehouse.hub.web.Json;
import dev.gatehouse.hub.web.Paging;
import dev.gatehouse.hub.wifi.WifiVoucherService;
import io.helidon.webserver.http.HttpRules;
import io.helidon.webserver.http.HttpService;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The site's visitor log: who signed in at its kiosks, whom they came to see, when, at which kiosk,
 * whether the kiosk was offline then, whether the host was told, the visitor agreement signed with
 * the sign-in (version, document hash, signer) and whether a Wi-Fi voucher was handed out. A voucher's
 * code is a credential: it is answered only to a caller who may manage the site's pool
 * ({@link dev.gatehouse.hub.wifi.WifiVoucherService#MANAGE}: site managers and owners, who upload the
 * codes); the front desk and read-only roles see that one was issued and until when.
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
        var page = signIns.list(caller.tenantId(), site.id(), paging.after(), paging.limit());
        Map<String, KioskSignIns.Extras> extras = signIns.extras(
                caller.tenantId(),
                page.items().stream().map(KioskSignIns.SignIn::id).toList(),
                caller.access().may(WifiVoucherService.MANAGE, site.id()));
        Json.ok(
                res,
                page.map(signIn -> json(signIn, extras.getOrDefault(signIn.id(), KioskSignIns.Extras.NONE)))
                        .body());
    }

    /** One sign-in with what it carried beside the visit: its agreement signature and its Wi-Fi voucher. */
    public static Map<String, Object> json(KioskSignIns.SignIn signIn, KioskSignIns.Extras extras) {
        Map<String, Object> out = json(signIn);
        extras.agreement().ifPresent(signed -> {
            Map<String, Object> agreement = new LinkedHashMap<>();
            agreement.put("agreementId", signed.agreementId());
            agreement.put("version", signed.version());
            agreement.put("sha256", signed.sha256());
            signed.renderedSha256().ifPresent(v -> agreement.put("renderedSha256", v));
            agreement.put("signer", signed.signer());
            signed.signatureId().ifPresent(v -> agreement.put("signatureId", v));
            signed.signedAt().ifPresent(v -> agreement.put("signedAt", v.toString()));
            signed.refused().ifPresent(v -> agreement.put("notRecorded", v));
            out.put("agreement", agreement);
        });
        out.put("wifiVoucherIssued", extras.voucher().isPresent());
        extras.voucher().ifPresent(handed -> {
            Map<String, Object> voucher = new LinkedHashMap<>();
            voucher.put("voucherId", handed.voucherId());
            handed.validUntil().ifPresent(v -> voucher.put("validUntil", v.toString()));
            handed.refused().ifPresent(v -> voucher.put("notMarked", v));
            handed.code().ifPresent(v -> voucher.put("code", v));
            out.put("wifiVoucher", voucher);
        });
        return out;
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
