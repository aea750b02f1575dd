package dev.gatehouse.hub.sites;

import dev.gatehouse.hub.tenants.Caller;
import dev.gatehouse.hub.tenants.Permission;
import dev.gatehouse.hub.web.PathIds;
import dev.gatehouse.hub.web.StoreResults;
import io.helidon.webserver.http.ServerRequest;

/** The site a request's path names ({@code {siteId}}), for the routes under {@code /sites/{siteId}/…}. */
public final class SitePath {
    private SitePath() {}

    /**
     * The caller's site the path names, when its role may do {@code permission} there: 403 for a role
     * that may not, 404 for a site outside the caller's sites or not there at all (before the body is
     * read, so a missing site is a 404 first).
     */
    public static Views.SiteView site(ServerRequest req, SiteStore sites, Permission permission) {
        String siteId = PathIds.id(req, "siteId", "site");
        Caller.Operator caller = Caller.require(req, permission).require(permission, siteId);
        return StoreResults.found(sites.site(caller.tenantId(), siteId), "site", siteId);
    }
}
