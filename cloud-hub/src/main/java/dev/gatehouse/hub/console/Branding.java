package dev.gatehouse.hub.console;

import dev.gatehouse.hub.tenants.TenantHost;
import dev.gatehouse.hub.tenants.TenantStore;
import dev.gatehouse.hub.tenants.TenantView;
import io.helidon.http.HeaderNames;
import io.helidon.http.Status;
import io.helidon.webserver.http.HttpRules;
import io.helidon.webserver.http.HttpService;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * A tenant's branding as the browser loads it, for the console and the member portal alike.
 *
 * <pre>
 * GET /console/branding.css   the tenant's colours as CSS custom properties (--brand, --accent)
 * GET /console/logo           the tenant's logo (a neutral door when it has none)
 * GET /favicon.ico            the same logo
 * </pre>
 *
 * The tenant is the signed-in operator's; else the one named by {@code ?tenant=<slug>} (the portal's
 * and sign-in pages link with it: branding is what a tenant shows the public, nothing more); else
 * the subdomain's. A logo is served with its own strict Content-Security-Policy and no sniffing, so
 * even an SVG opened on its own runs nothing.
 */
public record Branding(TenantStore tenants, TenantLogos logos, TenantHost host) implements HttpService {
    private static final Pattern COLOR = Pattern.compile("#[0-9a-fA-F]{6}");
    private static final Pattern SLUG = Pattern.compile("[a-z0-9][a-z0-9-]{0,62}");
    private static final String DEFAULT_LOGO = "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 28 28\">"
            + "<rect width=\"28\" height=\"28\" rx=\"6\" fill=\"#1f4e79\"/>"
            + "<rect x=\"9\" y=\"6\" width=\"10\" height=\"17\" rx=\"1\" fill=\"#fff\"/>"
            + "<circle cx=\"16.5\" cy=\"15\" r=\"1.3\" fill=\"#1f4e79\"/></svg>";

    @Override
    public void routing(HttpRules rules) {
        rules.get("/console/branding.css", this::css)
                .get("/console/logo", this::logo)
                .get("/favicon.ico", this::logo);
    }

    private Optional<TenantView> tenant(ServerRequest req) {
        Optional<ConsoleSession> session = ConsoleSession.of(req);
        if (session.isPresent()) {
            return Optional.of(session.get().tenant());
        }
        Optional<String> named = req.query().first("tenant").asOptional().filter(s -> SLUG.matcher(s)
                .matches());
        if (named.isPresent()) {
            return tenants.findBySlug(named.get());
        }
        return host.subdomain(req).flatMap(tenants::findBySlug);
    }

    /** The tenant's colours; only well-formed {@code #rrggbb} values are written. */
    private void css(ServerRequest req, ServerResponse res) {
        Optional<TenantView> tenant = tenant(req);
        StringBuilder css = new StringBuilder(":root {");
        tenant.map(TenantView::primaryColor)
                .filter(c -> COLOR.matcher(c).matches())
                .ifPresent(c -> css.append(" --brand: ").append(c).append(';'));
        tenant.map(TenantView::accentColor)
                .filter(c -> COLOR.matcher(c).matches())
                .ifPresent(c -> css.append(" --accent: ").append(c).append(';'));
        css.append(" }\n");
        res.header(HeaderNames.CONTENT_TYPE, "text/css; charset=utf-8");
        res.header(HeaderNames.CACHE_CONTROL, "no-cache");
        res.send(css.toString());
    }

    private void logo(ServerRequest req, ServerResponse res) {
        Optional<TenantLogos.Logo> logo = tenant(req).flatMap(t -> logos.logo(t.id()));
        res.header(HeaderNames.create("Content-Security-Policy"), FloorPlanPages.SVG_CSP);
        res.header(HeaderNames.create("X-Content-Type-Options"), "nosniff");
        res.header(HeaderNames.CACHE_CONTROL, "no-cache");
        if (logo.isEmpty()) {
            res.header(HeaderNames.CONTENT_TYPE, "image/svg+xml");
            res.send(DEFAULT_LOGO);
            return;
        }
        String etag = "\"" + logo.get().updatedAt() + "\"";
        res.header(HeaderNames.ETAG, etag);
        if (req.headers().first(HeaderNames.IF_NONE_MATCH).filter(etag::equals).isPresent()) {
            res.status(Status.NOT_MODIFIED_304).send();
            return;
        }
        res.header(HeaderNames.CONTENT_TYPE, logo.get().contentType());
        res.send(logo.get().bytes());
    }
}
