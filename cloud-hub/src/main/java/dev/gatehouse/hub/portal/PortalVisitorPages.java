package dev.gatehouse.hub.portal;

import dev.gatehouse.hub.accounts.Mailer;
import dev.gatehouse.hub.audit.Audit;
import dev.gatehouse.hub.console.CredentialPasses;
import dev.gatehouse.hub.console.Formats;
import dev.gatehouse.hub.console.Forms;
import dev.gatehouse.hub.console.SignInService;
import dev.gatehouse.hub.console.Templates;
import dev.gatehouse.hub.credentials.CredentialViews.PassView;
import dev.gatehouse.hub.credentials.VisitorPassStore;
import dev.gatehouse.hub.sites.DoorGroupStore;
import dev.gatehouse.hub.sites.SiteStore;
import dev.gatehouse.hub.sites.Views.SiteView;
import dev.gatehouse.hub.store.FieldError;
import dev.gatehouse.hub.store.StoreResult;
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
import java.time.temporal.ChronoUnit;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * A member invites visitors (issue 17 item 3):
 *
 * <pre>
 * GET  /portal/visitors                    the form (name, e-mail, location, arrival in 15-minute steps)
 *                                          and the member's own invitations
 * POST /portal/visitors                    invites: a single-use pass with the member as host, valid from
 *                                          arrival −15 min to +4 h at the location's visitor doors; the
 *                                          visitor gets the QR code and PIN by e-mail; audited
 *                                          visitor-pass.invite by the member
 * POST /portal/visitors/{passId}/cancel    revokes the member's own invitation (anyone else's: 404)
 * </pre>
 */
