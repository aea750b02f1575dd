package dev.gatehouse.hub.alerts;

import com.fasterxml.jackson.databind.JsonNode;
import dev.gatehouse.hub.audit.Audit;
import dev.gatehouse.hub.tenants.Caller;
import dev.gatehouse.hub.tenants.Permission;
import dev.gatehouse.hub.web.ApiException;
import dev.gatehouse.hub.web.Input;
import dev.gatehouse.hub.web.Json;
import io.helidon.webserver.http.HttpRules;
import io.helidon.webserver.http.HttpService;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * Fleet alerts in the API.
 *
 * <pre>
 * GET /api/v1/alerts[?status=open|all]   the caller's sites' alerts, open first (VIEW_SITES); at most 200
 * GET /api/v1/alert-settings             {emails, cacheBehind} (MANAGE_SETTINGS)
 * PUT /api/v1/alert-settings             {emails: [..] (empty: the tenant's owners), cacheBehind: 1..1000000}
 * </pre>
 */
public record AlertService(AlertStore store, Audit audit, int maxBody) implements HttpService {
    public static final int MAX_EMAILS = 20;
    private static final Pattern EMAIL = Pattern.compile("[^@\\s,;<>]+@[^@\\s,;<>]+\\.[^@\\s,;<>]+");

    @Override
    public void routing(HttpRules rules) {
        rules.get("/alerts", this::list)
                .get("/alert-settings", this::settings)
                .put("/alert-settings", this::saveSettings);
    }

    private void list(ServerRequest req, ServerResponse res) {
        Caller.Operator caller = Caller.require(req, Permission.VIEW_SITES);
        String status = req.query().first("status").orElse("open");
        if (!status.equals("open") && !status.equals("all")) {
            throw ApiException.invalid("status", "'" + status + "' is not open or all");
        }
        List<Map<String, Object>> items = new ArrayList<>();
        for (AlertStore.Alert alert :
                store.alerts(caller.tenantId(), caller.access().siteIds(), status.equals("open"), 200)) {
            items.add(view(alert));
        }
        Json.ok(res, Map.of("items", items));
    }

    /** An alert as the API shows it. */
    public static Map<String, Object> view(AlertStore.Alert alert) {
        Map<String, Object> view = new LinkedHashMap<>();
        view.put("id", alert.id());
        view.put("kind", alert.kind().wire());
        view.put("siteId", alert.siteId());
        view.put("subjectType", alert.subjectType());
        view.put("subjectId", alert.subjectId());
        view.put("subjectName", alert.subjectName());
        view.put("detail", alert.detail());
        view.put("openedAt", alert.openedAt().toString());
        view.put("clearedAt", alert.clearedAt().map(Object::toString).orElse(null));
        return view;
    }

    private void settings(ServerRequest req, ServerResponse res) {
        Caller.Operator caller = Caller.require(req, Permission.MANAGE_SETTINGS);
        Json.ok(res, store.settings(caller.tenantId()));
    }

    private void saveSettings(ServerRequest req, ServerResponse res) {
        Caller.Operator caller = Caller.require(req, Permission.MANAGE_SETTINGS);
        AlertStore.Settings before = store.settings(caller.tenantId());
        Input input = Input.of(Json.object(req, maxBody), "emails", "cacheBehind");
        List<String> emails = new ArrayList<>();
        for (JsonNode node : input.array("emails", MAX_EMAILS)) {
            Optional<String> problem = emailProblem(node.isTextual() ? node.asText() : node.toString());
            if (problem.isPresent()) {
                input.error("emails", problem.get());
            } else {
                emails.add(node.asText().strip().toLowerCase(Locale.ROOT));
            }
        }
        long cacheBehind = input.integer("cacheBehind", 1, 1_000_000)
                .map(Integer::longValue)
                .orElse(before.cacheBehind());
        input.done();
        AlertStore.Settings after =
                store.saveSettings(caller.tenantId(), new AlertStore.Settings(List.copyOf(emails), cacheBehind));
        audit.record(req, caller, "alerts.settings", "tenant", caller.tenantId(), null, before, after);
        Json.ok(res, after);
    }

    /** Why {@code text} is not an alert e-mail address, if it is not. */
    public static Optional<String> emailProblem(String text) {
        String address = text.strip();
        if (address.length() > 254 || !EMAIL.matcher(address).matches()) {
            return Optional.of("'" + (address.length() > 60 ? address.substring(0, 60) + "…" : address)
                    + "' is not an e-mail address");
        }
        return Optional.empty();
    }
}
