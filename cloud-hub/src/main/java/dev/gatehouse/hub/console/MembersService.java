package dev.gatehouse.hub.console;

import dev.gatehouse.hub.access.AccessQuery;
import dev.gatehouse.hub.audit.Audit;
import dev.gatehouse.hub.credentials.CredentialStore;
import dev.gatehouse.hub.credentials.CredentialViews.CredentialView;
import dev.gatehouse.hub.members.MemberJson;
import dev.gatehouse.hub.members.MemberStore;
import dev.gatehouse.hub.members.MemberStore.MemberView;
import dev.gatehouse.hub.plans.PlanAssignmentStore;
import dev.gatehouse.hub.plans.PlanStore;
import dev.gatehouse.hub.privacy.PersonalData;
import dev.gatehouse.hub.store.Cursor;
import dev.gatehouse.hub.store.Page;
import dev.gatehouse.hub.store.Sql;
import dev.gatehouse.hub.store.StoreResult;
import dev.gatehouse.hub.store.WireNames;
import dev.gatehouse.hub.tenants.Permission;
import dev.gatehouse.protocol.Ids;
import dev.gatehouse.protocol.model.MemberStatus;
import io.helidon.common.media.type.MediaTypes;
import io.helidon.common.parameters.Parameters;
import io.helidon.http.HeaderNames;
import io.helidon.http.Status;
import io.helidon.webserver.http.HttpRules;
import io.helidon.webserver.http.HttpService;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The console's member pages.
 *
 * <pre>
 * GET  /console/members                          search (q: name, e-mail or card label prefix), status, next page
 * GET  /console/members/new                      the form for a new member;  POST /console/members creates it
 * GET  /console/members/{id}                     profile, status, plans, credentials, history, access log
 * POST /console/members/{id}                     edit the profile
 * POST /console/members/{id}/status              suspend, reactivate or cancel (action, reason)
 * POST /console/members/{id}/plans               assign a plan (planId)
 * POST /console/members/{id}/plans/{planId}/remove
 * </pre>
 *
 * The list answers only its table rows to an htmx request (the search box updates them as one types)
 * and the whole page otherwise. Writes go through the API's stores and rules and are audited.
 */
public final class MembersService implements HttpService {
    /** 422: a form that was refused, shown again with a message per field. */
    static final Status INVALID = Status.create(422, "Unprocessable Content");

    private static final int PAGE_SIZE = 25;
    private static final int EVENTS = 20;
    private static final Set<String> NOTICES = Set.of(
            "created",
            "saved",
            "suspend",
            "reactivate",
            "cancel",
            "plan-assigned",
            "plan-removed",
            "lost",
            "revoked",
            "qr-issued",
            "enrolled",
            "erased");

    private final Console.Parts parts;
    private final MemberStore members;
    private final CredentialStore credentials;
    private final PlanAssignmentStore assignments;
    private final PlanStore plans;
    private final Audit audit;

    public MembersService(Console.Parts parts) {
        this.parts = parts;
        this.members = new MemberStore(parts.database(), parts.clock());
        this.credentials = new CredentialStore(parts.database(), parts.clock());
        this.assignments = new PlanAssignmentStore(parts.database(), parts.clock());
        this.plans = new PlanStore(parts.database(), parts.clock());
        this.audit = parts.audit();
    }

    /** One page of the list: the search as typed, its results and the link to the next page. */
    public record Listing(String q, String status, List<MemberView> members, Optional<String> next) {}

    /** A door an operator may enroll a card at: its id, name and site's name. */
    public record Door(String id, String name, String siteName) {}

