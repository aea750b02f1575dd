package dev.gatehouse.hub.bookings;

import dev.gatehouse.hub.audit.Audit;
import dev.gatehouse.hub.tenants.Caller;
import dev.gatehouse.hub.tenants.Permission;
import dev.gatehouse.hub.web.Json;
import dev.gatehouse.hub.web.PathIds;
import dev.gatehouse.hub.web.StoreResults;
import io.helidon.http.HeaderNames;
import io.helidon.http.Status;
import io.helidon.webserver.http.HttpRules;
import io.helidon.webserver.http.HttpService;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import java.net.URI;
import java.util.Map;
import java.util.Optional;

/**
 * The secret addresses of the iCalendar feeds ({@code GET /ical/{secret}.ics}, {@link IcalService}).
 *
 * <pre>
 * POST   /api/v1/resources/{resourceId}/calendar-feed   a new address (the old one stops working): 201, shown once
 * DELETE /api/v1/resources/{resourceId}/calendar-feed   no feed: 204
 * POST   /api/v1/members/{memberId}/calendar-feed       the same for a member's own bookings
 * DELETE /api/v1/members/{memberId}/calendar-feed
 * </pre>
 */
public record CalendarFeedService(
        ResourceStore resources, CalendarFeedStore feeds, Audit audit, Optional<URI> publicUrl) implements HttpService {
    @Override
    public void routing(HttpRules rules) {
        rules.post("/resources/{resourceId}/calendar-feed", this::rotateResource)
                .delete("/resources/{resourceId}/calendar-feed", this::removeResource)
                .post("/members/{memberId}/calendar-feed", this::rotateMember)
                .delete("/members/{memberId}/calendar-feed", this::removeMember);
    }

    /** The resource's site must be one of the caller's: a resource elsewhere is not found. */
    private String resource(ServerRequest req, Caller.Operator caller) {
        String id = PathIds.id(req, "resourceId", "resource");
        Resource resource = StoreResults.found(resources.find(caller.tenantId(), id), "resource", id);
        caller.require(Permission.MANAGE_BOOKINGS, resource.siteId());
        return id;
    }

    private void rotateResource(ServerRequest req, ServerResponse res) {
        Caller.Operator caller = Caller.require(req, Permission.MANAGE_BOOKINGS);
        rotate(req, res, caller, CalendarFeedStore.FeedKind.RESOURCE, resource(req, caller));
    }

    private void rotateMember(ServerRequest req, ServerResponse res) {
        Caller.Operator caller = Caller.require(req, Permission.MANAGE_BOOKINGS);
        rotate(req, res, caller, CalendarFeedStore.FeedKind.MEMBER, PathIds.id(req, "memberId", "member"));
    }

    private void removeResource(ServerRequest req, ServerResponse res) {
        Caller.Operator caller = Caller.require(req, Permission.MANAGE_BOOKINGS);
        remove(req, res, caller, CalendarFeedStore.FeedKind.RESOURCE, resource(req, caller));
    }

    private void removeMember(ServerRequest req, ServerResponse res) {
        Caller.Operator caller = Caller.require(req, Permission.MANAGE_BOOKINGS);
        remove(req, res, caller, CalendarFeedStore.FeedKind.MEMBER, PathIds.id(req, "memberId", "member"));
    }

    private void rotate(
            ServerRequest req,
            ServerResponse res,
            Caller.Operator caller,
            CalendarFeedStore.FeedKind kind,
            String subjectId) {
        String secret = StoreResults.value(feeds.rotate(caller.tenantId(), kind, subjectId));
        String type = kind == CalendarFeedStore.FeedKind.RESOURCE ? "resource" : "member";
        // The audit records that the address changed, never the address.
        audit.record(req, caller, "calendar-feed.rotate", type, subjectId, null, null, Map.of("feed", "rotated"));
        Json.created(
                res,
                Map.of(
                        "url",
                        base(req) + IcalService.PATH + secret + ".ics",
                        "note",
                        "keep this address secret: anyone with it can read the calendar; it is shown only now,"
                                + " and asking for a new one makes this one stop working"));
    }

    private void remove(
            ServerRequest req,
            ServerResponse res,
            Caller.Operator caller,
            CalendarFeedStore.FeedKind kind,
            String subjectId) {
        if (StoreResults.value(feeds.remove(caller.tenantId(), kind, subjectId))) {
            String type = kind == CalendarFeedStore.FeedKind.RESOURCE ? "resource" : "member";
            audit.record(req, caller, "calendar-feed.remove", type, subjectId, null, Map.of("feed", "on"), null);
        }
        res.status(Status.NO_CONTENT_204).send();
    }

    /** {@code scheme://host[:port]} of the hub as people reach it: {@code hub.public-url}, else the request's. */
    private String base(ServerRequest req) {
        String host = req.headers().first(HeaderNames.HOST).orElse("127.0.0.1");
        return publicUrl
                .map(url -> url.toString().replaceAll("/+$", ""))
                .orElse((req.isSecure() ? "https" : "http") + "://" + host);
    }
}
