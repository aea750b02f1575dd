package dev.gatehouse.hub.console;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.gatehouse.hub.accounts.Mail;
import dev.gatehouse.hub.accounts.Mailer;
import dev.gatehouse.hub.audit.Audit;
import dev.gatehouse.hub.credentials.CredentialViews.PassView;
import dev.gatehouse.hub.credentials.CredentialViews.QrToken;
import dev.gatehouse.hub.credentials.VisitorPassStore;
import dev.gatehouse.hub.store.FieldError;
import dev.gatehouse.hub.store.Sql;
import dev.gatehouse.hub.store.StoreResult;
import dev.gatehouse.hub.tenants.Permission;
import dev.gatehouse.hub.web.ApiException;
import dev.gatehouse.hub.web.Input;
import dev.gatehouse.hub.web.Json;
import dev.gatehouse.protocol.Ids;
import io.helidon.common.parameters.Parameters;
import io.helidon.http.Status;
import io.helidon.webserver.http.HttpRules;
import io.helidon.webserver.http.HttpService;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import java.time.Clock;
import java.time.DateTimeException;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Visitor passes in the console.
 *
 * <pre>
 * GET  /console/visitor-passes              the passes of the operator's sites, and the form for a new one
 * POST /console/visitor-passes              create (visitorName, visitorEmail, siteId, doorIds, validFrom, validUntil)
 * GET  /console/visitor-passes/{id}         the pass, its QR code, print and e-mail
 * GET  /console/visitor-passes/{id}/qr.png  its QR code as a PNG
 * POST /console/visitor-passes/{id}/email   send it with its QR code attached (email)
 * </pre>
 *
 * Times are typed and shown in the site's zone. Seeing needs {@link Permission#VIEW_MEMBERS} and
 * changing {@link Permission#MANAGE_CREDENTIALS}, at one of the operator's sites, as in the API.
 */
public final class CredentialPasses implements HttpService {
    private static final DateTimeFormatter LOCAL = DateTimeFormatter.ofPattern("uuuu-MM-dd'T'HH:mm");

    private final Console.Parts parts;
    private final VisitorPassStore passes;
    private final Mailer mailer;
    private final Audit audit;
    private final Clock clock;

    public CredentialPasses(Console.Parts parts) {
        this.parts = parts;
        this.passes = new VisitorPassStore(parts.database(), parts.clock());
        this.mailer = parts.mailer();
        this.audit = parts.audit();
        this.clock = parts.clock();
    }

    /** A site with its zone and doors, for the form and for times. */
    public record Site(String id, String name, ZoneId zone, List<Door> doors) {}

    public record Door(String id, String name) {}

    /** The form for a new pass, as typed, with a message per refused field. */
    public record PassForm(
            String visitorName,
            String visitorEmail,
            String siteId,
            List<String> doorIds,
            String validFrom,
            String validUntil,
            Map<String, String> errors) {
        public Optional<String> error(String field) {
            return Optional.ofNullable(errors.get(field));
        }

        public boolean door(String id) {
            return doorIds.contains(id);
        }
    }

    /** A pass in a list or on its page, with its site and times in the site's zone. */
    public record Pass(PassView view, Site site, String from, String until) {}

    @Override
    public void routing(HttpRules rules) {
        rules.get("/console/visitor-passes", this::list)
                .post("/console/visitor-passes", this::create)
                .get("/console/visitor-passes/{passId}", this::show)
                .get("/console/visitor-passes/{passId}/qr.png", this::qr)
                .post("/console/visitor-passes/{passId}/email", this::email);
    }

    private List<Site> sites(ConsoleSession s) {
        String tenantId = s.tenant().id();
        return parts.database().read(c -> {
            List<Site> sites = new ArrayList<>();
            for (var site : Sql.list(
                    c,
                    "SELECT id, name, time_zone FROM sites WHERE tenant_id = ? ORDER BY name, id",
                    row -> new String[] {row.getString(1), row.getString(2), row.getString(3)},
                    tenantId)) {
                if (!s.access().covers(site[0])) {
                    continue;
                }
                List<Door> doors = Sql.list(
                        c,
                        "SELECT id, name FROM doors WHERE tenant_id = ? AND site_id = ? ORDER BY name, id",
                        row -> new Door(row.getString(1), row.getString(2)),
                        tenantId,
                        site[0]);
                sites.add(new Site(site[0], site[1], ZoneId.of(site[2]), doors));
            }
            return sites;
        });
    }

    private Pass pass(PassView view, List<Site> sites) {
        Site site = sites.stream()
                .filter(candidate -> candidate.id().equals(view.siteId()))
                .findFirst()
                .orElseThrow(() -> PageException.notFound("There is no visitor pass " + view.id() + "."));
        return new Pass(
                view,
                site,
                Formats.dateTime(
                        Instant.parse(view.validFrom()),
                        site.zone(),
                        Guard.messages().locale()),
                Formats.dateTime(
                        Instant.parse(view.validUntil()),
                        site.zone(),
                        Guard.messages().locale()));
    }

    private void list(ServerRequest req, ServerResponse res) {
        ConsoleSession s = Guard.page(req, Permission.VIEW_MEMBERS);
        renderList(res, s, Status.OK_200, blankForm(sites(s)));
    }

    private PassForm blankForm(List<Site> sites) {
        ZoneId zone = sites.isEmpty() ? ZoneId.of("UTC") : sites.getFirst().zone();
        Instant now = clock.instant().truncatedTo(ChronoUnit.MINUTES);
        return new PassForm(
                "",
                "",
                sites.isEmpty() ? "" : sites.getFirst().id(),
                List.of(),
                LOCAL.withZone(zone).format(now),
                LOCAL.withZone(zone).format(now.plus(Duration.ofHours(8))),
                Map.of());
    }

    private void renderList(ServerResponse res, ConsoleSession s, Status status, PassForm form) {
        List<Site> sites = sites(s);
        List<Pass> listed = new ArrayList<>();
        for (Site site : sites) {
            for (PassView view : MembersService.value(
                            passes.list(s.tenant().id(), site.id(), Optional.empty(), Optional.empty(), 100))
                    .items()) {
                listed.add(pass(view, sites));
            }
        }
        Templates.render(
                res,
                status,
                "visitor-passes.jte",
                Map.of(
                        "page", Guard.pageFor(s, "passes.title", "/console/visitor-passes"),
                        "sites", sites,
                        "passes", listed,
                        "form", form,
                        "manage", s.access().may(Permission.MANAGE_CREDENTIALS)));
    }

    private void create(ServerRequest req, ServerResponse res) {
        ConsoleSession s = Guard.page(req, Permission.MANAGE_CREDENTIALS);
        Parameters form = Forms.read(req, s);
        List<Site> sites = sites(s);
        String siteId = Forms.field(form, "siteId").orElse("");
        Optional<Site> site = sites.stream()
                .filter(candidate -> candidate.id().equals(siteId))
                .findFirst();
        PassForm typed = new PassForm(
                form.first("visitorName").asOptional().orElse(""),
                form.first("visitorEmail").asOptional().orElse(""),
                siteId,
                form.all("doorIds", List::of),
                form.first("validFrom").asOptional().orElse(""),
                form.first("validUntil").asOptional().orElse(""),
                Map.of());
        Map<String, String> errors = new LinkedHashMap<>();
        ObjectNode body = Json.MAPPER.createObjectNode();
        if (!typed.visitorName().isBlank()) {
            body.put("visitorName", typed.visitorName());
        }
        if (!typed.visitorEmail().isBlank()) {
            body.put("visitorEmail", typed.visitorEmail());
        }
        Input input = Input.of(body, "visitorName", "visitorEmail");
        String name = input.text("visitorName", 100);
        Optional<String> email = body.has("visitorEmail") ? Optional.of(input.email("visitorEmail")) : Optional.empty();
        try {
            input.done();
        } catch (ApiException e) {
            e.errors().forEach(error -> errors.putIfAbsent(error.field(), error.message()));
        }
        if (site.isEmpty()) {
            errors.put("siteId", Guard.messages().get("passes.error.site"));
        }
        List<String> doorIds = typed.doorIds().stream().filter(Ids::isValid).toList();
        if (doorIds.isEmpty()) {
            errors.put("doorIds", Guard.messages().get("passes.error.doors"));
        }
        ZoneId zone = site.map(Site::zone).orElse(ZoneId.of("UTC"));
        Optional<Instant> from = local(typed.validFrom(), zone, "validFrom", errors);
        Optional<Instant> until = local(typed.validUntil(), zone, "validUntil", errors);
        if (from.isPresent() && until.isPresent()) {
            if (!until.get().isAfter(from.get())) {
                errors.put("validUntil", Guard.messages().get("passes.error.order"));
            } else if (!until.get().isAfter(clock.instant())) {
                errors.put("validUntil", Guard.messages().get("passes.error.past"));
            } else if (until.get().isAfter(from.get().plus(VisitorPassStore.MAX_LENGTH))) {
                errors.put(
                        "validUntil",
                        Guard.messages().get("passes.error.length", VisitorPassStore.MAX_LENGTH.toDays()));
            }
        }
        if (!errors.isEmpty()) {
            renderList(res, s, MembersService.INVALID, withErrors(typed, errors));
            return;
        }
        Guard.site(req, Permission.MANAGE_CREDENTIALS, siteId);
        StoreResult<VisitorPassStore.CreatedPass> created = passes.create(
                s.tenant().id(),
                siteId,
                new VisitorPassStore.NewPass(
                        name,
                        email,
                        Optional.empty(),
                        List.of(),
                        doorIds,
                        from.orElseThrow(),
                        until.orElseThrow(),
                        true));
        if (created instanceof StoreResult.Invalid<VisitorPassStore.CreatedPass> invalid) {
            for (FieldError error : invalid.errors()) {
                errors.put(error.field(), error.message());
            }
            renderList(res, s, MembersService.INVALID, withErrors(typed, errors));
            return;
        }
        VisitorPassStore.CreatedPass made = MembersService.value(created);
        PassView pass = made.pass();
        audit.record(req, s.caller(), "visitor-pass.create", "visitor-pass", pass.id(), siteId, null, pass);
        // Rendered, not redirected: the PIN is shown this once (the hub keeps only its hash).
        renderPass(
                res,
                s,
                Status.CREATED_201,
                pass(pass, sites(s)),
                Optional.of(Guard.messages().get("passes.notice.created")),
                Optional.empty(),
                Optional.of(made.pin()));
    }

    private static PassForm withErrors(PassForm form, Map<String, String> errors) {
        return new PassForm(
                form.visitorName(),
                form.visitorEmail(),
                form.siteId(),
                form.doorIds(),
                form.validFrom(),
                form.validUntil(),
                Map.copyOf(errors));
    }

    /** A {@code datetime-local} value in the site's zone. */
    private static Optional<Instant> local(String text, ZoneId zone, String field, Map<String, String> errors) {
        try {
            return Optional.of(LocalDateTime.parse(text.strip()).atZone(zone).toInstant());
        } catch (DateTimeException e) {
            errors.put(field, Guard.messages().get("passes.error.time", zone.getId()));
            return Optional.empty();
        }
    }

    /** The pass the path names, at one of the operator's sites (404 otherwise). */
    private Pass pass(ServerRequest req, ConsoleSession s) {
        String id = req.path().pathParameters().get("passId");
        PassView view = Optional.of(id)
                .filter(Ids::isValid)
                .flatMap(valid -> passes.find(s.tenant().id(), valid))
                .orElseThrow(() -> PageException.notFound("There is no visitor pass " + Ids.printable(id) + "."));
        return pass(view, sites(s));
    }

    private void show(ServerRequest req, ServerResponse res) {
        ConsoleSession s = Guard.page(req, Permission.VIEW_MEMBERS);
        Pass pass = pass(req, s);
        Optional<String> notice = req.query()
                .first("done")
                .asOptional()
                .filter(key -> key.equals("created") || key.equals("emailed"))
                .map(key -> Guard.messages().get("passes.notice." + key));
        renderPass(res, s, Status.OK_200, pass, notice, Optional.empty(), Optional.empty());
    }

    private void renderPass(
            ServerResponse res,
            ConsoleSession s,
            Status status,
            Pass pass,
            Optional<String> notice,
            Optional<String> error,
            Optional<String> pin) {
        Templates.render(
                res,
                status,
                "visitor-pass.jte",
                Map.of(
                        "page", Guard.pageFor(s, "passes.pass.title", "/console/visitor-passes"),
                        "pass", pass,
                        "manage", s.access().may(Permission.MANAGE_CREDENTIALS),
                        "notice", notice,
                        "error", error,
                        "pin", pin));
    }

    private void qr(ServerRequest req, ServerResponse res) {
        ConsoleSession s = Guard.page(req, Permission.VIEW_MEMBERS);
        Pass pass = pass(req, s);
        QrToken token = MembersService.value(
                passes.issueToken(s.tenant().id(), pass.view().id()));
        QrPng.send(res, QrPng.png(token.token()));
    }

    private void email(ServerRequest req, ServerResponse res) {
        ConsoleSession s = Guard.page(req, Permission.MANAGE_CREDENTIALS);
        Pass pass = pass(req, s);
        Parameters form = Forms.read(req, s);
        ObjectNode body = Json.MAPPER.createObjectNode();
        Forms.field(form, "email").ifPresent(value -> body.put("email", value));
        // The PIN comes back only from the page that showed it once; it must be this pass's.
        Optional<String> pin = Forms.field(form, "pin").filter(value -> !value.isBlank());
        Input input = Input.of(body, "email");
        String to = input.email("email");
        if (pin.isPresent() && !passes.pinMatches(s.tenant().id(), pass.view().id(), pin.get())) {
            input.error("pin", "is not this pass's PIN");
        }
        try {
            input.done();
        } catch (ApiException e) {
            renderPass(
                    res,
                    s,
                    MembersService.INVALID,
                    pass,
                    Optional.empty(),
                    Optional.of(Guard.messages().get("passes.email.label") + " "
                            + e.errors().getFirst().message()),
                    Optional.empty());
            return;
        }
        QrToken token = MembersService.value(
                passes.issueToken(s.tenant().id(), pass.view().id()));
        Messages t = Guard.messages();
        try {
            mailer.send(passMail(
                    t,
                    to,
                    pass.view().visitorName(),
                    s.tenant().name(),
                    pass.site().name(),
                    pass.from(),
                    pass.until(),
                    token,
                    pin));
        } catch (Mailer.MailException e) {
            renderPass(
                    res,
                    s,
                    Status.BAD_GATEWAY_502,
                    pass,
                    Optional.empty(),
                    Optional.of(t.get("passes.email.failed", e.getMessage())),
                    Optional.empty());
            return;
        }
        audit.record(
                req,
                s.caller(),
                "visitor-pass.email",
                "visitor-pass",
                pass.view().id(),
                pass.site().id(),
                null,
                Map.of("to", to));
        SignInService.redirect(res, "/console/visitor-passes/" + pass.view().id() + "?done=emailed");
    }

    /**
     * A visitor's pass by e-mail: the QR code attached and, when given, the PIN to type at the
     * kiosk (only ever right after the pass was made: the hub keeps just its hash).
     */
    public static Mail passMail(
            Messages t,
            String to,
            String visitorName,
            String tenantName,
            String siteName,
            String from,
            String until,
            QrToken token,
            Optional<String> pin) {
        String text = t.get("passes.mail.text", visitorName, tenantName, siteName, from, until)
                + pin.map(value -> "\n" + t.get("passes.mail.pin", value)).orElse("");
        return new Mail(
                to,
                t.get("passes.mail.subject", tenantName, siteName),
                text,
                null,
                List.of(new Mail.Attachment("visitor-pass.png", "image/png", QrPng.png(token.token()))));
    }
}
