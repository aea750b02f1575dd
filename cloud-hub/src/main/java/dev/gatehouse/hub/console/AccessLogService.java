package dev.gatehouse.hub.console;

import dev.gatehouse.hub.access.AccessEventView;
import dev.gatehouse.hub.access.AccessLogStore;
import dev.gatehouse.hub.access.AccessQuery;
import dev.gatehouse.hub.store.Cursor;
import dev.gatehouse.hub.store.Database;
import dev.gatehouse.hub.store.Page;
import dev.gatehouse.hub.tenants.Permission;
import io.helidon.http.HeaderNames;
import io.helidon.http.Status;
import io.helidon.webserver.http.HttpRules;
import io.helidon.webserver.http.HttpService;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.OutputStreamWriter;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The access log in the console.
 *
 * <pre>
 * GET /console/access-log       filters, one page of events (newest first) and a link to the next
 * GET /console/access-log.csv   the same filters, every matching event as CSV, streamed page by page
 * </pre>
 *
 * Both read the API's store through the same {@link AccessQuery}, limited to the operator's sites. The
 * CSV is written while the keyset walks the log, so a long export never holds the log in memory; its
 * cells are quoted as RFC 4180 says and a cell a spreadsheet would run as a formula is defused.
 */
public record AccessLogService(Database database, AccessLogStore log, Clock clock) implements HttpService {
    private static final int PAGE_ROWS = 50;
    private static final int EXPORT_ROWS = AccessQuery.MAX_LIMIT;
    private static final String PATH = "/console/access-log";

    /** A row of the page: the feed's row (names, zone) and the ids the explain link needs. */
    public record Row(Feed.Row row, String memberId, String doorId) {
        /** The explain page for this denial, with member, door and time filled in; empty without a member. */
        public Optional<String> explainLink() {
            if (row.granted() || memberId == null) {
                return Optional.empty();
            }
            return Optional.of("/console/explain?member=" + AccessLogFilter.encode(memberId) + "&door="
                    + AccessLogFilter.encode(doorId) + "&at=" + AccessLogFilter.encode(Formats.iso(row.at())));
        }
    }

    @Override
    public void routing(HttpRules rules) {
        rules.get(PATH, this::page).get(PATH + ".csv", this::csv);
    }

    private void page(ServerRequest req, ServerResponse res) {
        ConsoleSession session = Guard.page(req, Permission.VIEW_ACCESS_LOG);
        ConsolePage page = Guard.pageFor(session, "access-log.title", PATH);
        AccessLogFilter filter = AccessLogFilter.read(database, session, req.query(), PAGE_ROWS);
        List<Row> rows = List.of();
        Optional<String> next = Optional.empty();
        if (filter.query().isPresent()) {
            Page<AccessEventView> events = log.query(filter.query().get());
            rows = rows(new Feed(database, session.tenant().id(), session.access(), page.t()), events.items());
            next = events.nextCursor();
        }
        Templates.render(
                res,
                filter.errors().isEmpty() ? Status.OK_200 : Status.create(422, "Unprocessable Content"),
                "access-log.jte",
                Map.of("page", page, "filter", filter, "rows", rows, "next", next));
    }

    static List<Row> rows(Feed feed, List<AccessEventView> events) {
        Map<String, AccessEventView> byId = new HashMap<>();
        events.forEach(event -> byId.put(event.id(), event));
        List<Row> rows = new ArrayList<>();
        for (Feed.Row row : feed.rows(events)) {
            AccessEventView event = byId.get(row.id());
            rows.add(new Row(row, event.memberId(), event.doorId()));
        }
        return rows;
    }

    private void csv(ServerRequest req, ServerResponse res) {
        ConsoleSession session = Guard.page(req, Permission.VIEW_ACCESS_LOG);
        AccessLogFilter filter = AccessLogFilter.read(database, session, req.query(), EXPORT_ROWS);
        if (filter.query().isEmpty()) {
            res.status(Status.create(422, "Unprocessable Content"));
            res.header(HeaderNames.CONTENT_TYPE, "text/plain; charset=utf-8");
            res.send("The export was not made: "
                    + String.join(" ", filter.errors().values()) + "\n");
            return;
        }
        Feed feed = new Feed(database, session.tenant().id(), session.access(), Guard.messages());
        String name = "access-log-" + session.tenant().slug() + "-"
                + DateTimeFormatter.ofPattern("yyyyMMdd-HHmm")
                        .withZone(ZoneId.of("UTC"))
                        .format(clock.instant())
                + ".csv";
        res.header(HeaderNames.CONTENT_TYPE, "text/csv; charset=utf-8");
        res.header(HeaderNames.CONTENT_DISPOSITION, "attachment; filename=\"" + name + "\"");
        res.header(HeaderNames.CACHE_CONTROL, "no-store");
        try (Writer out = new BufferedWriter(new OutputStreamWriter(res.outputStream(), StandardCharsets.UTF_8))) {
            AccessLogCsv.header(out);
            AccessQuery query = filter.query().get();
            while (true) {
                Page<AccessEventView> events = log.query(query);
                for (Row row : rows(feed, events.items())) {
                    AccessLogCsv.row(out, row);
                }
                out.flush();
                Optional<Cursor> next = events.nextCursor().flatMap(Cursor::decode);
                if (next.isEmpty()) {
                    break;
                }
                query = query.after(next.get());
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
