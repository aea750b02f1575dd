package dev.gatehouse.hub.console;

import dev.gatehouse.hub.store.Database;
import dev.gatehouse.hub.store.Sql;
import dev.gatehouse.hub.tenants.Permission;
import dev.gatehouse.hub.web.ApiException;
import dev.gatehouse.protocol.Ids;
import io.helidon.http.Status;
import io.helidon.webserver.http.HttpRules;
import io.helidon.webserver.http.HttpService;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import java.time.Clock;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.LocalTime;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.time.temporal.ChronoUnit;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The console's explain page: why a member was denied at a door at a time, or whether they would get
 * in at a time to come (by default tomorrow at 09:00 in the door's site zone).
 *
 * <pre>
 * GET /console/explain?ask=why|would&amp;member=&amp;door=&amp;when=   (or at=ISO instant, from an access-log row)
 * </pre>
 *
 * The answer is the API's {@code /explain}: the edge's own policy engine over the member's slice of
 * the door's site ({@link dev.gatehouse.hub.projection.ExplainService#explain}), never a second copy
 * of the rules.
 */
public record ExplainService(Database database, Clock clock) implements HttpService {
    private static final String PATH = "/console/explain";
    private static final DateTimeFormatter LOCAL = DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss");

    /** The page's two forms as filled in, the answer when one was asked, and the field errors. */
    public record Explain(
            String ask,
            String member,
            String door,
            String whyWhen,
            String wouldWhen,
            List<AccessLogFilter.DoorOption> doors,
            Map<String, String> errors,
            Optional<Answer> answer) {
        public String error(String field) {
            return errors.get(field);
        }
    }

    /** What the policy engine said, for people: who, where, when (in the site's zone) and why. */
    public record Answer(
            String memberName,
            String doorName,
            String localTime,
            String zone,
            boolean granted,
            String sentence,
            String basis,
            String credentialType) {}

    @Override
    public void routing(HttpRules rules) {
        rules.get(PATH, this::page);
    }

    private void page(ServerRequest req, ServerResponse res) {
        ConsoleSession session = Guard.page(req, Permission.VIEW_ACCESS_LOG);
        String tenantId = session.tenant().id();
        List<AccessLogFilter.DoorOption> doors = AccessLogFilter.doors(database, tenantId, session.access());
        List<AccessLogFilter.SiteOption> sites = AccessLogFilter.sites(database, tenantId, session.access());
        String ask = text(req, "ask");
        String member = text(req, "member");
        String door = text(req, "door");
        String when = text(req, "when");
        String at = text(req, "at");
        Optional<AccessLogFilter.DoorOption> chosen =
                doors.stream().filter(d -> d.id().equals(door)).findFirst();
        ZoneId zone = chosen.or(() -> doors.stream().findFirst())
                .flatMap(d ->
                        sites.stream().filter(s -> s.id().equals(d.siteId())).findFirst())
                .map(AccessLogFilter.SiteOption::zone)
                .orElse(ZoneOffset.UTC);
        if (!at.isEmpty()) {
            ask = "why";
            try {
                when = LOCAL.format(Instant.parse(at).atZone(zone));
            } catch (DateTimeParseException e) {
                when = at;
            }
        }
        String tomorrowNine = LOCAL.format(
                LocalDateTime.of(LocalDate.ofInstant(clock.instant(), zone).plusDays(1), LocalTime.of(9, 0)));
        Map<String, String> errors = new LinkedHashMap<>();
        Optional<Answer> answer = Optional.empty();
        if (ask.equals("why") || ask.equals("would")) {
            answer = answer(session, member, chosen, door, when, zone, errors);
        }
        Explain explain = new Explain(
                ask,
                member,
                door,
                ask.equals("why") ? when : "",
                ask.equals("would") && !when.isEmpty() ? when : tomorrowNine,
                doors,
                errors,
                answer);
        Templates.render(
                res,
                errors.isEmpty() ? Status.OK_200 : Status.create(422, "Unprocessable Content"),
                "explain.jte",
                Map.of("page", Guard.pageFor(session, "explain.title", PATH), "explain", explain));
    }

    private Optional<Answer> answer(
            ConsoleSession session,
            String member,
            Optional<AccessLogFilter.DoorOption> door,
            String doorText,
            String when,
            ZoneId zone,
            Map<String, String> errors) {
        String tenantId = session.tenant().id();
        Optional<String> memberId = Optional.empty();
        if (member.isEmpty()) {
            errors.put("member", "Type the member's e-mail address or id.");
        } else {
            memberId = AccessLogFilter.member(database, tenantId, member);
            if (memberId.isEmpty()) {
                errors.put("member", "No member has the e-mail or id '" + Ids.printable(member) + "'.");
            }
        }
        if (door.isEmpty()) {
            errors.put("door", doorText.isEmpty() ? "Choose a door." : "Choose one of your doors from the list.");
        }
        Optional<Instant> at = Optional.empty();
        try {
            at = Optional.of(LocalDateTime.parse(when).atZone(zone).toInstant());
        } catch (DateTimeParseException e) {
            errors.put(
                    "when",
                    "'" + Ids.printable(when) + "' is not a date and time: use the form 2026-12-04T09:00 ("
                            + zone.getId() + ").");
        }
        if (!errors.isEmpty()) {
            return Optional.empty();
        }
        String memberFound = memberId.get();
        String doorId = door.get().id();
        Instant instant = at.get().truncatedTo(ChronoUnit.SECONDS);
        try {
            Map<String, Object> said = database.read(c -> dev.gatehouse.hub.projection.ExplainService.explain(
                    c, session.caller(), memberFound, doorId, Optional.empty(), instant));
            String name = database.read(c -> Sql.one(
                            c,
                            "SELECT full_name FROM members WHERE tenant_id = ? AND id = ?",
                            Sql.STRING,
                            tenantId,
                            memberFound))
                    .orElse(memberFound);
            boolean granted = "granted".equals(said.get("decision"));
            return Optional.of(new Answer(
                    name,
                    door.get().siteName() + ": " + door.get().name(),
                    LocalDateTime.parse(String.valueOf(said.get("localTime")), DateTimeFormatter.ISO_OFFSET_DATE_TIME)
                            .format(DateTimeFormatter.ofPattern(
                                    "EEEE d MMMM yyyy, HH:mm:ss",
                                    Guard.messages().locale())),
                    String.valueOf(said.get("timeZone")),
                    granted,
                    String.valueOf(said.get("sentence")),
                    String.valueOf(granted ? said.get("basis") : said.get("reason")),
                    String.valueOf(said.get("credentialType"))));
        } catch (ApiException e) {
            errors.put("member", e.getMessage());
            return Optional.empty();
        }
    }

    private static String text(ServerRequest req, String name) {
        return req.query().first(name).map(String::strip).orElse("");
    }
}
