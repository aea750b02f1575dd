package dev.gatehouse.hub.portal;

import dev.gatehouse.hub.audit.Audit;
import dev.gatehouse.hub.commands.CommandView;
import dev.gatehouse.hub.commands.Commands;
import dev.gatehouse.hub.console.Forms;
import dev.gatehouse.hub.console.PageException;
import dev.gatehouse.hub.console.SignInService;
import dev.gatehouse.hub.console.Templates;
import dev.gatehouse.hub.credentials.CredentialViews.QrToken;
import dev.gatehouse.hub.portal.MemberAccess.DoorChoice;
import dev.gatehouse.hub.projection.ExplainService;
import dev.gatehouse.hub.projection.SiteProjection;
import dev.gatehouse.hub.sites.DoorStore;
import dev.gatehouse.hub.store.Database;
import dev.gatehouse.hub.store.WireNames;
import dev.gatehouse.hub.web.QrPng;
import dev.gatehouse.protocol.Ids;
import dev.gatehouse.protocol.message.CommandAction;
import dev.gatehouse.protocol.model.Credential;
import dev.gatehouse.protocol.model.CredentialStatus;
import dev.gatehouse.protocol.model.CredentialType;
import dev.gatehouse.protocol.model.DenyReason;
import dev.gatehouse.protocol.model.DoorId;
import dev.gatehouse.protocol.policy.Decision;
import io.helidon.http.HeaderNames;
import io.helidon.http.Status;
import io.helidon.webserver.http.HttpRules;
import io.helidon.webserver.http.HttpService;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The signed-in member's pages.
 *
 * <pre>
 * GET  /portal                      my pass (a QR code that renews itself), doors to open, my access, my entries
 * GET  /portal/qr.png               a fresh QR token of the member's pass as a PNG (never cached)
 * POST /portal/doors/{doorId}/open  a remote unlock, if the policy would let the member through now
 * </pre>
 *
 * A remote unlock is decided by the edge's own policy engine over the member's slice of the site
 * ({@link ExplainService#evaluate}), presenting the member's phone pass (or their best credential
 * when they have no pass): when it grants, the unlock command goes out as the API sends it and the
 * audit log records it as done by the member; when it denies, nothing is sent and the member reads
 * the policy's reason.
 */
record PortalService(
        Database database,
        Clock clock,
        MemberSessions sessions,
        MemberPass pass,
        MemberAccess access,
        Commands commands,
        Audit audit)
        implements HttpService {

    @Override
    public void routing(HttpRules rules) {
        rules.get("/portal", this::home)
                .get("/portal/qr.png", this::qr)
                .post("/portal/doors/{doorId}/open", this::open);
    }

    private void home(ServerRequest req, ServerResponse res) {
        MemberSession member = sessions.require(req);
        Optional<String> credential = pass.credential(req, member);
        String unavailable = member.active()
                ? Portal.WORDS.get("portal.pass.none")
                : Portal.WORDS.get("portal.pass.inactive", member.member().status());
        List<DoorChoice> doors = access.doors(member.tenantId(), member.memberId());
        PortalHome home = new PortalHome(
                req.query()
                        .first("opened")
                        .asOptional()
                        .flatMap(id -> door(doors, id))
                        .map(door -> Portal.WORDS.get("portal.doors.opened", door.name()))
                        .orElse(null),
                refusal(req, doors),
                credential.isPresent() && member.active(),
                MemberPass.REFRESH.toSeconds(),
                unavailable,
                doors,
                access.grants(member.tenantId(), member.memberId(), Portal.WORDS),
                access.recent(member.tenantId(), member.memberId(), Portal.WORDS));
        Templates.render(
                res, "portal-home.jte", Map.of("page", Portal.page(member, "portal.home.title"), "home", home));
    }

    private static Optional<DoorChoice> door(List<DoorChoice> doors, String id) {
        return doors.stream().filter(door -> door.id().equals(id)).findFirst();
    }

    /**
     * Why the door stayed shut, from the redirect's query: only a known reason's own sentence, with the
     * door's name when it is one of the member's.
     */
    private static String refusal(ServerRequest req, List<DoorChoice> doors) {
        String door = req.query()
                .first("door")
                .asOptional()
                .flatMap(id -> door(doors, id))
                .map(DoorChoice::name)
                .orElse(Portal.WORDS.get("portal.doors.the-door"));
        return req.query()
                .first("refused")
                .asOptional()
                .flatMap(wire -> WireNames.parse(DenyReason.class, wire))
                .map(reason -> Portal.WORDS.get("portal.doors.refused", door, reason.sentence()))
                .orElse(null);
    }

    private void qr(ServerRequest req, ServerResponse res) {
        MemberSession member = sessions.require(req);
        Optional<QrToken> token = pass.credential(req, member).flatMap(id -> pass.token(member, id));
        res.header(HeaderNames.CACHE_CONTROL, "no-store");
        if (token.isEmpty()) {
            res.status(Status.CONFLICT_409).send("no pass to show: the member is not active or has no phone pass");
            return;
        }
        res.header(HeaderNames.CONTENT_TYPE, "image/png");
        res.send(QrPng.render(token.get().token(), 560));
    }

    private void open(ServerRequest req, ServerResponse res) {
        MemberSession member = sessions.require(req);
        Forms.read(req, member.session().csrfToken());
        String doorId = req.path().pathParameters().get("doorId");
        if (!Ids.isValid(doorId)) {
            throw PageException.notFound("There is no door " + Ids.printable(doorId) + ".");
        }
        Instant now = clock.instant().truncatedTo(ChronoUnit.MILLIS);
        record Outcome(String siteId, Decision decision) {}
        Outcome outcome = database.read(c -> {
            String siteId = DoorStore.doorSite(c, member.tenantId(), doorId)
                    .orElseThrow(() -> PageException.notFound("There is no door " + doorId + "."));
            Optional<Credential> presented = portalPass(c, member);
            if (presented.isEmpty()) {
                presented = ExplainService.preferred(c, member.tenantId(), member.memberId());
            }
            if (presented.isEmpty()) {
                return new Outcome(siteId, new Decision.Denied(DenyReason.UNKNOWN_CREDENTIAL));
            }
            return new Outcome(
                    siteId,
                    ExplainService.evaluate(
                                    c, member.tenantId(), siteId, member.memberId(), presented.get(), doorId, now)
                            .evaluation()
                            .decision());
        });
        switch (outcome.decision()) {
            case Decision.Granted granted -> {
                CommandView issued = commands.issue(
                        member.tenantId(),
                        outcome.siteId(),
                        new CommandAction.UnlockOnce(DoorId.of(doorId), granted.unlockFor()),
                        Commands.UNLOCK_EXPIRY);
                audit.record(req, member.auditCaller(), "door.unlock", "door", doorId, outcome.siteId(), null, issued);
                SignInService.redirect(res, "/portal?opened=" + URLEncoder.encode(doorId, StandardCharsets.UTF_8));
            }
            case Decision.Denied denied ->
                SignInService.redirect(
                        res,
                        "/portal?door=" + URLEncoder.encode(doorId, StandardCharsets.UTF_8) + "&refused="
                                + WireNames.wire(denied.reason()));
        }
    }

    /** The member's active phone pass, as the edges know it. */
    private static Optional<Credential> portalPass(Connection c, MemberSession member) throws SQLException {
        return SiteProjection.credentials(c, member.tenantId(), Optional.of(member.memberId())).stream()
                .filter(credential ->
                        credential.type() == CredentialType.MEMBER_QR && credential.status() == CredentialStatus.ACTIVE)
                .findFirst();
    }
}
