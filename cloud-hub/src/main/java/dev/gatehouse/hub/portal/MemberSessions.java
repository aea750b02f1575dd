package dev.gatehouse.hub.portal;

import dev.gatehouse.hub.accounts.Sessions;
import dev.gatehouse.hub.accounts.WebSession;
import dev.gatehouse.hub.console.ConsoleSettings;
import dev.gatehouse.hub.console.SignInService;
import dev.gatehouse.hub.members.MemberStore;
import dev.gatehouse.hub.tenants.TenantHost;
import dev.gatehouse.hub.tenants.TenantStore;
import dev.gatehouse.hub.tenants.TenantView;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import java.time.Duration;
import java.util.Optional;

/**
 * Members' portal sessions: their own cookie ({@link ConsoleSettings#memberCookie()}), never the
 * operator's, and only sessions of kind MEMBER, so an operator's session opens no portal and a
 * member's opens no console page or API route (the console filter reads only its own cookie and
 * OPERATOR sessions). With subdomain tenancy a session counts only on its tenant's subdomain. A
 * cancelled member's session ends at their next request.
 */
record MemberSessions(
        Sessions sessions, TenantStore tenants, MemberStore members, TenantHost host, ConsoleSettings settings) {
    /** A member stays signed in on their phone for up to 30 days. */
    static final Duration LIFETIME = Duration.ofDays(30);

    /** The signed-in member of this request, if any. */
    Optional<MemberSession> find(ServerRequest req) {
        Optional<WebSession> session = req.headers()
                .cookies()
                .first(settings.memberCookie())
                .asOptional()
                .flatMap(sessions::find)
                .filter(s -> s.kind() == WebSession.Kind.MEMBER);
        if (session.isEmpty()) {
            return Optional.empty();
        }
        Optional<TenantView> tenant = tenants.find(session.get().tenantId());
        Optional<String> subdomain = host.subdomain(req);
        if (tenant.isEmpty()
                || (subdomain.isPresent()
                        && !subdomain.get().equals(tenant.get().slug()))) {
            return Optional.empty();
        }
        return members.find(tenant.get().id(), session.get().principalId())
                .filter(member -> !"cancelled".equals(member.status()))
                .map(member -> new MemberSession(session.get(), tenant.get(), member));
    }

    /** The signed-in member, or the browser goes to the portal's sign-in page. */
    MemberSession require(ServerRequest req) {
        return find(req).orElseThrow(SignInFirst::new);
    }

    /** A new session for the member (a fresh cookie at each sign-in), set on the response. */
    void open(ServerResponse res, String tenantId, String memberId, String address) {
        Sessions.Opened opened = sessions.open(tenantId, WebSession.Kind.MEMBER, memberId, address, false);
        res.headers()
                .addCookie(SignInService.cookie(settings, settings.memberCookie(), opened.cookieValue())
                        .maxAge(LIFETIME)
                        .build());
    }

    /** Ends the session and clears its cookie. */
    void end(ServerResponse res, MemberSession session) {
        sessions.end(session.session().idHash());
        res.headers()
                .addCookie(SignInService.cookie(settings, settings.memberCookie(), "")
                        .maxAge(Duration.ZERO)
                        .build());
    }
}
