package dev.gatehouse.hub.console;

import dev.gatehouse.hub.accounts.Account;
import dev.gatehouse.hub.accounts.AccountService;
import dev.gatehouse.hub.accounts.AccountStore;
import dev.gatehouse.hub.accounts.Invitations;
import dev.gatehouse.hub.accounts.Sessions;
import dev.gatehouse.hub.sites.SiteStore;
import dev.gatehouse.hub.sites.Views;
import dev.gatehouse.hub.store.FieldError;
import dev.gatehouse.hub.store.StoreResult;
import dev.gatehouse.hub.store.WireNames;
import dev.gatehouse.hub.tenants.Access;
import dev.gatehouse.hub.tenants.BrandColors;
import dev.gatehouse.hub.tenants.Permission;
import dev.gatehouse.hub.tenants.Role;
import dev.gatehouse.hub.tenants.TenantStore;
import dev.gatehouse.hub.tenants.TenantView;
import dev.gatehouse.hub.tenants.TokenView;
import io.helidon.common.parameters.Parameters;
import io.helidon.http.Status;
import io.helidon.webserver.http.HttpRules;
import io.helidon.webserver.http.HttpService;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * The tenant's settings, for owners ({@link Permission#MANAGE_SETTINGS}); the same checks and audit
 * entries as the API's {@code /api/v1/tenant}, {@code /api/v1/accounts} and {@code /api/v1/tokens}.
 *
 * <pre>
 * GET  /console/settings                          branding, operator accounts, API tokens
 * POST /console/settings/branding                 name, primaryColor, accentColor, logo (SVG text or PNG data URL), removeLogo
 * POST /console/settings/accounts                 invite: email, name, role, sites (an e-mail with a one-time link)
 * POST /console/settings/accounts/{accountId}     role, sites, status; the account's sessions end when they change
 * POST /console/settings/tokens                   name, role, sites; the token is shown once, on the answer
 * POST /console/settings/tokens/{tokenId}/revoke  it stops working at once
 * </pre>
 *
 * Colours must be dark enough for white text on them (contrast 4.5:1 for the brand colour, 3:1 for
 * the accent that draws focus rings), so a tenant's branding cannot make its pages unreadable.
 */
