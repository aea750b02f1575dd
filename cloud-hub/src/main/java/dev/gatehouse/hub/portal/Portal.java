package dev.gatehouse.hub.portal;

import dev.gatehouse.hub.accounts.Invitations;
import dev.gatehouse.hub.accounts.OneTimeLinks;
import dev.gatehouse.hub.accounts.Sessions;
import dev.gatehouse.hub.billing.InvoiceStore;
import dev.gatehouse.hub.billing.PassStore;
import dev.gatehouse.hub.billing.PublicPurchases;
import dev.gatehouse.hub.billing.StripePayments;
import dev.gatehouse.hub.bookings.BookingStore;
import dev.gatehouse.hub.bookings.CalendarFeedStore;
import dev.gatehouse.hub.bookings.ResourceStore;
import dev.gatehouse.hub.commands.Commands;
import dev.gatehouse.hub.console.BillingViews;
import dev.gatehouse.hub.console.Console;
import dev.gatehouse.hub.console.FloorPlanStore;
import dev.gatehouse.hub.console.Messages;
import dev.gatehouse.hub.console.SignInService;
import dev.gatehouse.hub.credentials.CredentialStore;
import dev.gatehouse.hub.credentials.VisitorPassStore;
import dev.gatehouse.hub.credits.CreditStore;
import dev.gatehouse.hub.members.MemberStore;
import dev.gatehouse.hub.sites.DoorGroupStore;
import dev.gatehouse.hub.sites.SiteStore;
import io.helidon.webserver.http.HttpRouting;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.Locale;
import java.util.Set;

/**
 * The member portal, on the console's server and under its filter (security headers, no inline
 * script, foreign-origin POSTs refused): sign-in by e-mailed link, the member's rotating QR pass,
 * their access and entries, remote unlock of the doors the policy lets them through, and what makes
 * it installable on a phone. Members have their own session cookie; see {@link MemberSessions}.
 */
public final class Portal {
    static final Messages WORDS = Messages.forLocale(Locale.ENGLISH);

    private Portal() {}

    /** Registers the portal's routes; {@code parts} are the console's (store, mailer, audit, settings). */
    public static void routes(
            HttpRouting.Builder routing,
            Console.Parts parts,
            Commands commands,
            CredentialStore credentials,
            StripePayments stripe) {
        MemberSessions sessions = new MemberSessions(
                new Sessions(parts.database(), parts.clock(), MemberSessions.LIFETIME, MemberSessions.LIFETIME),
                parts.tenants(),
                new MemberStore(parts.database(), parts.clock()),
                parts.host(),
                parts.settings());
        OneTimeLinks links = new OneTimeLinks(parts.database(), parts.clock());
        Invitations invitations =
                new Invitations(links, parts.mailer(), parts.settings().publicUrl());
        SiteStore sites = new SiteStore(parts.database(), parts.clock());
        routing.error(SignInFirst.class, (req, res, e) -> SignInService.redirect(res, "/portal/signin"))
                .register(new PortalSignIn(
                        parts.database(),
                        sessions,
                        links,
                        invitations,
                        new LinkThrottle(parts.database(), parts.clock()),
                        parts.mailer(),
                        parts.settings()))
                .register(new PortalService(
                        parts.database(),
                        parts.clock(),
                        sessions,
                        new MemberPass(parts.database(), credentials, parts.audit()),
                        new MemberAccess(parts.database(), parts.accessLog()),
                        commands,
                        parts.audit()))
                .register(new PortalBookingPages(
                        parts.clock(),
                        sessions,
                        sites,
                        new ResourceStore(parts.database(), parts.clock()),
                        new BookingStore(parts.database(), parts.clock()),
                        new FloorPlanStore(parts.database(), parts.clock()),
                        parts.audit()))
                .register(new PortalCreditPages(
                        parts.clock(), sessions, sites, new CreditStore(parts.database(), parts.clock())))
                .register(new PortalBillingPages(
                        sessions,
                        new InvoiceStore(parts.database(), parts.clock()),
                        new BillingViews(parts.database(), parts.clock(), WORDS.locale())))
                .register(new PortalCalendarPages(
                        sessions,
                        sites,
                        new CalendarFeedStore(parts.database(), parts.clock()),
                        invitations,
                        parts.audit()))
                .register(new WebAppService(sessions))
                .register(new PortalPassPages(
                        parts.clock(),
                        sessions,
                        sites,
                        new PublicPurchases(parts.database(), parts.clock()),
                        new PassStore(parts.database(), parts.clock()),
                        parts.audit()))
                .register(new PortalVisitorPages(
                        parts.clock(),
                        sessions,
                        sites,
                        new DoorGroupStore(parts.database(), parts.clock()),
                        new VisitorPassStore(parts.database(), parts.clock()),
                        parts.mailer(),
                        parts.audit()))
                .register(new PublicPages(
                        parts.clock(),
                        parts.tenants(),
                        parts.host(),
                        sites,
                        new PublicPurchases(parts.database(), parts.clock()),
                        stripe,
                        credentials,
                        new LinkThrottle(parts.database(), parts.clock()),
                        invitations,
                        parts.settings()));
    }

    /** The zone the member's own times are shown in: their space's first site's, else UTC. */
    static ZoneId zone(SiteStore sites, MemberSession member) {
        return sites.sites(member.tenantId(), Set.of()).stream()
                .findFirst()
                .map(site -> ZoneId.of(site.timeZone()))
                .orElse(ZoneOffset.UTC);
    }

    static PortalPage page(MemberSession member, String titleKey) {
        return new PortalPage(
                WORDS,
                WORDS.get(titleKey),
                member.tenant(),
                member.member().fullName(),
                member.session().csrfToken());
    }
}
