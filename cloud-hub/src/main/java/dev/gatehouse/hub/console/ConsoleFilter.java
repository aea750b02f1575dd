package dev.gatehouse.hub.console;

import dev.gatehouse.hub.accounts.Account;
import dev.gatehouse.hub.accounts.AccountStore;
import dev.gatehouse.hub.accounts.Sessions;
import dev.gatehouse.hub.accounts.WebSession;
import dev.gatehouse.hub.tenants.Caller;
import dev.gatehouse.hub.tenants.TenantHost;
import dev.gatehouse.hub.tenants.TenantStore;
import dev.gatehouse.hub.tenants.TenantView;
import dev.gatehouse.hub.web.ApiException;
import dev.gatehouse.hub.web.Problems;
import io.helidon.http.HeaderNames;
import io.helidon.http.Method;
import io.helidon.webserver.http.Filter;
import io.helidon.webserver.http.FilterChain;
import io.helidon.webserver.http.RoutingRequest;
import io.helidon.webserver.http.RoutingResponse;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Optional;

/**
 * Runs before every request that is not a bearer-token API call:
 *
 * <ul>
 *   <li>security headers on every page: a Content-Security-Policy that allows scripts, styles and
 *       images from the hub only (no inline script, no framing, forms only to the hub), nosniff, no
 *       referrer to other sites;
 *   <li>the operator's session from its cookie, when it is live, its account active, and — with
 *       subdomain tenancy — the request is on its own tenant's subdomain (one tenant's session never
 *       reaches another tenant's pages);
 *   <li>the same session on {@code /api/} requests without an {@code Authorization} header, so the
 *       console's scripts use the documented API with the operator's own role; a state-changing API
 *       request made this way must carry the session's CSRF token in {@code X-CSRF-Token};
 *   <li>a state-changing request whose {@code Origin} is another site is refused outright.
 * </ul>
 */
public record ConsoleFilter(
        Sessions sessions, AccountStore accounts, TenantStore tenants, TenantHost host, ConsoleSettings settings)
        implements Filter {

    public static final String CSP = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:;"
            + " connect-src 'self'; font-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self';"
            + " frame-ancestors 'none'";

    @Override
    public void filter(FilterChain chain, RoutingRequest req, RoutingResponse res) {
        long started = System.nanoTime();
        String path = req.path().path();
        boolean api = path.startsWith("/api/");
        if (api && req.headers().contains(HeaderNames.AUTHORIZATION)) {
            chain.proceed();
            return;
        }
        boolean changes = !(req.prologue().method().equals(Method.GET)
                || req.prologue().method().equals(Method.HEAD));
        if (!api) {
            res.header(HeaderNames.create("Content-Security-Policy"), CSP);
            res.header(HeaderNames.create("X-Content-Type-Options"), "nosniff");
            res.header(HeaderNames.create("X-Frame-Options"), "DENY");
            res.header(HeaderNames.create("Referrer-Policy"), "same-origin");
        }
        if (changes && foreignOrigin(req)) {
            if (api) {
                Problems.send(req, res, ApiException.forbidden("a request from another site's page is refused"));
            } else {
                res.status(io.helidon.http.Status.FORBIDDEN_403).send("a request from another site's page is refused");
            }
            return;
        }
        Optional<ConsoleSession> session = session(req);
        if (api) {
            if (session.isPresent()) {
                if (changes && !csrfHeaderMatches(req, session.get())) {
                    Problems.send(
                            req,
                            res,
                            ApiException.forbidden("a console request that changes something must send the page's"
                                    + " CSRF token in the X-CSRF-Token header"));
                    return;
                }
                Caller.attach(req, session.get().caller());
            }
            chain.proceed();
            return;
        }
        if (session.isPresent()) {
            req.context().register(ConsoleSession.CONTEXT_KEY, session.get());
            ServerTiming.during(started, chain::proceed);
        } else {
            chain.proceed();
        }
    }

    private Optional<ConsoleSession> session(RoutingRequest req) {
        Optional<String> cookie =
                req.headers().cookies().first(settings.sessionCookie()).asOptional();
        if (cookie.isEmpty()) {
            return Optional.empty();
        }
        Optional<WebSession> session =
                sessions.find(cookie.get()).filter(s -> s.kind() == WebSession.Kind.OPERATOR && !s.secondFactorDue());
        if (session.isEmpty()) {
            return Optional.empty();
        }
        Optional<TenantView> tenant = host.ownTenant(req, tenants, session.get().tenantId());
        if (tenant.isEmpty()) {
            return Optional.empty();
        }
        return accounts.byId(tenant.get().id(), session.get().principalId())
                .filter(account -> account.status() == Account.Status.ACTIVE)
                .map(account -> new ConsoleSession(session.get(), tenant.get(), account));
    }

    private static boolean csrfHeaderMatches(RoutingRequest req, ConsoleSession session) {
        String sent = req.headers().first(HeaderNames.create(Forms.CSRF_HEADER)).orElse("");
        return MessageDigest.isEqual(
                sent.getBytes(StandardCharsets.UTF_8), session.csrfToken().getBytes(StandardCharsets.UTF_8));
    }

    /** An Origin header naming another host than the one the request came to (absent: not a browser form). */
    private static boolean foreignOrigin(RoutingRequest req) {
        Optional<String> origin = req.headers().first(HeaderNames.ORIGIN);
        if (origin.isEmpty()) {
            return false;
        }
        String hostHeader = req.headers().first(HeaderNames.HOST).orElse("");
        String value = origin.get();
        int scheme = value.indexOf("://");
        return scheme < 0 || !value.substring(scheme + 3).equalsIgnoreCase(hostHeader);
    }
}
