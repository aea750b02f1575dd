package dev.gatehouse.hub.console;

import dev.gatehouse.hub.alerts.AlertService;
import dev.gatehouse.hub.alerts.AlertStore;
import dev.gatehouse.hub.tenants.Permission;
import io.helidon.common.parameters.Parameters;
import io.helidon.http.Status;
import io.helidon.webserver.http.HttpRules;
import io.helidon.webserver.http.HttpService;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * The fleet's alerts: what is wrong now at the operator's sites (a device offline or reporting a
 * reader fault, a door forced or held open, a clock not trusted, a cache behind), and what was
 * resolved lately; owners also set who gets them by e-mail. The same store and audit entry as the
 * API's {@code /api/v1/alerts} and {@code /api/v1/alert-settings}.
 *
 * <pre>
 * GET  /console/alerts            the page
 * GET  /console/alerts/live       the list (htmx polls it every 2 s)
 * POST /console/alerts/settings   emails (one per line or comma-separated), cacheBehind (MANAGE_SETTINGS)
 * </pre>
 */
public record AlertPages(Console.Parts parts, AlertStore store) implements HttpService {
    /** How many alerts the page lists. */
    static final int LIMIT = 100;

    public AlertPages(Console.Parts parts) {
        this(parts, new AlertStore(parts.database(), parts.clock()));
    }

    /** One alert as the page shows it, times in its site's zone. */
    public record Row(AlertStore.Alert alert, String opened, Optional<String> cleared) {}

    /** A refused settings form: what to fix and what was sent. */
    public record FormError(String message, String emails, String cacheBehind) {}

    @Override
    public void routing(HttpRules rules) {
        rules.get("/console/alerts", this::page)
                .get("/console/alerts/live", this::live)
                .post("/console/alerts/settings", this::saveSettings);
    }

    private List<Row> rows(ConsoleSession session) {
        List<Row> rows = new ArrayList<>();
        Locale locale = Guard.messages().locale();
        for (AlertStore.Alert alert :
                store.alerts(session.tenant().id(), session.access().siteIds(), false, LIMIT)) {
            java.time.ZoneId zone = java.time.ZoneId.of(alert.zone());
            rows.add(new Row(
                    alert,
                    Formats.dateTime(alert.openedAt(), zone, locale),
                    alert.clearedAt().map(at -> Formats.dateTime(at, zone, locale))));
        }
        return rows;
    }

    private void page(ServerRequest req, ServerResponse res) {
        ConsoleSession session = Guard.page(req, Permission.VIEW_SITES);
        render(
                res,
                session,
                Status.OK_200,
                req.query().first("done").asOptional().filter("settings"::equals),
                null);
    }

    private void render(
            ServerResponse res, ConsoleSession session, Status status, Optional<String> notice, FormError error) {
        Map<String, Object> params = new HashMap<>();
        params.put("page", Guard.pageFor(session, "alerts.title", "/console/alerts"));
        params.put("rows", rows(session));
        boolean owner = session.access().may(Permission.MANAGE_SETTINGS);
        params.put("owner", owner);
        params.put("settings", owner ? store.settings(session.tenant().id()) : null);
        params.put("notice", notice);
        params.put("error", error);
        Templates.render(res, status, "alerts.jte", params);
    }

    private void live(ServerRequest req, ServerResponse res) {
        ConsoleSession session = Guard.page(req, Permission.VIEW_SITES);
        Templates.render(
                res,
                "alerts-list.jte",
                Map.of("page", Guard.pageFor(session, "alerts.title", "/console/alerts"), "rows", rows(session)));
    }

    private void saveSettings(ServerRequest req, ServerResponse res) {
        ConsoleSession session = Guard.page(req, Permission.MANAGE_SETTINGS);
        Parameters form = Forms.read(req, session);
        String emailsText = form.first("emails").orElse("");
        String behindText = Forms.field(form, "cacheBehind").orElse("");
        Messages t = Guard.messages();
        List<String> emails = new ArrayList<>();
        for (String part : emailsText.split("[,\\s]+")) {
            if (part.isBlank()) {
                continue;
            }
            Optional<String> problem = AlertService.emailProblem(part);
            if (problem.isPresent()) {
                refuse(res, session, problem.get(), emailsText, behindText);
                return;
            }
            emails.add(part.strip().toLowerCase(Locale.ROOT));
        }
        if (emails.size() > AlertService.MAX_EMAILS) {
            refuse(res, session, t.get("alerts.settings.too-many", AlertService.MAX_EMAILS), emailsText, behindText);
            return;
        }
        long behind;
        try {
            behind = Long.parseLong(behindText);
        } catch (NumberFormatException e) {
            behind = -1;
        }
        if (behind < 1 || behind > 1_000_000) {
            refuse(res, session, t.get("alerts.settings.behind.invalid"), emailsText, behindText);
            return;
        }
        String tenantId = session.tenant().id();
        AlertStore.Settings before = store.settings(tenantId);
        AlertStore.Settings after = store.saveSettings(tenantId, new AlertStore.Settings(List.copyOf(emails), behind));
        parts.audit().record(req, session.caller(), "alerts.settings", "tenant", tenantId, null, before, after);
        SignInService.redirect(res, "/console/alerts?done=settings#settings-heading");
    }

    private void refuse(ServerResponse res, ConsoleSession session, String message, String emails, String behind) {
        render(
                res,
                session,
                Status.UNPROCESSABLE_CONTENT_422,
                Optional.empty(),
                new FormError(message, emails, behind));
    }
}
