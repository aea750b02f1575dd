package dev.gatehouse.hub.console;

import dev.gatehouse.hub.commands.CommandService;
import dev.gatehouse.hub.commands.CommandStore;
import dev.gatehouse.hub.tenants.Permission;
import dev.gatehouse.protocol.message.CommandAction;
import dev.gatehouse.protocol.message.DoorSelection;
import dev.gatehouse.protocol.model.DoorId;
import io.helidon.common.parameters.Parameters;
import io.helidon.http.Status;
import io.helidon.webserver.http.HttpRules;
import io.helidon.webserver.http.HttpService;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The doors page: each door of the operator's sites with its live state, a remote unlock per door,
 * and lockdown and release per site. Commands go through {@link CommandService#send}, the API's own
 * path: stored, signed, published to the site's edges and audited ({@code door.unlock},
 * {@code site.lockdown}, {@code site.release}).
 *
 * <pre>
 * GET  /console/doors                              the page
 * GET  /console/doors/live?site=…                  one site's door table (htmx polls it every 2 s)
 * POST /console/doors/{siteId}/{doorId}/unlock     unlock once for the door's unlock time (UNLOCK_DOORS)
 * POST /console/doors/{siteId}/lockdown            reason required (LOCKDOWN)
 * POST /console/doors/{siteId}/release             reason required (LOCKDOWN)
 * </pre>
 *
 * The live part is polled (htmx, every 2 s), not streamed: a door's state also changes with time (an
 * unlock ends), which no event announces.
 */
public record DoorPages(Console.Parts parts, DoorBoard board) implements HttpService {
    /** The longest lockdown or release reason kept in the audit log. */
    static final int MAX_REASON = 500;

    public DoorPages(Console.Parts parts) {
        this(parts, new DoorBoard(parts.database(), new CommandStore(parts.database(), parts.clock()), parts.clock()));
    }

    @Override
    public void routing(HttpRules rules) {
        rules.get("/console/doors", this::page)
                .get("/console/doors/live", this::live)
                .post("/console/doors/{siteId}/{doorId}/unlock", this::unlock)
                .post("/console/doors/{siteId}/lockdown", (req, res) -> siteCommand(req, res, true))
                .post("/console/doors/{siteId}/release", (req, res) -> siteCommand(req, res, false));
    }

    /** A refused lockdown or release form: which site and form, the reason as typed, what to fix. */
    public record FormError(String siteId, String form, String reason, String message) {}

    private void page(ServerRequest req, ServerResponse res) {
        ConsoleSession session = Guard.page(req, Permission.VIEW_SITES);
        render(
                res,
                session,
                Status.OK_200,
                Optional.empty(),
                req.query().first("notice").asOptional());
    }

    private void render(
            ServerResponse res,
            ConsoleSession session,
            Status status,
            Optional<FormError> error,
            Optional<String> notice) {
        ConsolePage page = Guard.pageFor(session, "doors.title", "/console/doors");
        Map<String, Object> params = new HashMap<>();
        params.put("page", page);
        params.put("sites", board.sites(session.tenant().id(), session.access()));
        params.put("error", error);
        params.put("notice", notice.filter(n -> List.of("unlock", "lockdown", "release", "policy")
                .contains(n)));
        params.put("mayUnlock", session.access().may(Permission.UNLOCK_DOORS));
        params.put("mayLockdown", session.access().may(Permission.LOCKDOWN));
        params.put("mayManage", session.access().may(Permission.MANAGE_SITES));
        Templates.render(res, status, "doors.jte", params);
    }

    private void live(ServerRequest req, ServerResponse res) {
        String siteId = req.query().first("site").orElse("");
        ConsoleSession session = Guard.site(req, Permission.VIEW_SITES, siteId);
        DoorBoard.Site site = board.site(session.tenant().id(), siteId)
                .orElseThrow(() -> PageException.notFound("There is no site " + siteId + "."));
        ConsolePage page = Guard.pageFor(session, "doors.title", "/console/doors");
        Templates.render(
                res,
                "doors-table.jte",
                Map.of(
                        "page",
                        page,
                        "site",
                        site,
                        "mayUnlock",
                        session.access().may(Permission.UNLOCK_DOORS),
                        "mayManage",
                        session.access().may(Permission.MANAGE_SITES)));
    }

    private void unlock(ServerRequest req, ServerResponse res) {
        String siteId = req.path().pathParameters().get("siteId");
        String doorId = req.path().pathParameters().get("doorId");
        ConsoleSession session = Guard.site(req, Permission.UNLOCK_DOORS, siteId);
        Forms.read(req, session);
        DoorBoard.Door door = board.site(session.tenant().id(), siteId).stream()
                .flatMap(site -> site.doors().stream())
                .filter(d -> d.live().id().equals(doorId))
                .findFirst()
                .orElseThrow(() -> PageException.notFound("There is no door " + doorId + " at this site."));
        parts.commands()
                .send(
                        req,
                        session.caller(),
                        siteId,
                        new CommandAction.UnlockOnce(
                                new DoorId(doorId),
                                Duration.ofSeconds(door.settings().unlockSeconds())),
                        Optional.empty(),
                        Optional.empty());
        SignInService.redirect(res, "/console/doors?notice=unlock#door-" + doorId);
    }

    private void siteCommand(ServerRequest req, ServerResponse res, boolean lockdown) {
        String siteId = req.path().pathParameters().get("siteId");
        ConsoleSession session = Guard.site(req, Permission.LOCKDOWN, siteId);
        Parameters form = Forms.read(req, session);
        if (board.site(session.tenant().id(), siteId).isEmpty()) {
            throw PageException.notFound("There is no site " + siteId + ".");
        }
        String name = lockdown ? "lockdown" : "release";
        Optional<String> reason = Forms.field(form, "reason");
        Messages t = Guard.messages();
        if (reason.isEmpty() || reason.get().length() > MAX_REASON) {
            String message = reason.isEmpty()
                    ? t.get("doors." + name + ".reason.missing")
                    : t.get("doors.reason.too-long", MAX_REASON, reason.get().length());
            render(
                    res,
                    session,
                    Status.UNPROCESSABLE_CONTENT_422,
                    Optional.of(new FormError(siteId, name, reason.orElse(""), message)),
                    Optional.empty());
            return;
        }
        CommandAction action = lockdown
                ? new CommandAction.Lockdown(DoorSelection.all(), Set.of())
                : new CommandAction.Release(DoorSelection.all());
        parts.commands().send(req, session.caller(), siteId, action, Optional.empty(), reason);
        SignInService.redirect(res, "/console/doors?notice=" + name + "#site-" + siteId);
    }
}
