package dev.gatehouse.hub.tenants;

import dev.gatehouse.hub.store.WireNames;
import dev.gatehouse.hub.web.ApiException;
import io.helidon.webserver.http.ServerRequest;

/**
 * Who made a request: a platform admin, or an operator of exactly one tenant (an API token or an
 * account signed in to the console) with its role and sites.
 */
public sealed interface Caller permits Caller.Admin, Caller.Operator {
    /** The token or account that acts: recorded in member history and the audit log. */
    String actorId();

    /** A platform-admin token: creates tenants, owns no tenant data. */
    record Admin(String tokenId) implements Caller {
        @Override
        public String actorId() {
            return tokenId;
        }
    }

    /** A tenant's API token or signed-in operator: sees that tenant's rows and nothing else. */
    record Operator(String tenantId, String slug, Actor actor, Access access) implements Caller {
        @Override
        public String actorId() {
            return actor.id();
        }

        /** 403 unless the role may do this. */
        public Operator require(Permission permission) {
            if (!access.may(permission)) {
                throw ApiException.forbidden("the role " + WireNames.wire(access.role()) + " may not do this (it needs "
                        + WireNames.wire(permission) + "); ask an owner for a role that may");
            }
            return this;
        }

        /**
         * 403 unless the role may do this, and 404 for a site outside the caller's sites (exactly as
         * for a site that does not exist: a site manager of one site learns nothing of another).
         */
        public Operator require(Permission permission, String siteId) {
            require(permission);
            if (!access.covers(siteId)) {
                throw ApiException.notFound("site", siteId);
            }
            return this;
        }

        /**
         * 404 naming the resource (a door, a device, a visitor pass) when its site is outside the
         * caller's sites: exactly the answer for a resource that does not exist.
         */
        public Operator requireCovers(String siteId, String what, String id) {
            if (!access.covers(siteId)) {
                throw ApiException.notFound(what, id);
            }
            return this;
        }
    }

    /** Attaches the caller to this request (the bearer-token filter and the console's session filter). */
    static void attach(ServerRequest request, Caller caller) {
        request.context().register(AuthFilter.CONTEXT_KEY, caller);
    }

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

    /** The operator of this request, when its role may do this (403 otherwise). */
    static Operator require(ServerRequest request, Permission permission) {
        return operator(request).require(permission);
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
