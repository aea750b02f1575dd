package dev.gatehouse.hub.console;

import dev.gatehouse.hub.accounts.Account;
import dev.gatehouse.hub.accounts.WebSession;
import dev.gatehouse.hub.tenants.Access;
import dev.gatehouse.hub.tenants.Actor;
import dev.gatehouse.hub.tenants.Caller;
import dev.gatehouse.hub.tenants.TenantView;
import io.helidon.webserver.http.ServerRequest;
import java.util.Optional;

/** A signed-in operator on a console request: the session, its tenant and its account. */
public record ConsoleSession(WebSession session, TenantView tenant, Account account) {
    static final String CONTEXT_KEY = "gatehouse.console.session";

    public Access access() {
        return account.access();
    }

    public String csrfToken() {
        return session.csrfToken();
    }

    /** The same operator as the API sees it: roles, sites and audit entries are the same for pages and API. */
    public Caller.Operator caller() {
        return new Caller.Operator(
                tenant.id(), tenant.slug(), new Actor(Actor.Kind.OPERATOR, account.id(), account.email()), access());
    }

    static Optional<ConsoleSession> of(ServerRequest req) {
        return req.context().get(CONTEXT_KEY, ConsoleSession.class);
    }
}
