package dev.gatehouse.hub.console;

import dev.gatehouse.hub.tenants.Permission;
import io.helidon.webserver.http.ServerRequest;
import java.util.Locale;

/**
 * The first line of every console handler: the signed-in operator, when its role may do this. No
 * session sends the browser to sign in and back; a role that may not gets a 403 page that says so.
 * Pages and the API check the same {@link Permission}s.
 */
public final class Guard {
    private static final Messages ENGLISH = Messages.forLocale(Locale.ENGLISH);

    private Guard() {}

    public static ConsoleSession page(ServerRequest req, Permission permission) {
        ConsoleSession session = ConsoleSession.of(req)
                .orElseThrow(() -> PageException.signIn(req.path().path()));
        if (!session.access().may(permission)) {
            throw PageException.forbidden("Your role ("
                    + ENGLISH.get("role." + session.access().role().name())
                    + ") cannot open this page. Ask an owner of "
                    + session.tenant().name() + " for access.");
        }
        return session;
    }

    /** Like {@link #page}, and the site must be one of the operator's (404 otherwise, as for no such site). */
    public static ConsoleSession site(ServerRequest req, Permission permission, String siteId) {
        ConsoleSession session = page(req, permission);
        if (!session.access().covers(siteId)) {
            throw PageException.notFound("There is no site " + siteId + ".");
        }
        return session;
    }

    public static Messages messages() {
        return ENGLISH;
    }

    public static ConsolePage pageFor(ConsoleSession session, String titleKey, String current) {
        return new ConsolePage(ENGLISH, session, ENGLISH.get(titleKey), current);
    }
}
