package dev.gatehouse.hub.console;

import io.helidon.http.HeaderName;
import io.helidon.http.HeaderNames;
import io.helidon.webserver.http.ServerResponse;
import java.util.Locale;

/**
 * The server's own time for a signed-in operator's console page, sent as a {@code Server-Timing}
 * header ({@code app;dur=<ms>}): from the console filter's start (before the session is read) to the
 * rendered page handed to the connection, so the network and the client's parsing are left out. The
 * browser's developer tools show it; {@code ./gatehouse bench console} reads it.
 *
 * <p>Helidon runs a request's filters and its handler on the same (virtual) thread, so the start is
 * kept per thread for the length of {@link #during}. Anonymous pages (sign-in, reset) never carry it.
 */
final class ServerTiming {
    static final HeaderName HEADER = HeaderNames.create("Server-Timing");
    private static final ThreadLocal<long[]> STARTED = new ThreadLocal<>();

    private ServerTiming() {}

    /** Runs {@code handler} (the rest of the request) timed from {@code startedNanos}. */
    static void during(long startedNanos, Runnable handler) {
        STARTED.set(new long[] {startedNanos});
        try {
            handler.run();
        } finally {
            STARTED.remove();
        }
    }

    /** Adds the header when the request is being timed; call just before sending the page. */
    static void header(ServerResponse res) {
        long[] started = STARTED.get();
        if (started != null) {
            double millis = (System.nanoTime() - started[0]) / 1e6;
            res.header(HEADER, String.format(Locale.ROOT, "app;dur=%.3f", millis));
        }
    }
}
