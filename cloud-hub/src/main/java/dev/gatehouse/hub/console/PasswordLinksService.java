package dev.gatehouse.hub.console;

import dev.gatehouse.hub.accounts.Account;
import dev.gatehouse.hub.accounts.AccountStore;
import dev.gatehouse.hub.accounts.Invitations;
import dev.gatehouse.hub.accounts.LoginThrottle;
import dev.gatehouse.hub.accounts.OneTimeLinks;
import dev.gatehouse.hub.accounts.Passwords;
import dev.gatehouse.hub.accounts.Sessions;
import dev.gatehouse.hub.tenants.TenantHost;
import dev.gatehouse.hub.tenants.TenantStore;
import dev.gatehouse.hub.tenants.TenantView;
import io.helidon.common.parameters.Parameters;
import io.helidon.http.Status;
import io.helidon.webserver.http.HttpRules;
import io.helidon.webserver.http.HttpService;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Choosing a password from an e-mailed link.
 *
 * <pre>
 * GET  /invite/{token}   POST /invite/{token}    an invited operator chooses a password; the account becomes active
 * GET  /reset            POST /reset             asks for a reset link (the answer is the same whether the account exists)
 * GET  /reset/{token}    POST /reset/{token}     chooses a new password; every session of the account ends
 * </pre>
 *
 * A link is only consumed when the new password is acceptable, so a typo does not burn it.
 */
public record PasswordLinksService(
        TenantStore tenants,
        AccountStore accounts,
        Sessions sessions,
        OneTimeLinks links,
        LoginThrottle throttle,
        Invitations invitations,
        TenantHost host,
        ConsoleSettings settings)
        implements HttpService {
    private static final Logger LOG = Logger.getLogger(PasswordLinksService.class.getName());

    @Override
    public void routing(HttpRules rules) {
        rules.get("/invite/{token}", (req, res) -> choose(req, res, OneTimeLinks.Purpose.INVITATION))
                .post("/invite/{token}", (req, res) -> set(req, res, OneTimeLinks.Purpose.INVITATION))
                .get("/reset", (req, res) -> askForm(req, res, Status.OK_200, null, null))
                .post("/reset", this::ask)
                .get("/reset/{token}", (req, res) -> choose(req, res, OneTimeLinks.Purpose.PASSWORD_RESET))
                .post("/reset/{token}", (req, res) -> set(req, res, OneTimeLinks.Purpose.PASSWORD_RESET));
    }

    private void choose(ServerRequest req, ServerResponse res, OneTimeLinks.Purpose purpose) {
        String token = req.path().pathParameters().get("token");
        Optional<Account> account =
                links.peek(token, purpose).flatMap(link -> accounts.byId(link.tenantId(), link.principalId()));
        if (account.isEmpty()) {
            throw PageException.notFound("This link has expired or has been used. Ask for a new one"
                    + (purpose == OneTimeLinks.Purpose.INVITATION ? " from an owner of your space." : " at /reset."));
        }
        passwordForm(req, res, Status.OK_200, purpose, token, account.get(), null);
    }

    private void passwordForm(
            ServerRequest req,
            ServerResponse res,
            Status status,
            OneTimeLinks.Purpose purpose,
            String token,
            Account account,
            String error) {
        Map<String, Object> params = new HashMap<>();
        params.put("t", Guard.messages());
        params.put("csrf", SignInService.preSessionToken(req, res, settings));
        params.put("action", (purpose == OneTimeLinks.Purpose.INVITATION ? "/invite/" : "/reset/") + token);
        params.put(
                "heading",
                Guard.messages()
                        .get(purpose == OneTimeLinks.Purpose.INVITATION ? "password.invite" : "password.reset"));
        params.put("email", account.email());
        params.put("error", error);
        Templates.render(res, status, "password.jte", params);
    }

    private void set(ServerRequest req, ServerResponse res, OneTimeLinks.Purpose purpose) {
        Parameters form = Forms.readBeforeSignIn(req, settings);
        String token = req.path().pathParameters().get("token");
        Optional<Account> account =
                links.peek(token, purpose).flatMap(link -> accounts.byId(link.tenantId(), link.principalId()));
        if (account.isEmpty()) {
            throw PageException.notFound("This link has expired or has been used. Ask for a new one.");
        }
        String password = form.first("password").orElse("");
        Optional<String> problem = Passwords.problem(password, account.get().email());
        if (problem.isEmpty() && !password.equals(form.first("confirm").orElse(""))) {
            problem = Optional.of("the two passwords differ");
        }
        if (problem.isPresent()) {
            passwordForm(
                    req,
                    res,
                    Status.UNPROCESSABLE_CONTENT_422,
                    purpose,
                    token,
                    account.get(),
                    "The password " + problem.get() + ".");
            return;
        }
        // Consumed only now: one click of two concurrent ones wins, the other finds it used.
        if (links.consume(token, purpose).isEmpty()) {
            throw PageException.notFound("This link has just been used. Sign in, or ask for a new one.");
        }
        accounts.setPassword(account.get().tenantId(), account.get().id(), Passwords.hash(password));
        sessions.endAll(account.get().tenantId(), account.get().id());
        throttle.clearAccount(account.get().tenantId(), account.get().email());
        String slug =
                tenants.find(account.get().tenantId()).map(TenantView::slug).orElse("");
        SignInService.redirect(res, "/signin?workspace=" + slug + "&done=password");
    }

    private void askForm(ServerRequest req, ServerResponse res, Status status, String notice, String error) {
        Map<String, Object> params = new HashMap<>();
        params.put("t", Guard.messages());
        params.put("csrf", SignInService.preSessionToken(req, res, settings));
        params.put("tenant", host.subdomain(req).flatMap(tenants::findBySlug).orElse(null));
        params.put("notice", notice);
        params.put("error", error);
        Templates.render(res, status, "reset.jte", params);
    }

    private void ask(ServerRequest req, ServerResponse res) {
        Parameters form = Forms.readBeforeSignIn(req, settings);
        String email = Forms.field(form, "email").orElse("");
        Optional<TenantView> tenant = host.subdomain(req)
                .or(() -> Forms.field(form, "workspace").map(w -> w.toLowerCase(Locale.ROOT)))
                .flatMap(tenants::findBySlug);
        Optional<Account> account =
                tenant.flatMap(t -> accounts.byEmail(t.id(), email)).filter(a -> a.status() == Account.Status.ACTIVE);
        String address = SignInService.address(req);
        // Reset requests count against the same throttle as sign-ins: no mail bombing through this form.
        if (tenant.isPresent()
                && throttle.blocked(tenant.get().id(), email, address).isEmpty()) {
            throttle.recordFailure(tenant.get().id(), email, address);
            account.ifPresent(a -> {
                try {
                    invitations.reset(req, tenant.get(), a);
                } catch (RuntimeException e) {
                    LOG.log(Level.WARNING, "could not send a password reset mail", e);
                }
            });
        }
        askForm(req, res, Status.OK_200, Guard.messages().get("reset.sent"), null);
    }
}
