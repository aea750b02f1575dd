package dev.gatehouse.hub.console;

import io.helidon.http.HeaderName;
import io.helidon.http.HeaderNames;
import io.helidon.webserver.http.ServerResponse;
import java.util.Locale;

/**
 * The server's own time for a signed-in operator's console page, sent as a {@code Server-Timing}
 * header: {@code app;dur=<ms>} from the console filter's start (before the session is read) to the
 * rendered page handed to the connection, so the network and the client's parsing are left out; then
 * where that time went: {@code session} (the filter's session, tenant and account reads), {@code data}
 * (the page's own work up to rendering) and {@code render} (the template to bytes). The browser's
 * developer tools show them; {@code ./gatehouse bench console} reads them.
 *
 * <p>Helidon runs a request's filters and its handler on the same (virtual) thread, so the marks are
 * kept per thread for the length of {@link #during}. Anonymous pages (sign-in, reset) never carry it.
 */
final class ServerTiming {
    static final HeaderName HEADER = HeaderNames.create("Server-Timing");
    private static final ThreadLocal<Marks> MARKS = new ThreadLocal<>();

    private ServerTiming() {}

    /** The request's start and the phases measured so far (nanoTime, milliseconds per phase). */
    private static final class Marks {
        private final long started;
        private long last;
        private final StringBuilder phases = new StringBuilder();

        Marks(long started) {
            this.started = started;
            this.last = started;
        }

        void mark(String phase) {
            long now = System.nanoTime();
            phases.append(String.format(Locale.ROOT, ", %s;dur=%.3f", phase, (now - last) / 1e6));
            last = now;
        }
    }

    /** Runs {@code handler} (the rest of the request, the session already read) timed from {@code startedNanos}. */
    static void during(long startedNanos, Runnable handler) {
        Marks marks = new Marks(startedNanos);
        marks.mark("session");
        MARKS.set(marks);
        try {
            handler.run();
        } finally {
            MARKS.remove();
        }
    }

    /** Ends a phase of the request being timed (a no-op when none is). */
    static void mark(String phase) {
        Marks marks = MARKS.get();
        if (marks != null) {
            marks.mark(phase);
        }
    }

    /** Adds the header when the request is being timed; call just before sending the page. */
    static void header(ServerResponse res) {
        Marks marks = MARKS.get();
        if (marks != null) {
            double millis = (System.nanoTime() - marks.started) / 1e6;
            res.header(HEADER, String.format(Locale.ROOT, "app;dur=%.3f", millis) + marks.phases);
        }
    }
}
