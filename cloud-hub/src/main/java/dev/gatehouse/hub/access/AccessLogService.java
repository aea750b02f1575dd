package dev.gatehouse.hub.access;

import dev.gatehouse.hub.store.Cursor;
import dev.gatehouse.hub.store.FieldError;
import dev.gatehouse.hub.store.WireNames;
import dev.gatehouse.hub.tenants.Caller;
import dev.gatehouse.hub.web.ApiException;
import dev.gatehouse.hub.web.Json;
import dev.gatehouse.hub.web.Paging;
import dev.gatehouse.hub.web.Times;
import dev.gatehouse.protocol.Ids;
import dev.gatehouse.protocol.model.DenyReason;
import io.helidon.common.uri.UriQuery;
import io.helidon.webserver.http.HttpRules;
import io.helidon.webserver.http.HttpService;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
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
 * hint that the id exists elsewhere. (Not a 404: events outlive the doors and members they name.)
 */
public record AccessLogService(AccessLogStore store) implements HttpService {
    private static final List<String> PARAMETERS =
            List.of("siteId", "doorId", "memberId", "decision", "reason", "from", "until", "limit", "cursor");
    private static final Set<String> KNOWN = Set.copyOf(PARAMETERS);

    @Override
    public void routing(HttpRules rules) {
        rules.get("/access-events", this::list);
    }

    private void list(ServerRequest req, ServerResponse res) {
        AccessQuery query = parse(Caller.tenantId(req), req.query());
        Json.ok(res, store.query(query).body());
    }

    /** The query the parameters ask for, or a 422 naming every parameter to fix. */
    static AccessQuery parse(String tenantId, UriQuery parameters) {
        Params params = new Params(parameters);
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
        Optional<Cursor> cursor = params.one("cursor")
                .flatMap(text -> Cursor.decode(text).or(() -> params.error("cursor", Cursor.REFUSED)));
        params.done();
        return new AccessQuery(tenantId, siteId, doorId, memberId, granted, reason, from, until, cursor, limit);
    }

    private static Optional<DenyReason> reason(String text) {
        for (DenyReason reason : DenyReason.values()) {
            if (WireNames.wire(reason).equals(text) || reason.name().equals(text)) {
                return Optional.of(reason);
            }
        }
        return Optional.empty();
    }

    /** The query parameters, read strictly: unknown and repeated parameters are errors, all collected. */
    private static final class Params {
        private final UriQuery query;
        private final List<FieldError> errors = new ArrayList<>();

        Params(UriQuery query) {
            this.query = query;
            for (String name : query.names()) {
                if (!KNOWN.contains(name)) {
                    errors.add(new FieldError(
                            Ids.printable(name),
                            "unknown query parameter; allowed parameters are " + String.join(", ", PARAMETERS)));
                }
            }
        }

        /** The parameter's single value; absent, given twice (an error) or empty (an error) → empty. */
        Optional<String> one(String name) {
            if (!query.contains(name)) {
                return Optional.empty();
            }
            List<String> values = query.all(name);
            if (values.size() != 1) {
                return error(name, "is given " + values.size() + " times; give it once");
            }
            if (values.getFirst().isEmpty()) {
                return error(name, "is empty; leave it out to not filter on it");
            }
            return Optional.of(values.getFirst());
        }

        Optional<String> id(String name) {
            return one(name)
                    .flatMap(text -> Ids.isValid(text)
                            ? Optional.of(text)
                            : error(
                                    name,
                                    "'" + Ids.printable(text)
                                            + "' is not an id (1-64 characters of A-Z, a-z, 0-9, '_' and '-')"));
        }

        Optional<Instant> instant(String name) {
            return one(name).flatMap(text -> {
                try {
                    return Optional.of(Times.parseInstant(text));
                } catch (DateTimeParseException e) {
                    String hint = text.contains(" ") ? "; a '+' in a URL must be written %2B" : "";
                    return error(
                            name,
                            "'" + Ids.printable(text)
                                    + "' is not a timestamp: use ISO-8601 with an offset, e.g. 2026-11-21T09:00:00Z"
                                    + hint);
                }
            });
        }

        /** The limit as {@link Paging} reads it; its refusal joins the other errors. */
        int limit() {
            try {
                return Paging.limit(one("limit"));
            } catch (ApiException e) {
                errors.addAll(e.errors());
                return Paging.DEFAULT_LIMIT;
            }
        }

        <T> Optional<T> error(String name, String message) {
            errors.add(new FieldError(name, message));
            return Optional.empty();
        }

        void done() {
            if (!errors.isEmpty()) {
                throw ApiException.invalid(errors);
            }
        }
    }
}
