package dev.gatehouse.hub.connectors;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.gatehouse.hub.audit.Audit;
import dev.gatehouse.hub.audit.AuditStore;
import dev.gatehouse.hub.store.WireNames;
import dev.gatehouse.hub.tenants.Actor;
import dev.gatehouse.hub.tenants.Caller;
import dev.gatehouse.hub.tenants.Permission;
import dev.gatehouse.hub.web.ApiException;
import dev.gatehouse.hub.web.Json;
import dev.gatehouse.hub.web.Paging;
import dev.gatehouse.hub.web.PathIds;
import io.helidon.http.HeaderNames;
import io.helidon.http.Status;
import io.helidon.webserver.http.HttpRules;
import io.helidon.webserver.http.HttpService;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import java.net.URI;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A tenant's connectors (owners: {@link Permission#MANAGE_SETTINGS}, since a connector sends the
 * tenant's members and money to another company). Secrets are taken, sealed and never shown again; the
 * views list which are set. Enabling runs the pre-flight and is refused while it finds mismatches.
 *
 * <pre>
 * GET  /api/v1/connectors                                GET /api/v1/connectors/{name}
 * PUT  /api/v1/connectors/{name}                         {settings and secrets of the connector}
 * GET  /api/v1/connectors/{name}/preflight
 * POST /api/v1/connectors/{name}/enable                  POST /api/v1/connectors/{name}/disable
 * POST /api/v1/connectors/{name}/connect                 → {"authorizationUrl"} (OAuth2 connectors)
 * GET  /api/v1/connectors/{name}/jobs?status=&amp;limit=
 * POST /api/v1/connectors/{name}/jobs/{jobId}/retry
 * GET  /connectors/oauth/callback?code=&amp;state=[&amp;realmId=]   (the service sends the browser back here)
 * </pre>
 */
public record ConnectorService(ConnectorActions actions, int maxBody) implements HttpService {
    /** The connect flow's callback, at the hub's root (the browser arrives without a token). */
    public static final String CALLBACK = "/connectors/oauth/callback";

    /** The pre-flight's answer. */
    public record Preflight(String connector, boolean ok, List<Connector.Mismatch> mismatches) {}

    /** Routes under {@code /api/v1}. */
    @Override
    public void routing(HttpRules rules) {
        rules.get("/connectors", this::list)
                .get("/connectors/{name}", this::get)
                .put("/connectors/{name}", this::configure)
                .get("/connectors/{name}/preflight", this::preflight)
                .post("/connectors/{name}/enable", this::enable)
                .post("/connectors/{name}/disable", this::disable)
                .post("/connectors/{name}/connect", this::connect)
                .get("/connectors/{name}/jobs", this::jobs)
                .post("/connectors/{name}/jobs/{jobId}/retry", this::retry);
    }

    /** The callback's route, registered at the root. */
    public HttpService callback() {
        return rules -> rules.get(CALLBACK, this::callback);
    }

    private Connector connector(ServerRequest req) {
        return actions.connector(PathIds.id(req, "name", "connector"));
    }

    private void list(ServerRequest req, ServerResponse res) {
        String tenantId = Caller.require(req, Permission.MANAGE_SETTINGS).tenantId();
        Json.ok(
                res,
                Map.of(
                        "items",
                        actions.all().stream()
                                .map(c -> actions.view(tenantId, c))
                                .toList()));
    }

    private void get(ServerRequest req, ServerResponse res) {
        String tenantId = Caller.require(req, Permission.MANAGE_SETTINGS).tenantId();
        Json.ok(res, actions.view(tenantId, connector(req)));
    }

    private void configure(ServerRequest req, ServerResponse res) {
        Caller.Operator caller = Caller.require(req, Permission.MANAGE_SETTINGS);
        Connector connector = connector(req);
        Json.ok(res, actions.configure(req, caller, connector, Json.object(req, maxBody)));
    }

    private void preflight(ServerRequest req, ServerResponse res) {
        String tenantId = Caller.require(req, Permission.MANAGE_SETTINGS).tenantId();
        Connector connector = connector(req);
        List<Connector.Mismatch> mismatches = actions.preflight(tenantId, connector);
        Json.ok(res, new Preflight(connector.name(), mismatches.isEmpty(), mismatches));
    }

