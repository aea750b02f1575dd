package dev.gatehouse.hub.testing;

import java.time.LocalDate;
import java.time.LocalTime;
import java.time.ZoneId;

/**
 * A {@link LiveSite}'s bookings through the API, in the site's wall-clock time: what the booking page
 * tests make behind the pages' backs and check the pages' work against.
 */
public record SiteBookings(LiveSite site, ZoneId zone) {
    /** Books {@code resource} for {@code member} on {@code day} from {@code from} to {@code to} (HH:MM); its id. */
    public String book(String resource, String member, LocalDate day, String from, String to) {
        return site.hub.create(
                "/api/v1/bookings",
                site.token(),
                "{\"resourceId\":\"" + resource + "\",\"memberId\":\"" + member + "\",\"start\":\""
                        + day.atTime(LocalTime.parse(from)).atZone(zone).toInstant() + "\",\"end\":\""
                        + day.atTime(LocalTime.parse(to)).atZone(zone).toInstant() + "\"}");
    }

    /** {@code confirmed} or {@code cancelled}. */
    public String status(String bookingId) {
        return site.api()
                .get("/api/v1/bookings/" + bookingId, site.token())
                .json()
                .get("status")
                .asText();
    }

    /** How many bookings, live or cancelled, the site has on {@code day}. */
    public int count(LocalDate day) {
        return site.api()
                .get(
                        "/api/v1/sites/" + site.siteId + "/bookings?from="
                                + day.atStartOfDay(zone).toInstant() + "&until="
                                + day.plusDays(1).atStartOfDay(zone).toInstant(),
                        site.token())
                .json()
                .get("items")
                .size();
    }
}
