package dev.gatehouse.hub.announcements;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.gatehouse.hub.console.ConsoleSession;
import dev.gatehouse.hub.console.Formats;
import dev.gatehouse.hub.console.Forms;
import dev.gatehouse.hub.console.Guard;
import dev.gatehouse.hub.console.PageException;
import dev.gatehouse.hub.console.SignInService;
import dev.gatehouse.hub.console.Templates;
import dev.gatehouse.hub.store.Database;
import dev.gatehouse.hub.store.Sql;
import dev.gatehouse.hub.tenants.Permission;
import dev.gatehouse.hub.web.ApiException;
import dev.gatehouse.hub.web.Json;
import io.helidon.common.parameters.Parameters;
import io.helidon.http.Status;
import io.helidon.webserver.http.HttpRules;
import io.helidon.webserver.http.HttpService;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import java.time.DateTimeException;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Announcements in the console: the list with each one's audience, state and how many members it
 * was mailed to; a form to post one (to a site, or to everyone when the operator has every site), to
 * edit one, and a button to withdraw it. Every action goes through {@link Announcements}.
 *
 * <pre>
 * GET  /console/announcements                 the list and the form
 * POST /console/announcements                 post (siteId, title, body, publishAt, expiresAt)
 * GET  /console/announcements/{id}            the announcement and its edit form
 * POST /console/announcements/{id}            save the edit
 * POST /console/announcements/{id}/withdraw   withdraw it
 * </pre>
 *
 * Times are typed in the zone of the announcement's site (the first site's for the whole space).
 */
public record AnnouncementPages(Database database, Announcements announcements) implements HttpService {
    private static final Status INVALID = Status.create(422, "Unprocessable Content");
    private static final DateTimeFormatter LOCAL = DateTimeFormatter.ofPattern("uuuu-MM-dd'T'HH:mm");

    @Override
    public void routing(HttpRules rules) {
        rules.get("/console/announcements", this::list)
                .post("/console/announcements", this::create)
                .get("/console/announcements/{announcementId}", this::show)
                .post("/console/announcements/{announcementId}", this::update)
                .post("/console/announcements/{announcementId}/withdraw", this::withdraw);
    }

    /** A site for the form's audience choice. */
    public record Site(String id, String name, ZoneId zone) {}

    /** The form as typed, with a message per refused field. */
    public record Form(
            String siteId, String title, String body, String publishAt, String expiresAt, Map<String, String> errors) {
        public Optional<String> error(String field) {
            return Optional.ofNullable(errors.get(field));
        }

        public boolean hasErrors() {
            return !errors.isEmpty();
        }
    }

    /** An announcement in the list: its audience and times in words. */
    public record Row(AnnouncementStore.View view, String audience, String state, String publishAt, String expiresAt) {}

    private List<Site> sites(ConsoleSession s) {
        return database
                .read(c -> Sql.list(
                        c,
                        "SELECT id, name, time_zone FROM sites WHERE tenant_id = ? ORDER BY name, id",
                        row -> new Site(row.getString(1), row.getString(2), ZoneId.of(row.getString(3))),
                        s.tenant().id()))
                .stream()
                .filter(site -> s.access().covers(site.id()))
                .toList();
    }

    private static ZoneId zone(List<Site> sites, Optional<String> siteId) {
        return sites.stream()
                .filter(site -> siteId.map(site.id()::equals).orElse(true))
                .findFirst()
                .map(Site::zone)
                .orElse(ZoneId.of("UTC"));
    }

    private Row row(AnnouncementStore.View view, List<Site> sites) {
        ZoneId zone = zone(sites, view.siteId());
        var t = Guard.messages();
        String state = view.state(announcements.clock().instant());
        return new Row(
                view,
                view.siteName().orElse(t.get("announcements.everyone")),
                state,
                Formats.dateTime(view.publishAt(), zone, t.locale()),
                view.expiresAt()
                        .map(at -> Formats.dateTime(at, zone, t.locale()))
                        .orElse(t.get("announcements.no-end")));
    }

