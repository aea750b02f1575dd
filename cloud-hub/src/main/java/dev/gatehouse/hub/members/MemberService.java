package dev.gatehouse.hub.members;

import com.fasterxml.jackson.databind.JsonNode;
import dev.gatehouse.hub.audit.Audit;
import dev.gatehouse.hub.store.WireNames;
import dev.gatehouse.hub.tenants.Caller;
import dev.gatehouse.hub.tenants.Permission;
import dev.gatehouse.hub.web.ApiException;
import dev.gatehouse.hub.web.Input;
import dev.gatehouse.hub.web.Json;
import dev.gatehouse.hub.web.Paging;
import dev.gatehouse.hub.web.PathIds;
import dev.gatehouse.hub.web.StoreResults;
import dev.gatehouse.protocol.model.MemberStatus;
import io.helidon.webserver.http.HttpRules;
import io.helidon.webserver.http.HttpService;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Pattern;

/**
 * Members and their history.
 *
 * <pre>
 * POST  /api/v1/members                   {"email", "fullName", "phone"?, "company"?, "roles"?, "status"?}
 * GET   /api/v1/members?status=&amp;q=&amp;limit=&amp;cursor=
 * GET   /api/v1/members/{memberId}        PATCH /api/v1/members/{memberId}
 * GET   /api/v1/members/{memberId}/history?limit=&amp;cursor=
 * </pre>
 */
public record MemberService(MemberStore store, Audit audit, int maxBody) implements HttpService {
    private static final String[] FIELDS = {"email", "fullName", "phone", "company", "roles", "status"};
    private static final Pattern PHONE = Pattern.compile("\\+?[0-9][0-9 ()./-]{2,38}");
    private static final Pattern ROLE = Pattern.compile("[a-z][a-z0-9-]{0,31}");
    private static final int MAX_ROLES = 32;

    @Override
    public void routing(HttpRules rules) {
        rules.post("/members", this::create)
                .get("/members", this::list)
                .get("/members/{memberId}", this::get)
                .patch("/members/{memberId}", this::update)
                .get("/members/{memberId}/history", this::history);
    }

    private void create(ServerRequest req, ServerResponse res) {
        Caller.Operator caller = Caller.require(req, Permission.MANAGE_MEMBERS);
        Input input = Input.of(Json.object(req, maxBody), FIELDS);
        String email = input.email("email");
        String fullName = input.text("fullName", 200);
        Optional<String> phone = phone(input);
        Optional<String> company = input.optionalText("company", 200);
        Set<String> roles = roles(input).orElse(Set.of());
        MemberStatus status = input.enumValue("status", MemberStatus.class).orElse(MemberStatus.ACTIVE);
        if (status == MemberStatus.CANCELLED) {
            input.error("status", "a new member is active or suspended; cancel a member with PATCH");
        }
        input.done();
        MemberStore.MemberView created = StoreResults.value(store.create(
                caller.tenantId(),
                caller.actorId(),
                new MemberStore.MemberInput(email, fullName, phone, company, roles, status)));
        audit.record(req, caller, "member.create", "member", created.id(), null, null, created);
        Json.created(res, created);
    }

    private void list(ServerRequest req, ServerResponse res) {
        String tenantId = Caller.require(req, Permission.VIEW_MEMBERS).tenantId();
        Optional<MemberStatus> status = req.query().first("status").asOptional().map(MemberService::status);
        Optional<String> q =
                req.query().first("q").asOptional().map(String::strip).filter(s -> !s.isEmpty());
        if (q.isPresent() && q.get().length() > 254) {
            throw ApiException.invalid("q", "is " + q.get().length() + " characters; the limit is 254");
        }
        Paging paging = Paging.of(req);
        Json.ok(
                res,
                store.list(tenantId, status, q, paging.limit(), paging.after()).body());
    }

    private static MemberStatus status(String text) {
        return WireNames.parse(MemberStatus.class, text.strip())
                .orElseThrow(() -> ApiException.invalid(
                        "status", "'" + text + "' is not one of " + WireNames.choices(MemberStatus.class)));
    }

    private void get(ServerRequest req, ServerResponse res) {
        String tenantId = Caller.require(req, Permission.VIEW_MEMBERS).tenantId();
        String memberId = PathIds.id(req, "memberId", "member");
        Json.ok(res, StoreResults.found(store.find(tenantId, memberId), "member", memberId));
    }