    /** Everything the member's page shows, and what this operator's role may do there. */
    public record Detail(
            MemberView member,
            MembersForm profile,
            List<PlanAssignmentStore.AssignmentView> plans,
            List<PlanStore.PlanView> plansToAssign,
            List<CredentialView> credentials,
            List<MemberStore.HistoryEntry> history,
            List<Feed.Row> events,
            List<Door> doors,
            boolean manageMembers,
            boolean manageCredentials,
            Optional<String> notice,
            Optional<String> error,
            ZoneId zone,
            Optional<String> dunning,
            boolean mayErase) {
        public boolean cancelled() {
            return member.status().equals("cancelled");
        }

        /**
         * A stored time as people read it, in the zone of the operator's first site (a member is the
         * tenant's, not one site's), with the zone's name.
         */
        public String when(String iso) {
            return Formats.dateTime(Instant.parse(iso), zone, Guard.messages().locale());
        }

        /** A history entry's changes, one line a field: {@code status: active → suspended}. */
        public List<String> changes(String json) {
            List<String> lines = new java.util.ArrayList<>();
            MemberJson.changes(json)
                    .properties()
                    .forEach(field -> lines.add(
                            field.getKey() + ": " + shown(field.getValue().get("from")) + " → "
                                    + shown(field.getValue().get("to"))));
            return lines;
        }

        private static String shown(com.fasterxml.jackson.databind.JsonNode value) {
            if (value == null || value.isNull()) {
                return "–";
            }
            return value.isTextual() ? value.asText() : value.toString();
        }
    }

    @Override
    public void routing(HttpRules rules) {
        rules.get("/console/members", this::list)
                .get("/console/members/new", this::newMember)
                .post("/console/members", this::create)
                .get("/console/members/{memberId}", this::detail)
                .post("/console/members/{memberId}", this::saveProfile)
                .post("/console/members/{memberId}/status", this::status)
                .post("/console/members/{memberId}/plans", this::assign)
                .post("/console/members/{memberId}/plans/{planId}/remove", this::unassign)
                .get("/console/members/{memberId}/export", this::export)
                .post("/console/members/{memberId}/erase", this::erase);
    }

    // ---- list

    private void list(ServerRequest req, ServerResponse res) {
        ConsoleSession s = Guard.page(req, Permission.VIEW_MEMBERS);
        String typed = req.query().first("q").asOptional().map(String::strip).orElse("");
        String q = typed.length() > 254 ? typed.substring(0, 254) : typed;
        Optional<MemberStatus> status =
                req.query().first("status").asOptional().flatMap(text -> WireNames.parse(MemberStatus.class, text));
        Optional<Cursor> after = req.query().first("cursor").asOptional().flatMap(Cursor::decode);
        Page<MemberView> found = members.search(
                s.tenant().id(), status, Optional.of(q).filter(text -> !text.isEmpty()), PAGE_SIZE, after);
        String statusText = status.map(WireNames::wire).orElse("");
        Optional<String> next = found.nextCursor()
                .map(cursor -> "/console/members?q=" + encode(q) + "&status=" + statusText + "&cursor=" + cursor);
        Listing listing = new Listing(q, statusText, found.items(), next);
        ConsolePage page = Guard.pageFor(s, "members.title", "/console/members");
        if (req.headers().contains(HeaderNames.create("HX-Request"))) {
            Templates.render(res, "members-rows.jte", Map.of("page", page, "list", listing));
        } else {
            Templates.render(res, "members.jte", Map.of("page", page, "list", listing));
        }
    }

    static String encode(String text) {
        return URLEncoder.encode(text, StandardCharsets.UTF_8);
    }

    // ---- create

    private void newMember(ServerRequest req, ServerResponse res) {
        ConsoleSession s = Guard.page(req, Permission.MANAGE_MEMBERS);
        renderNew(res, s, Status.OK_200, MembersForm.blank());
    }

    private static void renderNew(ServerResponse res, ConsoleSession s, Status status, MembersForm form) {
        Templates.render(
                res,
                status,
                "members-new.jte",
                Map.of("page", Guard.pageFor(s, "members.new.title", "/console/members"), "form", form));
    }

