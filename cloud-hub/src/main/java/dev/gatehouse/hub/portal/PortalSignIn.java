package dev.gatehouse.hub.portal;

import dev.gatehouse.hub.accounts.Invitations;
import dev.gatehouse.hub.accounts.Mail;
import dev.gatehouse.hub.accounts.Mailer;
import dev.gatehouse.hub.accounts.OneTimeLinks;
import dev.gatehouse.hub.console.ConsoleSettings;
import dev.gatehouse.hub.console.Forms;
import dev.gatehouse.hub.console.Messages;
import dev.gatehouse.hub.console.SignInService;
import dev.gatehouse.hub.console.Templates;
import dev.gatehouse.hub.members.MemberStore.MemberView;
import dev.gatehouse.hub.store.Database;
import dev.gatehouse.hub.store.Sql;
import dev.gatehouse.hub.tenants.TenantView;
import io.helidon.common.parameters.Parameters;
import io.helidon.http.Status;
import io.helidon.webserver.http.HttpRules;
import io.helidon.webserver.http.HttpService;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Members sign in with a link sent by e-mail; there is no member password.
 *
 * <pre>
 * GET  /portal/signin        the form: workspace (unless the subdomain names it) and e-mail
 * POST /portal/signin        "if you are a member, we sent you a link", whoever asks; mails an active
 *                            member a MEMBER_SIGN_IN link (15 minutes, once); at most 5 per e-mail and
 *                            20 per client address in 15 minutes
 * GET  /portal/link/{token}  a Continue button: mail scanners fetch links, and a GET must not use it up
 * POST /portal/link/{token}  uses the link, opens a member session (own cookie), to /portal
 * POST /portal/signout       ends the session
 * </pre>
 *
 * The answer to a link request is the same for members, non-members, inactive members and unknown
 * workspaces, and the mail leaves on its own thread, so neither the words nor the time it takes tell
 * who is a member.
 */
