package dev.gatehouse.hub.console;

import dev.gatehouse.hub.access.AccessLogStore;
import dev.gatehouse.hub.billing.Mrr;
import dev.gatehouse.hub.ingest.IngestSignal;
import dev.gatehouse.hub.store.Database;
import dev.gatehouse.hub.tenants.Permission;
import io.helidon.http.HeaderNames;
import io.helidon.http.sse.SseEvent;
import io.helidon.webserver.http.HttpRules;
import io.helidon.webserver.http.HttpService;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import io.helidon.webserver.sse.SseSink;
import java.io.UncheckedIOException;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The console's overview and its live feed.
 *
 * <pre>
 * GET /console        people on site, doors by state, devices, denials today, the latest activity
 * GET /console/live   text/event-stream: each new access event as a rendered table row (event: access)
 * </pre>
 *
 * The live feed reads the store (any replica can serve it), woken at once by this process's ingest,
 * and shows only the sites the operator may see. Its rows are rendered by the same template as the
 * page's, so the page's script only inserts them.
 */
public record OverviewService(
        Database database, AccessLogStore log, IngestSignal signal, Clock clock, ConsoleSettings settings)
        implements HttpService {
    private static final Logger LOG = Logger.getLogger(OverviewService.class.getName());
    private static final int FEED_ROWS = 25;
    private static final long POLL_MILLIS = 2_000;
    private static final long KEEP_ALIVE_MILLIS = 15_000;

    @Override
    public void routing(HttpRules rules) {
        rules.get("/console", this::overview)
                .get("/console/overview/sites", this::sites)
                .get("/console/live", this::live);
    }

    private void overview(ServerRequest req, ServerResponse res) {
        ConsoleSession session = Guard.page(req, Permission.VIEW_SITES);
        ConsolePage page = Guard.pageFor(session, "overview.title", "/console");
        Overview overview = new Overview(database, clock, settings.dwell());
        // Finance's figure, for the roles that see money.
        java.util.Optional<List<Mrr>> mrr = session.access().may(Permission.FINANCE)
                ? java.util.Optional.of(
                        database.read(c -> Mrr.of(c, session.tenant().id(), clock.instant(), site -> session.access()
                                .covers(site))))
                : java.util.Optional.empty();
        Templates.render(
                res,
                "overview.jte",
                Map.of(
                        "page", page,
                        "sites", overview.sites(session.tenant().id(), session.access()),
                        "feed",
                                new Feed(database, session.tenant().id(), session.access(), page.t())
                                        .recent(log, FEED_ROWS),
                        "dwellHours", settings.dwell().toHours(),
                        "mrr", mrr));
    }

    /** The sites' tiles and doors alone: the page refreshes them every few seconds (htmx). */
    private void sites(ServerRequest req, ServerResponse res) {
        ConsoleSession session = Guard.page(req, Permission.VIEW_SITES);
        Templates.render(
                res,
                "overview-sites.jte",
                Map.of(
                        "t",
                        Guard.messages(),
                        "sites",
                        new Overview(database, clock, settings.dwell())
                                .sites(session.tenant().id(), session.access()),
                        "dwellHours",
                        settings.dwell().toHours()));
    }

    private void live(ServerRequest req, ServerResponse res) {
        ConsoleSession session = Guard.page(req, Permission.VIEW_SITES);
        Messages t = Guard.messages();
        Feed feed = new Feed(database, session.tenant().id(), session.access(), t);
        AccessLogStore.LiveCursor cursor = new AccessLogStore.LiveCursor(clock.millis(), "", "");
        res.header(HeaderNames.CACHE_CONTROL, "no-store");
        try (SseSink sink = res.sink(SseSink.TYPE)) {
            long lastSent = System.currentTimeMillis();
            sink.emit(SseEvent.builder().name("ready").data("{}").build());
            while (!Thread.currentThread().isInterrupted()) {
                long generation = signal.generation();
                List<AccessLogStore.Live> page = log.live(session.tenant().id(), cursor, FEED_ROWS);
                if (!page.isEmpty()) {
                    cursor = page.getLast().cursor();
                    for (Feed.Row row : feed.rows(
                            page.stream().map(AccessLogStore.Live::event).toList())) {
                        String html = Templates.text("feed-row.jte", Map.of("row", row, "t", t))
                                .replace('\n', ' ');
                        sink.emit(SseEvent.builder().name("access").data(html).build());
                        lastSent = System.currentTimeMillis();
                    }
                    continue;
                }
                if (System.currentTimeMillis() - lastSent >= KEEP_ALIVE_MILLIS) {
                    sink.emit(SseEvent.builder().name("keep-alive").data("{}").build());
                    lastSent = System.currentTimeMillis();
                }
                signal.await(generation, POLL_MILLIS);
            }
        } catch (UncheckedIOException e) {
            LOG.log(Level.FINE, "console live feed closed by the browser", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
