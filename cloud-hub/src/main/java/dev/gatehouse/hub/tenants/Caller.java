package dev.gatehouse.hub.tenants;

import dev.gatehouse.hub.web.ApiException;
import io.helidon.webserver.http.ServerRequest;

/** Who made a request: a platform admin, or an operator of exactly one tenant. */
public sealed interface Caller permits Caller.Admin, Caller.Operator {
    String tokenId();

    /** A platform-admin token: creates tenants, owns no tenant data. */
    record Admin(String tokenId) implements Caller {}

    /** A tenant's API token: sees that tenant's rows and nothing else. */
    record Operator(String tenantId, String slug, String tokenId) implements Caller {}

    /** The caller the auth filter attached to this request. */
    static Caller of(ServerRequest request) {
        return request.context()
                .get(AuthFilter.CONTEXT_KEY, Caller.class)
                .orElseThrow(() -> ApiException.unauthorized("send an API token: Authorization: Bearer <token>"));
    }

    /** The tenant of this request; a platform-admin token gets 403 with what to use instead. */
    static Operator operator(ServerRequest request) {
        return switch (of(request)) {
            case Operator operator -> operator;
            case Admin admin ->
                throw ApiException.forbidden(
                        "a platform-admin token has no tenant data; use one of the tenant's API tokens"
                                + " (POST /api/v1/tenants returns the first one)");
        };
    }

    /** Requires a platform-admin token. */
    static Admin admin(ServerRequest request) {
        return switch (of(request)) {
            case Admin admin -> admin;
            case Operator operator -> throw ApiException.forbidden("only a platform-admin token may do this");
        };
    }

    /** The tenant id of this request, for repositories. */
    static String tenantId(ServerRequest request) {
        return operator(request).tenantId();
    }
}
