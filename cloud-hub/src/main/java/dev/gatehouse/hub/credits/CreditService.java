package dev.gatehouse.hub.credits;

import dev.gatehouse.hub.audit.Audit;
import dev.gatehouse.hub.sites.ResourceKind;
import dev.gatehouse.hub.store.WireNames;
import dev.gatehouse.hub.tenants.Caller;
import dev.gatehouse.hub.tenants.Permission;
import dev.gatehouse.hub.web.ApiException;
import dev.gatehouse.hub.web.Input;
import dev.gatehouse.hub.web.Json;
import dev.gatehouse.hub.web.PathIds;
import dev.gatehouse.hub.web.QueryParameters;
import dev.gatehouse.hub.web.StoreResults;
import io.helidon.webserver.http.HttpRules;
import io.helidon.webserver.http.HttpService;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import java.time.LocalDate;
import java.time.YearMonth;
import java.time.format.DateTimeParseException;
import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A member's credits.
 *
 * <pre>
 * GET  /api/v1/members/{memberId}/credits?period=YYYY-MM        balance, overage and entries of the month
 * GET  /api/v1/members/{memberId}/credits?period=YYYY-MM-DD/YYYY-MM-DD&resourceKind=meeting-room
 *                                                               the same for a package period of one kind
 * POST /api/v1/members/{memberId}/credits/adjustments           {"period", "credits", "reason"}: 201, audited
 * </pre>
 */
public record CreditService(CreditStore store, Audit audit, int maxBody) implements HttpService {
    private static final Pattern PERIOD = Pattern.compile("\\d{4}-\\d{2}");
    private static final String PERIOD_HINT = "a calendar month as YYYY-MM, e.g. 2026-12";
    private static final Pattern PACKAGE_PERIOD = Pattern.compile("(\\d{4}-\\d{2}-\\d{2})/(\\d{4}-\\d{2}-\\d{2})");
    /** The largest adjustment either way: far beyond any real correction, far below any overflow. */
    private static final int MAX_ADJUSTMENT = 1_000_000;

    @Override
    public void routing(HttpRules rules) {
        rules.get("/members/{memberId}/credits", this::statement)
                .post("/members/{memberId}/credits/adjustments", this::adjust);
    }

    private void statement(ServerRequest req, ServerResponse res) {
        Caller.Operator caller = Caller.require(req, Permission.VIEW_MEMBERS);
        String memberId = PathIds.id(req, "memberId", "member");
        QueryParameters params = new QueryParameters(req.query(), List.of("period", "resourceKind"));
        String hint = PERIOD_HINT + ", or a package period as YYYY-MM-DD/YYYY-MM-DD with a resourceKind";
        Optional<String> kind = params.one("resourceKind");
        Optional<CreditLedger.Pool> pool = params.one("period").flatMap(text -> {
            if (PERIOD.matcher(text).matches()) {
                if (kind.isPresent()) {
                    params.error("resourceKind", "applies to a package period only; a month is the plans' pool");
                }
                return period(text)
                        .map(CreditLedger.Pool::month)
                        .or(() -> params.error("period", "'" + text + "' is not " + hint));
            }
            Optional<String> resource =
                    kind.flatMap(k -> WireNames.parse(ResourceKind.class, k)).map(Enum::name);
            if (packagePeriod(text).isEmpty()) {
                return params.error("period", "'" + text + "' is not " + hint);
            }
            if (resource.isEmpty()) {
                return params.error(
                        "resourceKind",
                        "is required with a package period: one of " + WireNames.choices(ResourceKind.class));
            }
            return Optional.of(new CreditLedger.Pool(text, resource));
        });
        if (!req.query().contains("period")) {
            params.error("period", "is required: " + hint);
        }
        params.done();
        Json.ok(res, StoreResults.value(store.statement(caller.tenantId(), memberId, pool.orElseThrow())));
    }

    /** A package period as {@code start/end} (end after start), or empty. */
    private static Optional<String> packagePeriod(String text) {
        Matcher m = PACKAGE_PERIOD.matcher(text);
        if (!m.matches()) {
            return Optional.empty();
        }
        try {
            return LocalDate.parse(m.group(2)).isAfter(LocalDate.parse(m.group(1)))
                    ? Optional.of(text)
                    : Optional.empty();
        } catch (DateTimeParseException e) {
            return Optional.empty();
        }
    }

    /** Finance, and whoever may manage members, adjusts credits. */
    private static Caller.Operator adjuster(ServerRequest req) {
        Caller.Operator caller = Caller.operator(req);
        if (!caller.access().may(Permission.FINANCE) && !caller.access().may(Permission.MANAGE_MEMBERS)) {
            throw ApiException.forbidden(
                    "the role " + WireNames.wire(caller.access().role())
                            + " may not adjust credits (it needs finance or manage-members); ask an owner for a role that"
                            + " may");
        }
        return caller;
    }

    private void adjust(ServerRequest req, ServerResponse res) {
        Caller.Operator caller = adjuster(req);
        String memberId = PathIds.id(req, "memberId", "member");
        Input input = Input.of(Json.object(req, maxBody), "period", "credits", "reason");
        Optional<String> periodText = input.optionalText("period", 7);
        Optional<YearMonth> period = periodText.flatMap(CreditService::period);
        if (!input.has("period") || input.isNull("period")) {
            input.error("period", "is required: " + PERIOD_HINT);
        } else if (periodText.isPresent() && period.isEmpty()) {
            input.error("period", "'" + periodText.get() + "' is not " + PERIOD_HINT);
        }
        Optional<Integer> credits = input.integer("credits", -MAX_ADJUSTMENT, MAX_ADJUSTMENT);
        if (!input.has("credits") || input.isNull("credits")) {
            input.error("credits", "is required: whole credits to add (or, negative, to take away)");
        } else if (credits.isPresent() && credits.get() == 0) {
            input.error("credits", "is 0; an adjustment adds or takes away at least one credit");
        }
        String reason = input.text("reason", 500);
        input.done();
        CreditStore.EntryView entry = StoreResults.value(store.adjust(
                caller.tenantId(),
                memberId,
                new CreditStore.Adjustment(period.orElseThrow(), credits.orElseThrow(), reason, caller.actorId())));
        audit.record(req, caller, "credits.adjust", "member", memberId, null, null, entry);
        Json.created(res, entry);
    }

    /** A calendar month as {@code YYYY-MM}, or empty when the text is none. */
    public static Optional<YearMonth> period(String text) {
        if (!PERIOD.matcher(text).matches()) {
            return Optional.empty();
        }
        try {
            return Optional.of(YearMonth.parse(text));
        } catch (DateTimeParseException e) {
            return Optional.empty();
        }
    }
}