    private void list(ServerRequest req, ServerResponse res) {
        ConsoleSession s = Guard.page(req, Permission.VIEW_MEMBERS);
        List<Site> sites = sites(s);
        renderList(
                req,
                res,
                s,
                Status.OK_200,
                new Form(
                        s.access().allSites()
                                ? ""
                                : sites.isEmpty() ? "" : sites.getFirst().id(),
                        "",
                        "",
                        "",
                        "",
                        Map.of()));
    }

    private void renderList(ServerRequest req, ServerResponse res, ConsoleSession s, Status status, Form form) {
        List<Site> sites = sites(s);
        Map<String, Object> params = new LinkedHashMap<>();
        params.put("page", Guard.pageFor(s, "announcements.title", "/console/announcements"));
        params.put(
                "rows",
                announcements.list(s.caller()).stream().map(v -> row(v, sites)).toList());
        params.put("sites", sites);
        params.put("everyone", s.access().allSites());
        params.put("form", form);
        params.put("manage", s.access().may(Permission.MANAGE_MEMBERS));
        params.put(
                "notice",
                req.query()
                        .first("done")
                        .asOptional()
                        .filter(Set.of("withdrawn")::contains)
                        .map(key -> Guard.messages().get("announcements.done." + key)));
        Templates.render(res, status, "announcements.jte", params);
    }

    /** Reads the form into the API's JSON (times from the site's zone to instants); answers the draft or the errors. */
    private Optional<AnnouncementStore.Draft> draft(Form typed, List<Site> sites, Map<String, String> errors) {
        ObjectNode body = Json.MAPPER.createObjectNode();
        if (!typed.siteId().isEmpty()) {
            body.put("siteId", typed.siteId());
        }
        if (!typed.title().isEmpty()) {
            body.put("title", typed.title());
        }
        if (!typed.body().isEmpty()) {
            body.put("body", typed.body());
        }
        ZoneId zone = zone(sites, Optional.of(typed.siteId()).filter(id -> !id.isEmpty()));
        local(typed.publishAt(), zone, "publishAt", errors).ifPresent(at -> body.put("publishAt", at.toString()));
        local(typed.expiresAt(), zone, "expiresAt", errors).ifPresent(at -> body.put("expiresAt", at.toString()));
        try {
            AnnouncementStore.Draft draft = Announcements.read(body);
            return errors.isEmpty() ? Optional.of(draft) : Optional.empty();
        } catch (ApiException e) {
            e.errors().forEach(error -> errors.putIfAbsent(error.field(), error.message()));
            return Optional.empty();
        }
    }

    private static Optional<Instant> local(String text, ZoneId zone, String field, Map<String, String> errors) {
        if (text.isBlank()) {
            return Optional.empty();
        }
        try {
            return Optional.of(LocalDateTime.parse(text.strip()).atZone(zone).toInstant());
        } catch (DateTimeException e) {
            errors.put(field, Guard.messages().get("announcements.error.time", zone.getId()));
            return Optional.empty();
        }
    }

    private static Form typed(Parameters form) {
        return new Form(
                Forms.field(form, "siteId").orElse(""),
                Forms.field(form, "title").orElse(""),
                form.first("body").asOptional().orElse("").strip(),
                Forms.field(form, "publishAt").orElse(""),
                Forms.field(form, "expiresAt").orElse(""),
                Map.of());
    }

    private static Form withErrors(Form form, Map<String, String> errors) {
        return new Form(
                form.siteId(), form.title(), form.body(), form.publishAt(), form.expiresAt(), Map.copyOf(errors));
    }

    private void create(ServerRequest req, ServerResponse res) {
        ConsoleSession s = Guard.page(req, Permission.MANAGE_MEMBERS);
        Form typed = typed(Forms.read(req, s));
        List<Site> sites = sites(s);
        Map<String, String> errors = new LinkedHashMap<>();
        if (typed.siteId().isEmpty() && !s.access().allSites()) {
            errors.put("siteId", Guard.messages().get("announcements.error.site"));
        } else if (!typed.siteId().isEmpty() && !s.access().covers(typed.siteId())) {
            errors.put("siteId", Guard.messages().get("announcements.error.site"));
        }
        Optional<AnnouncementStore.Draft> draft = draft(typed, sites, errors);
        if (draft.isEmpty() || !errors.isEmpty()) {
            renderList(req, res, s, INVALID, withErrors(typed, errors));
            return;
        }
        try {
            AnnouncementStore.View made = announcements.create(req, s.caller(), draft.get());
            SignInService.redirect(res, "/console/announcements/" + made.id() + "?done=posted");
        } catch (ApiException e) {
            e.errors().forEach(error -> errors.putIfAbsent(error.field(), error.message()));
            if (errors.isEmpty()) {
                throw PageException.forbidden(e.getMessage());
            }
            renderList(req, res, s, INVALID, withErrors(typed, errors));
        }
    }

