package dev.gatehouse.hub.tenants;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.gatehouse.hub.store.WireNames;
import dev.gatehouse.hub.web.ApiException;
import dev.gatehouse.hub.web.Input;
import dev.gatehouse.hub.web.Json;
import dev.gatehouse.hub.web.PathIds;
import dev.gatehouse.hub.web.StoreResults;
import io.helidon.http.Status;
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
 * Tenants (platform admin), the caller's own tenant and its branding, and the tenant's API tokens.
 *
 * <pre>
 * POST   /api/v1/tenants            admin: create a tenant; answers its first API token, once
 * GET    /api/v1/tenants            admin: list tenants
 * GET    /api/v1/tenants/{id}       admin: one tenant
 * GET    /api/v1/tenant             the caller's tenant
 * PATCH  /api/v1/tenant             change its name and branding
 * GET    /api/v1/tenant/signing-keys  the tenant's public keys (JWKS) for QR and sync signatures
 * POST   /api/v1/tokens             owner: a new API token {"name", "role"?, "sites"?}, answered once
 * GET    /api/v1/tokens             owner: the tenant's tokens (hints, roles and sites only)
 * DELETE /api/v1/tokens/{id}        owner: revoke a token; it stops working at once
 * </pre>
 *
 * Only owners manage tokens, so no token can make one with more access than its own.
 */
public record TenantService(TenantStore store, AuditTrail audit, int maxBody) implements HttpService {
    /** Subdomains a tenant may not take: they name the hub's own hosts. */
    private static final Set<String> RESERVED =
            Set.of("www", "api", "admin", "app", "hub", "mqtt", "mail", "static", "status", "docs");

    private static final TypeReference<Map<String, Object>> MAP = new TypeReference<>() {};

    @Override
    public void routing(HttpRules rules) {
        rules.post("/tenants", this::createTenant)
                .get("/tenants", this::listTenants)
                .get("/tenants/{id}", this::getTenant)
                .get("/tenant", this::ownTenant)
                .patch("/tenant", this::updateOwnTenant)
                .get("/tenant/signing-keys", this::signingKeys)
                .post("/tokens", this::createToken)
                .get("/tokens", this::listTokens)
                .delete("/tokens/{id}", this::revokeToken);
    }

    private void createTenant(ServerRequest req, ServerResponse res) {
        Caller.admin(req);
        Input input = Input.of(Json.object(req, maxBody), "slug", "name", "primaryColor", "accentColor", "logoUrl");
        String slug = input.slug("slug");
        TenantStore.Branding branding = branding(input);
        input.done();
        if (RESERVED.contains(slug)) {
            throw ApiException.invalid("slug", "'" + slug + "' is reserved for the hub itself; choose another");
        }
        if (store.slugTaken(slug)) {
            throw ApiException.conflict("slug '" + slug + "' is taken by another tenant; choose another");
        }
        TenantStore.Created created = store.create(slug, branding);
        Json.created(res, Map.of("tenant", created.tenant(), "token", created.token()));
    }

    private static TenantStore.Branding branding(Input input) {
        return new TenantStore.Branding(
                input.text("name", 100),
                readable(input, "primaryColor", input.color("primaryColor")),
                readable(input, "accentColor", input.color("accentColor")),
                input.httpsUrl("logoUrl"));
    }

    /** The colour when pages stay readable with it; else the field's error (see {@link BrandColors}). */
    private static Optional<String> readable(Input input, String field, Optional<String> color) {
        color.flatMap(c -> field.equals("primaryColor") ? BrandColors.brandProblem(c) : BrandColors.accentProblem(c))
                .ifPresent(problem -> input.error(field, problem));
        return color;
    }

    private void listTenants(ServerRequest req, ServerResponse res) {
        Caller.admin(req);
        Json.ok(res, Map.of("items", store.list()));
    }

    private void getTenant(ServerRequest req, ServerResponse res) {
        Caller.admin(req);
        String id = PathIds.id(req, "id", "tenant");
        Json.ok(res, StoreResults.found(store.find(id), "tenant", id));
    }

    private void ownTenant(ServerRequest req, ServerResponse res) {
        String tenantId = Caller.operator(req).tenantId();
        Json.ok(res, StoreResults.found(store.find(tenantId), "tenant", tenantId));
    }