    private void enable(ServerRequest req, ServerResponse res) {
        Caller.Operator caller = Caller.require(req, Permission.MANAGE_SETTINGS);
        Connector connector = connector(req);
        ConnectorActions.Enabled enabled = actions.enable(req, caller, connector);
        if (!enabled.ok()) {
            Json.send(
                    res,
                    Status.CONFLICT_409,
                    Map.of(
                            "type",
                            "conflict",
                            "title",
                            "Pre-flight found mismatches",
                            "status",
                            409,
                            "detail",
                            "the " + connector.title() + " connector stays disabled until these are fixed: "
                                    + String.join(
                                            "; ",
                                            enabled.mismatches().stream()
                                                    .map(Connector.Mismatch::message)
                                                    .toList()),
                            "mismatches",
                            enabled.mismatches()));
            return;
        }
        Json.ok(res, enabled.view());
    }

    private void disable(ServerRequest req, ServerResponse res) {
        Caller.Operator caller = Caller.require(req, Permission.MANAGE_SETTINGS);
        Json.ok(res, actions.disable(req, caller, connector(req)));
    }

    private void connect(ServerRequest req, ServerResponse res) {
        Caller.Operator caller = Caller.require(req, Permission.MANAGE_SETTINGS);
        URI url = actions.connect(req, caller, connector(req));
        Json.ok(
                res,
                Map.of(
                        "authorizationUrl",
                        url.toString(),
                        "redirectUri",
                        actions.redirect(req).toString()));
    }

    private void callback(ServerRequest req, ServerResponse res) {
        Optional<String> state = req.query().first("state").asOptional();
        Optional<String> code = req.query().first("code").asOptional();
        Optional<String> error = req.query().first("error").asOptional();
        if (error.isPresent() || state.isEmpty() || code.isEmpty()) {
            page(
                    res,
                    Status.BAD_REQUEST_400,
                    "The service did not authorise Gatehouse"
                            + error.map(e -> " (" + e + ")").orElse("") + ". Start again from the console.");
            return;
        }
        ObjectNode extra = Json.MAPPER.createObjectNode();
        req.query()
                .first("realmId")
                .asOptional()
                .filter(r -> r.matches("[0-9]{1,30}"))
                .ifPresent(realm -> extra.put("realmId", realm));
        Optional<Connectors.Connected> connected;
        try {
            connected = actions.connectors().callback(state.get(), code.get(), actions.redirect(req), extra);
        } catch (ConnectorException e) {
            page(res, Status.BAD_GATEWAY_502, "Connecting failed: " + e.getMessage());
            return;
        }
        if (connected.isEmpty()) {
            page(
                    res,
                    Status.BAD_REQUEST_400,
                    "This link is not valid: it was used already, has expired, or was not"
                            + " started by this hub. Start again from the console.");
            return;
        }
        actions.audit()
                .store()
                .append(new AuditStore.NewEntry(
                        connected.get().tenantId(),
                        new Actor(Actor.Kind.SYSTEM, "oauth-callback", "OAuth2 callback"),
                        "connector.connected",
                        "connector",
                        connected.get().connector(),
                        Optional.empty(),
                        Optional.empty(),
                        Optional.empty(),
                        Audit.address(req)));
        page(res, Status.OK_200, "Connected. You can close this page and run the pre-flight in the console.");
    }

    private static void page(ServerResponse res, Status status, String message) {
        String escaped = message.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;");
        res.status(status)
                .header(HeaderNames.CONTENT_TYPE, "text/html; charset=utf-8")
                .send("<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>Gatehouse connector"
                        + "</title></head><body><main><p>" + escaped + "</p></main></body></html>");
    }

    private void jobs(ServerRequest req, ServerResponse res) {
        String tenantId = Caller.require(req, Permission.MANAGE_SETTINGS).tenantId();
        Connector connector = connector(req);
        Optional<ConnectorStore.Status> status = req.query()
                .first("status")
                .asOptional()
                .map(text -> WireNames.parse(ConnectorStore.Status.class, text.strip())
                        .orElseThrow(() -> ApiException.invalid(
                                "status",
                                "'" + text + "' is not one of " + WireNames.choices(ConnectorStore.Status.class))));
        int limit = Paging.limit(req.query().first("limit").asOptional());
        Json.ok(res, Map.of("items", actions.store().jobs(tenantId, connector.name(), status, limit)));
    }

    private void retry(ServerRequest req, ServerResponse res) {
        Caller.Operator caller = Caller.require(req, Permission.MANAGE_SETTINGS);
        Connector connector = connector(req);
        String jobId = PathIds.id(req, "jobId", "job");
        Json.send(res, Status.ACCEPTED_202, actions.retry(req, caller, connector, jobId));
    }
}