    private AnnouncementStore.View announcement(ServerRequest req, ConsoleSession s) {
        String id = req.path().pathParameters().get("announcementId");
        try {
            return announcements.find(s.caller(), id);
        } catch (ApiException e) {
            throw PageException.notFound("There is no announcement " + dev.gatehouse.protocol.Ids.printable(id) + ".");
        }
    }

    private void show(ServerRequest req, ServerResponse res) {
        ConsoleSession s = Guard.page(req, Permission.VIEW_MEMBERS);
        AnnouncementStore.View view = announcement(req, s);
        List<Site> sites = sites(s);
        ZoneId zone = zone(sites, view.siteId());
        Form form = new Form(
                view.siteId().orElse(""),
                view.title(),
                view.body(),
                LOCAL.withZone(zone).format(view.publishAt()),
                view.expiresAt().map(LOCAL.withZone(zone)::format).orElse(""),
                Map.of());
        renderOne(req, res, s, Status.OK_200, view, form);
    }

    private void renderOne(
            ServerRequest req,
            ServerResponse res,
            ConsoleSession s,
            Status status,
            AnnouncementStore.View view,
            Form form) {
        List<Site> sites = sites(s);
        Map<String, Object> params = new LinkedHashMap<>();
        params.put("page", Guard.pageFor(s, "announcements.one.title", "/console/announcements"));
        params.put("row", row(view, sites));
        params.put("form", form);
        params.put(
                "manage",
                s.access().may(Permission.MANAGE_MEMBERS)
                        && view.siteId()
                                .map(s.access()::covers)
                                .orElse(s.access().allSites()));
        params.put("zone", zone(sites, view.siteId()).getId());
        params.put(
                "notice",
                req.query()
                        .first("done")
                        .asOptional()
                        .filter(Set.of("posted", "saved")::contains)
                        .map(key -> Guard.messages().get("announcements.done." + key)));
        Templates.render(res, status, "announcement.jte", params);
    }

    private void update(ServerRequest req, ServerResponse res) {
        ConsoleSession s = Guard.page(req, Permission.MANAGE_MEMBERS);
        AnnouncementStore.View view = announcement(req, s);
        Form typed = typed(Forms.read(req, s));
        typed = new Form(
                view.siteId().orElse(""), typed.title(), typed.body(), typed.publishAt(), typed.expiresAt(), Map.of());
        Map<String, String> errors = new LinkedHashMap<>();
        Optional<AnnouncementStore.Draft> draft = draft(typed, sites(s), errors);
        if (draft.isPresent()) {
            try {
                announcements.update(req, s.caller(), view.id(), draft.get());
                SignInService.redirect(res, "/console/announcements/" + view.id() + "?done=saved");
                return;
            } catch (ApiException e) {
                e.errors().forEach(error -> errors.putIfAbsent(error.field(), error.message()));
                if (errors.isEmpty()) {
                    errors.put("title", e.getMessage());
                }
            }
        }
        renderOne(req, res, s, INVALID, view, withErrors(typed, errors));
    }

    private void withdraw(ServerRequest req, ServerResponse res) {
        ConsoleSession s = Guard.page(req, Permission.MANAGE_MEMBERS);
        AnnouncementStore.View view = announcement(req, s);
        Forms.read(req, s);
        try {
            announcements.withdraw(req, s.caller(), view.id());
        } catch (ApiException e) {
            throw PageException.forbidden(e.getMessage());
        }
        SignInService.redirect(res, "/console/announcements?done=withdrawn");
    }
}
