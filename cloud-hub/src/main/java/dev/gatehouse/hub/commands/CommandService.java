package dev.gatehouse.hub.commands;

import com.fasterxml.jackson.databind.JsonNode;
import dev.gatehouse.hub.audit.Audit;
import dev.gatehouse.hub.sites.SitePath;
import dev.gatehouse.hub.sites.SiteStore;
import dev.gatehouse.hub.store.FieldError;
import dev.gatehouse.hub.store.WireNames;
import dev.gatehouse.hub.tenants.Caller;
import dev.gatehouse.hub.tenants.Permission;
import dev.gatehouse.hub.web.ApiException;
import dev.gatehouse.hub.web.Input;
import dev.gatehouse.hub.web.Json;
import dev.gatehouse.hub.web.Paging;
import dev.gatehouse.hub.web.PathIds;
import dev.gatehouse.hub.web.StoreResults;
import dev.gatehouse.protocol.Ids;
import dev.gatehouse.protocol.ProtocolException;
import dev.gatehouse.protocol.message.CommandAction;
import io.helidon.http.Status;
import io.helidon.webserver.http.HttpRules;
import io.helidon.webserver.http.HttpService;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Commands to a site's edges.
 *
 * <pre>
 * POST /api/v1/sites/{siteId}/commands   {"action": {…protocol action…}, "expiresIn": "PT30S"} → 202
 * GET  /api/v1/sites/{siteId}/commands   newest first, ?limit=&amp;cursor=
 * GET  /api/v1/commands/{commandId}
 * </pre>
 */
public record CommandService(Commands commands, SiteStore sites, Audit audit, int maxBody) implements HttpService {
    private static final List<Permission> COMMAND_PERMISSIONS =
            List.of(Permission.UNLOCK_DOORS, Permission.LOCKDOWN, Permission.MANAGE_DEVICES);

    @Override
    public void routing(HttpRules rules) {
        rules.post("/sites/{siteId}/commands", this::issue)
                .get("/sites/{siteId}/commands", this::list)
                .get("/commands/{commandId}", this::get);
    }

    private void issue(ServerRequest req, ServerResponse res) {
        Caller.Operator caller = Caller.operator(req);
        // 403 before the body is read when the role may send no command at all; which one it may
        // send is checked once the action is known.
        if (COMMAND_PERMISSIONS.stream().noneMatch(caller.access()::may)) {
            throw ApiException.forbidden(
                    "the role " + WireNames.wire(caller.access().role())
                            + " may send no command (a command needs unlock-doors, lockdown or manage-devices)");
        }
        String siteId = SitePath.site(req, sites, Permission.VIEW_SITES).id();
        String tenantId = caller.tenantId();
        Input input = Input.of(Json.object(req, maxBody), "action", "expiresIn");
        JsonNode actionNode = input.raw().get("action");
        Optional<CommandAction> action = Optional.empty();
        if (actionNode == null || actionNode.isNull()) {
            input.error(
                    "action",
                    "is required: an object such as {\"type\":\"unlock-once\",\"door\":\"door_…\","
                            + "\"unlockFor\":\"PT5S\"}");
        } else if (!actionNode.isObject()) {
            input.error("action", "must be an object with a type");
        } else {
            try {
                action = Optional.of(CommandActions.read(actionNode));
            } catch (ProtocolException e) {
                input.error("action", e.getMessage());
            }
        }
        Optional<Duration> expiresIn = Optional.empty();
        Optional<String> text = input.optionalText("expiresIn", 40);
        if (text.isPresent()) {
            try {
                Duration duration = Duration.parse(text.get());
                if (duration.compareTo(Duration.ofSeconds(1)) < 0 || duration.compareTo(Commands.MAX_EXPIRY) > 0) {
                    input.error("expiresIn", "is " + text.get() + "; use PT1S to PT1H");
                } else {
                    expiresIn = Optional.of(duration);
                }
            } catch (DateTimeParseException e) {
                input.error("expiresIn", "'" + text.get() + "' is not an ISO-8601 duration such as PT30S or PT5M");
            }
        }
        input.done();
        List<FieldError> doors = unknownDoors(tenantId, siteId, actionNode);
        if (!doors.isEmpty()) {
            throw ApiException.invalid(doors);
        }
        CommandView issued = send(req, caller, siteId, action.orElseThrow(), expiresIn, Optional.empty());
        Json.send(res, Status.ACCEPTED_202, issued);
    }

