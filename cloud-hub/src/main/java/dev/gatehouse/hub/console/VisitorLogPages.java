package dev.gatehouse.hub.console;

import dev.gatehouse.hub.agreements.AgreementService;
import dev.gatehouse.hub.kiosk.KioskSignIns;
import dev.gatehouse.hub.store.Database;
import dev.gatehouse.hub.store.Page;
import dev.gatehouse.hub.store.Sql;
import dev.gatehouse.hub.store.WireNames;
import dev.gatehouse.hub.tenants.Permission;
import dev.gatehouse.hub.web.Paging;
import dev.gatehouse.hub.wifi.WifiVoucherService;
import io.helidon.webserver.http.HttpRules;
import io.helidon.webserver.http.HttpService;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * The visitor log in the console: a site's kiosk sign-ins and check-ins, newest first (who, for whom,
 * when in the site's time, which kiosk, made offline or not, whether the host was told, the agreement
 * version signed with its hash and signer, a link to the signed document for those who may open it,
 * and whether a Wi-Fi voucher was handed out: its code only to those who may manage the site's pool,
 * as in {@link dev.gatehouse.hub.kiosk.VisitorLogService}).
 *
 * <pre>
 * GET /console/visitor-log?siteId=&amp;cursor=    the page (view-members at the site)
 * </pre>
 */
public record VisitorLogPages(Database database, KioskSignIns signIns) implements HttpService {
    private static final DateTimeFormatter WHEN = DateTimeFormatter.ofPattern("d MMM uuuu, HH:mm", Locale.ENGLISH);
    private static final int PAGE = 50;

    /** A site the operator may see, for the chooser. */
    public record Site(String id, String name, boolean chosen) {}

    /** One line of the log, worded. */
    public record Row(
            String id,
            String when,
            String kind,
            String who,
            String host,
            String kiosk,
            boolean offline,
            String notice,
            boolean noticeFailed,
            Optional<Agreement> agreement,
            Optional<Voucher> voucher) {}

    /** The agreement signed with a sign-in, worded: version, hashes, signer, the signed PDF's link (or ""). */
    public record Agreement(
            int version,
            String sha256,
            String renderedSha256,
            String signer,
            String signedAt,
            String pdf,
            String notRecorded) {}

    /** The voucher handed out with a sign-in: until when, and its code ("" unless the reader may see it). */
    public record Voucher(String until, String code, String notMarked) {}

    @Override
    public void routing(HttpRules rules) {
        rules.get("/console/visitor-log", this::page);
    }

    private void page(ServerRequest req, ServerResponse res) {
        ConsoleSession session = Guard.page(req, Permission.VIEW_MEMBERS);
        Messages t = Guard.messages();
        String tenantId = session.tenant().id();
        List<String[]> all = database.read(c -> Sql.list(
                c,
                "SELECT id, name, time_zone FROM sites WHERE tenant_id = ? ORDER BY name, id",
                row -> new String[] {row.getString(1), row.getString(2), row.getString(3)},
                tenantId));
        List<String[]> visible =
                all.stream().filter(site -> session.access().covers(site[0])).toList();
        Optional<String> asked = req.query().first("siteId").asOptional();
        Optional<String[]> chosen = asked.isPresent()
                ? visible.stream().filter(site -> site[0].equals(asked.get())).findFirst()
                : visible.stream().findFirst();
        List<Row> rows = List.of();
        Optional<String> next = Optional.empty();
        if (chosen.isPresent()) {
            ZoneId zone = ZoneId.of(chosen.get()[2]);
            Page<KioskSignIns.SignIn> page = signIns.list(
                    tenantId,
                    chosen.get()[0],
                    Paging.cursor(req.query().first("cursor").asOptional()),
                    PAGE);
            String site = chosen.get()[0];
            Map<String, KioskSignIns.Extras> extras = signIns.extras(
                    tenantId,
                    page.items().stream().map(KioskSignIns.SignIn::id).toList(),
                    session.access().may(WifiVoucherService.MANAGE, site));
            boolean pdfs = session.access().may(AgreementService.VIEW, site);
            rows = page.items().stream()
                    .map(signIn ->
                            row(t, signIn, extras.getOrDefault(signIn.id(), KioskSignIns.Extras.NONE), zone, pdfs))
                    .toList();
            next = page.nextCursor();
        }
        String siteId = chosen.map(site -> site[0]).orElse("");
        Templates.render(
                res,
                "visitor-log.jte",
                Map.of(
                        "page",
                        Guard.pageFor(session, "visitor-log.title", "/console/visitor-log"),
                        "sites",
                        visible.stream()
                                .map(site -> new Site(site[0], site[1], site[0].equals(siteId)))
                                .toList(),
                        "rows",
                        rows,
                        "next",
                        next.map(cursor -> "/console/visitor-log?siteId=" + siteId + "&cursor=" + cursor)
                                .orElse(""),
                        "unknownSite",
                        asked.isPresent() && chosen.isEmpty()));
    }

    private static Row row(
            Messages t, KioskSignIns.SignIn signIn, KioskSignIns.Extras extras, ZoneId zone, boolean pdfs) {
        String who =
                signIn.visitorName().or(signIn::memberName).or(signIn::memberId).orElse(t.get("visitor-log.unknown"));
        return new Row(
                signIn.id(),
                WHEN.format(signIn.occurredAt().atZone(zone)),
                t.get("visitor-log.kind." + WireNames.wire(signIn.kind())),
                who + signIn.visitorEmail().map(email -> " (" + email + ")").orElse(""),
                signIn.hostName().or(signIn::hostMemberId).orElse("—"),
                signIn.kioskId(),
                signIn.madeOffline(),
                t.get("visitor-log.notice." + WireNames.wire(signIn.noticeState()))
                        + signIn.noticeError().map(error -> ": " + error).orElse(""),
                signIn.noticeState() == KioskSignIns.NoticeState.FAILED
                        || signIn.noticeState() == KioskSignIns.NoticeState.RETRYING,
                extras.agreement()
                        .map(signed -> new Agreement(
                                signed.version(),
                                signed.sha256(),
                                signed.renderedSha256().orElse(""),
                                signed.signer(),
                                signed.signedAt()
                                        .map(at -> WHEN.format(at.atZone(zone)))
                                        .orElse(""),
                                signed.signatureId()
                                        .filter(id -> pdfs)
                                        .map(id -> "/console/visitor-agreements/signatures/" + id + "/pdf")
                                        .orElse(""),
                                signed.refused().orElse(""))),
                extras.voucher()
                        .map(handed -> new Voucher(
                                handed.validUntil()
                                        .map(at -> WHEN.format(at.atZone(zone)))
                                        .orElse(""),
                                handed.code().orElse(""),
                                handed.refused().orElse(""))));
    }
}
