package dev.gatehouse.hub.plans;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.gatehouse.hub.audit.Audit;
import dev.gatehouse.hub.tenants.Caller;
import dev.gatehouse.hub.tenants.Permission;
import dev.gatehouse.hub.web.ApiException;
import dev.gatehouse.hub.web.Input;
import dev.gatehouse.hub.web.Json;
import dev.gatehouse.hub.web.Paging;
import dev.gatehouse.hub.web.PathIds;
import dev.gatehouse.hub.web.StoreResults;
import dev.gatehouse.protocol.Ids;
import dev.gatehouse.protocol.ProtocolException;
import dev.gatehouse.protocol.model.HolidayRule;
import dev.gatehouse.protocol.model.TimeWindow;
import io.helidon.http.Status;
import io.helidon.webserver.http.HttpRules;
import io.helidon.webserver.http.HttpService;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import java.time.DayOfWeek;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Plans (which members hold them: {@link PlanAssignmentService}).
 *
 * <pre>
 * POST   /api/v1/plans        {"name", "description"?, "doorGroupIds", "schedule"?, "holidays"?,
 *                              "creditsPerMonth"?, "creditsOnly"?}
 * GET    /api/v1/plans?limit=&amp;cursor=
 * GET|PATCH|DELETE /api/v1/plans/{planId}                 DELETE: 409 while members hold it
 * </pre>
 *
 * A schedule is a list of weekly windows {@code {"day":"monday","start":"08:00","end":"18:00"}} in
 * each site's own time zone; none means at any time. Windows of one day must not overlap.
 */
public record PlanService(PlanStore store, Audit audit, int maxBody) implements HttpService {
    private static final String[] FIELDS = {
        "name", "description", "doorGroupIds", "schedule", "holidays", "creditsPerMonth", "creditsOnly"
    };
    /** The most credits a plan may give a month: far beyond any real plan, far below any overflow. */
    private static final int MAX_CREDITS_PER_MONTH = 1_000_000;

    private static final int MAX_GROUPS = 200;
    private static final int MAX_WINDOWS = 64;

    @Override
    public void routing(HttpRules rules) {
        rules.post("/plans", this::create)
                .get("/plans", this::list)
                .get("/plans/{planId}", this::get)
                .patch("/plans/{planId}", this::update)
                .delete("/plans/{planId}", this::delete);
    }

    /**
     * The caller, when it may change plans: they name door groups of any site, so a role limited to
     * some sites may not (403).
     */
    private static Caller.Operator planManager(ServerRequest req) {
        Caller.Operator caller = Caller.require(req, Permission.MANAGE_SITES);
        if (!caller.access().allSites()) {
            throw ApiException.forbidden(
                    "plans span the tenant's sites, so a role limited to some sites may not change them; ask an owner");
        }
        return caller;
    }

    private void create(ServerRequest req, ServerResponse res) {
        Caller.Operator caller = planManager(req);
        Input input = Input.of(Json.object(req, maxBody), FIELDS);
        String name = input.text("name", 100);
        Optional<String> description = input.optionalText("description", 1000);
        if (!input.has("doorGroupIds")) {
            input.error("doorGroupIds", "is required: the ids of the door groups the plan opens (may be empty)");
        }
        List<String> groupIds = groupIds(input);
        List<TimeWindow> windows = windows(input);
        HolidayRule holidays = input.enumValue("holidays", HolidayRule.class).orElse(HolidayRule.CLOSED);
        Optional<Integer> credits = input.integer("creditsPerMonth", 0, MAX_CREDITS_PER_MONTH);
        Optional<Boolean> creditsOnly = input.bool("creditsOnly");
        input.done();
        PlanStore.PlanView created = StoreResults.value(store.create(
                caller.tenantId(),
                new PlanStore.PlanInput(
                        name, description, groupIds, windows, holidays, credits.orElse(0), creditsOnly.orElse(false))));
        audit.record(req, caller, "plan.create", "plan", created.id(), null, null, created);
        Json.created(res, created);
    }

    private void list(ServerRequest req, ServerResponse res) {
        String tenantId = Caller.require(req, Permission.VIEW_MEMBERS).tenantId();
        Paging paging = Paging.of(req);
        Json.ok(res, store.list(tenantId, paging.limit(), paging.after()).body());
    }

    private void get(ServerRequest req, ServerResponse res) {
        String tenantId = Caller.require(req, Permission.VIEW_MEMBERS).tenantId();
        String planId = PathIds.id(req, "planId", "plan");
        Json.ok(res, StoreResults.found(store.find(tenantId, planId), "plan", planId));
    }

