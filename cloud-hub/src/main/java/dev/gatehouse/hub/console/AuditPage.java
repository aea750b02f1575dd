package dev.gatehouse.hub.console;

import dev.gatehouse.hub.audit.AuditStore;
import dev.gatehouse.hub.store.Cursor;
import dev.gatehouse.hub.store.Database;
import dev.gatehouse.hub.store.Page;
import dev.gatehouse.hub.store.Sql;
import dev.gatehouse.hub.tenants.Permission;
import dev.gatehouse.protocol.Ids;
import io.helidon.common.uri.UriQuery;
import io.helidon.http.Status;
import io.helidon.webserver.http.HttpRules;
import io.helidon.webserver.http.HttpService;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * The audit log in the console.
 *
 * <pre>
 * GET /console/audit?actor=&amp;action=&amp;type=&amp;resource=&amp;from=&amp;to=&amp;cursor=
 * </pre>
 *
 * The API's store and rules ({@code GET /api/v1/audit}): newest first, keyset paging, and an operator
 * whose role names sites sees only the entries of those sites. Times are UTC (entries span sites);
 * before and after are shown as the fields that changed.
 */
public record AuditPage(Database database, AuditStore store) implements HttpService {
    private static final String PATH = "/console/audit";
    private static final int PAGE_ROWS = 50;
    private static final Pattern NAME = Pattern.compile("[a-z][a-z0-9-]{0,31}(\\.[a-z][a-z0-9-]{0,31})?");

    /** The filters as typed. */
    public record Typed(String actor, String action, String type, String resource, String from, String to) {}

    /** One entry with its changes. */
    public record Row(AuditStore.Entry entry, List<AuditDiff.Change> changes) {}

    /** What the page shows. */
    public record View(
            Typed typed, Map<String, String> errors, List<Row> rows, Optional<String> next, boolean laterPage) {
        /** The query string of the filters (no cursor). */
        public String filters() {
            StringBuilder text = new StringBuilder();
            append(text, "actor", typed.actor());
            append(text, "action", typed.action());
            append(text, "type", typed.type());
            append(text, "resource", typed.resource());
            append(text, "from", typed.from());
            append(text, "to", typed.to());
            return text.toString();
        }

        public String newestLink() {
            return filters().isEmpty() ? PATH : PATH + "?" + filters();
        }

        public String olderLink() {
            return PATH + "?" + (filters().isEmpty() ? "" : filters() + "&") + "cursor="
                    + AccessLogFilter.encode(next.orElseThrow());
        }

        private static void append(StringBuilder text, String name, String value) {
            if (!value.isEmpty()) {
                text.append(text.isEmpty() ? "" : "&").append(name).append('=').append(AccessLogFilter.encode(value));
            }
        }
    }

    @Override
    public void routing(HttpRules rules) {
        rules.get(PATH, this::page);
    }

    private void page(ServerRequest req, ServerResponse res) {
        ConsoleSession session = Guard.page(req, Permission.VIEW_AUDIT);
        UriQuery query = req.query();
        Typed typed = new Typed(
                text(query, "actor"),
                text(query, "action"),
                text(query, "type"),
                text(query, "resource"),
                text(query, "from"),
                text(query, "to"));
        Map<String, String> errors = new LinkedHashMap<>();
        Optional<String> actor = actor(session.tenant().id(), typed.actor(), errors);
        Optional<String> action = name(typed.action(), "action", "an action such as member.update", errors);
        Optional<String> type = name(typed.type(), "type", "a resource type such as member", errors);
        Optional<String> resource = Optional.empty();
        if (!typed.resource().isEmpty()) {
            if (Ids.isValid(typed.resource())) {
                resource = Optional.of(typed.resource());
            } else {
                errors.put("resource", "'" + Ids.printable(typed.resource()) + "' is not an id such as mem_….");
            }
        }
        Optional<Instant> from = utc(typed.from(), "from", errors);
        Optional<Instant> to = utc(typed.to(), "to", errors);
        if (from.isPresent() && to.isPresent() && !from.get().isBefore(to.get())) {
            errors.put("to", "The end of the range must be after its start.");
        }
        Optional<Cursor> cursor = Optional.empty();
        String cursorText = text(query, "cursor");
        if (!cursorText.isEmpty()) {
            cursor = Cursor.decode(cursorText);
            if (cursor.isEmpty()) {
                errors.put("cursor", "This page link is broken: start again from the newest entries.");
            }
        }
        List<Row> rows = List.of();
        Optional<String> next = Optional.empty();
        if (errors.isEmpty()) {
            Page<AuditStore.Entry> entries = store.list(
                    new AuditStore.Filter(
                            session.tenant().id(),
                            actor,
                            action,
                            type,
                            resource,
                            Optional.empty(),
                            session.access().siteIds(),
                            from,
                            to),
                    cursor,
                    PAGE_ROWS);
            rows = entries.items().stream()
                    .map(e -> new Row(e, AuditDiff.of(e.before(), e.after())))
                    .toList();
            next = entries.nextCursor();
        }
        Templates.render(
                res,
                errors.isEmpty() ? Status.OK_200 : Status.create(422, "Unprocessable Content"),
                "audit.jte",
                Map.of(
                        "page",
                        Guard.pageFor(session, "audit.title", PATH),
                        "view",
                        new View(typed, errors, rows, next, cursor.isPresent())));
    }

    private static String text(UriQuery query, String name) {
        return query.first(name).map(String::strip).orElse("");
    }

    /** An actor id, or an operator's e-mail (its account's id). */
    private Optional<String> actor(String tenantId, String typed, Map<String, String> errors) {
        if (typed.isEmpty()) {
            return Optional.empty();
        }
        if (typed.contains("@")) {
            Optional<String> id = database.read(c -> Sql.one(
                    c,
                    "SELECT id FROM operator_accounts WHERE tenant_id = ? AND LOWER(email) = ?",
                    Sql.STRING,
                    tenantId,
                    typed.toLowerCase(Locale.ROOT)));
            if (id.isEmpty()) {
                errors.put("actor", "No operator account has the e-mail '" + Ids.printable(typed) + "'.");
            }
            return id;
        }
        if (!Ids.isValid(typed)) {
            errors.put("actor", "'" + Ids.printable(typed) + "' is neither an operator's e-mail nor an id.");
            return Optional.empty();
        }
        return Optional.of(typed);
    }

    private static Optional<String> name(String typed, String field, String expected, Map<String, String> errors) {
        if (typed.isEmpty()) {
            return Optional.empty();
        }
        if (!NAME.matcher(typed).matches()) {
            errors.put(field, "'" + Ids.printable(typed) + "' is not " + expected + ".");
            return Optional.empty();
        }
        return Optional.of(typed);
    }

    private static Optional<Instant> utc(String typed, String field, Map<String, String> errors) {
        if (typed.isEmpty()) {
            return Optional.empty();
        }
        try {
            return Optional.of(LocalDateTime.parse(typed).toInstant(ZoneOffset.UTC));
        } catch (DateTimeParseException e) {
            errors.put(
                    field,
                    "'" + Ids.printable(typed) + "' is not a date and time: use the form 2026-12-04T09:00 (UTC).");
            return Optional.empty();
        }
    }
}
