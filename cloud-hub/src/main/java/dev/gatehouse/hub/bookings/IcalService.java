package dev.gatehouse.hub.bookings;

import dev.gatehouse.hub.web.ApiException;
import io.helidon.http.HeaderNames;
import io.helidon.webserver.http.HttpRules;
import io.helidon.webserver.http.HttpService;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.List;

/**
 * The iCalendar feeds themselves, for calendar clients: no token, the secret in the address is the key.
 *
 * <pre>
 * GET /ical/{secret}.ics   text/calendar; 404 for any address that is not a live feed's
 * </pre>
 */
public record IcalService(CalendarFeedStore feeds, Clock clock) implements HttpService {
    /** Where the feeds are: {@code PATH + secret + ".ics"}. */
    public static final String PATH = "/ical/";

    @Override
    public void routing(HttpRules rules) {
        rules.get("/ical/{file}", this::feed);
    }

    private void feed(ServerRequest req, ServerResponse res) {
        String file = req.path().pathParameters().get("file");
        ICalendar.Calendar calendar = (file.endsWith(".ics")
                        ? feeds.calendar(file.substring(0, file.length() - 4))
                        : java.util.Optional.<ICalendar.Calendar>empty())
                // Malformed, unknown, replaced and turned-off addresses answer alike.
                .orElseThrow(() -> new ApiException(
                        404,
                        "not-found",
                        "Not found",
                        "there is no calendar feed at this address; it may have been replaced by a new one:"
                                + " ask for the current address",
                        List.of()));
        res.header(HeaderNames.CONTENT_TYPE, "text/calendar; charset=utf-8");
        res.header(HeaderNames.CACHE_CONTROL, "private, max-age=300");
        res.send(ICalendar.write(calendar, clock.instant()).getBytes(StandardCharsets.UTF_8));
    }
}
