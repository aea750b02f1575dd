package dev.gatehouse.hub.portal;

import dev.gatehouse.hub.accounts.Invitations;
import dev.gatehouse.hub.audit.Audit;
import dev.gatehouse.hub.bookings.CalendarFeedStore;
import dev.gatehouse.hub.bookings.IcalService;
import dev.gatehouse.hub.console.Formats;
import dev.gatehouse.hub.console.Forms;
import dev.gatehouse.hub.console.SignInService;
import dev.gatehouse.hub.console.Templates;
import dev.gatehouse.hub.sites.SiteStore;
import dev.gatehouse.hub.store.StoreResult;
import io.helidon.http.HeaderNames;
import io.helidon.webserver.http.HttpRules;
import io.helidon.webserver.http.HttpService;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import java.util.Map;
import java.util.Optional;

/**
 * The member's calendar link: the secret address of the iCalendar feed of their own bookings
 * ({@link CalendarFeedStore}, served by {@link IcalService}). The store keeps only the secret's hash,
 * so the address is shown once, on the answer to the POST that makes it (never in a URL, not cached);
 * making a new one stops the old one at once, and the member may turn the feed off.
 *
 * <pre>
 * GET  /portal/calendar          whether there is a link, and since when
 * POST /portal/calendar          a new link (the old one stops working), shown on the answer
 * POST /portal/calendar/remove   no link
 * </pre>
 */
public record PortalCalendarPages(
        MemberSessions sessions, SiteStore sites, CalendarFeedStore feeds, Invitations invitations, Audit audit)
        implements HttpService {

    @Override
    public void routing(HttpRules rules) {
        rules.get("/portal/calendar", this::show)
                .post("/portal/calendar", this::rotate)
                .post("/portal/calendar/remove", this::remove);
    }

    /**
     * What the page shows: since when a link exists (a date), the address just made (only on the
     * answer that made it), and what the last action did.
     */
    public record Calendar(Optional<String> since, Optional<String> url, Optional<String> notice) {
        /** The same address for calendar apps that subscribe on a click ({@code webcal:}). */
        public Optional<String> webcal() {
            return url.map(u -> u.replaceFirst("^https?:", "webcal:"));
        }
    }

    private Optional<String> since(MemberSession member) {
        return feeds.madeAt(member.tenantId(), CalendarFeedStore.FeedKind.MEMBER, member.memberId())
                .map(at -> Formats.dateTime(at, Portal.zone(sites, member), Portal.WORDS.locale()));
    }

    private void show(ServerRequest req, ServerResponse res) {
        MemberSession member = sessions.require(req);
        Optional<String> notice =
                req.query().first("removed").asOptional().map(x -> Portal.WORDS.get("portal.calendar.removed"));
        render(res, member, new Calendar(since(member), Optional.empty(), notice));
    }

    private void rotate(ServerRequest req, ServerResponse res) {
        MemberSession member = sessions.require(req);
        Forms.read(req, member.session().csrfToken());
        String secret = found(feeds.rotate(member.tenantId(), CalendarFeedStore.FeedKind.MEMBER, member.memberId()));
        // The audit records that the address changed, never the address.
        audit.record(
                req,
                member.auditCaller(),
                "calendar-feed.rotate",
                "member",
                member.memberId(),
                null,
                null,
                Map.of("feed", "rotated"));
        String url = invitations.base(req) + IcalService.PATH + secret + ".ics";
        // The address is a key to the member's calendar: it is not to be kept by any cache.
        res.header(HeaderNames.CACHE_CONTROL, "no-store");
        render(
                res,
                member,
                new Calendar(since(member), Optional.of(url), Optional.of(Portal.WORDS.get("portal.calendar.made"))));
    }

    private void remove(ServerRequest req, ServerResponse res) {
        MemberSession member = sessions.require(req);
        Forms.read(req, member.session().csrfToken());
        if (found(feeds.remove(member.tenantId(), CalendarFeedStore.FeedKind.MEMBER, member.memberId()))) {
            audit.record(
                    req,
                    member.auditCaller(),
                    "calendar-feed.remove",
                    "member",
                    member.memberId(),
                    null,
                    Map.of("feed", "on"),
                    null);
        }
        SignInService.redirect(res, "/portal/calendar?removed=1");
    }

    /** The member of a live session exists in its tenant; anything else is a fault, not an answer. */
    private static <T> T found(StoreResult<T> result) {
        return switch (result) {
            case StoreResult.Found<T> found -> found.value();
            case StoreResult.NotFound<T> gone -> throw new SignInFirst();
            case StoreResult.Conflict<T> conflict -> throw new IllegalStateException(conflict.reason());
            case StoreResult.Invalid<T> invalid ->
                throw new IllegalStateException(invalid.errors().toString());
        };
    }

    private static void render(ServerResponse res, MemberSession member, Calendar calendar) {
        Templates.render(
                res,
                "portal-calendar.jte",
                Map.of("page", Portal.page(member, "portal.calendar.title"), "calendar", calendar));
    }
}
