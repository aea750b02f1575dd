package dev.gatehouse.hub.console;

import dev.gatehouse.hub.accounts.Account;
import dev.gatehouse.hub.accounts.AccountStore;
import dev.gatehouse.hub.accounts.Passwords;
import dev.gatehouse.hub.accounts.Sessions;
import dev.gatehouse.hub.accounts.WebSession;
import dev.gatehouse.hub.tenants.TenantHost;
import dev.gatehouse.hub.tenants.TenantStore;
import dev.gatehouse.hub.tenants.TenantView;
import io.helidon.common.parameters.Parameters;
import io.helidon.http.HeaderNames;
import io.helidon.http.Status;
import io.helidon.webserver.http.HttpRules;
import io.helidon.webserver.http.HttpService;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * Operators sign in and out.
 *
 * <pre>
 * GET  /          the console when signed in, else the sign-in page
 * GET  /signin    the sign-in form (workspace, e-mail, password; the workspace comes from the subdomain when there is one)
 * POST /signin    a new session (a fresh cookie at each sign-in), then to the page asked for
 * POST /signout   ends the session
 * </pre>
 *
 * A wrong workspace, e-mail or password all get the same answer, after the same slow hash.
 */
public record SignInService(
        TenantStore tenants, AccountStore accounts, Sessions sessions, TenantHost host, ConsoleSettings settings)
        implements HttpService {

    @Override
    public void routing(HttpRules rules) {
        rules.get("/", this::root)
                .get("/signin", (req, res) -> form(req, res, Status.OK_200, Optional.empty(), ""))
                .post("/signin", this::signIn)
                .post("/signout", this::signOut);
    }

    private void root(ServerRequest req, ServerResponse res) {
        if (ConsoleSession.of(req).isPresent()) {
            redirect(res, "/console");
        } else {
            form(req, res, Status.OK_200, Optional.empty(), "");
        }
    }

    private void form(ServerRequest req, ServerResponse res, Status status, Optional<String> error, String email) {
        String token = Forms.preSessionToken(req, res, settings);
        Optional<String> subdomain = host.subdomain(req);
        Optional<TenantView> tenant = subdomain.flatMap(tenants::findBySlug);
        Map<String, Object> params = new LinkedHashMap<>();
        params.put("t", Messages.forLocale(Locale.ENGLISH));
        params.put("tenant", tenant.orElse(null));
        params.put("workspace", req.query().first("workspace").orElse(""));
        params.put("email", email);
        params.put("next", safeNext(req.query().first("next").orElse("")));
        params.put("csrf", token);
        params.put("error", error.orElse(null));
        Templates.render(res, status, "signin.jte", params);
    }

    private void signIn(ServerRequest req, ServerResponse res) {
        Parameters form = Forms.readBeforeSignIn(req, settings);
        String email = Forms.field(form, "email").orElse("");
        String password = form.first("password").orElse("");
        Optional<TenantView> tenant = host.subdomain(req)
                .or(() -> Forms.field(form, "workspace").map(w -> w.toLowerCase(Locale.ROOT)))
                .flatMap(tenants::findBySlug);
        Optional<AccountStore.Secrets> secrets = tenant.flatMap(t -> accounts.secrets(t.id(), email));
        boolean matches = Passwords.matches(password, secrets.flatMap(AccountStore.Secrets::passwordHash));
        if (!matches || secrets.get().account().status() != Account.Status.ACTIVE) {
            form(
                    req,
                    res,
                    Status.UNAUTHORIZED_401,
                    Optional.of("The workspace, e-mail or password is wrong, or the account is not active."),
                    email);
            return;
        }
        Account account = secrets.get().account();
        Sessions.Opened opened =
                sessions.open(account.tenantId(), WebSession.Kind.OPERATOR, account.id(), address(req), false);
        res.headers()
                .addCookie(settings.cookie(settings.sessionCookie(), opened.cookieValue())
                        .build());
        redirect(res, safeNext(Forms.field(form, "next").orElse("")));
    }

    private void signOut(ServerRequest req, ServerResponse res) {
        Optional<ConsoleSession> session = ConsoleSession.of(req);
        if (session.isPresent()) {
            Forms.read(req, session.get());
            sessions.end(session.get().session().idHash());
        }
        res.headers()
                .addCookie(settings.cookie(settings.sessionCookie(), "")
                        .maxAge(Duration.ZERO)
                        .build());
        redirect(res, "/signin");
    }

    /** Only a path on this hub's console: never another host ({@code //evil.example}) or a scheme. */
    static String safeNext(String next) {
        return next.startsWith("/console") && !next.startsWith("//") && !next.contains("\\") ? next : "/console";
    }

    /** A 303 to {@code location}: after a POST, and to a sign-in page (the member portal's too). */
    public static void redirect(ServerResponse res, String location) {
        res.status(Status.SEE_OTHER_303);
        res.header(HeaderNames.LOCATION, location);
        res.send();
    }

    /** The peer's address: what throttling and the audit log record. */
    public static String address(ServerRequest req) {
        return req.remotePeer().host();
    }
}
