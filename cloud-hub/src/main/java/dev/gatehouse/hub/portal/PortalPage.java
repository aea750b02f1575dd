package dev.gatehouse.hub.portal;

import dev.gatehouse.hub.console.Messages;
import dev.gatehouse.hub.tenants.TenantView;
import java.util.regex.Pattern;

/**
 * What the portal layout needs on every page: the words, the page title, the space's name and brand
 * colour (the phone's address bar and home-screen icon take it), and — once signed in — the member's
 * name and the CSRF token of their session for the sign-out form.
 *
 * @param tenant the space, or null on the sign-in page of the bare domain
 * @param member the signed-in member's name, or null before sign-in
 * @param csrf the session's CSRF token, or null before sign-in
 */
public record PortalPage(Messages t, String title, TenantView tenant, String member, String csrf) {
    /** The brand colour when the space has set none (the console's own). */
    static final String DEFAULT_THEME = "#1f4e79";

    private static final Pattern COLOR = Pattern.compile("#[0-9a-fA-F]{6}");

    /** The space's primary colour when it is a well-formed {@code #rrggbb}, else the default. */
    public String theme() {
        return theme(tenant);
    }

    /** The query that names the space to {@code /console/branding.css} and {@code /console/logo}. */
    public String brandQuery() {
        return tenant == null ? "" : "?tenant=" + tenant.slug();
    }

    public String spaceName() {
        return tenant == null ? t.get("app.name") : tenant.name();
    }

    static String theme(TenantView tenant) {
        return tenant != null
                        && tenant.primaryColor() != null
                        && COLOR.matcher(tenant.primaryColor()).matches()
                ? tenant.primaryColor()
                : DEFAULT_THEME;
    }
}
