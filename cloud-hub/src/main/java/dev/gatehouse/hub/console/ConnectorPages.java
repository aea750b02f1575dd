package dev.gatehouse.hub.console;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.gatehouse.hub.connectors.Connector;
import dev.gatehouse.hub.connectors.ConnectorActions;
import dev.gatehouse.hub.connectors.ConnectorStore;
import dev.gatehouse.hub.store.FieldError;
import dev.gatehouse.hub.tenants.Permission;
import dev.gatehouse.hub.web.ApiException;
import io.helidon.common.parameters.Parameters;
import io.helidon.http.Status;
import io.helidon.webserver.http.HttpRules;
import io.helidon.webserver.http.HttpService;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The tenant's connectors (QuickBooks Online, HubSpot, Slack) for owners: each with its state, its
 * connection and its jobs; per connector its settings and secrets (never shown, only which are set), the
 * OAuth2 connect flow where the service uses it, the pre-flight with its mismatches, switching it on
 * (which runs the pre-flight) and off, and its recent jobs with failures and their retry. The same rules
 * and audit entries as {@code /api/v1/connectors} ({@link ConnectorActions}).
 *
 * <pre>
 * GET  /console/connectors                          every connector with its state
 * GET  /console/connectors/{name}                   one connector: state, settings, pre-flight, jobs
 * POST /console/connectors/{name}                   save its settings and secrets (a blank secret is kept)
 * POST /console/connectors/{name}/connect           to the service's authorization page (OAuth2)
 * POST /console/connectors/{name}/preflight         the page with the pre-flight's mismatches
 * POST /console/connectors/{name}/enable            on, when the pre-flight finds nothing
 * POST /console/connectors/{name}/disable
 * POST /console/connectors/{name}/jobs/{jobId}/retry
 * </pre>
 */
public record ConnectorPages(ConnectorActions actions) implements HttpService {
    private static final int JOBS = 50;
    private static final Set<String> NOTICES = Set.of("saved", "enabled", "disabled", "retried", "connected");

    /** A connector as its page shows it. */
    public record Shown(
            ConnectorActions.ConnectorView view, List<String> settingFields, List<String> secretFields, boolean oauth) {
        /** A setting's value as the form shows it: a list as comma-separated words. */
        public String setting(String field) {
            var value = view.settings().get(field);
            if (value == null || value.isNull()) {
                return "";
            }
            if (value.isArray()) {
                List<String> items = new ArrayList<>();
                value.forEach(item -> items.add(item.asText()));
                return String.join(", ", items);
            }
            return value.asText();
        }

        public boolean secretSet(String field) {
            return view.secretsSet().contains(field);
        }
    }

    /** What a POST came to on the page: the pre-flight run, an error, the form as typed. */
    public record Outcome(
            Optional<List<Connector.Mismatch>> mismatches,
            Optional<String> error,
            List<FieldError> fieldErrors,
            Map<String, String> typed) {
        static Outcome none() {
            return new Outcome(Optional.empty(), Optional.empty(), List.of(), Map.of());
        }

        public Optional<String> fieldError(String field) {
            return fieldErrors.stream()
                    .filter(e -> e.field().equals(field) || e.field().startsWith(field + "["))
                    .map(FieldError::message)
                    .findFirst();
        }
    }

    @Override
    public void routing(HttpRules rules) {
        rules.get("/console/connectors", this::list)
                .get("/console/connectors/{name}", this::detail)
                .post("/console/connectors/{name}", this::save)
                .post("/console/connectors/{name}/connect", this::connect)
                .post("/console/connectors/{name}/preflight", this::preflight)
                .post("/console/connectors/{name}/enable", this::enable)
                .post("/console/connectors/{name}/disable", this::disable)
                .post("/console/connectors/{name}/jobs/{jobId}/retry", this::retry);
    }

    private Shown shown(String tenantId, Connector connector) {
        return new Shown(
                actions.view(tenantId, connector),
                connector.settingFields(),
                connector.secretFields().stream().sorted().toList(),
                connector.oauthScopes().isPresent());
    }

    private void list(ServerRequest req, ServerResponse res) {
        ConsoleSession session = Guard.page(req, Permission.MANAGE_SETTINGS);
        Map<String, Object> params = new HashMap<>();
        params.put("page", Guard.pageFor(session, "connectors.title", "/console/connectors"));
        params.put(
                "connectors",
                actions.all().stream().map(c -> shown(session.tenant().id(), c)).toList());
        Templates.render(res, Status.OK_200, "connectors.jte", params);
    }

    private Connector connector(ServerRequest req) {
        String name = req.path().pathParameters().get("name");
        try {
            return actions.connector(name);
        } catch (ApiException e) {
            throw PageException.notFound("There is no connector " + name + ".");
        }
    }

    private void detail(ServerRequest req, ServerResponse res) {
        ConsoleSession session = Guard.page(req, Permission.MANAGE_SETTINGS);
        render(
                res,
                session,
                connector(req),
                Status.OK_200,
                Outcome.none(),
                req.query().first("notice").asOptional().filter(NOTICES::contains));
    }

