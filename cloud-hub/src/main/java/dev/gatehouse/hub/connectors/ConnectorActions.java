package dev.gatehouse.hub.connectors;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.gatehouse.hub.audit.Audit;
import dev.gatehouse.hub.tenants.Caller;
import dev.gatehouse.hub.web.ApiException;
import dev.gatehouse.hub.web.Input;
import dev.gatehouse.hub.web.Json;
import io.helidon.http.HeaderNames;
import io.helidon.webserver.http.ServerRequest;
import java.net.URI;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * What an owner does with a tenant's connector, audited, for the API ({@link ConnectorService}) and the
 * console alike: the same rules, refusals ({@link ApiException}) and audit entries from both.
 */
public record ConnectorActions(Connectors connectors, Audit audit, Optional<URI> publicUrl) {

    /** A connector as the API and the console show it: never a secret, only which are set. */
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

    /** What enabling came to: enabled, or the pre-flight's mismatches that keep it off. */
    public record Enabled(ConnectorView view, List<Connector.Mismatch> mismatches) {
        public boolean ok() {
            return mismatches.isEmpty();
        }
    }

    public ConnectorStore store() {
        return connectors.store();
    }

    public List<Connector> all() {
        return connectors.all();
    }

    public Connector connector(String name) {
        return connectors.find(name).orElseThrow(() -> ApiException.notFound("connector", name));
    }

    public ConnectorView view(String tenantId, Connector connector) {
        Optional<ConnectorStore.Config> config = store().config(tenantId, connector.name());
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
                store().counts(tenantId, connector.name()),
                config.map(c -> c.updatedAt().toString()).orElse(null));
    }

    /**
     * Applies {@code body} (settings and secrets; a secret given as null or "" is removed, one left out is
     * kept); a 422 names each bad field, a 409 refuses changing an enabled connector's settings.
     */
    public ConnectorView configure(ServerRequest req, Caller.Operator caller, Connector connector, ObjectNode body) {
        List<String> allowed = new ArrayList<>(connector.settingFields());
        allowed.addAll(connector.secretFields().stream().sorted().toList());
        Input input = Input.of(body, allowed.toArray(String[]::new));
        ConnectorView before = view(caller.tenantId(), connector);
        ObjectNode current = store().config(caller.tenantId(), connector.name())
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
        store().save(caller.tenantId(), connector.name(), settings, secrets);
        ConnectorView after = view(caller.tenantId(), connector);
        audit.record(req, caller, "connector.configure", "connector", connector.name(), null, before, after);
        return after;
    }

    /** The tenant's stored connector; a 409 saying to configure it first when it is not. */
    public ConnectorStore.Config config(String tenantId, Connector connector) {
        return store().config(tenantId, connector.name())
                .orElseThrow(() -> ApiException.conflict("the " + connector.title()
                        + " connector is not configured: PUT /api/v1/connectors/" + connector.name() + " first"));
    }

    /** The pre-flight's mismatches (calls the service). */
    public List<Connector.Mismatch> preflight(String tenantId, Connector connector) {
        return connectors.preflight(connector, config(tenantId, connector));
    }

    /** Runs the pre-flight and enables the connector when it finds nothing. */
    public Enabled enable(ServerRequest req, Caller.Operator caller, Connector connector) {
        ConnectorView before = view(caller.tenantId(), connector);
        List<Connector.Mismatch> mismatches = preflight(caller.tenantId(), connector);
        if (!mismatches.isEmpty()) {
            return new Enabled(before, mismatches);
        }
        store().setEnabled(caller.tenantId(), connector.name(), true);
        ConnectorView after = view(caller.tenantId(), connector);
        audit.record(req, caller, "connector.enable", "connector", connector.name(), null, before, after);
        connectors.wake();
        return new Enabled(after, List.of());
    }

    public ConnectorView disable(ServerRequest req, Caller.Operator caller, Connector connector) {
        ConnectorView before = view(caller.tenantId(), connector);
        config(caller.tenantId(), connector);
        store().setEnabled(caller.tenantId(), connector.name(), false);
        ConnectorView after = view(caller.tenantId(), connector);
        audit.record(req, caller, "connector.disable", "connector", connector.name(), null, before, after);
        return after;
    }

    /** Where the service sends the browser back: the hub's public URL, else the address the request came to. */
    public URI redirect(ServerRequest req) {
        URI base = publicUrl.orElseGet(() -> URI.create(req.requestedUri().scheme() + "://"
                + req.headers().first(HeaderNames.HOST).orElse("127.0.0.1")));
        return URI.create(base.toString().replaceAll("/+$", "") + ConnectorService.CALLBACK);
    }

    /** Starts the OAuth2 connect flow: the service's authorization page to send the owner to. */
    public URI connect(ServerRequest req, Caller.Operator caller, Connector connector) {
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
        return url;
    }

    /** Puts a failed job back, due now; a 404 when the tenant's connector has no such failed job. */
    public ConnectorStore.JobView retry(ServerRequest req, Caller.Operator caller, Connector connector, String jobId) {
        ConnectorStore.JobView job = store().retry(caller.tenantId(), connector.name(), jobId)
                .orElseThrow(() -> ApiException.notFound("failed job", jobId));
        audit.record(req, caller, "connector.job.retry", "connector-job", jobId, null, null, job);
        connectors.wake();
        return job;
    }
}
