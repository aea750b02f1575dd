package dev.gatehouse.hub.console;

import dev.gatehouse.hub.accounts.AccountStore;
import dev.gatehouse.hub.accounts.Passwords;
import dev.gatehouse.hub.accounts.Sessions;
import dev.gatehouse.hub.accounts.Totp;
import dev.gatehouse.hub.accounts.WebSession;
import dev.gatehouse.hub.audit.Audit;
import dev.gatehouse.hub.tenants.Permission;
import dev.gatehouse.hub.tenants.Role;
import dev.gatehouse.hub.web.QrPng;
import io.helidon.common.parameters.Parameters;
import io.helidon.http.Status;
import io.helidon.webserver.http.HttpRules;
import io.helidon.webserver.http.HttpService;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import java.time.Clock;
import java.util.Base64;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

/**
 * The signed-in operator's own account.
 *
 * <pre>
 * GET  /console/account                 password change, and for owners the TOTP second factor
 * POST /console/account/password        current + new password; every session of the account ends, this browser gets a new one
 * POST /console/account/totp            enrolls a TOTP secret once a code from it is right (owners)
 * POST /console/account/totp/remove     removes it, with a current code (owners)
 * </pre>
 */
public record MyAccountService(
        AccountStore accounts, Sessions sessions, Audit audit, Clock clock, ConsoleSettings settings)
        implements HttpService {

    @Override
    public void routing(HttpRules rules) {
        rules.get("/console/account", this::show)
                .post("/console/account/password", this::password)
                .post("/console/account/totp", this::enroll)
                .post("/console/account/totp/remove", this::remove);
    }

    private void show(ServerRequest req, ServerResponse res) {
        session(req);
        String notice = req.query()
                .first("done")
                .asOptional()
                .filter(done -> done.matches("password|totp|totp-removed"))
                .map(done -> Guard.messages().get("account.done." + done))
                .orElse(null);
        page(req, res, Status.OK_200, notice, null, Totp.newSecret());
    }

    private ConsoleSession session(ServerRequest req) {
        return Guard.page(req, Permission.VIEW_SITES);
    }

    private void page(
            ServerRequest req, ServerResponse res, Status status, String notice, String error, String secret) {
        ConsoleSession session = ConsoleSession.of(req).orElseThrow(() -> PageException.signIn("/console/account"));
        boolean owner = session.access().role() == Role.OWNER;
        Map<String, Object> params = new HashMap<>();
        params.put("page", Guard.pageFor(session, "account.title", "/console/account"));
        params.put("owner", owner);
        params.put("totp", session.account().totpEnabled());
        params.put("secret", secret);
        params.put(
                "qr",
                owner && !session.account().totpEnabled()
                        ? qr(Totp.otpauthUri(
                                "Gatehouse " + session.tenant().name(),
                                session.account().email(),
                                secret))
                        : "");
        params.put("notice", notice);
        params.put("error", error);
        Templates.render(res, status, "account.jte", params);
    }

    private void password(ServerRequest req, ServerResponse res) {
        ConsoleSession session = session(req);
        Parameters form = Forms.read(req, session);
        String current = form.first("current").orElse("");
        String next = form.first("password").orElse("");
        Optional<AccountStore.Secrets> secrets =
                accounts.secrets(session.tenant().id(), session.account().email());
        if (secrets.isEmpty() || !Passwords.matches(current, secrets.get().passwordHash())) {
            page(
                    req,
                    res,
                    Status.UNPROCESSABLE_CONTENT_422,
                    null,
                    "Your current password is not right.",
                    Totp.newSecret());
            return;
        }
        Optional<String> problem = Passwords.problem(next, session.account().email());
        if (problem.isEmpty() && !next.equals(form.first("confirm").orElse(""))) {
            problem = Optional.of("the two passwords differ");
        }
        if (problem.isPresent()) {
            page(
                    req,
                    res,
                    Status.UNPROCESSABLE_CONTENT_422,
                    null,
                    "The new password " + problem.get() + ".",
                    Totp.newSecret());
            return;
        }
        accounts.setPassword(session.tenant().id(), session.account().id(), Passwords.hash(next));
        audit.record(
                req,
                session.caller(),
                "account.password",
                "operator-account",
                session.account().id(),
                null,
                null,
                null);
        renew(req, res, session);
        SignInService.redirect(res, "/console/account?done=password");
    }

    private void enroll(ServerRequest req, ServerResponse res) {
        ConsoleSession session = owner(req);
        Parameters form = Forms.read(req, session);
        String secret = Forms.field(form, "secret").orElse("");
        String code = Forms.field(form, "code").orElse("").replace(" ", "");
        java.util.OptionalLong step = secret.matches("[A-Z2-7]{32}")
                ? Totp.matchedStep(secret, code, clock.instant())
                : java.util.OptionalLong.empty();
        if (step.isEmpty()) {
            page(
                    req,
                    res,
                    Status.UNPROCESSABLE_CONTENT_422,
                    null,
                    "That code does not match: scan the code again and enter the 6 digits your app shows now.",
                    secret.matches("[A-Z2-7]{32}") ? secret : Totp.newSecret());
            return;
        }
        accounts.setTotpSecret(session.tenant().id(), session.account().id(), Optional.of(secret));
        // The code that turned the factor on cannot sign in as well.
        accounts.useTotpStep(session.tenant().id(), session.account().id(), step.getAsLong());
        audit.record(
                req,
                session.caller(),
                "account.totp-enroll",
                "operator-account",
                session.account().id(),
                null,
                null,
                null);
        renew(req, res, session);
        SignInService.redirect(res, "/console/account?done=totp");
    }

    private void remove(ServerRequest req, ServerResponse res) {
        ConsoleSession session = owner(req);
        Parameters form = Forms.read(req, session);
        String code = Forms.field(form, "code").orElse("").replace(" ", "");
        Optional<String> secret = accounts.secrets(
                        session.tenant().id(), session.account().email())
                .flatMap(AccountStore.Secrets::totpSecret);
        if (secret.isEmpty()
                || Totp.matchedStep(secret.get(), code, clock.instant()).stream()
                        .noneMatch(step -> accounts.useTotpStep(
                                session.tenant().id(), session.account().id(), step))) {
            page(
                    req,
                    res,
                    Status.UNPROCESSABLE_CONTENT_422,
                    null,
                    "That code is not the current one.",
                    Totp.newSecret());
            return;
        }
        accounts.setTotpSecret(session.tenant().id(), session.account().id(), Optional.empty());
        audit.record(
                req,
                session.caller(),
                "account.totp-remove",
                "operator-account",
                session.account().id(),
                null,
                null,
                null);
        SignInService.redirect(res, "/console/account?done=totp-removed");
    }

    private static ConsoleSession owner(ServerRequest req) {
        ConsoleSession session = Guard.page(req, Permission.VIEW_SITES);
        if (session.access().role() != Role.OWNER) {
            throw PageException.forbidden("The second factor is for owners' accounts.");
        }
        return session;
    }

    /** Ends every session of the account (other browsers too) and gives this browser a fresh one. */
    private void renew(ServerRequest req, ServerResponse res, ConsoleSession session) {
        sessions.endAll(session.tenant().id(), session.account().id());
        Sessions.Opened opened = sessions.open(
                session.tenant().id(),
                WebSession.Kind.OPERATOR,
                session.account().id(),
                SignInService.address(req),
                false);
        res.headers()
                .addCookie(SignInService.cookie(settings, settings.sessionCookie(), opened.cookieValue())
                        .build());
    }

    /** A QR image of the otpauth URI as a data: URL (the page's CSP allows data: images). */
    private static String qr(String text) {
        return "data:image/png;base64," + Base64.getEncoder().encodeToString(QrPng.render(text, 220));
    }
}
