package dev.gatehouse.hub.console;

import dev.gatehouse.hub.access.AccessLogStore;
import dev.gatehouse.hub.accounts.AccountStore;
import dev.gatehouse.hub.accounts.Invitations;
import dev.gatehouse.hub.accounts.LoginThrottle;
import dev.gatehouse.hub.accounts.Mailer;
import dev.gatehouse.hub.accounts.OneTimeLinks;
import dev.gatehouse.hub.accounts.Sessions;
import dev.gatehouse.hub.audit.Audit;
import dev.gatehouse.hub.audit.AuditStore;
import dev.gatehouse.hub.commands.CommandService;
import dev.gatehouse.hub.devices.EnrollmentService;
import dev.gatehouse.hub.ingest.IngestSignal;
import dev.gatehouse.hub.sites.SiteStore;
import dev.gatehouse.hub.store.Database;
import dev.gatehouse.hub.tenants.TenantHost;
import dev.gatehouse.hub.tenants.TenantStore;
import io.helidon.webserver.http.HttpRouting;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import io.helidon.webserver.staticcontent.StaticContentService;
import java.time.Clock;
import java.util.Map;

/**
 * The operator console's routes: its filter (security headers, sessions, CSRF on API calls made with a
 * session), its assets (the hub's own CSS and scripts, htmx from its WebJar), the sign-in pages and
 * the console pages, and the error page.
 */
public final class Console {
    /** The htmx WebJar's version, as pinned in the parent POM (a test checks the file is there). */
    static final String HTMX = "2.0.10";
    /** The chart.js WebJar's version (the parent POM's {@code chart-js.version}), served under /assets/chartjs. */
    static final String CHART_JS = "4.5.1";

    private Console() {}

    /** Registers the console's filter; before the API's bearer-token filter, so a session can stand in for a token. */
    public static void filter(HttpRouting.Builder routing, Parts parts) {
        routing.addFilter(new ConsoleFilter(
                Sessions.operators(parts.database(), parts.clock()),
                new AccountStore(parts.database(), parts.clock()),
                parts.tenants(),
                parts.host(),
                parts.settings()));
    }

    /** What the console reads and serves from. */
    public record Parts(
            Database database,
            Clock clock,
            TenantStore tenants,
            AccessLogStore accessLog,
            IngestSignal signal,
            TenantHost host,
            ConsoleSettings settings,
            Mailer mailer,
            Audit audit,
            CommandService commands,
            EnrollmentService enrollment) {}

    public static void routes(HttpRouting.Builder routing, Parts parts) {
        AccountStore accounts = new AccountStore(parts.database(), parts.clock());
        Sessions sessions = Sessions.operators(parts.database(), parts.clock());
        ConsoleSettings settings = parts.settings();
        LoginThrottle throttle = new LoginThrottle(parts.database(), parts.clock());
        OneTimeLinks links = new OneTimeLinks(parts.database(), parts.clock());
        Invitations invitations = new Invitations(links, parts.mailer(), settings.publicUrl());
        TenantHost host = parts.host();
        routing.error(PageException.class, Console::error)
                .register(
                        "/assets/htmx",
                        StaticContentService.create("META-INF/resources/webjars/htmx.org/" + HTMX + "/dist"))
                .register(
                        "/assets/chartjs",
                        StaticContentService.create("META-INF/resources/webjars/chart.js/" + CHART_JS + "/dist"))
                .register("/assets", StaticContentService.create("console-assets"))
                .register(new Branding(parts.tenants(), new TenantLogos(parts.database(), parts.clock()), host))
                .register(
                        new SignInService(parts.tenants(), accounts, sessions, throttle, parts.clock(), host, settings))
                .register(new MyAccountService(accounts, sessions, parts.audit(), parts.clock(), settings))
                .register(new PasswordLinksService(
                        parts.tenants(), accounts, sessions, links, throttle, invitations, host, settings))
                .register(new AccessLogService(parts.database(), parts.accessLog(), parts.clock()))
                .register(new ExplainService(parts.database(), parts.clock()))
                .register(new AuditPage(parts.database(), new AuditStore(parts.database(), parts.clock())))
                .register(new OverviewService(
                        parts.database(), parts.accessLog(), parts.signal(), parts.clock(), settings))
                .register(new MembersService(parts), new CredentialPages(parts), new CredentialPasses(parts))
                .register(new DoorPages(parts), new DoorPolicyPages(parts))
                .register(new FleetPages(parts.database()), new DevicePages(parts), new AlertPages(parts))
                .register(new FloorPlanPages(parts))
                .register(
                        new BookingFormPages(parts),
                        new BookingPages(parts),
                        new ResourcePages(parts),
                        new RoomControllerPages(parts))
                .register(new SeriesPages(parts))
                .register(new BillingPages(parts), new MemberBillingPages(parts))
                .register(new AnalyticsPages(
                        dev.gatehouse.hub.analytics.Analytics.of(parts.database(), parts.clock(), settings.dwell())))
                .register(new SettingsPages(
                        parts.tenants(),
                        new TenantLogos(parts.database(), parts.clock()),
                        accounts,
                        sessions,
                        invitations,
                        new SiteStore(parts.database(), parts.clock()),
                        parts));
    }

    /**
     * Registered after every other route: a console or portal path that no page answered gets the
     * HTML error page (the API keeps its problem-details 404).
     */
    public static void fallback(HttpRouting.Builder routing) {
        routing.any("/console/*", Console::noSuchPage).any("/portal/*", Console::noSuchPage);
    }

    private static void noSuchPage(ServerRequest req, ServerResponse res) {
        throw PageException.notFound("There is no page " + req.path().path() + ". Use the menu to find your way.");
    }

    private static void error(ServerRequest req, ServerResponse res, PageException e) {
        if (e.next() != null) {
            SignInService.redirect(
                    res,
                    "/signin?next=" + java.net.URLEncoder.encode(e.next(), java.nio.charset.StandardCharsets.UTF_8));
            return;
        }
        // The member portal's pages stop the same way; its members go back to their pass.
        boolean portal = req.path().path().startsWith("/portal");
        Templates.render(
                res,
                e.status(),
                "error.jte",
                Map.of(
                        "t",
                        Guard.messages(),
                        "status",
                        e.status().code(),
                        "message",
                        e.getMessage(),
                        "back",
                        portal ? "/portal" : "/console",
                        "backKey",
                        portal ? "portal.error.back" : "error.back"));
    }
}
