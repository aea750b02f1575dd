package dev.gatehouse.hub.audit;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import dev.gatehouse.hub.store.Cursor;
import dev.gatehouse.hub.store.WireNames;
import dev.gatehouse.hub.tenants.Actor;
import dev.gatehouse.hub.tenants.Caller;
import dev.gatehouse.hub.tenants.Permission;
import dev.gatehouse.hub.web.Json;
import dev.gatehouse.hub.web.QueryParameters;
import io.helidon.webserver.http.HttpRules;
import io.helidon.webserver.http.HttpService;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * The tenant's audit log (needs {@code view-audit}).
 *
 * <pre>
 * GET /api/v1/audit?actor=&amp;action=&amp;resourceType=&amp;resourceId=&amp;site=&amp;from=&amp;to=&amp;limit=&amp;cursor=
 * </pre>
 *
 * Newest first; {@code from} inclusive, {@code to} exclusive. A caller whose role names sites sees
 * only the entries of those sites; naming another site is a 404, as for a site that does not exist.
 */
public record AuditService(AuditStore store) implements HttpService {
    private static final List<String> PARAMETERS =
            List.of("actor", "action", "resourceType", "resourceId", "site", "from", "to", "limit", "cursor");
    private static final Pattern NAME = Pattern.compile("[a-z][a-z0-9-]{0,31}(\\.[a-z][a-z0-9-]{0,31})?");

    @Override
    public void routing(HttpRules rules) {
        rules.get("/audit", this::list);
    }

    /**
     * An entry as the API shows it: before and after as the JSON they were recorded as; siteId, before
     * and after are left out when there is none.
     */
    public record EntryView(
            String id,
            String at,
            ActorView actor,
            String action,
            String resourceType,
            String resourceId,
            String siteId,
            JsonNode before,
            JsonNode after,
            String address) {
        static EntryView of(AuditStore.Entry entry) {
            Actor actor = entry.actor();
            return new EntryView(
                    entry.id(),
                    entry.at(),
                    new ActorView(WireNames.wire(actor.kind()), actor.id(), actor.label()),
                    entry.action(),
                    entry.resourceType(),
                    entry.resourceId(),
                    entry.siteId().orElse(null),
                    entry.before().map(AuditService::tree).orElse(null),
                    entry.after().map(AuditService::tree).orElse(null),
                    entry.address());
        }
    }

    /** Who acted: {@code token}, {@code operator} or {@code member}, its id and a label a person reads. */
    public record ActorView(String kind, String id, String label) {}

    private void list(ServerRequest req, ServerResponse res) {
        Caller.Operator caller = Caller.require(req, Permission.VIEW_AUDIT);
        QueryParameters params = new QueryParameters(req.query(), PARAMETERS);
        Optional<String> actor = params.id("actor");
        Optional<String> action = name(params, "action", "an action such as member.update");
        Optional<String> resourceType = name(params, "resourceType", "a resource type such as member");
        Optional<String> resourceId = params.id("resourceId");
        Optional<String> site = params.id("site");
        Optional<Instant> from = params.instant("from");
        Optional<Instant> to = params.instant("to");
        if (from.isPresent() && to.isPresent() && !from.get().isBefore(to.get())) {
            params.error("from", from.get() + " is not before to " + to.get() + " (to is exclusive)");
        }
        int limit = params.limit();
        Optional<Cursor> cursor = params.cursor();
        params.done();
        site.ifPresent(id -> caller.require(Permission.VIEW_AUDIT, id));
        AuditStore.Filter filter = new AuditStore.Filter(
                caller.tenantId(),
                actor,
                action,
                resourceType,
                resourceId,
                site,
                caller.access().siteIds(),
                from,
                to);
        Json.ok(res, store.list(filter, cursor, limit).map(EntryView::of).body());
    }

    private static Optional<String> name(QueryParameters params, String parameter, String expected) {
        return params.one(parameter)
                .flatMap(text -> NAME.matcher(text).matches()
                        ? Optional.of(text)
                        : params.error(parameter, "is not " + expected + " (a-z, 0-9 and '-', one '.' at most)"));
    }

    private static JsonNode tree(String json) {
        try {
            return Json.MAPPER.readTree(json);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("a stored audit entry is not JSON", e);
        }
    }
}
