package dev.gatehouse.hub.console;

import dev.gatehouse.hub.audit.Audit;
import dev.gatehouse.hub.kiosk.HubKiosks;
import dev.gatehouse.hub.sites.SiteStore;
import dev.gatehouse.hub.sites.Views.SiteView;
import dev.gatehouse.hub.store.Database;
import dev.gatehouse.hub.tenants.Permission;
import io.helidon.common.parameters.Parameters;
import io.helidon.http.HeaderNames;
import io.helidon.http.Status;
import io.helidon.webserver.http.HttpRules;
import io.helidon.webserver.http.HttpService;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import java.time.ZoneId;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The tablets paired with the hub's kiosk, per site (issue 17 item 2): a site without an edge gets a
 * one-time pairing code (shown once, valid 10 minutes) that a tablet types at {@code /kiosk/}; a
 * paired tablet can be unpaired. A site with an edge gets no code: its kiosk is the edge's, which
 * works with the internet down. Codes and unpairing are audited.
 *
 * <pre>
 * GET  /console/kiosks                      the page (manage-devices)
 * POST /console/kiosks/codes                a pairing code (siteId, name)
 * POST /console/kiosks/{kioskId}/unpair     unpairs a tablet
 * </pre>
 */
public record KioskPages(Database database, HubKiosks kiosks, Audit audit) implements HttpService {
    private static final Status INVALID = Status.create(422, "Unprocessable Content");

    /** A site the operator covers, whether it has an edge, and its paired tablets. */
    public record Site(String id, String name, boolean edge, List<Tablet> tablets) {}

    /** A paired tablet as the page lists it. */
    public record Tablet(String id, String name, String pairedAt) {}

    /** A code just made, shown once. */
    public record Code(String code, String site, String name, String until) {}

    /** The code form as typed, with its error. */
    public record Form(String siteId, String name, String error) {}

    @Override
    public void routing(HttpRules rules) {
        rules.get("/console/kiosks", this::page)
                .post("/console/kiosks/codes", this::code)
                .post("/console/kiosks/{kioskId}/unpair", this::unpair);
    }

    private List<Site> sites(ConsoleSession s) {
        var t = Guard.messages();
        String tenantId = s.tenant().id();
        return new SiteStore(database, kiosks.clock())
                .sites(tenantId, Set.of()).stream()
                        .filter(site -> s.access().covers(site.id()))
                        .sorted(Comparator.comparing(SiteView::name).thenComparing(SiteView::id))
                        .map(site -> new Site(
                                site.id(),
                                site.name(),
                                kiosks.hasEdge(tenantId, site.id()),
                                kiosks.atSite(tenantId, site.id()).stream()
                                        .map(k -> new Tablet(
                                                k.id(),
                                                k.name(),
                                                Formats.dateTime(k.pairedAt(), ZoneId.of(site.timeZone()), t.locale())))
                                        .toList()))
                        .toList();
    }

    private void page(ServerRequest req, ServerResponse res) {
        ConsoleSession s = Guard.page(req, Permission.MANAGE_DEVICES);
        render(req, res, s, Status.OK_200, new Form("", "", ""), Optional.empty());
    }

    private void render(
            ServerRequest req, ServerResponse res, ConsoleSession s, Status status, Form form, Optional<Code> code) {
        var t = Guard.messages();
        Map<String, Object> params = new LinkedHashMap<>();
        params.put("page", Guard.pageFor(s, "kiosks.title", "/console/kiosks"));
        params.put("sites", sites(s));
        params.put("form", form);
        params.put("code", code.orElse(null));
        params.put(
                "notice",
                req.query()
                        .first("done")
                        .asOptional()
                        .filter("unpaired"::equals)
                        .map(key -> t.get("kiosks.done." + key))
                        .orElse(null));
        res.header(HeaderNames.CACHE_CONTROL, "no-store");
        Templates.render(res, status, "kiosks.jte", params);
    }

    private void code(ServerRequest req, ServerResponse res) {
        ConsoleSession s = Guard.page(req, Permission.MANAGE_DEVICES);
        Parameters typed = Forms.read(req, s);
        String siteId = Forms.field(typed, "siteId").orElse("");
        String name = Forms.field(typed, "name").orElse("");
        var t = Guard.messages();
        Optional<Site> site =
                sites(s).stream().filter(x -> x.id().equals(siteId)).findFirst();
        Optional<String> error;
        if (site.isEmpty()) {
            error = Optional.of(t.get("kiosks.error.site"));
        } else if (site.get().edge()) {
            error = Optional.of(t.get("kiosks.error.edge"));
        } else {
            error = HubKiosks.nameProblem(name).map(problem -> t.get("kiosks.error.name", HubKiosks.MAX_NAME));
        }
        if (error.isPresent()) {
            render(req, res, s, INVALID, new Form(siteId, name, error.get()), Optional.empty());
            return;
        }
        HubKiosks.Code code =
                kiosks.newCode(s.tenant().id(), siteId, name, s.account().id());
        Map<String, String> after = new LinkedHashMap<>();
        after.put("name", name);
        after.put("expiresAt", code.expiresAt().toString());
        audit.record(req, s.caller(), "kiosk.pairing-code", "kiosk", siteId, siteId, null, after);
        render(
                req,
                res,
                s,
                Status.OK_200,
                new Form("", "", ""),
                Optional.of(new Code(
                        code.code(),
                        site.get().name(),
                        name,
                        Formats.dateTime(
                                code.expiresAt(), kiosks.siteZone(s.tenant().id(), siteId), t.locale()))));
    }

    private void unpair(ServerRequest req, ServerResponse res) {
        ConsoleSession s = Guard.page(req, Permission.MANAGE_DEVICES);
        Forms.read(req, s);
        String id = req.path().pathParameters().get("kioskId");
        HubKiosks.Kiosk kiosk = kiosks.find(s.tenant().id(), id)
                .filter(k -> s.access().covers(k.siteId()))
                .orElseThrow(() -> PageException.notFound(
                        "There is no paired tablet " + dev.gatehouse.protocol.Ids.printable(id) + "."));
        kiosks.unpair(s.tenant().id(), kiosk.id());
        audit.record(
                req,
                s.caller(),
                "kiosk.unpair",
                "kiosk",
                kiosk.id(),
                kiosk.siteId(),
                Map.of("name", kiosk.name()),
                null);
        SignInService.redirect(res, "/console/kiosks?done=unpaired");
    }
}
