package dev.gatehouse.hub.console;

import dev.gatehouse.hub.sites.DoorStore;
import dev.gatehouse.hub.sites.Views;
import dev.gatehouse.hub.store.StoreResult;
import dev.gatehouse.hub.store.WireNames;
import dev.gatehouse.hub.tenants.Permission;
import dev.gatehouse.protocol.Ids;
import dev.gatehouse.protocol.ProtocolException;
import dev.gatehouse.protocol.model.DegradedMode;
import dev.gatehouse.protocol.model.Door;
import dev.gatehouse.protocol.model.TimeWindow;
import io.helidon.common.parameters.Parameters;
import io.helidon.http.Status;
import io.helidon.webserver.http.HttpRules;
import io.helidon.webserver.http.HttpService;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import java.time.DayOfWeek;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A door's policy as the hub pushes it to its site's edges: the held-open threshold and the office
 * hours, each either the hub's (pushed) or left to each edge's own configuration. The same store,
 * checks and audit entry ({@code door.update}) as {@code PATCH /api/v1/doors/{id}}; a site with an edge
 * that cannot read pushed policy is refused with the devices named.
 *
 * <pre>
 * GET  /console/doors/{siteId}/{doorId}/policy   the form (MANAGE_SITES)
 * POST /console/doors/{siteId}/{doorId}/policy   heldOpen (seconds, empty: the edges'), hoursFrom (edge|hub), officeHours
 * </pre>
 *
 * Office hours are typed one window per line: {@code monday 08:00-09:30}, or a range of days {@code
 * monday-friday 08:00-09:30} (three-letter days work too).
 */
public record DoorPolicyPages(Console.Parts parts, DoorStore doors) implements HttpService {
    private static final Pattern LINE =
            Pattern.compile("([a-z]+)(?:\\s*-\\s*([a-z]+))?\\s+(\\d{1,2}:\\d{2})\\s*-\\s*(\\d{1,2}:\\d{2})");

    public DoorPolicyPages(Console.Parts parts) {
        this(parts, new DoorStore(parts.database(), parts.clock()));
    }

    /** What the form shows: the door, and the values as typed (after a refusal) or as stored. */
    public record Form(
            Views.DoorView door,
            String siteId,
            String heldOpen,
            boolean hoursFromHub,
            String officeHours,
            String error) {}

    @Override
    public void routing(HttpRules rules) {
        rules.get("/console/doors/{siteId}/{doorId}/policy", this::page)
                .post("/console/doors/{siteId}/{doorId}/policy", this::save);
    }

    private Views.DoorView door(ServerRequest req, ConsoleSession session) {
        String siteId = req.path().pathParameters().get("siteId");
        String doorId = req.path().pathParameters().get("doorId");
        return Optional.of(doorId)
                .filter(Ids::isValid)
                .flatMap(id -> doors.door(session.tenant().id(), id))
                .filter(d -> d.siteId().equals(siteId) && session.access().covers(d.siteId()))
                .orElseThrow(
                        () -> PageException.notFound("There is no door " + Ids.printable(doorId) + " at this site."));
    }

    private void page(ServerRequest req, ServerResponse res) {
        ConsoleSession session = Guard.page(req, Permission.MANAGE_SITES);
        Views.DoorView door = door(req, session);
        render(
                res,
                session,
                Status.OK_200,
                new Form(
                        door,
                        door.siteId(),
                        door.heldOpenSeconds() == null ? "" : String.valueOf(door.heldOpenSeconds()),
                        door.officeHours() != null,
                        door.officeHours() == null ? "" : typed(door.officeHours()),
                        null));
    }

    private void render(ServerResponse res, ConsoleSession session, Status status, Form form) {
        Map<String, Object> params = new HashMap<>();
        params.put("page", Guard.pageFor(session, "door-policy.title", "/console/doors"));
        params.put("form", form);
        Templates.render(res, status, "door-policy.jte", params);
    }

    private void save(ServerRequest req, ServerResponse res) {
        ConsoleSession session = Guard.page(req, Permission.MANAGE_SITES);
        Parameters posted = Forms.read(req, session);
        Views.DoorView before = door(req, session);
        Messages t = Guard.messages();
        String heldText = Forms.field(posted, "heldOpen").orElse("");
        boolean fromHub = posted.first("hoursFrom").orElse("edge").equals("hub");
        String hoursText = posted.first("officeHours").orElse("");
        Form typed = new Form(before, before.siteId(), heldText, fromHub, hoursText, null);
        Optional<Integer> heldOpen = Optional.empty();
        if (!heldText.isEmpty()) {
            int min = (int) Door.MIN_HELD_OPEN.toSeconds();
            int max = (int) Door.MAX_HELD_OPEN.toSeconds();
            try {
                heldOpen = Optional.of(Integer.parseInt(heldText));
            } catch (NumberFormatException e) {
                heldOpen = Optional.of(-1);
            }
            if (heldOpen.get() < min || heldOpen.get() > max) {
                refuse(res, session, typed, t.get("door-policy.held-open.invalid", min, max));
                return;
            }
        }
        Optional<List<TimeWindow>> hours = Optional.empty();
        if (fromHub) {
            List<TimeWindow> windows = new ArrayList<>();
            for (String line : hoursText.split("\\R")) {
                if (line.isBlank()) {
                    continue;
                }
                Optional<String> problem = parse(line.strip().toLowerCase(Locale.ROOT), windows);
                if (problem.isPresent()) {
                    refuse(res, session, typed, t.get("door-policy.hours.invalid", line.strip(), problem.get()));
                    return;
                }
            }
            if (windows.size() > Door.MAX_OFFICE_HOURS) {
                refuse(res, session, typed, t.get("door-policy.hours.too-many", Door.MAX_OFFICE_HOURS));
                return;
            }
            hours = Optional.of(List.copyOf(windows));
        }
        DoorStore.DoorInput input = new DoorStore.DoorInput(
                before.name(),
                before.unlockSeconds(),
                WireNames.of(DegradedMode.class, before.untrustedClock()),
                WireNames.of(DegradedMode.class, before.offlineMode()),
                before.offlineAfterSeconds(),
                heldOpen,
                hours);
        switch (doors.updateDoor(
                session.tenant().id(),
                before.id(),
                input,
                Instant.parse(before.updatedAt()).toEpochMilli())) {
            case StoreResult.Found<Views.DoorView> found -> {
                parts.audit()
                        .record(
                                req,
                                session.caller(),
                                "door.update",
                                "door",
                                before.id(),
                                before.siteId(),
                                before,
                                found.value());
                SignInService.redirect(res, "/console/doors?notice=policy#door-" + before.id());
            }
            case StoreResult.Conflict<Views.DoorView> conflict -> refuse(res, session, typed, conflict.reason());
            default -> throw PageException.notFound("There is no door " + before.id() + ".");
        }
    }

    private void refuse(ServerResponse res, ConsoleSession session, Form typed, String message) {
        render(
                res,
                session,
                Status.UNPROCESSABLE_CONTENT_422,
                new Form(
                        typed.door(),
                        typed.siteId(),
                        typed.heldOpen(),
                        typed.hoursFromHub(),
                        typed.officeHours(),
                        message));
    }

    /** Adds the line's windows; empty when it is one, else what is wrong. */
    static Optional<String> parse(String line, List<TimeWindow> into) {
        Matcher m = LINE.matcher(line);
        if (!m.matches()) {
            return Optional.of("write it as: monday-friday 08:00-09:30");
        }
        Optional<DayOfWeek> first = day(m.group(1));
        Optional<DayOfWeek> last = m.group(2) == null ? first : day(m.group(2));
        if (first.isEmpty() || last.isEmpty()) {
            return Optional.of("'" + (first.isEmpty() ? m.group(1) : m.group(2)) + "' is not a day");
        }
        String from = pad(m.group(3));
        String to = pad(m.group(4));
        try {
            for (int d = first.get().getValue(); ; d = d % 7 + 1) {
                into.add(TimeWindow.of(DayOfWeek.of(d), from, to));
                if (d == last.get().getValue()) {
                    break;
                }
            }
        } catch (ProtocolException e) {
            return Optional.of(e.getMessage());
        }
        return Optional.empty();
    }

    private static Optional<DayOfWeek> day(String text) {
        for (DayOfWeek day : DayOfWeek.values()) {
            String name = day.name().toLowerCase(Locale.ROOT);
            if (name.equals(text) || (text.length() == 3 && name.startsWith(text))) {
                return Optional.of(day);
            }
        }
        return Optional.empty();
    }

    private static String pad(String time) {
        return time.length() == 4 ? "0" + time : time;
    }

    /** The stored windows as the form shows them, one per line. */
    static String typed(List<Views.OfficeHours> hours) {
        StringBuilder out = new StringBuilder();
        for (Views.OfficeHours h : hours) {
            out.append(h.day())
                    .append(' ')
                    .append(h.from())
                    .append('-')
                    .append(h.to())
                    .append('\n');
        }
        return out.toString();
    }
}
