package dev.gatehouse.hub.portal;

import dev.gatehouse.browser.Browser;
import dev.gatehouse.hub.accounts.Sessions;
import dev.gatehouse.hub.accounts.WebSession;
import dev.gatehouse.hub.testing.LiveSite;
import java.time.Clock;
import org.openqa.selenium.Cookie;

/** Members signed in to the portal for browser tests, without the e-mailed link ({@link PortalBrowserTest}'s subject). */
public final class PortalSignIns {
    private PortalSignIns() {}

    /** A new portal session for the member, as spending their sign-in link opens one. */
    public static Sessions.Opened session(LiveSite site, String tenantId, String memberId) {
        return new Sessions(
                        site.hub.hub().database(), Clock.systemUTC(), MemberSessions.LIFETIME, MemberSessions.LIFETIME)
                .open(tenantId, WebSession.Kind.MEMBER, memberId, "127.0.0.1", false);
    }

    /** Opens a portal session for the member and puts its cookie in the browser, as following a link does. */
    public static void signIn(LiveSite site, Browser browser, String tenantId, String memberId) {
        browser.driver().manage().deleteAllCookies();
        browser.open(site.url("/portal/signin"));
        browser.driver()
                .manage()
                .addCookie(new Cookie.Builder(
                                "gh_member", session(site, tenantId, memberId).cookieValue())
                        .path("/")
                        .isHttpOnly(true)
                        .sameSite("Lax")
                        .build());
        browser.open(site.url("/portal"));
        browser.awaitHeading("My pass");
    }
}
