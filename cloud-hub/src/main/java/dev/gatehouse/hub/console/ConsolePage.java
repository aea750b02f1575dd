package dev.gatehouse.hub.console;

import dev.gatehouse.hub.tenants.Permission;
import java.util.List;

/**
 * What the console layout needs on every page: the words, who is signed in (for the header and the
 * sign-out form's CSRF token), which menu entry is current, and the entries this role may open.
 */
public record ConsolePage(Messages t, ConsoleSession session, String title, String current) {

    /** One menu entry: its key in the message bundle, its path, the permission that shows it. */
    public record NavItem(String key, String path, Permission needs) {}

    private static final List<NavItem> NAV = List.of(
            new NavItem("nav.overview", "/console", Permission.VIEW_SITES),
            new NavItem("nav.members", "/console/members", Permission.VIEW_MEMBERS),
            new NavItem("nav.visitor-passes", "/console/visitor-passes", Permission.VIEW_MEMBERS),
            new NavItem("nav.parcels", "/console/parcels", Permission.VIEW_MEMBERS),
            new NavItem("nav.visitor-log", "/console/visitor-log", Permission.VIEW_MEMBERS),
            new NavItem("nav.announcements", "/console/announcements", Permission.VIEW_MEMBERS),
            new NavItem("nav.visitor-agreements", "/console/visitor-agreements", Permission.MANAGE_CREDENTIALS),
            new NavItem("nav.kiosks", "/console/kiosks", Permission.MANAGE_DEVICES),
            new NavItem("nav.billing", "/console/billing", Permission.FINANCE),
            new NavItem("nav.analytics", "/console/analytics", Permission.VIEW_ANALYTICS),
            new NavItem("nav.doors", "/console/doors", Permission.VIEW_SITES),
            new NavItem("nav.bookings", "/console/bookings", Permission.VIEW_SITES),
            new NavItem("nav.fleet", "/console/fleet", Permission.VIEW_SITES),
            new NavItem("nav.alerts", "/console/alerts", Permission.VIEW_SITES),
            new NavItem("nav.access-log", "/console/access-log", Permission.VIEW_ACCESS_LOG),
            new NavItem("nav.audit", "/console/audit", Permission.VIEW_AUDIT),
            new NavItem("nav.webhooks", "/console/webhooks", Permission.MANAGE_SETTINGS),
            new NavItem("nav.connectors", "/console/connectors", Permission.MANAGE_SETTINGS),
            new NavItem("nav.settings", "/console/settings", Permission.MANAGE_SETTINGS),
            new NavItem("nav.account", "/console/account", Permission.VIEW_SITES));

    /** The menu entries this operator's role may open. */
    public List<NavItem> nav() {
        return NAV.stream().filter(item -> session.access().may(item.needs())).toList();
    }

    public String csrf() {
        return session.csrfToken();
    }

    public String tenantName() {
        return session.tenant().name();
    }

    public String operator() {
        return session.account().name().isBlank()
                ? session.account().email()
                : session.account().name();
    }

    public String roleLabel() {
        return t.get("role." + session.access().role().name());
    }

    public boolean isCurrent(NavItem item) {
        return item.path().equals(current);
    }
}
