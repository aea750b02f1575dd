package dev.gatehouse.hub.console;

import dev.gatehouse.hub.store.Database;
import dev.gatehouse.hub.tenants.Permission;
import io.helidon.webserver.http.HttpRules;
import io.helidon.webserver.http.HttpService;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import java.time.Duration;
import java.util.Map;

/**
 * Sites and devices: each device of the operator's sites, online or offline, last seen, software
 * version, cache seq and lag behind the site's head, clock trust, outbox depth, health and problems.
 *
 * <pre>
 * GET /console/fleet        the page
 * GET /console/fleet/live   the sites' device tables (htmx polls it every 2 s)
 * </pre>
 */
public record FleetPages(Database database) implements HttpService {
    /**
     * The MQTT keep-alive the edge agent uses unless its config says otherwise ({@code hub.keep-alive};
     * the agent's {@code EdgeConfig.Hub.DEFAULT_KEEP_ALIVE}, which the hub cannot import: a test checks
     * they agree). The broker ends a connection that stays silent for 1.5 times it and sends its will.
     */
    static final Duration EDGE_KEEP_ALIVE = Duration.ofSeconds(30);

    @Override
    public void routing(HttpRules rules) {
        rules.get("/console/fleet", this::page).get("/console/fleet/live", this::live);
    }

    private void page(ServerRequest req, ServerResponse res) {
        ConsoleSession session = Guard.page(req, Permission.VIEW_SITES);
        Templates.render(
                res,
                "fleet.jte",
                Map.of(
                        "page",
                        Guard.pageFor(session, "fleet.title", "/console/fleet"),
                        "sites",
                        new FleetBoard(database).sites(session.tenant().id(), session.access()),
                        "keepAlive",
                        EDGE_KEEP_ALIVE.toSeconds(),
                        "silentDrop",
                        EDGE_KEEP_ALIVE.toSeconds() * 3 / 2,
                        "mayManage",
                        session.access().may(Permission.MANAGE_DEVICES)));
    }

    private void live(ServerRequest req, ServerResponse res) {
        ConsoleSession session = Guard.page(req, Permission.VIEW_SITES);
        Templates.render(
                res,
                "fleet-sites.jte",
                Map.of(
                        "page",
                        Guard.pageFor(session, "fleet.title", "/console/fleet"),
                        "sites",
                        new FleetBoard(database).sites(session.tenant().id(), session.access())));
    }
}
