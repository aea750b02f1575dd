package dev.gatehouse.hub.portal;

import com.fasterxml.jackson.core.JsonProcessingException;
import dev.gatehouse.hub.tenants.TenantView;
import dev.gatehouse.hub.web.Json;
import io.helidon.http.HeaderNames;
import io.helidon.webserver.http.HttpRules;
import io.helidon.webserver.http.HttpService;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import java.awt.Color;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * What makes the portal installable on a phone's home screen.
 *
 * <pre>
 * GET /portal/manifest.webmanifest   name, start URL /portal, standalone, the space's colour, icons
 * GET /portal/icon-192.png           the icon (also the apple-touch-icon)
 * GET /portal/icon-512.png           the large icon
 * </pre>
 *
 * The space is the signed-in member's, else the subdomain's; the hub's own name and colour otherwise.
 */
record WebAppService(MemberSessions sessions) implements HttpService {
    @Override
    public void routing(HttpRules rules) {
        rules.get("/portal/manifest.webmanifest", this::manifest)
                .get("/portal/icon-192.png", (req, res) -> icon(req, res, 192))
                .get("/portal/icon-512.png", (req, res) -> icon(req, res, 512));
    }

    private Optional<TenantView> tenant(ServerRequest req) {
        return sessions.find(req)
                .map(MemberSession::tenant)
                .or(() -> sessions.host().subdomain(req).flatMap(sessions.tenants()::findBySlug));
    }

    private void manifest(ServerRequest req, ServerResponse res) {
        Optional<TenantView> tenant = tenant(req);
        String name = tenant.map(TenantView::name).orElse(Portal.WORDS.get("app.name"));
        Map<String, Object> manifest = new LinkedHashMap<>();
        manifest.put("name", Portal.WORDS.get("portal.app.name", name));
        manifest.put("short_name", name.length() > 12 ? name.substring(0, 12).strip() : name);
        manifest.put("start_url", "/portal");
        manifest.put("scope", "/portal");
        manifest.put("display", "standalone");
        manifest.put("background_color", "#ffffff");
        manifest.put("theme_color", PortalPage.theme(tenant.orElse(null)));
        manifest.put(
                "icons",
                List.of(
                        Map.of("src", "/portal/icon-192.png", "sizes", "192x192", "type", "image/png"),
                        Map.of("src", "/portal/icon-512.png", "sizes", "512x512", "type", "image/png")));
        res.header(HeaderNames.CONTENT_TYPE, "application/manifest+json");
        res.header(HeaderNames.CACHE_CONTROL, "no-cache");
        try {
            res.send(Json.MAPPER.writeValueAsBytes(manifest));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("the manifest is plain JSON", e);
        }
    }

    private void icon(ServerRequest req, ServerResponse res, int size) {
        Color brand = Color.decode(PortalPage.theme(tenant(req).orElse(null)));
        res.header(HeaderNames.CONTENT_TYPE, "image/png");
        res.header(HeaderNames.CACHE_CONTROL, "max-age=3600");
        res.send(AppIcon.png(brand, size));
    }
}
