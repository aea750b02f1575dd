package dev.gatehouse.hub.sites;

import dev.gatehouse.hub.tenants.Caller;
import dev.gatehouse.hub.web.PathIds;
import dev.gatehouse.hub.web.StoreResults;
import io.helidon.webserver.http.ServerRequest;

/** The site a request's path names ({@code {siteId}}), for the routes under {@code /sites/{siteId}/…}. */
public final class SitePath {
    private SitePath() {}

    /** The caller's site the path names, or a 404 (before the body is read, so a missing site is a 404 first). */
    public static Views.SiteView site(ServerRequest req, SiteStore sites) {
        String siteId = PathIds.id(req, "siteId", "site");
        return StoreResults.found(sites.site(Caller.tenantId(req), siteId), "site", siteId);
    }
}