    private void create(ServerRequest req, ServerResponse res) {
        ConsoleSession s = Guard.page(req, Permission.MANAGE_MEMBERS);
        MembersForm form = MembersForm.read(Forms.read(req, s));
        if (!form.valid()) {
            renderNew(res, s, MembersService.INVALID, form);
            return;
        }
        StoreResult<MemberView> created =
                members.create(s.tenant().id(), s.caller().actorId(), form.input(Set.of(), MemberStatus.ACTIVE));
        switch (created) {
            case StoreResult.Found<MemberView> found -> {
                audit.record(
                        req,
                        s.caller(),
                        "member.create",
                        "member",
                        found.value().id(),
                        null,
                        null,
                        found.value());
                redirect(res, found.value().id(), "created");
            }
            case StoreResult.Conflict<MemberView> conflict ->
                renderNew(res, s, MembersService.INVALID, form.withError("email", conflict.reason()));
            case StoreResult.NotFound<MemberView> missing -> throw PageException.notFound("no " + missing.what());
            case StoreResult.Invalid<MemberView> invalid -> {
                MembersForm refused = form;
                for (var error : invalid.errors()) {
                    refused = refused.withError(error.field(), error.message());
                }
                renderNew(res, s, MembersService.INVALID, refused);
            }
        }
    }

    /** After a change: back to the member's page (Post/Redirect/Get) with a notice of what happened. */
    static void redirect(ServerResponse res, String memberId, String notice) {
        SignInService.redirect(res, "/console/members/" + memberId + "?done=" + notice);
    }

    // ---- the member's page

    static String memberId(ServerRequest req) {
        String id = req.path().pathParameters().get("memberId");
        if (!Ids.isValid(id)) {
            throw PageException.notFound("There is no member " + Ids.printable(id) + ".");
        }
        return id;
    }

    private MemberView member(ConsoleSession s, String memberId) {
        return members.find(s.tenant().id(), memberId)
                .orElseThrow(() -> PageException.notFound("There is no member " + memberId + "."));
    }

    private void detail(ServerRequest req, ServerResponse res) {
        ConsoleSession s = Guard.page(req, Permission.VIEW_MEMBERS);
        MemberView member = member(s, memberId(req));
        Optional<String> notice = req.query().first("done").asOptional().filter(NOTICES::contains);
        render(res, s, Status.OK_200, member, MembersForm.of(member), notice, Optional.empty());
    }

    private void render(
            ServerResponse res,
            ConsoleSession s,
            Status status,
            MemberView member,
            MembersForm profile,
            Optional<String> notice,
            Optional<String> error) {
        String tenantId = s.tenant().id();
        ConsolePage page = Guard.pageFor(s, "members.detail.title", "/console/members");
        List<PlanAssignmentStore.AssignmentView> held = value(assignments.assignments(tenantId, member.id()));
        List<PlanStore.PlanView> all = plans.list(tenantId, 200, Optional.empty()).items().stream()
                .filter(plan -> held.stream().noneMatch(h -> h.planId().equals(plan.id())))
                .toList();
        List<CredentialView> cards = value(
                        credentials.list(tenantId, member.id(), Optional.empty(), Optional.empty(), 100))
                .items();
        List<MemberStore.HistoryEntry> history = value(members.history(tenantId, member.id(), 100, Optional.empty()))
                .items();
        Feed feed = new Feed(parts.database(), tenantId, s.access(), page.t());
        List<Feed.Row> events = feed.rows(parts.accessLog()
                .query(AccessQuery.of(tenantId).member(member.id()).limit(EVENTS))
                .items());
        Detail detail = new Detail(
                member,
                profile,
                held,
                all,
                cards,
                history,
                events,
                doors(s),
                s.access().may(Permission.MANAGE_MEMBERS),
                s.access().may(Permission.MANAGE_CREDENTIALS),
                notice.map(key -> page.t().get("members.notice." + key)),
                error,
                zone(s),
                // Dunning's standing, when not good: it may deny doors while the member reads active.
                Optional.of(parts.database()
                                .read(c -> dev.gatehouse.hub.billing.Dunning.standing(c, tenantId, member.id()))
                                .state())
                        .filter(state -> state != dev.gatehouse.hub.billing.Dunning.State.GOOD)
                        .map(state ->
                                state.name().toLowerCase(java.util.Locale.ROOT).replace('_', '-')),
                s.access().may(Permission.MANAGE_SETTINGS));
        Templates.render(res, status, "members-detail.jte", Map.of("page", page, "m", detail));
    }

    /** The member's page again, with what was refused and why, at {@code status}; nothing changed. */
    private void refuse(ServerResponse res, ConsoleSession s, Status status, MemberView member, String message) {
        render(res, s, status, member, MembersForm.of(member), Optional.empty(), Optional.of(message));
    }

