package dev.gatehouse.hub.parcels;

import dev.gatehouse.hub.store.WireNames;
import dev.gatehouse.hub.tenants.Caller;
import dev.gatehouse.hub.tenants.Permission;
import dev.gatehouse.hub.web.ApiException;
import dev.gatehouse.hub.web.Json;
import dev.gatehouse.hub.web.Paging;
import dev.gatehouse.hub.web.PathIds;
import io.helidon.webserver.http.HttpRules;
import io.helidon.webserver.http.HttpService;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import java.util.Optional;
import java.util.Set;

/**
 * Mail and parcels at the front desk (issue 17 item 6).
 *
 * <pre>
 * POST /api/v1/parcels                       {siteId, memberId, kind, carrier?, trackingNumber?, note?, shelf?, photo?}
 * GET  /api/v1/parcels?siteId=&amp;status=&amp;memberId=&amp;limit=&amp;cursor=   newest first
 * GET  /api/v1/parcels/{id}                  the item, its notice and its pickup
 * GET  /api/v1/parcels/{id}/photo            the photo (JPEG or PNG; manage-members at its site)
 * GET  /api/v1/parcels/{id}/signature        the member's signature at pickup (PNG)
 * POST /api/v1/parcels/{id}/pickup           {collectedBy, signature? | confirmed: true}
 * POST /api/v1/parcels/{id}/notify           send the member's notice again
 * </pre>
 */
public record ParcelService(Parcels parcels, int maxBody) implements HttpService {
    @Override
    public void routing(HttpRules rules) {
        rules.post("/parcels", this::log)
                .get("/parcels", this::list)
                .get("/parcels/{parcelId}", this::show)
                .get("/parcels/{parcelId}/photo", (req, res) -> image(req, res, false))
                .get("/parcels/{parcelId}/signature", (req, res) -> image(req, res, true))
                .post("/parcels/{parcelId}/pickup", this::pickup)
                .post("/parcels/{parcelId}/notify", this::notifyAgain);
    }

    private void log(ServerRequest req, ServerResponse res) {
        Caller.Operator caller = Caller.require(req, Permission.MANAGE_MEMBERS);
        ParcelStore.NewParcel parcel = Parcels.read(Json.object(req, maxBody));
        Json.created(res, Parcels.json(parcels.log(req, caller, parcel)));
    }

    private void list(ServerRequest req, ServerResponse res) {
        Caller.Operator caller = Caller.require(req, Permission.VIEW_MEMBERS);
        Paging paging = Paging.of(req);
        Optional<String> siteId = req.query().first("siteId").asOptional();
        siteId.ifPresent(site -> caller.require(Permission.VIEW_MEMBERS, site));
        Optional<String> status = req.query().first("status").asOptional();
        Optional<ParcelStore.Status> parsed = status.map(text -> WireNames.parse(ParcelStore.Status.class, text)
                .orElseThrow(() -> ApiException.invalid(
                        "status", "'" + text + "' is not one of " + WireNames.choices(ParcelStore.Status.class))));
        Set<String> sites =
                caller.access().allSites() ? Set.of() : caller.access().siteIds();
        var page = parcels.store()
                .list(
                        caller.tenantId(),
                        new ParcelStore.Filter(
                                sites,
                                siteId,
                                parsed,
                                req.query().first("memberId").asOptional()),
                        paging.after(),
                        paging.limit());
        Json.ok(res, page.map(Parcels::json).body());
    }

    private void show(ServerRequest req, ServerResponse res) {
        Caller.Operator caller = Caller.require(req, Permission.VIEW_MEMBERS);
        Json.ok(res, Parcels.json(parcels.find(caller, PathIds.id(req, "parcelId", "parcel"))));
    }

    /** The photo and signature are the desk's: roles that manage members at the item's site (and the member, in the portal). */
    private void image(ServerRequest req, ServerResponse res, boolean signature) {
        Caller.Operator caller = Caller.require(req, Permission.MANAGE_MEMBERS);
        ParcelStore.ParcelView parcel = parcels.find(caller, PathIds.id(req, "parcelId", "parcel"));
        caller.require(Permission.MANAGE_MEMBERS, parcel.siteId());
        parcels.image(res, caller.tenantId(), parcel, signature);
    }

    private void pickup(ServerRequest req, ServerResponse res) {
        Caller.Operator caller = Caller.require(req, Permission.MANAGE_MEMBERS);
        String id = PathIds.id(req, "parcelId", "parcel");
        Parcels.Pickup pickup = Parcels.readPickup(Json.object(req, maxBody));
        Json.ok(res, Parcels.json(parcels.collect(req, caller, id, pickup)));
    }

    private void notifyAgain(ServerRequest req, ServerResponse res) {
        Caller.Operator caller = Caller.require(req, Permission.MANAGE_MEMBERS);
        Json.ok(res, Parcels.json(parcels.notifyAgain(req, caller, PathIds.id(req, "parcelId", "parcel"))));
    }
}
