package dev.gatehouse.hub.portal;

import dev.gatehouse.hub.console.Formats;
import dev.gatehouse.hub.console.Messages;
import dev.gatehouse.hub.console.PageException;
import dev.gatehouse.hub.console.Templates;
import dev.gatehouse.hub.parcels.ParcelStore;
import dev.gatehouse.hub.parcels.Parcels;
import dev.gatehouse.hub.sites.SiteStore;
import dev.gatehouse.hub.store.WireNames;
import dev.gatehouse.hub.web.ApiException;
import dev.gatehouse.protocol.Ids;
import io.helidon.webserver.http.HttpRules;
import io.helidon.webserver.http.HttpService;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import java.time.ZoneId;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The member's mail and parcels: what waits for them at the desk, with its photo, and what they
 * collected in the last 30 days with who handed it over. The member does not mark an item collected
 * here: the desk records the handover, and the member's signature there is the evidence. Only the
 * session's member's own items are read, and their photos served.
 *
 * <pre>
 * GET /portal/mail                  the page
 * GET /portal/mail/{id}/photo       an item's photo (the member's own item only)
 * </pre>
 */
public record PortalMailPages(MemberSessions sessions, SiteStore sites, Parcels parcels) implements HttpService {
    @Override
    public void routing(HttpRules rules) {
        rules.get("/portal/mail", this::page).get("/portal/mail/{parcelId}/photo", this::photo);
    }

    /** An item as the member reads it. */
    public record Item(ParcelStore.ParcelView parcel, String kind, String arrived, String collected) {
        public boolean waiting() {
            return parcel.status() == ParcelStore.Status.WAITING;
        }
    }

    private void page(ServerRequest req, ServerResponse res) {
        MemberSession member = sessions.require(req);
        Messages t = Portal.WORDS;
        ZoneId zone = Portal.zone(sites, member);
        List<Item> items = parcels.store().forMember(member.tenantId(), member.memberId()).stream()
                .map(parcel -> new Item(
                        parcel,
                        t.get("parcels.kind." + WireNames.wire(parcel.kind())),
                        Formats.dateTime(parcel.loggedAt(), zone, t.locale()),
                        parcel.collectedAt()
                                .map(at -> Formats.dateTime(at, zone, t.locale()))
                                .orElse("")))
                .toList();
        Templates.render(
                res,
                "portal-mail.jte",
                Map.of(
                        "page", Portal.page(member, "portal.mail.title"),
                        "waiting", items.stream().filter(Item::waiting).toList(),
                        "collected",
                                items.stream().filter(item -> !item.waiting()).toList()));
    }

    private void photo(ServerRequest req, ServerResponse res) {
        MemberSession member = sessions.require(req);
        String id = req.path().pathParameters().get("parcelId");
        ParcelStore.ParcelView parcel = Optional.of(id)
                .filter(Ids::isValid)
                .flatMap(valid -> parcels.store().find(member.tenantId(), valid))
                .filter(found -> found.memberId().equals(member.memberId()))
                .orElseThrow(() -> PageException.notFound("There is no parcel " + Ids.printable(id) + " for you."));
        try {
            parcels.image(res, member.tenantId(), parcel, false);
        } catch (ApiException e) {
            throw PageException.notFound("This item has no photo.");
        }
    }
}
