package dev.gatehouse.hub.ingest;

import com.fasterxml.jackson.core.JsonProcessingException;
import dev.gatehouse.hub.access.AccessLogStore;
import dev.gatehouse.hub.tenants.Caller;
import dev.gatehouse.hub.tenants.Permission;
import dev.gatehouse.hub.web.ApiException;
import dev.gatehouse.hub.web.Json;
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
import java.util.Optional;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The tenant's access events live, as the hub stores them.
 *
 * <pre>
 * GET /api/v1/access-events/stream     text/event-stream; header Last-Event-ID resumes after that event
 * </pre>
 *
 * Each SSE event is {@code event: access}, {@code id:} a cursor, {@code data:} the event as the access
 * log shows it. Without {@code Last-Event-ID} the stream starts with what is stored from now on. It
 * reads from the store (so any replica serves it), woken early by this process's ingest, and every
 * {@value #POLL_MILLIS} ms otherwise. It opens with an {@code event: ready} and idles with
 * {@code event: keep-alive} (both {@code data: {}}, no id). Only the caller's tenant's events are
 * ever read.
 */
public record AccessStreamService(AccessLogStore store, IngestSignal signal, Clock clock) implements HttpService {
    private static final Logger LOG = Logger.getLogger(AccessStreamService.class.getName());
    static final long POLL_MILLIS = 2_000;
    private static final long KEEP_ALIVE_MILLIS = 15_000;
    private static final int PAGE = 200;

    @Override
    public void routing(HttpRules rules) {
        rules.get("/access-events/stream", this::stream);
    }

    private void stream(ServerRequest req, ServerResponse res) {
        Caller.Operator caller = Caller.require(req, Permission.VIEW_ACCESS_LOG);
        String tenantId = caller.tenantId();
        Optional<String> lastId = req.headers().first(HeaderNames.create("Last-Event-ID"));
        AccessLogStore.LiveCursor cursor;
        if (lastId.isPresent() && !lastId.get().isBlank()) {
            cursor = AccessLogStore.LiveCursor.decode(lastId.get().strip())
                    .orElseThrow(() -> ApiException.invalid(
                            "Last-Event-ID", "is not an id this stream sent; reconnect without it to start from now"));
        } else {
            cursor = new AccessLogStore.LiveCursor(clock.millis(), "", "");
        }
        res.header(HeaderNames.CACHE_CONTROL, "no-store");
        try (SseSink sink = res.sink(SseSink.TYPE)) {
            long lastSent = System.currentTimeMillis();
            // Helidon 4.3.0 cannot send a comment-only event (it fails on the missing data), so the
            // stream opens with a "ready" event and idles with "keep-alive" ones, both with data {}.
            sink.emit(SseEvent.builder().name("ready").data("{}").build());
            while (!Thread.currentThread().isInterrupted()) {
                long generation = signal.generation();
                List<AccessLogStore.Live> page = store.live(tenantId, cursor, PAGE);
                for (AccessLogStore.Live live : page) {
                    cursor = live.cursor();
                    if (!caller.access().covers(live.event().siteId())) {
                        continue; // another site's event: the cursor moves past it, the caller never sees it
                    }
                    sink.emit(SseEvent.builder()
                            .id(live.cursor().encode())
                            .name("access")
                            .data(json(live))
                            .build());
                    lastSent = System.currentTimeMillis();
                }
                if (page.size() == PAGE) {
                    continue;
                }
                if (System.currentTimeMillis() - lastSent >= KEEP_ALIVE_MILLIS) {
                    sink.emit(SseEvent.builder().name("keep-alive").data("{}").build());
                    lastSent = System.currentTimeMillis();
                }
                signal.await(generation, POLL_MILLIS);
            }
        } catch (UncheckedIOException e) {
            LOG.log(Level.FINE, "access event stream closed by the client", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static String json(AccessLogStore.Live live) {
        try {
            return Json.MAPPER.writeValueAsString(live.event());
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot serialise an access event", e);
        }
    }
}