public record PortalVisitorPages(
        Clock clock,
        MemberSessions sessions,
        SiteStore sites,
        DoorGroupStore groups,
        VisitorPassStore passes,
        Mailer mailer,
        Audit audit)
        implements HttpService {
    /** How far ahead a member may invite. */
    static final Duration AHEAD = Duration.ofDays(30);

    /** The form's fields as sent (or their defaults), with the error next to each. */
    public record Fields(String name, String email, String siteId, String arrival, Map<String, String> errors) {
        public String error(String field) {
            return errors.get(field);
        }
    }

    /** One of the member's invitations as the page lists it. */
    public record Invitation(String id, String visitor, String site, String from, String until, String status) {
        public boolean cancellable() {
            return status.equals("active");
        }
    }

    @Override
    public void routing(HttpRules rules) {
        rules.get("/portal/visitors", this::page)
                .post("/portal/visitors", this::invite)
                .post("/portal/visitors/{passId}/cancel", this::cancel);
    }

    /** The tenant's sites with doors marked for visitors: where a member can invite someone. */
    private List<SiteView> visitorSites(MemberSession member) {
        return sites.sites(member.tenantId(), Set.of()).stream()
                .filter(site ->
                        groups.groups(member.tenantId(), site.id()).stream().anyMatch(group -> group.forVisitors()))
                .toList();
    }

    private static ZoneId zone(List<SiteView> siteList, String siteId) {
        return siteList.stream()
                .filter(site -> site.id().equals(siteId))
                .findFirst()
                .map(site -> ZoneId.of(site.timeZone()))
                .orElse(java.time.ZoneOffset.UTC);
    }

    /** The next quarter hour from now in the site's zone, as a {@code datetime-local} value. */
    private String nextQuarter(ZoneId zone) {
        LocalDateTime now = LocalDateTime.now(clock.withZone(zone)).truncatedTo(ChronoUnit.MINUTES);
        return now.plusMinutes(15 - now.getMinute() % 15).toString();
    }

    private void page(ServerRequest req, ServerResponse res) {
        MemberSession member = sessions.require(req);
        List<SiteView> siteList = visitorSites(member);
        String siteId = siteList.isEmpty() ? "" : siteList.getFirst().id();
        String notice = req.query()
                .first("done")
                .asOptional()
                .filter(done -> done.equals("invited") || done.equals("cancelled"))
                .map(done -> Portal.WORDS.get("portal.visitors." + done))
                .orElse(null);
        show(
                res,
                Status.OK_200,
                member,
                siteList,
                new Fields("", "", siteId, nextQuarter(zone(siteList, siteId)), Map.of()),
                notice,
                null);
    }

    private void show(
            ServerResponse res,
            Status status,
            MemberSession member,
            List<SiteView> siteList,
            Fields fields,
            String notice,
            String error) {
        Map<String, Object> params = new LinkedHashMap<>();
        params.put("page", Portal.page(member, "portal.visitors.title"));
        params.put("sites", siteList);
        params.put("fields", fields);
        params.put("invitations", invitations(member));
        params.put("notice", notice);
        params.put("error", error);
        Templates.render(res, status, "portal-visitors.jte", params);
    }

    private List<Invitation> invitations(MemberSession member) {
        List<SiteView> all = sites.sites(member.tenantId(), Set.of());
        return passes.invitations(member.tenantId(), member.memberId()).stream()
                .map(view -> invitation(view, all))
                .toList();
    }

    private static Invitation invitation(PassView view, List<SiteView> all) {
        SiteView site = all.stream()
                .filter(candidate -> candidate.id().equals(view.siteId()))
                .findFirst()
                .orElseThrow();
        ZoneId zone = ZoneId.of(site.timeZone());
        return new Invitation(
                view.id(),
                view.visitorName(),
                site.name(),
                Formats.dateTime(Instant.parse(view.validFrom()), zone, Portal.WORDS.locale()),
                Formats.dateTime(Instant.parse(view.validUntil()), zone, Portal.WORDS.locale()),
                view.status());
    }

    private void invite(ServerRequest req, ServerResponse res) {
        MemberSession member = sessions.require(req);
        Parameters form = Forms.read(req, member.session().csrfToken());
        List<SiteView> siteList = visitorSites(member);
        Fields fields = new Fields(
                Forms.field(form, "name").orElse("").strip(),
                Forms.field(form, "email").orElse("").strip(),
                Forms.field(form, "siteId")
                        .orElse(siteList.size() == 1 ? siteList.getFirst().id() : ""),
                Forms.field(form, "arrival").orElse("").strip(),
                new LinkedHashMap<>());
        Status unprocessable = Status.create(422, "Unprocessable Content");
        if (!member.active()) {
            show(
                    res,
                    Status.FORBIDDEN_403,
                    member,
                    siteList,
                    fields,
                    null,
                    Portal.WORDS.get("portal.visitors.inactive"));
            return;
        }
        // The API's own checks for the name and the address, so both say the same.
        var body = Json.MAPPER.createObjectNode().put("name", fields.name()).put("email", fields.email());
        Input input = Input.of(body, "name", "email");
        input.text("name", 100);
        input.email("email");
        try {
            input.done();
        } catch (dev.gatehouse.hub.web.ApiException e) {
            e.errors().forEach(error -> fields.errors().put(error.field(), error.message()));
        }
        Optional<SiteView> site =
                siteList.stream().filter(s -> s.id().equals(fields.siteId())).findFirst();
        if (site.isEmpty()) {
            fields.errors().put("siteId", Portal.WORDS.get("portal.visitors.error.site"));
        }
        Optional<Instant> arrival = site.flatMap(where -> arrival(fields, ZoneId.of(where.timeZone())));
        if (!fields.errors().isEmpty()) {
            show(res, unprocessable, member, siteList, fields, null, Portal.WORDS.get("join.buy.fix"));
            return;
        }
        StoreResult<VisitorPassStore.CreatedPass> made = passes.invite(
                member.tenantId(),
                site.get().id(),
                member.memberId(),
                fields.name(),
                fields.email(),
                arrival.orElseThrow());
        switch (made) {
            case StoreResult.Found<VisitorPassStore.CreatedPass>(VisitorPassStore.CreatedPass created) -> {
                audit.record(
                        req,
                        member.auditCaller(),
                        "visitor-pass.invite",
                        "visitor-pass",
                        created.pass().id(),
                        site.get().id(),
                        null,
                        created.pass());
                Invitation shown = invitation(created.pass(), siteList);
                try {
                    mailer.send(CredentialPasses.passMail(
                            Portal.WORDS,
                            fields.email(),
                            fields.name(),
                            member.tenant().name(),
                            site.get().name(),
                            shown.from(),
                            shown.until(),
                            created.qr(),
                            Optional.of(created.pin())));
                } catch (Mailer.MailException e) {
                    // Nobody was told the code and the PIN is shown nowhere else: the invitation is
                    // withdrawn, so no pass opens doors for a visitor who never heard of it.
                    passes.revoke(member.tenantId(), created.pass().id());
                    show(
                            res,
                            Status.BAD_GATEWAY_502,
                            member,
                            siteList,
                            fields,
                            null,
                            Portal.WORDS.get("portal.visitors.error.mail", e.getMessage()));
                    return;
                }
                SignInService.redirect(res, "/portal/visitors?done=invited");
            }
            case StoreResult.Invalid<VisitorPassStore.CreatedPass> invalid -> {
                for (FieldError e : invalid.errors()) {
                    fields.errors().put(e.field(), e.message());
                }
                show(res, unprocessable, member, siteList, fields, null, Portal.WORDS.get("join.buy.fix"));
            }
            case StoreResult.Conflict<VisitorPassStore.CreatedPass> conflict ->
                show(res, Status.CONFLICT_409, member, siteList, fields, null, conflict.reason());
            case StoreResult.NotFound<VisitorPassStore.CreatedPass> none -> {
                fields.errors().put("siteId", Portal.WORDS.get("portal.visitors.error.site"));
                show(res, unprocessable, member, siteList, fields, null, Portal.WORDS.get("join.buy.fix"));
            }
        }
    }

    /**
     * The arrival typed in the site's zone: a quarter hour ({@code :00 :15 :30 :45}), not over yet
     * (the visit may have begun: arrival + 4 h still ahead) and at most 30 days ahead.
     */
    private Optional<Instant> arrival(Fields fields, ZoneId zone) {
        LocalDateTime local;
        try {
            local = LocalDateTime.parse(fields.arrival());
        } catch (DateTimeException e) {
            fields.errors().put("arrival", Portal.WORDS.get("portal.visitors.error.arrival"));
            return Optional.empty();
        }
        if (local.getMinute() % 15 != 0 || local.getSecond() != 0 || local.getNano() != 0) {
            fields.errors().put("arrival", Portal.WORDS.get("portal.visitors.error.quarter"));
            return Optional.empty();
        }
        Instant at = local.atZone(zone).toInstant();
        Instant now = clock.instant();
        if (!at.plus(VisitorPassStore.INVITATION_LATE).isAfter(now)) {
            fields.errors().put("arrival", Portal.WORDS.get("portal.visitors.error.past"));
            return Optional.empty();
        }
        if (at.isAfter(now.plus(AHEAD))) {
            fields.errors().put("arrival", Portal.WORDS.get("portal.visitors.error.ahead", AHEAD.toDays()));
            return Optional.empty();
        }
        return Optional.of(at);
    }

    private void cancel(ServerRequest req, ServerResponse res) {
        MemberSession member = sessions.require(req);
        Forms.read(req, member.session().csrfToken());
        String id = req.path().pathParameters().get("passId");
        StoreResult<PassView> cancelled = Ids.isValid(id)
                ? passes.cancelInvitation(member.tenantId(), member.memberId(), id)
                : new StoreResult.NotFound<>("invitation", id);
        switch (cancelled) {
            case StoreResult.Found<PassView>(PassView view) -> {
                audit.record(
                        req,
                        member.auditCaller(),
                        "visitor-pass.revoke",
                        "visitor-pass",
                        view.id(),
                        view.siteId(),
                        null,
                        view);
                SignInService.redirect(res, "/portal/visitors?done=cancelled");
            }
            case StoreResult.NotFound<PassView> none ->
                throw dev.gatehouse.hub.console.PageException.notFound(Portal.WORDS.get("portal.visitors.error.none"));
            case StoreResult.Invalid<PassView> invalid ->
                throw dev.gatehouse.hub.console.PageException.notFound(Portal.WORDS.get("portal.visitors.error.none"));
            case StoreResult.Conflict<PassView> conflict ->
                throw dev.gatehouse.hub.console.PageException.notFound(Portal.WORDS.get("portal.visitors.error.none"));
        }
    }
}
