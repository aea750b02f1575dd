package dev.gatehouse.hub.portal;

import dev.gatehouse.hub.announcements.AnnouncementStore;
import dev.gatehouse.hub.console.Formats;
import dev.gatehouse.hub.console.Messages;
import dev.gatehouse.hub.console.Templates;
import dev.gatehouse.hub.sites.SiteStore;
import io.helidon.webserver.http.HttpRules;
import io.helidon.webserver.http.HttpService;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import java.time.ZoneId;
import java.util.List;
import java.util.Map;

/**
 * The member's announcements: the live ones of the whole space and of the sites where the member's
 * plans open doors, newest first, their text shown as escaped plain-text paragraphs.
 *
 * <pre>
 * GET /portal/news
 * </pre>
 */
public record PortalNewsPages(MemberSessions sessions, SiteStore sites, AnnouncementStore announcements)
        implements HttpService {
    @Override
    public void routing(HttpRules rules) {
        rules.get("/portal/news", this::page);
    }

    /** An announcement as the member reads it. */
    public record Item(AnnouncementStore.View view, String posted) {}

    private void page(ServerRequest req, ServerResponse res) {
        MemberSession member = sessions.require(req);
        Messages t = Portal.WORDS;
        ZoneId zone = Portal.zone(sites, member);
        List<Item> items = announcements.current(member.tenantId(), member.memberId()).stream()
                .map(view -> new Item(view, Formats.dateTime(view.publishAt(), zone, t.locale())))
                .toList();
        Templates.render(
                res, "portal-news.jte", Map.of("page", Portal.page(member, "portal.news.title"), "items", items));
    }
}
