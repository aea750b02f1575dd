package dev.gatehouse.hub.accounts;

import dev.gatehouse.hub.audit.Audit;
import dev.gatehouse.hub.sites.SiteStore;
import dev.gatehouse.hub.store.WireNames;
import dev.gatehouse.hub.tenants.Access;
import dev.gatehouse.hub.tenants.Caller;
import dev.gatehouse.hub.tenants.Permission;
import dev.gatehouse.hub.tenants.Role;
import dev.gatehouse.hub.tenants.TenantStore;
import dev.gatehouse.hub.web.Input;
import dev.gatehouse.hub.web.Json;
import dev.gatehouse.hub.web.PathIds;
import dev.gatehouse.hub.web.StoreResults;
import dev.gatehouse.hub.web.Times;
import io.helidon.webserver.http.HttpRules;
import io.helidon.webserver.http.HttpService;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

/**
 * Operator accounts over the API (owners only: {@link Permission#MANAGE_SETTINGS}).
 *
 * <pre>
 * POST  /api/v1/accounts               {"email", "name", "role"?, "sites"?, "password"?}
 * GET   /api/v1/accounts
 * GET   /api/v1/accounts/{accountId}   PATCH /api/v1/accounts/{accountId}  {"name"?, "role"?, "sites"?, "status"?}
 * </pre>
 *
 * {@code role} is one of owner, site-manager, front-desk, finance, technician, read-only (default
 * read-only); {@code sites} the site ids it applies to (none: every site; an owner has every site). An
 * account made with a {@code password} (at least 12 characters) is active at once; without one it is
 * invited: the hub e-mails it a link (valid 7 days, once) to choose its password. Changing role, sites or status ends the
 * account's sessions.
 */
public record AccountService(
        AccountStore accounts,
        Sessions sessions,
        Invitations invitations,
        TenantStore tenants,
        SiteStore sites,
        Audit audit,
        int maxBody)
        implements HttpService {

    @Override
    public void routing(HttpRules rules) {
        rules.post("/accounts", this::create)
                .get("/accounts", this::list)
                .get("/accounts/{accountId}", this::get)
                .patch("/accounts/{accountId}", this::update);
    }

    private void create(ServerRequest req, ServerResponse res) {
        Caller.Operator caller = Caller.require(req, Permission.MANAGE_SETTINGS);
        Input input = Input.of(Json.object(req, maxBody), "email", "name", "role", "sites", "password");
        String email = input.email("email");
        String name = input.text("name", 200);
        Role role = input.enumValue("role", Role.class).orElse(Role.READ_ONLY);
        Set<String> siteIds = siteIds(input, caller.tenantId(), role);
        Optional<String> password = input.optionalText("password", Passwords.MAX_LENGTH);
        password.flatMap(p -> Passwords.problem(p, email)).ifPresent(problem -> input.error("password", problem));
        input.done();
        Account created = StoreResults.value(accounts.create(
                caller.tenantId(), email, name, new Access(role, siteIds), password.map(Passwords::hash)));
        audit.record(req, caller, "account.create", "operator-account", created.id(), null, null, view(created));
        if (created.status() == Account.Status.INVITED) {
            invitations.invite(req, tenants.find(caller.tenantId()).orElseThrow(), created);
        }
        Json.created(res, view(created));
    }

    private void list(ServerRequest req, ServerResponse res) {
        Caller.Operator caller = Caller.require(req, Permission.MANAGE_SETTINGS);
        Json.ok(
                res,
                Map.of(
                        "items",
                        accounts.list(caller.tenantId()).stream()
                                .map(AccountService::view)
                                .toList()));
    }

    private void get(ServerRequest req, ServerResponse res) {
        Caller.Operator caller = Caller.require(req, Permission.MANAGE_SETTINGS);
        String id = PathIds.id(req, "accountId", "operator account");
        Json.ok(res, view(StoreResults.found(accounts.byId(caller.tenantId(), id), "operator account", id)));
    }

    private void update(ServerRequest req, ServerResponse res) {
        Caller.Operator caller = Caller.require(req, Permission.MANAGE_SETTINGS);
        String id = PathIds.id(req, "accountId", "operator account");
        Account current = StoreResults.found(accounts.byId(caller.tenantId(), id), "operator account", id);
        Input input = Input.of(Json.object(req, maxBody), "name", "role", "sites", "status");
        String name = input.optionalText("name", 200).orElse(current.name());
        Role role = input.enumValue("role", Role.class).orElse(current.access().role());
        Set<String> siteIds = input.has("sites")
                ? siteIds(input, caller.tenantId(), role)
                : (role == Role.OWNER ? Set.of() : current.access().siteIds());
        Account.Status status = input.enumValue("status", Account.Status.class).orElse(current.status());
        if (status == Account.Status.INVITED && current.status() != Account.Status.INVITED) {
            input.error("status", "an account that has signed in cannot go back to invited; use disabled");
        }
        input.done();
        Account updated =
                StoreResults.value(accounts.update(caller.tenantId(), id, name, new Access(role, siteIds), status));
        if (!updated.access().equals(current.access()) || updated.status() != current.status()) {
            sessions.endAll(caller.tenantId(), id);
        }
        audit.record(req, caller, "account.update", "operator-account", id, null, view(current), view(updated));
        Json.ok(res, view(updated));
    }

    private Set<String> siteIds(Input input, String tenantId, Role role) {
        if (!input.has("sites")) {
            return Set.of();
        }
        List<String> ids = input.ids("sites", 500);
        if (role == Role.OWNER && !ids.isEmpty()) {
            input.error("sites", "an owner has every site; leave sites out for an owner");
        }
        Set<String> known = new TreeSet<>();
        for (String siteId : ids) {
            if (sites.site(tenantId, siteId).isEmpty()) {
                input.error("sites", "there is no site " + siteId + " in this tenant");
            } else {
                known.add(siteId);
            }
        }
        return known;
    }

    /** An account as the API shows it: no password hash, no second-factor secret. */
    public static Map<String, Object> view(Account account) {
        Map<String, Object> view = new LinkedHashMap<>();
        view.put("id", account.id());
        view.put("email", account.email());
        view.put("name", account.name());
        view.put("role", WireNames.wire(account.access().role()));
        view.put("sites", List.copyOf(new TreeSet<>(account.access().siteIds())));
        view.put("status", WireNames.wire(account.status()));
        view.put("totp", account.totpEnabled());
        view.put("createdAt", Times.iso(account.createdAt()));
        view.put("updatedAt", Times.iso(account.updatedAt()));
        return view;
    }
}
