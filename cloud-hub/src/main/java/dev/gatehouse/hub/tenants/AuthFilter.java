package dev.gatehouse.hub.tenants;

import dev.gatehouse.hub.store.Database;
import dev.gatehouse.hub.store.Sql;
import dev.gatehouse.hub.web.ApiException;
import dev.gatehouse.hub.web.Problems;
import io.helidon.http.HeaderNames;
import io.helidon.webserver.http.Filter;
import io.helidon.webserver.http.FilterChain;
import io.helidon.webserver.http.RoutingRequest;
import io.helidon.webserver.http.RoutingResponse;
import io.helidon.webserver.http.ServerRequest;
import java.util.Optional;

/**
 * Attaches the {@link Caller} to every {@code /api/} request from its bearer token, and, when
 * {@code hub.base-domain} is set, checks that a tenant token is used on its own subdomain.
 */
public final class AuthFilter implements Filter {
    static final String CONTEXT_KEY = "gatehouse.caller";

    /** The one API path that takes no token: a device enrolling with its one-time code. */
    public static final String ENROLL_PATH = "/api/v1/enroll";

    private final Database database;
    private final TenantHost host;

    public AuthFilter(Database database, Optional<String> baseDomain) {
        this.database = database;
        this.host = new TenantHost(baseDomain);
    }

    @Override
    public void filter(FilterChain chain, RoutingRequest req, RoutingResponse res) {
        // A console session may have attached the caller already (cookie, no Authorization header).
        // Enrollment carries a one-time code instead of a token (devices.EnrollmentService).
        if (!req.path().path().startsWith("/api/")
                || req.path().path().equals(ENROLL_PATH)
                || req.context().get(CONTEXT_KEY, Caller.class).isPresent()) {
            chain.proceed();
            return;
        }
        try {
            Caller.attach(req, authenticate(req));
        } catch (ApiException e) {
            Problems.send(req, res, e);
            return;
        }
        chain.proceed();
    }

    private Caller authenticate(ServerRequest req) {
        String header = req.headers()
                .first(HeaderNames.AUTHORIZATION)
                .orElseThrow(() -> ApiException.unauthorized(
                        "send an API token: Authorization: Bearer ght_…; tenants get theirs from"
                                + " POST /api/v1/tenants or POST /api/v1/tokens"));
        if (!header.regionMatches(true, 0, "Bearer ", 0, 7)) {
            throw ApiException.unauthorized("the Authorization header must be 'Bearer <token>'");
        }
        String token = header.substring(7).strip();
        if (!Tokens.wellFormed(token)) {
            throw ApiException.unauthorized("the bearer token is not a Gatehouse API token (ght_ and 43 characters)");
        }
        Caller caller = lookup(Tokens.hash(token))
                .orElseThrow(() -> ApiException.unauthorized("the API token is unknown or has been revoked"));
        Optional<String> subdomain = host.subdomain(req);
        if (subdomain.isPresent()
                && caller instanceof Caller.Operator operator
                && !operator.slug().equals(subdomain.get())) {
            // Same answer as for a tenant that does not exist: the token must not learn which do.
            throw ApiException.notFound("tenant", subdomain.get());
        }
        return caller;
    }

    private Optional<Caller> lookup(String tokenHash) {
        return database.read(c -> Sql.one(
                c,
                "SELECT t.id, t.tenant_id, n.slug, t.name, t.role, t.site_ids FROM api_tokens t"
                        + " LEFT JOIN tenants n ON n.id = t.tenant_id WHERE t.token_hash = ? AND t.revoked_at IS NULL",
                row -> row.getString(2) == null
                        ? new Caller.Admin(row.getString(1))
                        : new Caller.Operator(
                                row.getString(2),
                                row.getString(3),
                                new Actor(Actor.Kind.TOKEN, row.getString(1), row.getString(4)),
                                Access.stored(row.getString(5), row.getString(6))),
                tokenHash));
    }
}