public record SettingsPages(
        TenantStore tenants,
        TenantLogos logos,
        AccountStore accounts,
        Sessions sessions,
        Invitations invitations,
        SiteStore sites,
        Console.Parts parts)
        implements HttpService {
    private static final Pattern COLOR = Pattern.compile("#[0-9a-fA-F]{6}");
    private static final Pattern EMAIL = Pattern.compile("[^@\\s]{1,64}@[^@\\s]+\\.[^@\\s]+");
    private static final String PATH = "/console/settings";

    /** A refused form: which one, what to fix, and what was sent (to fill the form again). */
    public record FormError(String form, String message, Map<String, String> sent) {}

    @Override
    public void routing(HttpRules rules) {
        rules.get(PATH, this::show)
                .post(PATH + "/branding", this::branding)
                .post(PATH + "/accounts", this::invite)
                .post(PATH + "/accounts/{accountId}", this::updateAccount)
                .post(PATH + "/tokens", this::createToken)
                .post(PATH + "/tokens/{tokenId}/revoke", this::revokeToken);
    }

    private static ConsoleSession owner(ServerRequest req) {
        return Guard.page(req, Permission.MANAGE_SETTINGS);
    }

    private void show(ServerRequest req, ServerResponse res) {
        ConsoleSession session = owner(req);
        String notice = req.query()
                .first("done")
                .asOptional()
                .filter(done -> done.matches("branding|invited|account|revoked"))
                .map(done -> Guard.messages().get("settings.done." + done))
                .orElse(null);
        render(res, session, Status.OK_200, notice, null, null);
    }

    private void render(
            ServerResponse res,
            ConsoleSession session,
            Status status,
            String notice,
            FormError error,
            TokenIssued issued) {
        String tenantId = session.tenant().id();
        TenantView tenant = tenants.find(tenantId).orElse(session.tenant());
        List<Views.SiteView> siteList = sites.sites(tenantId, Set.of());
        Map<String, String> siteNames = siteList.stream()
                .collect(Collectors.toMap(Views.SiteView::id, Views.SiteView::name, (a, b) -> a, LinkedHashMap::new));
        Map<String, Object> params = new HashMap<>();
        params.put("page", Guard.pageFor(session, "settings.title", PATH));
        params.put("tenant", tenant);
        params.put(
                "logo", logos.version(tenantId).map(v -> "/console/logo?v=" + v).orElse(null));
        params.put("accounts", accounts.list(tenantId));
        params.put("tokens", tenants.tokens(tenantId));
        params.put("sites", siteNames);
        params.put("roles", List.of(Role.values()));
        params.put("me", session.account().id());
        params.put("notice", notice);
        params.put("error", error);
        params.put("issued", issued);
        params.put("maxSvg", TenantLogos.MAX_SVG_CHARS);
        Templates.render(res, status, "settings.jte", params);
    }

    /** A token just made: its listing and the secret, shown on this one answer only. */
    public record TokenIssued(TokenView view, String token) {}

    private void refuse(ServerResponse res, ConsoleSession session, String form, String message, Parameters sent) {
        Map<String, String> values = new HashMap<>();
        for (String name : sent.names()) {
            if (!name.equals(Forms.CSRF_FIELD) && !name.equals("logo")) {
                values.put(name, String.join(",", sent.all(name)));
            }
        }
        render(res, session, Status.UNPROCESSABLE_CONTENT_422, null, new FormError(form, message, values), null);
    }

    private void branding(ServerRequest req, ServerResponse res) {
        ConsoleSession session = owner(req);
        Parameters form = Forms.read(req, session);
        String tenantId = session.tenant().id();
        TenantView before = tenants.find(tenantId).orElseThrow();
        String name = Forms.field(form, "name").orElse("");
        if (name.isEmpty() || name.length() > 100) {
            refuse(res, session, "branding", "The name must have 1 to 100 characters.", form);
            return;
        }
        Optional<String> primary = Forms.field(form, "primaryColor");
        Optional<String> accent = Forms.field(form, "accentColor");
        Optional<String> problem =
                colorProblem(primary, "brand colour", true).or(() -> colorProblem(accent, "accent colour", false));
        if (problem.isPresent()) {
            refuse(res, session, "branding", problem.get(), form);
            return;
        }
        Optional<String> submittedLogo = Forms.field(form, "logo");
        TenantLogos.Accepted logo = null;
        if (submittedLogo.isPresent()) {
            switch (TenantLogos.check(submittedLogo.get())) {
                case TenantLogos.Accepted accepted -> logo = accepted;
                case TenantLogos.Refused refused -> {
                    refuse(res, session, "branding", "The logo was not taken: " + refused.reason() + ".", form);
                    return;
                }
            }
        }
        TenantView after = tenants.updateBranding(
                tenantId,
                new TenantStore.Branding(
                        name,
                        primary.map(c -> c.toLowerCase(java.util.Locale.ROOT)),
                        accent.map(c -> c.toLowerCase(java.util.Locale.ROOT)),
                        Optional.ofNullable(before.logoUrl())));
        parts.audit().record(req, session.caller(), "tenant.update", "tenant", tenantId, null, before, after);
        Object logoBefore = logos.version(tenantId).isPresent() ? Map.of("logo", "set") : null;
        Object logoAfter = null;
        if (logo != null) {
            logos.save(tenantId, logo);
            logoAfter =
                    Map.of("logo", logo.contentType(), "characters", logo.body().length());
        } else if (form.first("removeLogo").asOptional().isEmpty() || !logos.remove(tenantId)) {
            logoBefore = null; // the logo stays as it was: nothing to record
        }
        if (logoBefore != null || logoAfter != null) {
            parts.audit().record(req, session.caller(), "tenant.logo", "tenant", tenantId, null, logoBefore, logoAfter);
        }
        SignInService.redirect(res, PATH + "?done=branding");
    }

    /** Why a colour may not be used, or empty when it may (absent: the default). */
    static Optional<String> colorProblem(Optional<String> color, String what, boolean brand) {
        if (color.isEmpty()) {
            return Optional.empty();
        }
        if (!COLOR.matcher(color.get()).matches()) {
            return Optional.of("The " + what + " must be written #rrggbb, such as #1f4e79.");
        }
        return (brand ? BrandColors.brandProblem(color.get()) : BrandColors.accentProblem(color.get()))
                .map(problem -> Character.toUpperCase(problem.charAt(0)) + problem.substring(1) + ".");
    }

    /** The role and sites the form chose; empty once the page has said what to fix. */
    private Optional<Access> chosen(ServerResponse res, ConsoleSession session, String formName, Parameters form) {
        Optional<Role> role = Forms.field(form, "role").flatMap(text -> WireNames.parse(Role.class, text));
        Set<String> siteIds = new TreeSet<>(form.all("sites", List::of));
        siteIds.removeIf(String::isBlank);
        String problem = null;
        if (role.isEmpty()) {
            problem = "Choose a role: " + WireNames.choices(Role.class) + ".";
        } else if (role.get() == Role.OWNER && !siteIds.isEmpty()) {
            problem = "An owner has every site: choose no sites for an owner, or another role.";
        } else {
            for (String siteId : siteIds) {
                if (sites.site(session.tenant().id(), siteId).isEmpty()) {
                    problem = "There is no site " + siteId + " here: reload the page and choose again.";
                    break;
                }
            }
        }
        if (problem != null) {
            refuse(res, session, formName, problem, form);
            return Optional.empty();
        }
        return Optional.of(new Access(role.get(), siteIds));
    }

    private void invite(ServerRequest req, ServerResponse res) {
        ConsoleSession session = owner(req);
        Parameters form = Forms.read(req, session);
        String tenantId = session.tenant().id();
        String email = Forms.field(form, "email").orElse("");
        if (!EMAIL.matcher(email).matches() || email.length() > 254) {
            refuse(
                    res,
                    session,
                    "invite",
                    "Enter the e-mail address of the person to invite, such as ana@example.com.",
                    form);
            return;
        }
        String name = Forms.field(form, "name").orElse("");
        if (name.length() > 200) {
            refuse(res, session, "invite", "The name may have at most 200 characters.", form);
            return;
        }
        Optional<Access> chosen = chosen(res, session, "invite", form);
        if (chosen.isEmpty()) {
            return;
        }
        Access access = chosen.get();
        StoreResult<Account> created = accounts.create(tenantId, email, name, access, Optional.empty());
        switch (created) {
            case StoreResult.Found<Account> found -> {
                parts.audit()
                        .record(
                                req,
                                session.caller(),
                                "account.create",
                                "operator-account",
                                found.value().id(),
                                null,
                                null,
                                AccountService.view(found.value()));
                invitations.invite(req, tenants.find(tenantId).orElseThrow(), found.value());
                SignInService.redirect(res, PATH + "?done=invited");
            }
            case StoreResult.Conflict<Account> conflict ->
                refuse(res, session, "invite", "Not invited: " + conflict.reason() + ".", form);
            case StoreResult.Invalid<Account> invalid -> refuse(res, session, "invite", messages(invalid), form);
            case StoreResult.NotFound<Account> missing -> throw PageException.notFound("no " + missing.what());
        }
    }

    private static String messages(StoreResult.Invalid<?> invalid) {
        return invalid.errors().stream().map(FieldError::message).collect(Collectors.joining("; ")) + ".";
    }

    private void updateAccount(ServerRequest req, ServerResponse res) {
        ConsoleSession session = owner(req);
        Parameters form = Forms.read(req, session);
        String tenantId = session.tenant().id();
        String id = req.path().pathParameters().get("accountId");
        Account current = accounts.byId(tenantId, id)
                .orElseThrow(() -> PageException.notFound("There is no operator account " + id + "."));
        Optional<Access> chosen = chosen(res, session, "account-" + id, form);
        if (chosen.isEmpty()) {
            return;
        }
        Access access = chosen.get();
        Optional<Account.Status> status =
                Forms.field(form, "status").flatMap(text -> WireNames.parse(Account.Status.class, text));
        if (status.isEmpty()
                || (status.get() == Account.Status.INVITED && current.status() != Account.Status.INVITED)) {
            refuse(
                    res,
                    session,
                    "account-" + id,
                    "Choose a status: active or disabled (an account that has signed in cannot go back to invited).",
                    form);
            return;
        }
        StoreResult<Account> updated = accounts.update(tenantId, id, current.name(), access, status.get());
        switch (updated) {
            case StoreResult.Found<Account> found -> {
                boolean ended = !found.value().access().equals(current.access())
                        || found.value().status() != current.status();
                if (ended) {
                    sessions.endAll(tenantId, id);
                }
                parts.audit()
                        .record(
                                req,
                                session.caller(),
                                "account.update",
                                "operator-account",
                                id,
                                null,
                                AccountService.view(current),
                                AccountService.view(found.value()));
                if (ended && id.equals(session.account().id())) {
                    // Owners who gave away their own ownership sign in again with their new role.
                    SignInService.redirect(res, "/signin");
                    return;
                }
                SignInService.redirect(res, PATH + "?done=account");
            }
            case StoreResult.Invalid<Account> invalid -> refuse(res, session, "account-" + id, messages(invalid), form);
            case StoreResult.Conflict<Account> conflict ->
                refuse(res, session, "account-" + id, conflict.reason(), form);
            case StoreResult.NotFound<Account> missing ->
                throw PageException.notFound("There is no operator account " + id + ".");
        }
    }

    private void createToken(ServerRequest req, ServerResponse res) {
        ConsoleSession session = owner(req);
        Parameters form = Forms.read(req, session);
        String tenantId = session.tenant().id();
        String name = Forms.field(form, "name").orElse("");
        if (name.isEmpty() || name.length() > 100) {
            refuse(
                    res,
                    session,
                    "token",
                    "Name the token (1 to 100 characters), such as “Door screen in the lobby”.",
                    form);
            return;
        }
        Optional<Access> chosen = chosen(res, session, "token", form);
        if (chosen.isEmpty()) {
            return;
        }
        Access access = chosen.get();
        TenantStore.IssuedToken issued = MembersService.value(tenants.createToken(tenantId, name, access));
        parts.audit()
                .record(
                        req,
                        session.caller(),
                        "token.create",
                        "token",
                        issued.view().id(),
                        null,
                        null,
                        issued.view());
        render(res, session, Status.CREATED_201, null, null, new TokenIssued(issued.view(), issued.token()));
    }

    private void revokeToken(ServerRequest req, ServerResponse res) {
        ConsoleSession session = owner(req);
        Forms.read(req, session);
        String tenantId = session.tenant().id();
        String id = req.path().pathParameters().get("tokenId");
        TokenView before = tenants.token(tenantId, id)
                .orElseThrow(() -> PageException.notFound("There is no API token " + id + "."));
        if (before.revokedAt() == null) {
            MembersService.value(tenants.revokeToken(tenantId, id));
            parts.audit()
                    .record(
                            req,
                            session.caller(),
                            "token.revoke",
                            "token",
                            id,
                            null,
                            before,
                            tenants.token(tenantId, id).orElse(null));
        }
        SignInService.redirect(res, PATH + "?done=revoked");
    }
}
