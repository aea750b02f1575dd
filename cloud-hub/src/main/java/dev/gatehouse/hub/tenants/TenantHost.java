package dev.gatehouse.hub.tenants;

import io.helidon.http.HeaderNames;
import io.helidon.webserver.http.ServerRequest;
import java.util.Locale;
import java.util.Optional;

/**
 * Subdomain tenancy: with {@code hub.base-domain} set to {@code gatehouse.example}, a request to
 * {@code acme.gatehouse.example} is for tenant {@code acme}. API tokens and console sessions are only
 * honoured on their own tenant's subdomain.
 */
public record TenantHost(Optional<String> baseDomain) {
    public TenantHost {
        baseDomain = baseDomain.map(domain -> domain.toLowerCase(Locale.ROOT));
    }

    /** {@code acme} for a request to {@code acme.<base-domain>}; empty for the bare domain or no base domain. */
    public Optional<String> subdomain(ServerRequest req) {
        if (baseDomain.isEmpty()) {
            return Optional.empty();
        }
        String host = req.headers().first(HeaderNames.HOST).orElse("").toLowerCase(Locale.ROOT);
        int colon = host.lastIndexOf(':');
        if (colon > 0 && host.indexOf(']') < colon) {
            host = host.substring(0, colon);
        }
        if (host.endsWith(".")) {
            host = host.substring(0, host.length() - 1); // a fully qualified name is the same host
        }
        String suffix = "." + baseDomain.get();
        if (!host.endsWith(suffix)) {
            return Optional.empty();
        }
        String label = host.substring(0, host.length() - suffix.length());
        return label.isEmpty() || label.contains(".") ? Optional.empty() : Optional.of(label);
    }

    /**
     * The tenant a session or link belongs to, when this request may use it: always without subdomain
     * tenancy or on the bare domain, and on a subdomain only when it is that tenant's own. Empty also
     * when the tenant no longer exists.
     */
    public Optional<TenantView> ownTenant(ServerRequest req, TenantStore tenants, String tenantId) {
        Optional<String> label = subdomain(req);
        return tenants.find(tenantId)
                .filter(tenant -> label.isEmpty() || label.get().equals(tenant.slug()));
    }
}