    private void render(
            ServerResponse res,
            ConsoleSession session,
            Connector connector,
            Status status,
            Outcome outcome,
            Optional<String> notice) {
        Map<String, Object> params = new HashMap<>();
        params.put("page", Guard.pageFor(session, "connectors.title", "/console/connectors"));
        params.put("connector", shown(session.tenant().id(), connector));
        params.put("outcome", outcome);
        params.put("notice", notice.map(n -> "connectors.notice." + n));
        params.put("jobs", actions.store().jobs(session.tenant().id(), connector.name(), Optional.empty(), JOBS));
        params.put(
                "failed",
                actions.store()
                        .jobs(
                                session.tenant().id(),
                                connector.name(),
                                Optional.of(ConnectorStore.Status.FAILED),
                                JOBS));
        if (connector.oauthScopes().isPresent()) {
            // Connect's answer sends the browser on to the service's authorization page: the policy must
            // let the form go there (browsers hold a form's redirects to form-action).
            java.net.URI authorize = actions.connectors().authorizePage(connector);
            res.header(
                    io.helidon.http.HeaderNames.create("Content-Security-Policy"),
                    ConsoleFilter.CSP.replace(
                            "form-action 'self'",
                            "form-action 'self' " + authorize.getScheme() + "://" + authorize.getAuthority()));
        }
        Templates.render(res, status, "connector.jte", params);
    }

    private void refused(
            ServerResponse res,
            ConsoleSession session,
            Connector connector,
            ApiException e,
            Map<String, String> typed) {
        render(
                res,
                session,
                connector,
                Status.create(e.status()),
                new Outcome(
                        Optional.empty(),
                        e.errors().isEmpty() ? Optional.of(e.getMessage()) : Optional.empty(),
                        e.errors(),
                        typed),
                Optional.empty());
    }

    private void save(ServerRequest req, ServerResponse res) {
        ConsoleSession session = Guard.page(req, Permission.MANAGE_SETTINGS);
        Connector connector = connector(req);
        Parameters form = Forms.read(req, session);
        ObjectNode body = JsonNodeFactory.instance.objectNode();
        Map<String, String> typed = new LinkedHashMap<>();
        for (String field : connector.settingFields()) {
            String value = form.first(field).orElse("").strip();
            typed.put(field, value);
            if (value.isEmpty()) {
                continue; // left as it is
            }
            if (field.equals("eventTypes")) {
                ArrayNode list = body.putArray(field);
                for (String item : value.split("[,\\s]+")) {
                    if (!item.isBlank()) {
                        list.add(item);
                    }
                }
            } else {
                body.put(field, value);
            }
        }
        for (String field : connector.secretFields()) {
            String value = form.first(field).orElse("");
            if (!value.isBlank()) {
                body.put(field, value.strip()); // a blank secret field keeps the stored one
            }
        }
        try {
            actions.configure(req, session.caller(), connector, body);
        } catch (ApiException e) {
            refused(res, session, connector, e, typed);
            return;
        }
        SignInService.redirect(res, "/console/connectors/" + connector.name() + "?notice=saved");
    }

    /** One of the page's buttons: what it does once the role and the CSRF token are checked. */
    private interface Action {
        void run(ConsoleSession session, Connector connector);
    }

    /** Runs {@code action} for an owner; a refusal is shown on the connector's page with its reason. */
    private void act(ServerRequest req, ServerResponse res, Action action) {
        ConsoleSession session = Guard.page(req, Permission.MANAGE_SETTINGS);
        Connector connector = connector(req);
        Forms.read(req, session);
        try {
            action.run(session, connector);
        } catch (ApiException e) {
            refused(res, session, connector, e, Map.of());
        }
    }

    private void connect(ServerRequest req, ServerResponse res) {
        act(
                req,
                res,
                (session, connector) -> SignInService.redirect(
                        res, actions.connect(req, session.caller(), connector).toString()));
    }

    private void preflight(ServerRequest req, ServerResponse res) {
        act(req, res, (session, connector) -> {
            List<Connector.Mismatch> mismatches =
                    actions.preflight(session.tenant().id(), connector);
            render(
                    res,
                    session,
                    connector,
                    Status.OK_200,
                    new Outcome(Optional.of(mismatches), Optional.empty(), List.of(), Map.of()),
                    Optional.empty());
        });
    }

    private void enable(ServerRequest req, ServerResponse res) {
        act(req, res, (session, connector) -> {
            ConnectorActions.Enabled enabled = actions.enable(req, session.caller(), connector);
            if (enabled.ok()) {
                SignInService.redirect(res, "/console/connectors/" + connector.name() + "?notice=enabled");
                return;
            }
            render(
                    res,
                    session,
                    connector,
                    Status.CONFLICT_409,
                    new Outcome(
                            Optional.of(enabled.mismatches()),
                            Optional.of(Guard.messages().get("connectors.enable.refused")),
                            List.of(),
                            Map.of()),
                    Optional.empty());
        });
    }

    private void disable(ServerRequest req, ServerResponse res) {
        act(req, res, (session, connector) -> {
            actions.disable(req, session.caller(), connector);
            SignInService.redirect(res, "/console/connectors/" + connector.name() + "?notice=disabled");
        });
    }

    private void retry(ServerRequest req, ServerResponse res) {
        act(req, res, (session, connector) -> {
            actions.retry(
                    req,
                    session.caller(),
                    connector,
                    req.path().pathParameters().get("jobId"));
            SignInService.redirect(res, "/console/connectors/" + connector.name() + "?notice=retried");
        });
    }
}