record PortalSignIn(
        Database database,
        MemberSessions sessions,
        OneTimeLinks links,
        Invitations invitations,
        LinkThrottle throttle,
        Mailer mailer,
        ConsoleSettings settings)
        implements HttpService {
    private static final Logger LOG = Logger.getLogger(PortalSignIn.class.getName());

    @Override
    public void routing(HttpRules rules) {
        rules.get("/portal/signin", (req, res) -> form(req, res, Status.OK_200, null, null, "", ""))
                .post("/portal/signin", this::request)
                .get("/portal/link/{token}", this::showLink)
                .post("/portal/link/{token}", this::useLink)
                .post("/portal/signout", this::signOut);
    }

    private Messages t() {
        return Portal.WORDS;
    }

    private Optional<TenantView> subdomainTenant(ServerRequest req) {
        return sessions.host().subdomain(req).flatMap(sessions.tenants()::findBySlug);
    }

    private void form(
            ServerRequest req,
            ServerResponse res,
            Status status,
            String error,
            String notice,
            String workspace,
            String email) {
        if (sessions.find(req).isPresent() && error == null && notice == null) {
            SignInService.redirect(res, "/portal");
            return;
        }
        Optional<TenantView> tenant = subdomainTenant(req);
        Map<String, Object> params = new LinkedHashMap<>();
        params.put("page", new PortalPage(t(), t().get("portal.signin.title"), tenant.orElse(null), null, null));
        params.put(
                "askWorkspace",
                tenant.isEmpty() && sessions.host().subdomain(req).isEmpty());
        params.put("workspace", workspace);
        params.put("email", email);
        params.put("csrf", SignInService.preSessionToken(req, res, settings));
        params.put("error", error);
        params.put("notice", notice);
        Templates.render(res, status, "portal-signin.jte", params);
    }

    private void request(ServerRequest req, ServerResponse res) {
        Parameters form = Forms.readBeforeSignIn(req, settings);
        Optional<String> subdomain = sessions.host().subdomain(req);
        String workspace = subdomain.orElseGet(
                () -> Forms.field(form, "workspace").orElse("").toLowerCase(Locale.ROOT));
        String email = Forms.field(form, "email").orElse("");
        if (workspace.isEmpty() || email.isEmpty() || !email.contains("@")) {
            form(
                    req,
                    res,
                    Status.create(422, "Unprocessable Content"),
                    t().get("portal.signin.incomplete"),
                    null,
                    workspace,
                    email);
            return;
        }
        if (!throttle.allow(workspace, email, SignInService.address(req))) {
            form(req, res, Status.TOO_MANY_REQUESTS_429, t().get("portal.signin.throttled"), null, workspace, email);
            return;
        }
        String base = invitations.base(req);
        sessions.tenants()
                .findBySlug(workspace)
                .flatMap(tenant -> activeMember(tenant, email).map(member -> new Recipient(tenant, member)))
                .ifPresent(recipient -> send(recipient, base));
        form(req, res, Status.OK_200, null, t().get("portal.signin.sent"), subdomain.isEmpty() ? workspace : "", "");
    }

    private record Recipient(TenantView tenant, MemberView member) {}

    private Optional<MemberView> activeMember(TenantView tenant, String email) {
        return database.read(c -> Sql.one(
                        c,
                        "SELECT id FROM members WHERE tenant_id = ? AND LOWER(email) = LOWER(?)",
                        Sql.STRING,
                        tenant.id(),
                        email))
                .flatMap(id -> sessions.members().find(tenant.id(), id))
                .filter(member -> "active".equals(member.status()));
    }

    private void send(Recipient to, String base) {
        String token = links.issue(
                to.tenant().id(),
                OneTimeLinks.Purpose.MEMBER_SIGN_IN,
                to.member().id());
        String link = base + "/portal/link/" + token;
        Mail mail = new Mail(
                to.member().email(),
                t().get("portal.mail.subject", to.tenant().name()),
                t().get("portal.mail.text", to.member().fullName(), to.tenant().name(), link));
        Thread.startVirtualThread(() -> {
            try {
                mailer.send(mail);
            } catch (RuntimeException e) {
                LOG.log(
                        Level.WARNING,
                        "the portal sign-in link for member " + to.member().id() + " was not sent: " + e.getMessage());
            }
        });
    }

    private void showLink(ServerRequest req, ServerResponse res) {
        String token = req.path().pathParameters().get("token");
        Optional<OneTimeLinks.Link> link =
                links.peek(token, OneTimeLinks.Purpose.MEMBER_SIGN_IN).filter(l -> forThisHost(req, l));
        Optional<TenantView> tenant =
                link.flatMap(l -> sessions.tenants().find(l.tenantId())).or(() -> subdomainTenant(req));
        linkPage(req, res, link.isPresent() ? Status.OK_200 : Status.NOT_FOUND_404, token, tenant, link.isEmpty());
    }

    private void linkPage(
            ServerRequest req,
            ServerResponse res,
            Status status,
            String token,
            Optional<TenantView> tenant,
            boolean invalid) {
        Map<String, Object> params = new LinkedHashMap<>();
        params.put("page", new PortalPage(t(), t().get("portal.link.title"), tenant.orElse(null), null, null));
        params.put("token", invalid ? "" : token);
        params.put("csrf", SignInService.preSessionToken(req, res, settings));
        params.put("error", invalid ? t().get("portal.link.invalid") : null);
        Templates.render(res, status, "portal-link.jte", params);
    }

    private void useLink(ServerRequest req, ServerResponse res) {
        Forms.readBeforeSignIn(req, settings);
        String token = req.path().pathParameters().get("token");
        // A link for another tenant's subdomain is refused before it is used, so it still works where it belongs.
        Optional<OneTimeLinks.Link> link = links.peek(token, OneTimeLinks.Purpose.MEMBER_SIGN_IN)
                .filter(l -> forThisHost(req, l))
                .flatMap(l -> links.consume(token, OneTimeLinks.Purpose.MEMBER_SIGN_IN));
        Optional<MemberView> member = link.flatMap(l -> sessions.members().find(l.tenantId(), l.principalId()))
                .filter(m -> "active".equals(m.status()));
        if (member.isEmpty()) {
            linkPage(req, res, Status.NOT_FOUND_404, token, subdomainTenant(req), true);
            return;
        }
        sessions.open(res, link.get().tenantId(), member.get().id(), SignInService.address(req));
        SignInService.redirect(res, "/portal");
    }

    private boolean forThisHost(ServerRequest req, OneTimeLinks.Link link) {
        return sessions.host()
                .ownTenant(req, sessions.tenants(), link.tenantId())
                .isPresent();
    }

    private void signOut(ServerRequest req, ServerResponse res) {
        Optional<MemberSession> session = sessions.find(req);
        if (session.isPresent()) {
            Forms.read(req, session.get().session().csrfToken());
            sessions.end(res, session.get());
        }
        SignInService.redirect(res, "/portal/signin");
    }
}
