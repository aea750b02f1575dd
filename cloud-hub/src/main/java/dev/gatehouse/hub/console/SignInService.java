package dev.gatehouse.hub.console;

import dev.gatehouse.hub.accounts.Account;
import dev.gatehouse.hub.accounts.AccountStore;
import dev.gatehouse.hub.accounts.LoginThrottle;
import dev.gatehouse.hub.accounts.Passwords;
import dev.gatehouse.hub.accounts.Sessions;
import dev.gatehouse.hub.accounts.Totp;
import dev.gatehouse.hub.accounts.WebSession;
import dev.gatehouse.hub.audit.Audit;
import dev.gatehouse.hub.tenants.TenantHost;
import dev.gatehouse.hub.tenants.TenantStore;
import dev.gatehouse.hub.tenants.TenantView;
import dev.gatehouse.hub.tenants.Tokens;
import io.helidon.common.parameters.Parameters;
import io.helidon.http.HeaderNames;
import io.helidon.http.SetCookie;
import io.helidon.http.Status;
import io.helidon.webserver.http.HttpRules;
import io.helidon.webserver.http.HttpService;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
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
        TenantStore tenants,
        AccountStore accounts,
        Sessions sessions,
        LoginThrottle throttle,
        Clock clock,
        TenantHost host,
        ConsoleSettings settings)
        implements HttpService {

    @Override
    public void routing(HttpRules rules) {
        rules.get("/", this::root)
                .get("/signin", (req, res) -> form(req, res, Status.OK_200, Optional.empty(), ""))
                .post("/signin", this::signIn)
                .get("/signin/code", this::codeForm)
                .post("/signin/code", this::code)
                .post("/signout", this::signOut);
    }

    private void root(ServerRequest req, ServerResponse res) {
        if (ConsoleSession.of(req).isPresent()) {
            redirect(res, "/console");
        } else {
            form(req, res, Status.OK_200, Optional.empty(), "");
        }
    }

    /**
     * The CSRF token of a form shown before sign-in: the pre-session cookie's value (set now when the
     * browser has none), sent back in the form (double submit).
     */
    public static String preSessionToken(ServerRequest req, ServerResponse res, ConsoleSettings settings) {
        String token = req.headers()
                .cookies()
                .first(settings.preSessionCookie())
                .asOptional()
                .filter(value -> value.length() == 43)
                .orElseGet(Tokens::secret);
        res.headers()
                .addCookie(cookie(settings, settings.preSessionCookie(), token)
                        .maxAge(Duration.ofHours(2))
                        .build());
        return token;
    }

    private void form(ServerRequest req, ServerResponse res, Status status, Optional<String> error, String email) {
        String token = preSessionToken(req, res, settings);
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
        params.put(
                "notice",
                req.query()
                                .first("done")
                                .asOptional()
                                .filter("password"::equals)
                                .isPresent()
                        ? Guard.messages().get("password.done")
                        : null);
        Templates.render(res, status, "signin.jte", params);
    }

    private void signIn(ServerRequest req, ServerResponse res) {
        Parameters form = Forms.readBeforeSignIn(req, settings);
        String email = Forms.field(form, "email").orElse("");
        String password = form.first("password").orElse("");
        Optional<TenantView> tenant = host.subdomain(req)
                .or(() -> Forms.field(form, "workspace").map(w -> w.toLowerCase(Locale.ROOT)))
                .flatMap(tenants::findBySlug);
        String address = address(req);
        String tenantKey = tenant.map(TenantView::id).orElse("unknown");
        Optional<Duration> blocked = throttle.blocked(tenantKey, email, address);
        if (blocked.isPresent()) {
            form(req, res, Status.TOO_MANY_REQUESTS_429, Optional.of(tooMany(blocked.get())), email);
            return;
        }
        Optional<AccountStore.Secrets> secrets = tenant.flatMap(t -> accounts.secrets(t.id(), email));
        boolean matches = Passwords.matches(password, secrets.flatMap(AccountStore.Secrets::passwordHash));
        if (!matches || secrets.get().account().status() != Account.Status.ACTIVE) {
            throttle.recordFailure(tenantKey, email, address);
            form(
                    req,
                    res,
                    Status.UNAUTHORIZED_401,
                    Optional.of("The workspace, e-mail or password is wrong, or the account is not active."),
                    email);
            return;
        }
        Account account = secrets.get().account();
        boolean codeDue = secrets.get().totpSecret().isPresent();
        if (!codeDue) {
            throttle.clearAccount(account.tenantId(), email);
        }
        Sessions.Opened opened =
                sessions.open(account.tenantId(), WebSession.Kind.OPERATOR, account.id(), address, codeDue);
        res.headers()
                .addCookie(cookie(settings, settings.sessionCookie(), opened.cookieValue())
                        .build());
        String next = safeNext(Forms.field(form, "next").orElse(""));
        redirect(res, codeDue ? "/signin/code?next=" + URLEncoder.encode(next, StandardCharsets.UTF_8) : next);
    }

    private static String tooMany(Duration wait) {
        long minutes = Math.max(1, (wait.toSeconds() + 59) / 60);
        return "Too many failed sign-ins. Try again in " + minutes + (minutes == 1 ? " minute" : " minutes")
                + ", or reset your password.";
    }

    /** The session whose password was right and whose TOTP code is still due. */
    private Optional<WebSession> pending(ServerRequest req) {
        return req.headers()
                .cookies()
                .first(settings.sessionCookie())
                .asOptional()
                .flatMap(sessions::find)
                .filter(s -> s.kind() == WebSession.Kind.OPERATOR && s.secondFactorDue());
    }

    private void codeForm(ServerRequest req, ServerResponse res) {
        WebSession session = pending(req).orElseThrow(() -> PageException.signIn("/console"));
        codePage(req, res, Status.OK_200, session, null);
    }

    private void codePage(ServerRequest req, ServerResponse res, Status status, WebSession session, String error) {
        Map<String, Object> params = new LinkedHashMap<>();
        params.put("t", Guard.messages());
        params.put("csrf", session.csrfToken());
        params.put("next", safeNext(req.query().first("next").orElse("")));
        params.put("error", error);
        Templates.render(res, status, "code.jte", params);
    }

    private void code(ServerRequest req, ServerResponse res) {
        WebSession session = pending(req).orElseThrow(() -> PageException.signIn("/console"));
        Parameters form = Forms.read(req, session.csrfToken());
        Optional<AccountStore.Secrets> secrets = accounts.byId(session.tenantId(), session.principalId())
                .flatMap(a -> accounts.secrets(a.tenantId(), a.email()));
        if (secrets.isEmpty() || secrets.get().totpSecret().isEmpty()) {
            sessions.end(session.idHash());
            throw PageException.signIn("/console");
        }
        Account account = secrets.get().account();
        String address = address(req);
        Optional<Duration> blocked = throttle.blocked(account.tenantId(), account.email(), address);
        if (blocked.isPresent()) {
            sessions.end(session.idHash());
            form(req, res, Status.TOO_MANY_REQUESTS_429, Optional.of(tooMany(blocked.get())), account.email());
            return;
        }
        String code = Forms.field(form, "code").orElse("").replace(" ", "");
        java.util.OptionalLong step =
                Totp.matchedStep(secrets.get().totpSecret().get(), code, clock.instant());
        // A code works once: one seen over a shoulder cannot sign in again while it is valid.
        boolean fresh = step.isPresent() && accounts.useTotpStep(account.tenantId(), account.id(), step.getAsLong());
        if (!fresh) {
            throttle.recordFailure(account.tenantId(), account.email(), address);
            codePage(
                    req,
                    res,
                    Status.UNAUTHORIZED_401,
                    session,
                    step.isEmpty()
                            ? "That code is not the current one. Enter the 6 digits your app shows now."
                            : "That code was used already: wait for your app to show the next one and enter it.");
            return;
        }
        throttle.clearAccount(account.tenantId(), account.email());
        // A fresh session (new cookie, new CSRF token) once both factors are in.
        sessions.end(session.idHash());
        Sessions.Opened opened =
                sessions.open(account.tenantId(), WebSession.Kind.OPERATOR, account.id(), address, false);
        res.headers()
                .addCookie(cookie(settings, settings.sessionCookie(), opened.cookieValue())
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
                .addCookie(cookie(settings, settings.sessionCookie(), "")
                        .maxAge(Duration.ZERO)
                        .build());
        redirect(res, "/signin");
    }

    /** A cookie as the hub sets them all: path /, HttpOnly, SameSite=Lax, Secure behind HTTPS. */
    public static SetCookie.Builder cookie(ConsoleSettings settings, String name, String value) {
        return SetCookie.builder(name, value)
                .path("/")
                .httpOnly(true)
                .secure(settings.secureCookies())
                .sameSite(SetCookie.SameSite.LAX);
    }

    /** Only a path on this hub's console: never another host ({@code //evil.example}) or a scheme. */
    static String safeNext(String next) {
        return next.startsWith("/console") && !next.startsWith("//") && !next.contains("\\") ? next : "/console";
    }

    public static void redirect(ServerResponse res, String location) {
        res.status(Status.SEE_OTHER_303);
        res.header(HeaderNames.LOCATION, location);
        res.send();
    }

    /** The peer's address: what throttling and the audit log record. */
    public static String address(ServerRequest req) {
        return Audit.address(req);
    }
}