    /** The zone of the operator's first site by name; UTC when it sees none. */
    private ZoneId zone(ConsoleSession s) {
        return parts
                .database()
                .read(c -> Sql.list(
                        c,
                        "SELECT id, time_zone FROM sites WHERE tenant_id = ? ORDER BY name, id",
                        row -> Map.entry(row.getString(1), row.getString(2)),
                        s.tenant().id()))
                .stream()
                .filter(site -> s.access().covers(site.getKey()))
                .map(site -> ZoneId.of(site.getValue()))
                .findFirst()
                .orElse(ZoneOffset.UTC);
    }

    /** The doors of the sites this operator may see, to enroll a card at. */
    private List<Door> doors(ConsoleSession s) {
        return parts
                .database()
                .read(c -> Sql.list(
                        c,
                        "SELECT d.id, d.name, s.name, s.id FROM doors d JOIN sites s ON s.id = d.site_id"
                                + " WHERE d.tenant_id = ? AND s.tenant_id = ? ORDER BY s.name, d.name, d.id",
                        row -> Map.entry(
                                row.getString(4), new Door(row.getString(1), row.getString(2), row.getString(3))),
                        s.tenant().id(),
                        s.tenant().id()))
                .stream()
                .filter(entry -> s.access().covers(entry.getKey()))
                .map(Map.Entry::getValue)
                .toList();
    }

    /** The value of a read that fails only for a missing member (checked just before). */
    static <T> T value(StoreResult<T> result) {
        return switch (result) {
            case StoreResult.Found<T> found -> found.value();
            case StoreResult.NotFound<T> missing ->
                throw PageException.notFound("There is no " + missing.what() + " " + missing.id() + ".");
            case StoreResult.Conflict<T> conflict -> throw PageException.badRequest(conflict.reason());
            case StoreResult.Invalid<T> invalid ->
                throw PageException.badRequest(invalid.errors().toString());
        };
    }

    // ---- writes on the member's page

    private void saveProfile(ServerRequest req, ServerResponse res) {
        ConsoleSession s = Guard.page(req, Permission.MANAGE_MEMBERS);
        MemberView before = member(s, memberId(req));
        MembersForm form = MembersForm.read(Forms.read(req, s));
        if (!form.valid()) {
            render(res, s, MembersService.INVALID, before, form, Optional.empty(), Optional.empty());
            return;
        }
        StoreResult<MemberView> saved = members.update(
                s.tenant().id(),
                s.caller().actorId(),
                before.id(),
                current -> form.input(current.roles(), current.status()));
        if (saved instanceof StoreResult.Found<MemberView> found) {
            audit.record(req, s.caller(), "member.update", "member", before.id(), null, before, found.value());
            redirect(res, before.id(), "saved");
        } else if (saved instanceof StoreResult.Conflict<MemberView> conflict) {
            render(
                    res,
                    s,
                    MembersService.INVALID,
                    before,
                    form.withError("email", conflict.reason()),
                    Optional.empty(),
                    Optional.empty());
        } else {
            value(saved);
        }
    }

    /** The reason an operator gave for a change of status, kept in the audit entry with the member. */
    public record StatusChange(MemberView member, String reason) {}

    private void status(ServerRequest req, ServerResponse res) {
        ConsoleSession s = Guard.page(req, Permission.MANAGE_MEMBERS);
        MemberView before = member(s, memberId(req));
        Parameters form = Forms.read(req, s);
        String action = Forms.field(form, "action").orElse("");
        MemberStatus target =
                switch (action) {
                    case "suspend" -> MemberStatus.SUSPENDED;
                    case "reactivate" -> MemberStatus.ACTIVE;
                    case "cancel" -> MemberStatus.CANCELLED;
                    default -> throw PageException.badRequest("choose suspend, reactivate or cancel");
                };
        String reason = Forms.field(form, "reason").orElse("");
        if (reason.length() > 500) {
            refuse(
                    res,
                    s,
                    MembersService.INVALID,
                    before,
                    Guard.messages().get("members.status.reason-too-long", reason.length()));
            return;
        }
        StoreResult<MemberView> saved = members.update(
                s.tenant().id(),
                s.caller().actorId(),
                before.id(),
                current -> new MemberStore.MemberInput(
                        current.email(),
                        current.fullName(),
                        current.phone(),
                        current.company(),
                        current.roles(),
                        target));
        if (saved instanceof StoreResult.Conflict<MemberView> conflict) {
            refuse(res, s, Status.CONFLICT_409, before, conflict.reason());
            return;
        }
        MemberView after = value(saved);
        audit.record(
                req,
                s.caller(),
                "member." + action,
                "member",
                before.id(),
                null,
                before,
                new StatusChange(after, reason));
        redirect(res, before.id(), action);
    }

