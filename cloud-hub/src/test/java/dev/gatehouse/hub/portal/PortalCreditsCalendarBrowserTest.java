package dev.gatehouse.hub.portal;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.gatehouse.browser.Axe;
import dev.gatehouse.hub.testing.Api;
import dev.gatehouse.hub.testing.LiveBrowserTest;
import dev.gatehouse.hub.testing.LiveSite;
import java.time.DayOfWeek;
import java.time.LocalDate;
import java.time.YearMonth;
import java.time.ZoneId;
import java.time.temporal.TemporalAdjusters;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.openqa.selenium.By;

/**
 * The member's credits and calendar link on a phone-sized Chromium, and the console's series page on
 * a desktop one, against a real hub: the credits page shows the month with the booking that drew on
 * it; the calendar link is made with a button, fetched as a calendar app would, and a new one stops
 * the old; the series page says its rule and leads to and from its occurrences. Each page is checked
 * with axe-core and for console errors, and photographed under target/screenshots.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class PortalCreditsCalendarBrowserTest extends LiveBrowserTest {
    private static final ZoneId BERLIN = ZoneId.of("Europe/Berlin");

    private String room;
    private String member;
    private LocalDate day;

    @BeforeAll
    void setUp() {
        room = site.hub.create(
                "/api/v1/sites/" + site.siteId + "/resources",
                site.token(),
                "{\"name\":\"Room Ada\",\"kind\":\"meeting-room\",\"pricePerHour\":1250,\"creditsPerHour\":2}");
        member = site.member("Ana Credits", LiveSite.uid());
        day = LocalDate.now(BERLIN).plusDays(1);
        site.hub.create(
                "/api/v1/members/" + member + "/credits/adjustments",
                site.token(),
                "{\"period\":\"" + YearMonth.from(day) + "\",\"credits\":8,\"reason\":\"Welcome credits\"}");
        site.hub.create(
                "/api/v1/bookings",
                site.token(),
                "{\"resourceId\":\"" + room + "\",\"memberId\":\"" + member + "\",\"title\":\"Planning\",\"start\":\""
                        + day.atTime(10, 0).atZone(BERLIN).toInstant() + "\",\"end\":\""
                        + day.atTime(11, 30).atZone(BERLIN).toInstant() + "\"}");
    }

    @Test
    @Order(1)
    void aMemberReadsTheirCreditsWithTheBookingThatDrewOnThem() {
        browser.phone();
        signIn(member);
        browser.driver().findElement(By.linkText("My credits")).click();
        browser.awaitHeading("My credits");
        if (!YearMonth.from(day).equals(YearMonth.now(BERLIN))) {
            browser.driver().findElement(By.id("next-month")).click(); // tomorrow is next month
            browser.awaitVisible(By.id("this-month"));
        }
        assertThat(browser.driver().findElement(By.id("credits-balance")).getText())
                .isEqualTo("5");
        String ledger = browser.driver().findElement(By.id("ledger")).getText();
        assertThat(ledger).contains("Room Ada,", "10:00–11:30", "Planning", "−3", "Welcome credits", "+8");
        Axe.assertNoSeriousViolations(browser, "portal credits");
        assertThat((Long) browser.script("return document.documentElement.scrollWidth;"))
                .isLessThanOrEqualTo(390L);
        browser.screenshot("credits");
        browser.driver().findElement(By.id("previous-month")).click();
        browser.awaitVisible(By.id("ledger-none"));
        Axe.assertNoSeriousViolations(browser, "portal credits, an empty month");
        browser.screenshot("credits-empty-month");
        assertThat(browser.consoleErrors()).isEmpty();
    }

    @Test
    @Order(2)
    void aMemberMakesTheirCalendarLinkAndANewOneStopsTheOld() {
        browser.phone();
        signIn(member);
        browser.driver().findElement(By.linkText("My bookings")).click();
        browser.awaitHeading("My bookings");
        browser.driver().findElement(By.cssSelector("#calendar-hint a")).click();
        browser.awaitHeading("My calendar link");
        assertThat(browser.driver().findElement(By.id("feed-none")).getText())
                .isEqualTo("You have no calendar link yet.");
        Axe.assertNoSeriousViolations(browser, "portal calendar, no link");
        browser.screenshot("calendar-none");

        browser.driver().findElement(By.id("rotate")).click();
        String first = browser.awaitVisible(By.id("feed-url")).getDomProperty("value");
        assertThat(first).matches("http://127\\.0\\.0\\.1:\\d+/ical/[A-Za-z0-9_-]{43}\\.ics");
        assertThat(browser.driver().findElement(By.id("copy-feed-url")).isDisplayed())
                .isTrue();
        assertThat(browser.driver().findElement(By.id("subscribe")).getDomAttribute("href"))
                .isEqualTo(first.replace("http:", "webcal:"));
        Api.Response feed = fetch(first);
        assertThat(feed.status()).isEqualTo(200);
        assertThat(feed.contentType()).startsWith("text/calendar");
        assertThat(feed.text()).contains("SUMMARY:Planning", "Room Ada");
        Axe.assertNoSeriousViolations(browser, "portal calendar, the link made");
        browser.screenshot("calendar-link");

        browser.open(site.url("/portal/calendar"));
        assertThat(browser.awaitVisible(By.id("feed-since")).getText()).startsWith("You made your calendar link on");
        browser.driver().findElement(By.id("rotate")).click();
        String second = browser.awaitVisible(By.id("feed-url")).getDomProperty("value");
        assertThat(second).isNotEqualTo(first);
        assertThat(fetch(first).status()).isEqualTo(404);
        assertThat(fetch(second).text()).contains("SUMMARY:Planning");
        browser.screenshot("calendar-rotated");
        assertThat(browser.consoleErrors()).isEmpty();
    }

    @Test
    @Order(3)
    void anOperatorReadsASeriesAndGoesFromItToItsOccurrencesAndBack() {
        browser.desktop();
        LocalDate monday = LocalDate.now(BERLIN).plusDays(2).with(TemporalAdjusters.nextOrSame(DayOfWeek.MONDAY));
        Api.Response made = site.api()
                .post(
                        "/api/v1/booking-series",
                        site.token(),
                        "{\"resourceId\":\"" + room + "\",\"memberId\":\"" + member + "\",\"title\":\"Stand-up\","
                                + "\"start\":\"" + monday + "T09:00\",\"durationMinutes\":30,"
                                + "\"rrule\":\"FREQ=WEEKLY;BYDAY=MO,WE;COUNT=6\",\"exdates\":[\"" + monday.plusDays(2)
                                + "T09:00\"]}");
        assertThat(made.status()).as(made.toString()).isEqualTo(201);
        JsonNode series = made.json();
        String occurrence = series.get("occurrences").get(0).get("bookingId").asText();

        site.signInAsOwner(browser);
        browser.open(site.url("/console/bookings/" + occurrence));
        browser.awaitVisible(By.id("booking-series")).click();
        browser.awaitHeading("Booking series");
        assertThat(browser.driver().findElement(By.id("series-rule")).getText())
                .isEqualTo("Every Monday and Wednesday at 09:00–09:30, 6 times, 1 exception");
        assertThat(browser.driver().findElements(By.cssSelector("#occurrences tr.occurrence")))
                .hasSize(6);
        assertThat(browser.driver()
                        .findElement(By.cssSelector("#occurrences tr[data-state=left-out]"))
                        .getText())
                .contains("left out");
        Axe.assertNoSeriousViolations(browser, "console series page");
        browser.screenshot("series");
        browser.driver()
                .findElement(By.cssSelector("#occurrences tr[data-state=booked] a"))
                .click();
        browser.awaitHeading("Booking");
        assertThat(browser.driver().findElement(By.id("booking-heading")).getText())
                .isEqualTo("Stand-up");
        assertThat(browser.consoleErrors()).isEmpty();
    }

    // ---- helpers

    private void signIn(String memberId) {
        PortalSignIns.signIn(site, browser, site.tenant.id(), memberId);
    }

    /** The feed as a calendar app fetches it: the address alone. */
    private Api.Response fetch(String url) {
        return site.api().get(url.substring(url.indexOf("/ical/")), null);
    }
}
