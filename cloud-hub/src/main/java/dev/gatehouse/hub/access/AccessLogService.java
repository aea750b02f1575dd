package dev.gatehouse.hub.access;

import dev.gatehouse.hub.store.Cursor;
import dev.gatehouse.hub.store.WireNames;
import dev.gatehouse.hub.tenants.Caller;
import dev.gatehouse.hub.tenants.Permission;
import dev.gatehouse.hub.web.Json;
import dev.gatehouse.hub.web.QueryParameters;
import dev.gatehouse.protocol.Ids;
import dev.gatehouse.protocol.model.DenyReason;
import io.helidon.common.uri.UriQuery;
import io.helidon.webserver.http.HttpRules;
import io.helidon.webserver.http.HttpService;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * The tenant's access log.
 *
 * <pre>
 * GET /api/v1/access-events?siteId=&amp;doorId=&amp;memberId=&amp;decision=granted|denied&amp;reason=&amp;from=&amp;until=&amp;limit=&amp;cursor=
 * </pre>
 *
 * Newest first; {@code from} inclusive, {@code until} exclusive. An id of another tenant's site, door
 * or member, like an id that never existed, matches no event: the answer is an empty list, never a
 * hint that the id exists elsewhere. (Not a 404: events outlive the doors and members they name.) A
 * caller whose role names sites sees only the events of those sites; another site's id matches none.
 */
public record AccessLogService(AccessLogStore store) implements HttpService {
    private static final List<String> PARAMETERS =
            List.of("siteId", "doorId", "memberId", "decision", "reason", "from", "until", "limit", "cursor");

    @Override
    public void routing(HttpRules rules) {
        rules.get("/access-events", this::list);
    }

    private void list(ServerRequest req, ServerResponse res) {
        Caller.Operator caller = Caller.require(req, Permission.VIEW_ACCESS_LOG);
        AccessQuery query =
                parse(caller.tenantId(), req.query()).sites(caller.access().siteIds());
        Json.ok(res, store.query(query).body());
    }

    /** The query the parameters ask for, or a 422 naming every parameter to fix. */
    static AccessQuery parse(String tenantId, UriQuery parameters) {
        QueryParameters params = new QueryParameters(parameters, PARAMETERS);
        Optional<String> siteId = params.id("siteId");
        Optional<String> doorId = params.id("doorId");
        Optional<String> memberId = params.id("memberId");
        Optional<Boolean> granted = params.one("decision").flatMap(text -> switch (text) {
            case "granted" -> Optional.of(true);
            case "denied" -> Optional.of(false);
            default -> params.error("decision", "'" + Ids.printable(text) + "' is not one of granted, denied");
        });
        Optional<DenyReason> reason = params.one("reason").flatMap(text -> reason(text)
                .or(() -> params.error(
                        "reason",
                        "'" + Ids.printable(text) + "' is not a deny reason; use one of "
                                + String.join(
                                        ", ",
                                        Arrays.stream(DenyReason.values())
                                                .map(WireNames::wire)
                                                .toList()))));
        if (reason.isPresent() && granted.equals(Optional.of(true))) {
            params.error("reason", "only denied events have a reason; drop decision=granted or the reason");
        }
        Optional<Instant> from = params.instant("from");
        Optional<Instant> until = params.instant("until");
        if (from.isPresent() && until.isPresent() && !from.get().isBefore(until.get())) {
            params.error("from", from.get() + " is not before until " + until.get() + " (until is exclusive)");
        }
        int limit = params.limit();
        Optional<Cursor> cursor = params.cursor();
        params.done();
        return new AccessQuery(
                tenantId, siteId, doorId, memberId, granted, reason, from, until, cursor, limit, Set.of());
    }

    private static Optional<DenyReason> reason(String text) {
        for (DenyReason reason : DenyReason.values()) {
            if (WireNames.wire(reason).equals(text) || reason.name().equals(text)) {
                return Optional.of(reason);
            }
        }
        return Optional.empty();
    }
}
