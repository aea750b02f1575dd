package dev.gatehouse.hub.connectors;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.gatehouse.hub.audit.Audit;
import dev.gatehouse.hub.audit.AuditStore;
import dev.gatehouse.hub.store.WireNames;
import dev.gatehouse.hub.tenants.Actor;
import dev.gatehouse.hub.tenants.Caller;
import dev.gatehouse.hub.tenants.Permission;
import dev.gatehouse.hub.web.ApiException;
import dev.gatehouse.hub.web.Input;
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
import java.util.ArrayList;
import java.util.LinkedHashMap;
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
public record ConnectorService(Connectors connectors, Audit audit, Optional<URI> publicUrl, int maxBody)
        implements HttpService {
    /** The connect flow's callback, at the hub's root (the browser arrives without a token). */
    public static final String CALLBACK = "/connectors/oauth/callback";

    /** A connector as the API shows it: never a secret, only which are set. */
    public record ConnectorView(
            String name,
            String title,
            boolean configured,
            boolean enabled,
            String authorization,
            boolean connected,
            ObjectNode settings,
            List<String> secretsSet,
            String pausedUntil,
            String lastError,
            ConnectorStore.Counts jobs,
            String updatedAt) {}

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
        String name = PathIds.id(req, "name", "connector");
        return connectors.find(name).orElseThrow(() -> ApiException.notFound("connector", name));
    }

    private ConnectorView view(String tenantId, Connector connector) {
        Optional<ConnectorStore.Config> config = connectors.store().config(tenantId, connector.name());
        Credentials credentials = config.map(ConnectorStore.Config::credentials).orElse(Credentials.none());
        boolean connected = connector.staticToken(credentials).isPresent()
                || credentials.get(Credentials.REFRESH_TOKEN).isPresent();
        List<String> set = credentials.names().stream()
                .filter(connector.secretFields()::contains)
                .toList();
        return new ConnectorView(
                connector.name(),
                connector.title(),
                config.isPresent(),
                config.map(ConnectorStore.Config::enabled).orElse(false),
                connector.oauthScopes().isPresent() ? "oauth2" : "token",
                connected,
                config.map(ConnectorStore.Config::settings).orElse(Json.MAPPER.createObjectNode()),
                set,
                config.flatMap(ConnectorStore.Config::pausedUntil)
                        .map(Object::toString)
                        .orElse(null),
                config.flatMap(ConnectorStore.Config::lastError).orElse(null),
                connectors.store().counts(tenantId, connector.name()),
                config.map(c -> c.updatedAt().toString()).orElse(null));
    }

    private void list(ServerRequest req, ServerResponse res) {
        String tenantId = Caller.require(req, Permission.MANAGE_SETTINGS).tenantId();
        Json.ok(
                res,
                Map.of(
                        "items",
                        connectors.all().stream().map(c -> view(tenantId, c)).toList()));
    }

    private void get(ServerRequest req, ServerResponse res) {
        String tenantId = Caller.require(req, Permission.MANAGE_SETTINGS).tenantId();
        Json.ok(res, view(tenantId, connector(req)));
    }

    private void configure(ServerRequest req, ServerResponse res) {
        Caller.Operator caller = Caller.require(req, Permission.MANAGE_SETTINGS);
        Connector connector = connector(req);
        List<String> allowed = new ArrayList<>(connector.settingFields());
        allowed.addAll(connector.secretFields().stream().sorted().toList());
        Input input = Input.of(Json.object(req, maxBody), allowed.toArray(String[]::new));
        ConnectorView before = view(caller.tenantId(), connector);
        ObjectNode current = connectors
                .store()
                .config(caller.tenantId(), connector.name())
                .map(ConnectorStore.Config::settings)
                .orElse(Json.MAPPER.createObjectNode());
        ObjectNode settings = connector.settings(input, current.deepCopy());
        Map<String, String> secrets = new LinkedHashMap<>();
        for (String field : connector.secretFields()) {
            if (input.isNull(field)) {
                secrets.put(field, "");
            } else {
                input.optionalText(field, 4000).ifPresent(value -> secrets.put(field, value));
            }
        }
        input.done();
        if (before.enabled() && !settings.equals(current)) {
            throw ApiException.conflict("disable the " + connector.title()
                    + " connector before changing its settings; enabling it again runs the pre-flight on them");
        }
        connectors.store().save(caller.tenantId(), connector.name(), settings, secrets);
        ConnectorView after = view(caller.tenantId(), connector);
        audit.record(req, caller, "connector.configure", "connector", connector.name(), null, before, after);
        Json.ok(res, after);
    }

    private ConnectorStore.Config config(String tenantId, Connector connector) {
        return connectors
                .store()
                .config(tenantId, connector.name())
                .orElseThrow(() -> ApiException.conflict("the " + connector.title()
                        + " connector is not configured: PUT /api/v1/connectors/" + connector.name() + " first"));
    }

    private void preflight(ServerRequest req, ServerResponse res) {
        String tenantId = Caller.require(req, Permission.MANAGE_SETTINGS).tenantId();
        Connector connector = connector(req);
        List<Connector.Mismatch> mismatches = connectors.preflight(connector, config(tenantId, connector));
        Json.ok(res, new Preflight(connector.name(), mismatches.isEmpty(), mismatches));
    }

    private void enable(ServerRequest req, ServerResponse res) {
        Caller.Operator caller = Caller.require(req, Permission.MANAGE_SETTINGS);
        Connector connector = connector(req);
        ConnectorView before = view(caller.tenantId(), connector);
        List<Connector.Mismatch> mismatches = connectors.preflight(connector, config(caller.tenantId(), connector));
        if (!mismatches.isEmpty()) {
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
                                            mismatches.stream()
                                                    .map(Connector.Mismatch::message)
                                                    .toList()),
                            "mismatches",
                            mismatches));
            return;
        }
        connectors.store().setEnabled(caller.tenantId(), connector.name(), true);
        ConnectorView after = view(caller.tenantId(), connector);
        audit.record(req, caller, "connector.enable", "connector", connector.name(), null, before, after);
        connectors.wake();
        Json.ok(res, after);
    }

    private void disable(ServerRequest req, ServerResponse res) {
        Caller.Operator caller = Caller.require(req, Permission.MANAGE_SETTINGS);
        Connector connector = connector(req);
        ConnectorView before = view(caller.tenantId(), connector);
        config(caller.tenantId(), connector);
        connectors.store().setEnabled(caller.tenantId(), connector.name(), false);
        ConnectorView after = view(caller.tenantId(), connector);
        audit.record(req, caller, "connector.disable", "connector", connector.name(), null, before, after);
        Json.ok(res, after);
    }

    private URI redirect(ServerRequest req) {
        URI base = publicUrl.orElseGet(() -> URI.create(req.requestedUri().scheme() + "://"
                + req.headers().first(HeaderNames.HOST).orElse("127.0.0.1")));
        return URI.create(base.toString().replaceAll("/+$", "") + CALLBACK);
    }

    private void connect(ServerRequest req, ServerResponse res) {
        Caller.Operator caller = Caller.require(req, Permission.MANAGE_SETTINGS);
        Connector connector = connector(req);
        if (connector.oauthScopes().isEmpty()) {
            throw ApiException.conflict(
                    "the " + connector.title() + " connector takes a token, not the OAuth2 connect flow");
        }
        ConnectorStore.Config config = config(caller.tenantId(), connector);
        if (config.credentials().get(Credentials.CLIENT_ID).isEmpty()
                || config.credentials().get(Credentials.CLIENT_SECRET).isEmpty()) {
            throw ApiException.conflict("set the " + connector.title()
                    + " app's clientId and clientSecret first (PUT /api/v1/connectors/" + connector.name() + ")");
        }
        URI url = connectors.connect(connector, config, redirect(req));
        audit.record(req, caller, "connector.connect", "connector", connector.name(), null, null, null);
        Json.ok(
                res,
                Map.of(
                        "authorizationUrl",
                        url.toString(),
                        "redirectUri",
                        redirect(req).toString()));
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
            connected = connectors.callback(state.get(), code.get(), redirect(req), extra);
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
        audit.store()
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
        Json.ok(res, Map.of("items", connectors.store().jobs(tenantId, connector.name(), status, limit)));
    }

    private void retry(ServerRequest req, ServerResponse res) {
        Caller.Operator caller = Caller.require(req, Permission.MANAGE_SETTINGS);
        Connector connector = connector(req);
        String jobId = PathIds.id(req, "jobId", "job");
        ConnectorStore.JobView job = connectors
                .store()
                .retry(caller.tenantId(), connector.name(), jobId)
                .orElseThrow(() -> ApiException.notFound("failed job", jobId));
        audit.record(req, caller, "connector.job.retry", "connector-job", jobId, null, null, job);
        connectors.wake();
        Json.send(res, Status.ACCEPTED_202, job);
    }
}