    /**
     * Sends a checked command (its doors are the site's) for {@code caller} and records it in the audit
     * log: the one path for the API and the console. 403 when the caller's role may not send this
     * action at this site. A console's {@code reason} (a lockdown's) is kept in the audit entry.
     */
    public CommandView send(
            ServerRequest req,
            Caller.Operator caller,
            String siteId,
            CommandAction chosen,
            Optional<Duration> expiresIn,
            Optional<String> reason) {
        caller.require(permission(chosen), siteId);
        String tenantId = caller.tenantId();
        CommandView issued = commands.issue(tenantId, siteId, chosen, expiresIn.orElse(Commands.defaultExpiry(chosen)));
        Object after = reason.<Object>map(why -> new Reasoned(issued, why)).orElse(issued);
        switch (chosen) {
            case CommandAction.UnlockOnce unlock ->
                audit.record(req, caller, "door.unlock", "door", unlock.door().value(), siteId, null, after);
            case CommandAction.Lockdown lockdown ->
                audit.record(req, caller, "site.lockdown", "site", siteId, siteId, null, after);
            case CommandAction.EmergencyRelease release ->
                audit.record(req, caller, "site.emergency-release", "site", siteId, siteId, null, after);
            case CommandAction.Release release ->
                audit.record(req, caller, "site.release", "site", siteId, siteId, null, after);
            case CommandAction.SetConfig config ->
                audit.record(req, caller, "site.set-config", "site", siteId, siteId, null, after);
        }
        return issued;
    }

    /** A command's audit entry with the reason the operator gave for it. */
    public record Reasoned(CommandView command, String reason) {}

    /** What the caller's role must allow to send this command. */
    static Permission permission(CommandAction action) {
        return switch (action) {
            case CommandAction.UnlockOnce unlock -> Permission.UNLOCK_DOORS;
            case CommandAction.Lockdown lockdown -> Permission.LOCKDOWN;
            case CommandAction.EmergencyRelease release -> Permission.LOCKDOWN;
            case CommandAction.Release release -> Permission.LOCKDOWN;
            case CommandAction.SetConfig config -> Permission.MANAGE_DEVICES;
        };
    }

    /** Each door the action names that is not a door of this site (another tenant's door included). */
    private List<FieldError> unknownDoors(String tenantId, String siteId, JsonNode action) {
        List<FieldError> errors = new ArrayList<>();
        JsonNode door = action.get("door");
        if (door != null && door.isTextual() && !known(tenantId, siteId, door.asText())) {
            errors.add(new FieldError("action.door", notHere(door.asText())));
        }
        JsonNode doors = action.get("doors");
        if (doors != null && doors.isArray()) {
            for (int i = 0; i < doors.size(); i++) {
                String id = doors.get(i).asText();
                if (!known(tenantId, siteId, id)) {
                    errors.add(new FieldError("action.doors[" + i + "]", notHere(id)));
                }
            }
        }
        return errors;
    }

    private boolean known(String tenantId, String siteId, String doorId) {
        return Ids.isValid(doorId) && commands.store().doorOfSite(tenantId, siteId, doorId);
    }

    private static String notHere(String doorId) {
        return "'" + Ids.printable(doorId) + "' is not a door of this site";
    }

    private void list(ServerRequest req, ServerResponse res) {
        String siteId = SitePath.site(req, sites, Permission.VIEW_SITES).id();
        String tenantId = Caller.operator(req).tenantId();
        Paging paging = Paging.of(req);
        Json.ok(
                res,
                commands.store()
                        .list(tenantId, siteId, paging.after(), paging.limit())
                        .body());
    }

    private void get(ServerRequest req, ServerResponse res) {
        Caller.Operator caller = Caller.require(req, Permission.VIEW_SITES);
        String id = PathIds.id(req, "commandId", "command");
        CommandView command = StoreResults.found(commands.store().find(caller.tenantId(), id), "command", id);
        caller.requireCovers(command.site(), "command", id);
        Json.ok(res, command);
    }
}
