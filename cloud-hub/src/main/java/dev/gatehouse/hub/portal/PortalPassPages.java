package dev.gatehouse.hub.portal;

import dev.gatehouse.hub.audit.Audit;
import dev.gatehouse.hub.billing.BillingPackage;
import dev.gatehouse.hub.billing.PassService;
import dev.gatehouse.hub.billing.PassStore;
import dev.gatehouse.hub.billing.PublicPurchases;
import dev.gatehouse.hub.console.Forms;
import dev.gatehouse.hub.console.SignInService;
import dev.gatehouse.hub.console.Templates;
import dev.gatehouse.hub.sites.SiteStore;
import dev.gatehouse.hub.sites.Views.SiteView;
import dev.gatehouse.hub.store.FieldError;
import dev.gatehouse.hub.store.StoreResult;
import dev.gatehouse.hub.tenants.Tokens;
import io.helidon.common.parameters.Parameters;
import io.helidon.http.Status;
import io.helidon.webserver.http.HttpRules;
import io.helidon.webserver.http.HttpService;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import java.time.Clock;
import java.time.LocalDate;
import java.time.ZoneId;
import java.time.format.DateTimeParseException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * A signed-in member buys a pass on their own account (issue 16 item 7):
 *
 * <pre>
 * GET  /portal/passes   the passes sold in public, with their price; the form: pass, location, day
 * POST /portal/passes   sells it through {@link PassStore} to the session's member, charged to their
 *                       next invoice; the form carries a key made when it was shown, so sending it
 *                       twice sells once; audited pass.sell by the member
 * </pre>
 */
public record PortalPassPages(
        Clock clock, MemberSessions sessions, SiteStore sites, PublicPurchases purchases, PassStore passes, Audit audit)
        implements HttpService {
    private static final Pattern KEY = Pattern.compile("portal-[A-Za-z0-9_-]{43}");

    /** The form's fields as sent (or their defaults), with the error next to each. */
    public record Fields(String packageId, String siteId, String day, String key, Map<String, String> errors) {
        public String error(String field) {
            return errors.get(field);
        }
    }

    @Override
    public void routing(HttpRules rules) {
        rules.get("/portal/passes", this::form).post("/portal/passes", this::buy);
    }

    private List<PublicPages.Offer> offers(MemberSession member) {
        return purchases.catalogue(member.tenantId()).stream()
                .filter(pkg -> pkg.kind() == BillingPackage.Kind.PASS)
                .map(pkg -> PublicPages.offer(purchases, member.tenantId(), pkg))
                .toList();
    }

    private void form(ServerRequest req, ServerResponse res) {
        MemberSession member = sessions.require(req);
        List<SiteView> siteList = sites.sites(member.tenantId(), Set.of());
        List<PublicPages.Offer> offers = offers(member);
        String notice = req.query()
                .first("bought")
                .asOptional()
                .flatMap(id -> offers.stream().filter(o -> o.id().equals(id)).findFirst())
                .map(offer -> Portal.WORDS.get(
                        "portal.passes.bought",
                        offer.name(),
                        req.query().first("day").orElse("")))
                .orElse(null);
        show(
                res,
                Status.OK_200,
                member,
                offers,
                siteList,
                new Fields(
                        offers.isEmpty() ? "" : offers.getFirst().id(),
                        siteList.isEmpty() ? "" : siteList.getFirst().id(),
                        today(siteList, ""),
                        "portal-" + Tokens.secret(),
                        Map.of()),
                notice,
                null);
    }

    private void show(
            ServerResponse res,
            Status status,
            MemberSession member,
            List<PublicPages.Offer> offers,
            List<SiteView> siteList,
            Fields fields,
            String notice,
            String error) {
        Map<String, Object> params = new LinkedHashMap<>();
        params.put("page", Portal.page(member, "portal.passes.title"));
        params.put("offers", offers);
        params.put("sites", siteList);
        params.put("fields", fields);
        params.put("today", today(siteList, fields.siteId()));
        params.put("notice", notice);
        params.put("error", error);
        Templates.render(res, status, "portal-passes.jte", params);
    }

    private void buy(ServerRequest req, ServerResponse res) {
        MemberSession member = sessions.require(req);
        Parameters form = Forms.read(req, member.session().csrfToken());
        List<SiteView> siteList = sites.sites(member.tenantId(), Set.of());
        List<PublicPages.Offer> offers = offers(member);
        Fields fields = new Fields(
                Forms.field(form, "packageId").orElse(""),
                Forms.field(form, "siteId")
                        .orElse(siteList.size() == 1 ? siteList.getFirst().id() : ""),
                Forms.field(form, "day").orElse(""),
                Forms.field(form, "key").filter(k -> KEY.matcher(k).matches()).orElse("portal-" + Tokens.secret()),
                new LinkedHashMap<>());
        Status unprocessable = Status.create(422, "Unprocessable Content");
        if (offers.stream().noneMatch(o -> o.id().equals(fields.packageId()))) {
            fields.errors().put("packageId", Portal.WORDS.get("portal.passes.error.package"));
        }
        if (siteList.stream().noneMatch(s -> s.id().equals(fields.siteId()))) {
            fields.errors().put("siteId", Portal.WORDS.get("join.error.site"));
        }
        Optional<LocalDate> day = Optional.empty();
        try {
            day = Optional.of(LocalDate.parse(fields.day()));
        } catch (DateTimeParseException e) {
            fields.errors().put("day", Portal.WORDS.get("join.error.day"));
        }
        if (!fields.errors().isEmpty()) {
            show(res, unprocessable, member, offers, siteList, fields, null, Portal.WORDS.get("join.buy.fix"));
            return;
        }
        StoreResult<PassStore.Sold> sold = passes.sell(
                member.tenantId(),
                member.memberId(),
                member.memberId(),
                new PassStore.Sale(fields.packageId(), fields.siteId(), day, fields.key()));
        switch (sold) {
            case StoreResult.Found<PassStore.Sold>(PassStore.Sold pass) -> {
                if (!pass.replayed()) {
                    audit.record(
                            req,
                            member.auditCaller(),
                            "pass.sell",
                            "member",
                            member.memberId(),
                            null,
                            null,
                            PassService.json(pass));
                }
                SignInService.redirect(
                        res, "/portal/passes?bought=" + pass.pass().id() + "&day=" + day.orElseThrow());
            }
            case StoreResult.Invalid<PassStore.Sold> invalid -> {
                for (FieldError e : invalid.errors()) {
                    fields.errors().put(e.field().equals("firstDay") ? "day" : e.field(), e.message());
                }
                show(res, unprocessable, member, offers, siteList, fields, null, Portal.WORDS.get("join.buy.fix"));
            }
            case StoreResult.Conflict<PassStore.Sold> conflict ->
                show(res, Status.CONFLICT_409, member, offers, siteList, fields, null, conflict.reason());
            case StoreResult.NotFound<PassStore.Sold> none ->
                show(res, unprocessable, member, offers, siteList, fields, null, Portal.WORDS.get("join.buy.fix"));
        }
    }

    private String today(List<SiteView> siteList, String siteId) {
        ZoneId zone = siteList.stream()
                .filter(site -> site.id().equals(siteId))
                .findFirst()
                .or(() -> siteList.stream().findFirst())
                .map(site -> ZoneId.of(site.timeZone()))
                .orElse(java.time.ZoneOffset.UTC);
        return LocalDate.now(clock.withZone(zone)).toString();
    }
}