    /** Everything held about the member, downloaded as the API's export (owners; audited the same way). */
    private void export(ServerRequest req, ServerResponse res) {
        ConsoleSession s = Guard.page(req, Permission.MANAGE_SETTINGS);
        MemberView member = member(s, memberId(req));
        var document = value(new PersonalData(parts.database(), parts.clock())
                .export(s.tenant().id(), member.id()));
        audit.record(req, s.caller(), "member.export", "member", member.id(), null, null, null);
        res.header(HeaderNames.CONTENT_DISPOSITION, "attachment; filename=\"member-" + member.id() + ".json\"");
        res.header(HeaderNames.CACHE_CONTROL, "no-store");
        res.headers().contentType(MediaTypes.APPLICATION_JSON);
        res.send(document.toPrettyString());
    }

    /** Erases the member for good (owners only), as the API's erase; refused with the reason on the page. */
    private void erase(ServerRequest req, ServerResponse res) {
        ConsoleSession s = Guard.page(req, Permission.MANAGE_SETTINGS);
        MemberView before = member(s, memberId(req));
        Forms.read(req, s);
        StoreResult<PersonalData.Erased> erased = new PersonalData(parts.database(), parts.clock())
                .erase(s.tenant().id(), s.caller().actorId(), before.id());
        if (erased instanceof StoreResult.Conflict<PersonalData.Erased> conflict) {
            refuse(res, s, Status.CONFLICT_409, before, conflict.reason());
            return;
        }
        PersonalData.Erased done = value(erased);
        if (!done.alreadyErased()) {
            audit.record(req, s.caller(), "member.erase", "member", before.id(), null, null, done);
        }
        redirect(res, before.id(), "erased");
    }

    private void assign(ServerRequest req, ServerResponse res) {
        ConsoleSession s = Guard.page(req, Permission.MANAGE_MEMBERS);
        MemberView member = member(s, memberId(req));
        Parameters form = Forms.read(req, s);
        Optional<String> planId = Forms.field(form, "planId").filter(Ids::isValid);
        if (planId.isEmpty()) {
            refuse(res, s, MembersService.INVALID, member, Guard.messages().get("members.plans.choose"));
            return;
        }
        StoreResult<PlanAssignmentStore.Assigned> assigned = assignments.assign(
                s.tenant().id(), s.caller().actorId(), member.id(), planId.get(), Optional.empty(), Optional.empty());
        if (assigned instanceof StoreResult.Conflict<PlanAssignmentStore.Assigned> conflict) {
            refuse(res, s, Status.CONFLICT_409, member, conflict.reason());
            return;
        }
        audit.record(
                req,
                s.caller(),
                "plan.assign",
                "member",
                member.id(),
                null,
                null,
                value(assigned).assignment());
        redirect(res, member.id(), "plan-assigned");
    }

    private void unassign(ServerRequest req, ServerResponse res) {
        ConsoleSession s = Guard.page(req, Permission.MANAGE_MEMBERS);
        MemberView member = member(s, memberId(req));
        Forms.read(req, s);
        String planId = req.path().pathParameters().get("planId");
        Optional<PlanAssignmentStore.AssignmentView> removed =
                value(assignments.unassign(s.tenant().id(), s.caller().actorId(), member.id(), planId));
        if (removed.isPresent()) {
            audit.record(req, s.caller(), "plan.unassign", "member", member.id(), null, removed.get(), null);
        }
        redirect(res, member.id(), "plan-removed");
    }
}