    /** PATCH semantics: fields left out keep their value, fields sent as null are cleared. */
    private void updateOwnTenant(ServerRequest req, ServerResponse res) {
        Caller.Operator caller = Caller.require(req, Permission.MANAGE_SETTINGS);
        String tenantId = caller.tenantId();
        ObjectNode body = Json.object(req, maxBody);
        Input input = Input.of(body, "name", "primaryColor", "accentColor", "logoUrl");
        TenantView current = StoreResults.found(store.find(tenantId), "tenant", tenantId);
        String name = input.has("name") ? input.text("name", 100) : current.name();
        Optional<String> primary = keep(
                input,
                "primaryColor",
                readable(input, "primaryColor", input.color("primaryColor")),
                current.primaryColor());
        Optional<String> accent = keep(
                input,
                "accentColor",
                readable(input, "accentColor", input.color("accentColor")),
                current.accentColor());
        Optional<String> logo = keep(input, "logoUrl", input.httpsUrl("logoUrl"), current.logoUrl());
        input.done();
        TenantView updated = store.updateBranding(tenantId, new TenantStore.Branding(name, primary, accent, logo));
        audit.record(req, caller, "tenant.update", "tenant", tenantId, null, current, updated);
        Json.ok(res, updated);
    }

    private static Optional<String> keep(Input input, String field, Optional<String> sent, String current) {
        if (!input.has(field)) {
            return Optional.ofNullable(current);
        }
        return input.isNull(field) ? Optional.empty() : sent;
    }

    private void signingKeys(ServerRequest req, ServerResponse res) {
        String tenantId = Caller.operator(req).tenantId();
        var keys = store.publishedKeys(tenantId);
        Json.ok(res, Map.of("keys", keys.stream().map(k -> k.jwk()).toList()));
    }

    /** Only owners manage tokens: the role that may do everything cannot hand out more than it has. */
    private static Caller.Operator tokenManager(ServerRequest req) {
        Caller.Operator caller = Caller.require(req, Permission.MANAGE_SETTINGS);
        if (caller.access().role() != Role.OWNER) {
            throw ApiException.forbidden("only an owner may manage API tokens; the role "
                    + WireNames.wire(caller.access().role()) + " may not");
        }
        return caller;
    }

    private void createToken(ServerRequest req, ServerResponse res) {
        Caller.Operator caller = tokenManager(req);
        Input input = Input.of(Json.object(req, maxBody), "name", "role", "sites");
        String name = input.text("name", 100);
        Role role = input.enumValue("role", Role.class).orElse(Role.OWNER);
        if (input.isNull("role")) {
            input.error("role", "must be one of " + WireNames.choices(Role.class) + "; leave it out for owner");
        }
        Set<String> sites = new TreeSet<>(input.ids("sites", 100));
        if (role == Role.OWNER && !sites.isEmpty()) {
            input.error("sites", "an owner has every site; leave sites out, or choose another role");
        }
        input.done();
        TenantStore.IssuedToken issued =
                StoreResults.value(store.createToken(caller.tenantId(), name, new Access(role, sites)));
        audit.record(req, caller, "token.create", "token", issued.view().id(), null, null, issued.view());
        Map<String, Object> body = new LinkedHashMap<>(Json.MAPPER.convertValue(issued.view(), MAP));
        body.put("token", issued.token());
        Json.created(res, body);
    }

    private void listTokens(ServerRequest req, ServerResponse res) {
        Json.ok(res, Map.of("items", store.tokens(tokenManager(req).tenantId())));
    }

    private void revokeToken(ServerRequest req, ServerResponse res) {
        Caller.Operator caller = tokenManager(req);
        String id = PathIds.id(req, "id", "token");
        TokenView before = StoreResults.found(store.token(caller.tenantId(), id), "token", id);
        StoreResults.value(store.revokeToken(caller.tenantId(), id));
        TokenView after = StoreResults.found(store.token(caller.tenantId(), id), "token", id);
        audit.record(req, caller, "token.revoke", "token", id, null, before, after);
        res.status(Status.NO_CONTENT_204).send();
    }

    static List<String> reserved() {
        return List.copyOf(RESERVED);
    }
}