    private void update(ServerRequest req, ServerResponse res) {
        Caller.Operator caller = planManager(req);
        String tenantId = caller.tenantId();
        String planId = PathIds.id(req, "planId", "plan");
        PlanStore.PlanView before = StoreResults.found(store.find(tenantId, planId), "plan", planId);
        Input input = Input.of(Json.object(req, maxBody), FIELDS);
        Optional<String> name = input.has("name") ? Optional.of(input.text("name", 100)) : Optional.empty();
        Optional<String> description = input.optionalText("description", 1000);
        if (input.isNull("doorGroupIds")) {
            input.error("doorGroupIds", "must be an array of door group ids (send [] for none)");
        }
        List<String> groupIds = groupIds(input);
        List<TimeWindow> windows = windows(input);
        Optional<HolidayRule> holidays = input.enumValue("holidays", HolidayRule.class);
        if (input.isNull("holidays")) {
            input.error("holidays", "must be closed or ignored");
        }
        Optional<Integer> credits = input.integer("creditsPerMonth", 0, MAX_CREDITS_PER_MONTH);
        Optional<Boolean> creditsOnly = input.bool("creditsOnly");
        for (String field : List.of("creditsPerMonth", "creditsOnly")) {
            if (input.isNull(field)) {
                input.error(field, "must not be null; leave it out to keep its value");
            }
        }
        input.done();
        PlanStore.PlanView updated = StoreResults.value(store.update(
                tenantId,
                planId,
                current -> new PlanStore.PlanInput(
                        name.orElse(current.name()),
                        input.has("description") ? description : current.description(),
                        input.has("doorGroupIds") ? groupIds : current.doorGroupIds(),
                        input.has("schedule") ? windows : current.windows(),
                        holidays.orElse(current.holidays()),
                        credits.<Long>map(Integer::longValue).orElse(current.creditsPerMonth()),
                        creditsOnly.orElse(current.creditsOnly()))));
        audit.record(req, caller, "plan.update", "plan", planId, null, before, updated);
        Json.ok(res, updated);
    }

    private void delete(ServerRequest req, ServerResponse res) {
        Caller.Operator caller = planManager(req);
        String planId = PathIds.id(req, "planId", "plan");
        PlanStore.PlanView before = StoreResults.found(store.find(caller.tenantId(), planId), "plan", planId);
        StoreResults.value(store.delete(caller.tenantId(), planId));
        audit.record(req, caller, "plan.delete", "plan", planId, null, before, null);
        res.status(Status.NO_CONTENT_204).send();
    }

    /** Door group ids, each named by its index when malformed (their existence is checked by the store). */
    private static List<String> groupIds(Input input) {
        List<JsonNode> items = input.array("doorGroupIds", MAX_GROUPS);
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < items.size(); i++) {
            JsonNode item = items.get(i);
            if (!item.isTextual() || !Ids.isValid(item.asText())) {
                input.error("doorGroupIds[" + i + "]", "must be a door group id such as dg_…");
                continue;
            }
            ids.add(item.asText());
        }
        return ids;
    }

    /** The weekly windows: absent, null or [] mean at any time. */
    private static List<TimeWindow> windows(Input input) {
        List<JsonNode> items = input.array("schedule", MAX_WINDOWS);
        List<TimeWindow> windows = new ArrayList<>();
        List<Integer> positions = new ArrayList<>();
        for (int i = 0; i < items.size(); i++) {
            String field = "schedule[" + i + "]";
            if (!items.get(i).isObject()) {
                input.error(
                        field, "must be an object such as {\"day\":\"monday\",\"start\":\"08:00\",\"end\":\"18:00\"}");
                continue;
            }
            Input entry = Input.of((ObjectNode) items.get(i), "day", "start", "end");
            if (!entry.has("day") || entry.isNull("day")) {
                entry.error("day", "is required: monday … sunday");
            }
            Optional<DayOfWeek> day = entry.enumValue("day", DayOfWeek.class);
            Optional<Integer> start = minute(entry, "start");
            Optional<Integer> end = minute(entry, "end");
            try {
                entry.done();
            } catch (ApiException e) {
                e.errors().forEach(error -> input.error(field + "." + error.field(), error.message()));
                continue;
            }
            try {
                windows.add(new TimeWindow(day.orElseThrow(), start.orElseThrow(), end.orElseThrow()));
                positions.add(i);
            } catch (ProtocolException e) {
                input.error(field, e.getMessage());
            }
        }
        for (int a = 0; a < windows.size(); a++) {
            for (int b = a + 1; b < windows.size(); b++) {
                TimeWindow first = windows.get(a);
                TimeWindow second = windows.get(b);
                if (first.day() == second.day()
                        && first.startMinute() < second.endMinute()
                        && second.startMinute() < first.endMinute()) {
                    input.error(
                            "schedule[" + positions.get(b) + "]",
                            "overlaps schedule[" + positions.get(a) + "] on "
                                    + first.day().name().toLowerCase() + "; merge them into one window");
                }
            }
        }
        return windows;
    }

    private static Optional<Integer> minute(Input entry, String field) {
        if (!entry.has(field) || entry.isNull(field)) {
            entry.error(field, "is required: HH:MM, 00:00 to 24:00");
            return Optional.empty();
        }
        Optional<String> text = entry.optionalText(field, 5);
        if (text.isEmpty()) {
            return Optional.empty();
        }
        try {
            return Optional.of(TimeWindow.parse(text.get(), field));
        } catch (ProtocolException e) {
            entry.error(field, e.getMessage());
            return Optional.empty();
        }
    }
}