    private void update(ServerRequest req, ServerResponse res) {
        Caller.Operator caller = Caller.require(req, Permission.MANAGE_MEMBERS);
        String memberId = PathIds.id(req, "memberId", "member");
        // 404 before reading the body: another tenant's member is not there at all.
        MemberStore.MemberView before = StoreResults.found(store.find(caller.tenantId(), memberId), "member", memberId);
        Input input = Input.of(Json.object(req, maxBody), FIELDS);
        Optional<String> email = input.has("email") ? Optional.of(input.email("email")) : Optional.empty();
        Optional<String> fullName = input.has("fullName") ? Optional.of(input.text("fullName", 200)) : Optional.empty();
        Optional<String> phone = phone(input);
        Optional<String> company = input.optionalText("company", 200);
        Optional<Set<String>> roles = roles(input);
        Optional<MemberStatus> status = input.enumValue("status", MemberStatus.class);
        if (input.isNull("status")) {
            input.error("status", "must be one of active, suspended, cancelled");
        }
        input.done();
        MemberStore.MemberView updated = StoreResults.value(store.update(
                caller.tenantId(),
                caller.actorId(),
                memberId,
                current -> new MemberStore.MemberInput(
                        email.orElse(current.email()),
                        fullName.orElse(current.fullName()),
                        input.has("phone") ? phone : current.phone(),
                        input.has("company") ? company : current.company(),
                        roles.orElse(current.roles()),
                        status.orElse(current.status()))));
        audit.record(req, caller, action(before, updated), "member", memberId, null, before, updated);
        Json.ok(res, updated);
    }

    /** What a PATCH did, as the audit log names it: a change of status has its own name. */
    private static String action(MemberStore.MemberView before, MemberStore.MemberView after) {
        if (before.status().equals(after.status())) {
            return "member.update";
        }
        return switch (WireNames.of(MemberStatus.class, after.status())) {
            case ACTIVE -> "member.reactivate";
            case SUSPENDED -> "member.suspend";
            case CANCELLED -> "member.cancel";
        };
    }

    private void history(ServerRequest req, ServerResponse res) {
        String tenantId = Caller.require(req, Permission.VIEW_MEMBERS).tenantId();
        String memberId = PathIds.id(req, "memberId", "member");
        Paging paging = Paging.of(req);
        Json.ok(
                res,
                StoreResults.value(store.history(tenantId, memberId, paging.limit(), paging.after()))
                        .map(HistoryView::of)
                        .body());
    }

    /** A history entry as the API shows it, its changes as the JSON they were recorded as. */
    public record HistoryView(String id, String at, String actor, String action, JsonNode changes) {
        static HistoryView of(MemberStore.HistoryEntry entry) {
            return new HistoryView(
                    entry.id(), entry.at(), entry.actor(), entry.action(), MemberJson.changes(entry.changes()));
        }
    }

    /** An optional phone number of the body: the API's rule, which the console's forms share. */
    public static Optional<String> phone(Input input) {
        Optional<String> phone = input.optionalText("phone", 40);
        if (phone.isPresent() && !PHONE.matcher(phone.get()).matches()) {
            input.error("phone", "'" + phone.get() + "' is not a phone number: use digits, spaces, + ( ) . / -");
            return Optional.empty();
        }
        return phone;
    }

    /** Roles as the protocol writes them (a-z, 0-9, '-', starting with a letter); absent when not sent. */
    static Optional<Set<String>> roles(Input input) {
        if (!input.has("roles")) {
            return Optional.empty();
        }
        if (input.isNull("roles")) {
            return Optional.of(Set.of());
        }
        List<JsonNode> items = input.array("roles", MAX_ROLES);
        Set<String> roles = new TreeSet<>();
        for (int i = 0; i < items.size(); i++) {
            JsonNode item = items.get(i);
            if (!item.isTextual() || !ROLE.matcher(item.asText()).matches()) {
                input.error(
                        "roles[" + i + "]",
                        "must be a role: 1-32 characters of a-z, 0-9 and '-', starting with a letter (e.g. staff)");
                continue;
            }
            roles.add(item.asText().toLowerCase(Locale.ROOT));
        }
        return Optional.of(roles);
    }
}
