package dev.gatehouse.hub.console;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.gatehouse.browser.Axe;
import dev.gatehouse.hub.testing.Api;
import dev.gatehouse.hub.testing.LiveBrowserTest;
import dev.gatehouse.hub.testing.LiveSite;
import dev.gatehouse.hub.testing.SiteBookings;
import java.time.DayOfWeek;
import java.time.LocalDate;
import java.time.ZoneId;
import java.time.temporal.TemporalAdjusters;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.openqa.selenium.By;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.Select;

/**
 * The console's booking pages in a real Chromium against a real hub: an operator adds a room, books it
 * for a member through the same engine as the API, finds the booking on the day view with its buffers
 * and cancels it; the front desk reads every rule a bad booking breaks, then the booking it collides
 * with, and books over the rules with a reason; a weekly repeat lists the occurrence that meets another
 * booking and books nothing, then is made as a series and lands on its page; the day view picks up a booking made elsewhere by
 * itself; a technician sees the day without members and may not book; and no form works without its
 * CSRF token or for another site's operator.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class BookingPagesTest extends LiveBrowserTest {
    private static final String PASSWORD = "a password for booking page tests";
    private static final ZoneId BERLIN = ZoneId.of("Europe/Berlin");

    private String room;
    private String booking;

    @Test
    @Order(1)
    void anOperatorAddsARoomBooksItForAMemberSeesItOnTheDayViewAndCancelsIt() {
        String member = site.member("Bea Booker", LiveSite.uid());
        site.signInAsOwner(browser);
        browser.driver().findElement(By.linkText("Bookings")).click();
        browser.awaitHeading("Bookings");
        assertThat(browser.driver()
                        .findElement(By.cssSelector("nav a[aria-current=page]"))
                        .getText())
                .isEqualTo("Bookings");
        assertThat(browser.awaitVisible(By.id("no-resources")).getText()).contains("no rooms or desks");
        browser.driver().findElement(By.id("resources-link")).click();
        browser.awaitHeading("Rooms and desks");

        // A new room, through the settings form.
        browser.driver().findElement(By.id("new-resource")).click();
        browser.awaitHeading("New room or desk");
        type("name", "Room Ada");
        new Select(browser.driver().findElement(By.id("kind"))).selectByValue("meeting-room");
        type("capacity", "6");
        type("amenities", "Screen, Whiteboard");
        type("pricePerHour", "12.50");
        type("creditsPerHour", "2");
        browser.driver()
                .findElement(By.cssSelector("input[name=doorIds][value='" + site.door + "']"))
                .click();
        type("x", "30");
        type("y", "40");
        type("rules-bufferBeforeMinutes", "15");
        type("rules-bufferAfterMinutes", "10");
        type("rules-openingHours", "monday-sunday 07:00-22:00");
        Axe.assertNoSeriousViolations(browser, "new resource form");
        browser.screenshot("resource-new");
        browser.driver().findElement(By.id("save-resource")).click();
        assertThat(browser.awaitVisible(By.id("resources-notice")).getText()).isEqualTo("Room or desk added.");
        JsonNode stored = site.api()
                .get("/api/v1/sites/" + site.siteId + "/resources", site.token())
                .json()
                .get("items")
                .get(0);
        room = stored.get("id").asText();
        assertThat(stored.get("pricePerHour").asLong()).isEqualTo(1250);
        assertThat(stored.get("creditsPerHour").asLong()).isEqualTo(2);
        assertThat(stored.get("x").asInt()).isEqualTo(30);
        assertThat(stored.get("doorIds").get(0).asText()).isEqualTo(site.door);
        assertThat(stored.get("amenities").toString()).isEqualTo("[\"Screen\",\"Whiteboard\"]");
        assertThat(stored.get("rules").get("bufferBeforeMinutes").asInt()).isEqualTo(15);
        assertThat(stored.get("rules").get("openingHours")).hasSize(7);
        WebElement row = browser.driver().findElement(By.id("resource-" + room));
        assertThat(row.getText())
                .contains(
                        "Room Ada",
                        "meeting room",
                        "6 seats",
                        "12.50 per hour",
                        "opens Front door",
                        "for every member");
        Axe.assertNoSeriousViolations(browser, "resources");
        browser.screenshot("resources");
        assertThat(audit("resource.create", room)).hasSize(1);

        // A booking for the member, tomorrow 10:00–11:00 in Berlin.
        LocalDate tomorrow = LocalDate.now(BERLIN).plusDays(1);
        browser.open(site.url("/console/bookings?site=" + site.siteId + "&date=" + tomorrow));
        browser.awaitVisible(By.id("new-booking")).click();
        browser.awaitHeading("New booking");
        new Select(browser.driver().findElement(By.id("resourceId"))).selectByValue(room);
        chooseMember("Bea", member);
        type("title", "Design review");
        set("date", tomorrow.toString());
        set("from", "10:00");
        set("to", "11:00");
        Axe.assertNoSeriousViolations(browser, "new booking form with a member found");
        browser.screenshot("booking-new");
        browser.driver().findElement(By.id("book")).click();
        assertThat(browser.awaitVisible(By.id("booking-notice")).getText()).isEqualTo("Booked.");
        booking = browser.driver().getCurrentUrl().replaceAll(".*/console/bookings/([^?]+).*", "$1");
        String facts = browser.driver().findElement(By.id("booking-facts")).getText();
        assertThat(facts)
                .contains("Room Ada", "Berlin Mitte", "Bea Booker", "10:00–11:00", "09:45–11:10", "12.50", "confirmed")
                .contains("by Olga Owner");
        Axe.assertNoSeriousViolations(browser, "booking");
        browser.screenshot("booking");
        JsonNode made =
                site.api().get("/api/v1/bookings/" + booking, site.token()).json();
        assertThat(made.get("memberId").asText()).isEqualTo(member);
        assertThat(made.get("price").asLong()).isEqualTo(1250);
        assertThat(made.get("credits").asLong()).isEqualTo(2);
        assertThat(audit("booking.create", booking)).hasSize(1);

        // On the day view: the booking with its title, member and time, and its two buffers shaded.
        browser.driver().findElement(By.id("back-to-day")).click();
        WebElement cell = browser.awaitVisible(By.cssSelector("td.booked[data-booking='" + booking + "']"));
        assertThat(cell.getText()).contains("10:00–11:00", "Design review", "Bea Booker");
        WebElement roomRow = browser.driver().findElement(By.cssSelector("tr[data-resource='" + room + "']"));
        assertThat(roomRow.findElements(By.cssSelector("td.buffer"))).hasSize(2);
        // The cell spans 12 five-minute columns and starts three hours (36 columns) after 07:00 less the buffer.
        assertThat(cell.getAttribute("colspan")).isEqualTo("12");
        assertThat(columnsBefore(roomRow, cell)).isEqualTo(36);
        Axe.assertNoSeriousViolations(browser, "day view");
        browser.screenshot("day-view");
        assertThat(browser.consoleErrors()).isEmpty();

        // Cancelled from its page: the time is free again at once.
        cell.findElement(By.tagName("a")).click();
        browser.awaitVisible(By.cssSelector("#cancel-form button")).click();
        browser.await(ExpectedConditions.alertIsPresent()).accept(); // the form's data-confirm question
        assertThat(browser.awaitVisible(By.id("booking-notice")).getText()).contains("cancelled");
        assertThat(browser.driver().findElement(By.id("booking-status")).getText())
                .isEqualTo("cancelled");
        assertThat(browser.driver().findElements(By.id("cancel-form"))).isEmpty();
        assertThat(site.api()
                        .get("/api/v1/bookings/" + booking, site.token())
                        .json()
                        .get("status")
                        .asText())
                .isEqualTo("cancelled");
        assertThat(audit("booking.cancel", booking)).hasSize(1);
        browser.screenshot("booking-cancelled");
        browser.driver().findElement(By.id("back-to-day")).click();
        browser.awaitVisible(By.cssSelector("tr[data-resource='" + room + "']"));
        assertThat(browser.driver().findElements(By.cssSelector("td.booked"))).isEmpty();
        assertThat(browser.consoleErrors()).isEmpty();
    }

    @Test
    @Order(2)
    void theFrontDeskReadsEveryBrokenRuleThenTheCollisionAndBooksOverTheRulesWithAReason() {
        String booth = site.hub.create(
                "/api/v1/sites/" + site.siteId + "/resources",
                site.token(),
                "{\"name\":\"Booth 1\",\"kind\":\"phone-booth\",\"rules\":{\"maxMinutes\":60," + "\"openingHours\":["
                        + weekdays() + "]}}");
        String member = site.member("Finn Front", LiveSite.uid());
        String other = site.member("Olivia Other", LiveSite.uid());
        LocalDate sunday = LocalDate.now(BERLIN).plusDays(1).with(TemporalAdjusters.nextOrSame(DayOfWeek.SUNDAY));
        LocalDate monday = sunday.plusDays(1);
        String taken = bookings().book(booth, other, monday, "10:00", "11:00");
        site.signIn(browser, site.account("front_desk", "[]", PASSWORD), PASSWORD);

        // Sunday 07:10–09:30: off the quarter-hour grid, longer than an hour, outside the opening hours.
        openForm(booth, member, "Finn");
        set("date", sunday.toString());
        set("from", "07:10");
        set("to", "09:30");
        browser.driver().findElement(By.id("book")).click();
        WebElement errors = browser.awaitVisible(By.id("booking-errors"));
        assertThat(errors.findElements(By.cssSelector("li[data-rule]")))
                .extracting(li -> li.getAttribute("data-rule"))
                .containsExactlyInAnyOrder("granularity", "max-length", "opening-hours");
        assertThat(errors.getText())
                .contains("the longest is 60", "not within the opening hours", "give an override reason");
        // The form keeps what was typed.
        assertThat(browser.driver().findElement(By.id("from")).getDomProperty("value"))
                .isEqualTo("07:10");
        assertThat(browser.driver().findElement(By.id("member-" + member)).isSelected())
                .isTrue();
        Axe.assertNoSeriousViolations(browser, "booking refused by the rules");
        browser.screenshot("booking-rules");

        // Monday 10:30–11:00 keeps the rules but meets the other member's booking: named, not its member.
        set("date", monday.toString());
        set("from", "10:30");
        set("to", "11:00");
        browser.driver().findElement(By.id("book")).click();
        WebElement conflict = browser.awaitVisible(By.cssSelector("#booking-errors li[data-rule=conflict]"));
        assertThat(conflict.getText()).contains("Booth 1", "10:00–11:00").doesNotContain("Olivia");
        assertThat(conflict.findElement(By.tagName("a")).getAttribute("href")).endsWith("/console/bookings/" + taken);
        Axe.assertNoSeriousViolations(browser, "booking collision");
        browser.screenshot("booking-collision");

        // With a reason, Sunday morning is booked despite the rules, and the override is audited.
        set("date", sunday.toString());
        set("from", "07:10");
        set("to", "09:30");
        type("overrideReason", "Early call with the Tokyo team, agreed by the manager");
        browser.driver().findElement(By.id("book")).click();
        assertThat(browser.awaitVisible(By.id("booking-override")).getText()).contains("Tokyo team");
        String id = browser.driver().getCurrentUrl().replaceAll(".*/console/bookings/([^?]+).*", "$1");
        assertThat(audit("booking.create-override", id)).hasSize(1);
        assertThat(site.api()
                        .get("/api/v1/bookings/" + id, site.token())
                        .json()
                        .get("memberId")
                        .asText())
                .isEqualTo(member);
        // The refused forms answered 422 and 409, which the browser logs; nothing else may be logged.
        assertThat(browser.consoleErrors()).hasSize(2).allSatisfy(error -> assertThat(error)
                .containsAnyOf("status of 422", "status of 409"));
    }

    @Test
    @Order(3)
    void theDayViewShowsABookingMadeElsewhereWithoutBeingReloaded() {
        LocalDate day = LocalDate.now(BERLIN).plusDays(2);
        site.signInAsOwner(browser);
        browser.open(site.url("/console/bookings?site=" + site.siteId + "&date=" + day));
        WebElement marker = browser.awaitVisible(By.cssSelector("tr[data-resource='" + room + "']"));
        assertThat(browser.driver().findElements(By.cssSelector("td.booked"))).isEmpty();

        String made = bookings().book(room, site.member("Lea Live", LiveSite.uid()), day, "14:00", "15:30");

        WebElement cell = browser.awaitVisible(By.cssSelector("td.booked[data-booking='" + made + "']"));
        assertThat(cell.getText()).contains("14:00–15:30", "Lea Live");
        // The same page, updated in place by its poll: the element found before the booking is gone.
        assertThat(browser.driver().getCurrentUrl()).contains("date=" + day);
        assertThat(isStale(marker)).isTrue();
        assertThat(browser.consoleErrors()).isEmpty();
    }

    @Test
    @Order(4)
    void aTechnicianSeesTheDayWithoutMembersAndMayNotBook() {
        LocalDate day = LocalDate.now(BERLIN).plusDays(3);
        String made = bookings().book(room, site.member("Tom Private", LiveSite.uid()), day, "09:00", "10:00");
        site.signIn(browser, site.account("technician", "[]", PASSWORD), PASSWORD);
        browser.open(site.url("/console/bookings?site=" + site.siteId + "&date=" + day));
        WebElement cell = browser.awaitVisible(By.cssSelector("td.booked[data-booking='" + made + "']"));
        assertThat(cell.getText()).contains("09:00–10:00").doesNotContain("Tom Private");
        assertThat(browser.driver().findElements(By.id("new-booking"))).isEmpty();
        assertThat(browser.driver().findElements(By.cssSelector("a.slot"))).isEmpty();
        Axe.assertNoSeriousViolations(browser, "day view of a technician");
        browser.screenshot("day-view-technician");
        browser.click(By.cssSelector("td.booked[data-booking='" + made + "'] a"));
        assertThat(browser.awaitVisible(By.id("booking-facts")).getText()).doesNotContain("Tom Private");
        assertThat(browser.driver().findElements(By.id("cancel-form"))).isEmpty();

        String csrf = csrf();
        Api.Response form = get("/console/sites/" + site.siteId + "/bookings/new");
        assertThat(form.status()).isEqualTo(403);
        Api.Response cancel = post("/console/bookings/" + made + "/cancel", "_csrf=" + csrf);
        assertThat(cancel.status()).isEqualTo(403);
        Api.Response settings = get("/console/resources/" + room);
        assertThat(settings.status()).isEqualTo(403);
        assertThat(bookings().status(made)).isEqualTo("confirmed");
    }

    @Test
    @Order(5)
    void formsWithoutTheirCsrfTokenAndAnotherSitesOperatorAreRefused() {
        LocalDate day = LocalDate.now(BERLIN).plusDays(4);
        String member = site.member("Cleo Csrf", LiveSite.uid());
        String made = bookings().book(room, member, day, "09:00", "10:00");
        site.signInAsOwner(browser);
        browser.open(site.url("/console/bookings/" + made));
        browser.awaitVisible(By.id("cancel-form"));
        int before = bookings().count(day);

        Api.Response book = post(
                "/console/sites/" + site.siteId + "/bookings",
                "resourceId=" + room + "&memberId=" + member + "&date=" + day + "&from=12:00&to=13:00");
        assertThat(book.status()).isEqualTo(403);
        assertThat(book.text()).contains("security token");
        assertThat(post("/console/bookings/" + made + "/cancel", "").status()).isEqualTo(403);
        assertThat(post("/console/sites/" + site.siteId + "/resources", "name=Sneaky&kind=hot-desk")
                        .status())
                .isEqualTo(403);
        assertThat(bookings().count(day)).isEqualTo(before);
        assertThat(bookings().status(made)).isEqualTo("confirmed");
        assertThat(site.api()
                        .get("/api/v1/sites/" + site.siteId + "/resources", site.token())
                        .text())
                .doesNotContain("Sneaky");
        // With the token, the same cancel works.
        assertThat(post("/console/bookings/" + made + "/cancel", "_csrf=" + csrf())
                        .status())
                .isEqualTo(303);
        assertThat(bookings().status(made)).isEqualTo("cancelled");

        // A site manager of another site finds neither this site's day, nor its bookings, nor its rooms.
        String other = site.hub.create(
                "/api/v1/sites",
                site.token(),
                "{\"name\":\"Hamburg Hafen\",\"address\":\"3 Test St\",\"timeZone\":\"Europe/Berlin\"}");
        browser.driver().manage().deleteAllCookies();
        site.signIn(browser, site.account("site_manager", "[\"" + other + "\"]", PASSWORD), PASSWORD);
        for (String path : List.of(
                "/console/bookings?site=" + site.siteId,
                "/console/bookings/" + made,
                "/console/sites/" + site.siteId + "/resources",
                "/console/resources/" + room,
                "/console/sites/" + site.siteId + "/bookings/new")) {
            Api.Response answer = get(path);
            assertThat(answer.status()).as(path).isEqualTo(404);
            assertThat(answer.text()).as(path).doesNotContain("Room Ada").doesNotContain("Cleo");
        }
        browser.open(site.url("/console/bookings"));
        assertThat(browser.awaitVisible(By.id("day-heading")).getText()).startsWith("Hamburg Hafen");
        assertThat(browser.driver().findElements(By.cssSelector("#site option")))
                .isEmpty();
    }

    @Test
    @Order(6)
    void anOperatorApprovesOneRequestDeclinesAnotherAndChecksAMemberIn() {
        LocalDate day = LocalDate.now(BERLIN).plusDays(5);
        String member = site.member("Dora Decide", LiveSite.uid());
        String boardroom = site.hub.create(
                "/api/v1/sites/" + site.siteId + "/resources",
                site.token(),
                "{\"name\":\"Boardroom\",\"kind\":\"meeting-room\",\"doorIds\":[\"" + site.door
                        + "\"],\"rules\":{\"approvalHoldHours\":24}}");
        String approve = request(boardroom, member, day, "09:00");
        String decline = request(boardroom, member, day, "14:00");
        site.signInAsOwner(browser);

        // The requests page lists both, the first to lapse first, reached from the day view.
        browser.open(site.url("/console/bookings?site=" + site.siteId + "&date=" + day));
        browser.awaitVisible(By.id("requests-link")).click();
        browser.awaitHeading("Requests and conflicts");
        assertThat(browser.driver().findElements(By.cssSelector("#pending tbody tr")))
                .extracting(row -> row.getAttribute("data-booking"))
                .containsExactly(approve, decline);
        assertThat(browser.driver().findElement(By.id("pending")).getText()).contains("Boardroom", "Dora Decide");
        assertThat(browser.driver().findElement(By.id("conflicts-none")).getText())
                .isEqualTo("None recorded.");
        Axe.assertNoSeriousViolations(browser, "booking requests");
        browser.screenshot("booking-requests");

        // A request's page says what it holds; approving confirms it and sends it to the doors.
        browser.driver()
                .findElement(By.cssSelector("tr[data-booking='" + approve + "'] a"))
                .click();
        assertThat(browser.awaitVisible(By.id("booking-status")).getText()).isEqualTo("waiting for approval");
        assertThat(browser.driver().findElement(By.id("booking-states")).getText())
                .contains("holds its time until");
        Axe.assertNoSeriousViolations(browser, "a request waiting for approval");
        browser.screenshot("booking-pending");
        browser.driver().findElement(By.cssSelector("#approve-form button")).click();
        assertThat(browser.awaitVisible(By.id("booking-notice")).getText()).startsWith("Approved");
        assertThat(browser.driver().findElement(By.id("booking-status")).getText())
                .isEqualTo("confirmed");
        assertThat(browser.driver().findElement(By.id("booking-states")).getText())
                .contains("Approved", "by Olga Owner");
        assertThat(browser.driver().findElements(By.id("decision"))).isEmpty();
        assertThat(bookings().status(approve)).isEqualTo("confirmed");
        assertThat(audit("booking.approve", approve)).hasSize(1);

        // Declining needs a reason the member will read.
        browser.open(site.url("/console/bookings/" + decline));
        assertThat(post("/console/bookings/" + decline + "/decline", "_csrf=" + csrf() + "&reason=+")
                        .status())
                .isEqualTo(422);
        assertThat(bookings().status(decline)).isEqualTo("pending");
        browser.driver().findElement(By.id("decline-reason")).sendKeys("The board meets that afternoon");
        browser.driver().findElement(By.cssSelector("#decline-form button")).click();
        assertThat(browser.awaitVisible(By.id("booking-notice")).getText()).startsWith("Declined");
        assertThat(browser.driver().findElement(By.id("booking-states")).getText())
                .contains("The board meets that afternoon");
        browser.screenshot("booking-declined");
        assertThat(bookings().status(decline)).isEqualTo("declined");
        // Decided once: a second decision is refused and changes nothing.
        Api.Response again = post("/console/bookings/" + decline + "/approve", "_csrf=" + csrf());
        assertThat(again.status()).isEqualTo(409);
        assertThat(bookings().status(decline)).isEqualTo("declined");
        // Without the token, nothing is decided or checked in.
        String third = request(boardroom, member, day, "17:00");
        assertThat(post("/console/bookings/" + third + "/approve", "").status()).isEqualTo(403);
        assertThat(post("/console/bookings/" + third + "/decline", "reason=no").status())
                .isEqualTo(403);
        assertThat(post("/console/bookings/" + approve + "/check-in", "").status())
                .isEqualTo(403);
        assertThat(bookings().status(third)).isEqualTo("pending");

        // The front desk checks a member in for a room that needs a check-in, in its window.
        String booth = site.hub.create(
                "/api/v1/sites/" + site.siteId + "/resources",
                site.token(),
                "{\"name\":\"Booth\",\"kind\":\"phone-booth\",\"rules\":{\"granularityMinutes\":5,"
                        + "\"minMinutes\":30,\"checkInOpensBeforeMinutes\":120,\"releaseAfterMinutes\":15}}");
        java.time.Instant start = java.time.Instant.now()
                .truncatedTo(java.time.temporal.ChronoUnit.HOURS)
                .plus(java.time.Duration.ofHours(1));
        Api.Response made = site.api()
                .post(
                        "/api/v1/bookings",
                        site.token(),
                        "{\"resourceId\":\"" + booth + "\",\"memberId\":\"" + member + "\",\"start\":\"" + start
                                + "\",\"end\":\"" + start.plus(java.time.Duration.ofHours(1)) + "\"}");
        assertThat(made.status()).as(made.toString()).isEqualTo(201);
        assertThat(made.json().at("/checkIn/releaseAt").isMissingNode())
                .as("the site's edge reads check-in: %s", made)
                .isFalse();
        String boothBooking = made.json().get("id").asText();
        browser.open(site.url("/console/bookings/" + boothBooking));
        assertThat(browser.awaitVisible(By.id("booking-states")).getText()).contains("Needs a check-in");
        browser.driver().findElement(By.cssSelector("#check-in-form button")).click();
        assertThat(browser.awaitVisible(By.id("booking-notice")).getText()).startsWith("Checked in");
        assertThat(browser.driver().findElement(By.id("booking-states")).getText())
                .contains("Checked in", "Olga Owner");
        assertThat(browser.driver().findElements(By.id("check-in-form"))).isEmpty();
        Axe.assertNoSeriousViolations(browser, "a checked-in booking");
        browser.screenshot("booking-checked-in");
        assertThat(site.api()
                        .get("/api/v1/bookings/" + boothBooking, site.token())
                        .json()
                        .at("/checkIn/checkedInAt")
                        .asText())
                .isNotEmpty();
    }

    @Test
    @Order(7)
    void theFrontDeskRepeatsABookingSeesTheOccurrenceThatCollidesThenMakesTheSeries() {
        LocalDate day = LocalDate.now(BERLIN).plusDays(10).with(TemporalAdjusters.nextOrSame(DayOfWeek.WEDNESDAY));
        String member = site.member("Rita Repeat", LiveSite.uid());
        String other = site.member("Otto Other", LiveSite.uid());
        String studio = site.hub.create(
                "/api/v1/sites/" + site.siteId + "/resources",
                site.token(),
                "{\"name\":\"Studio\",\"kind\":\"meeting-room\"}");
        // The second Wednesday's hour is taken.
        String holder = bookings().book(studio, other, day.plusWeeks(1), "09:00", "10:00");
        site.signInAsOwner(browser);

        openForm(studio, member, "Rita");
        set("date", day.toString());
        set("from", "09:00");
        set("to", "10:00");
        new Select(browser.driver().findElement(By.id("repeat-kind"))).selectByValue("weekly");
        browser.driver().findElement(By.id("ends-count")).click();
        type("count", "3");
        Axe.assertNoSeriousViolations(browser, "new booking form repeating weekly");
        browser.driver().findElement(By.id("book")).click();

        // Refused: the occurrence that meets the other booking, at its Berlin time; nothing booked.
        WebElement failed = browser.awaitVisible(By.id("failed-occurrences"));
        assertThat(failed.findElements(By.tagName("li"))).hasSize(1);
        assertThat(failed.getText())
                .contains(BookingTimes.when(
                        day.plusWeeks(1).atTime(9, 0).atZone(BERLIN).toInstant(),
                        day.plusWeeks(1).atTime(10, 0).atZone(BERLIN).toInstant(),
                        BERLIN,
                        Guard.messages().locale()))
                .contains("meets another booking on Studio");
        assertThat(failed.findElement(By.tagName("a")).getAttribute("href")).endsWith("/console/bookings/" + holder);
        assertThat(browser.driver().findElement(By.id("booking-errors")).getText())
                .contains("1 of 3 occurrences cannot be booked");
        assertThat(new Select(browser.driver().findElement(By.id("repeat-kind")))
                        .getFirstSelectedOption()
                        .getAttribute("value"))
                .isEqualTo("weekly");
        assertThat(browser.driver().findElement(By.id("count")).getAttribute("value"))
                .isEqualTo("3");
        assertThat(bookings().count(day)).isZero();
        Axe.assertNoSeriousViolations(browser, "a repeating booking refused for a conflict");
        browser.screenshot("booking-repeat-conflict");

        // From the third Wednesday the time is free: the series is made and its page shows it.
        set("date", day.plusWeeks(2).toString());
        browser.driver().findElement(By.id("book")).click();
        assertThat(browser.awaitVisible(By.id("series-notice")).getText())
                .isEqualTo("The repeating booking was made: every occurrence is booked.");
        assertThat(browser.driver().findElement(By.id("series-rule")).getText())
                .startsWith("Every Wednesday at 09:00–10:00");
        assertThat(bookings().count(day.plusWeeks(2))).isEqualTo(1);
        assertThat(bookings().count(day.plusWeeks(4))).isEqualTo(1);
        assertThat(bookings().count(day.plusWeeks(5))).isZero();
        Axe.assertNoSeriousViolations(browser, "a series made from the new booking form");
        browser.screenshot("booking-repeat-series");
    }

    /** A member's request through the API, as the member's app would make it. */
    private String request(String resource, String member, LocalDate day, String from) {
        java.time.Instant start =
                day.atTime(java.time.LocalTime.parse(from)).atZone(BERLIN).toInstant();
        Api.Response asked = site.api()
                .post(
                        "/api/v1/bookings",
                        site.token(),
                        "{\"resourceId\":\"" + resource + "\",\"memberId\":\"" + member + "\",\"start\":\""
                                + start + "\",\"end\":\"" + start.plus(java.time.Duration.ofHours(1))
                                + "\",\"awaitApproval\":true}");
        assertThat(asked.status()).as(asked.toString()).isEqualTo(201);
        assertThat(asked.json().get("status").asText()).isEqualTo("pending");
        return asked.json().get("id").asText();
    }

    @Test
    @Order(8)
    void aTechnicianSetsTheRoomsControllerEveryMistakeNamedThenRemovesIt() {
        site.signIn(browser, site.account("technician", "[]", PASSWORD), PASSWORD);
        browser.open(site.url("/console/sites/" + site.siteId + "/resources"));
        browser.awaitVisible(By.id("controller-" + room)).click();
        browser.awaitHeading("Room A/V controller");

        type("endpoint", "http://10.0.0.5:4840");
        type("node-display-power", "Display.Power");
        type("node-lights-level", "ns=2;s=ada/Lighting/Level");
        browser.driver().findElement(By.id("save-controller")).click();
        String refused = browser.awaitVisible(By.id("controller-errors")).getText();
        assertThat(refused)
                .contains("endpoint: 'http://10.0.0.5:4840' is not an OPC UA endpoint")
                .contains("nodes.display-power: 'Display.Power' is not an OPC UA node id");
        // Why: what was typed stays, so the technician fixes one field rather than all.
        assertThat(browser.driver().findElement(By.id("node-lights-level")).getAttribute("value"))
                .isEqualTo("ns=2;s=ada/Lighting/Level");
        Axe.assertNoSeriousViolations(browser, "room controller refused");
        browser.screenshot("room-controller-refused");
        assertThat(site.api()
                        .get("/api/v1/resources/" + room + "/controller", site.token())
                        .status())
                .isEqualTo(404);

        type("endpoint", "opc.tcp://10.0.0.5:4840/rooms");
        type("node-display-power", "nsu=urn:vendor:rooms;s=ada/Display/Power");
        browser.driver().findElement(By.id("save-controller")).click();
        assertThat(browser.awaitVisible(By.id("controller-notice")).getText()).startsWith("Saved");
        JsonNode stored = site.api()
                .get("/api/v1/resources/" + room + "/controller", site.token())
                .json();
        assertThat(stored.get("endpoint").asText()).isEqualTo("opc.tcp://10.0.0.5:4840/rooms");
        assertThat(stored.get("nodes").toString())
                .isEqualTo("{\"display-power\":\"nsu=urn:vendor:rooms;s=ada/Display/Power\","
                        + "\"lights-level\":\"ns=2;s=ada/Lighting/Level\"}");
        assertThat(audit("room-controller.set", room)).hasSize(1);
        Axe.assertNoSeriousViolations(browser, "room controller");
        browser.screenshot("room-controller");

        browser.driver().findElement(By.id("remove-controller")).click();
        assertThat(browser.awaitVisible(By.id("controller-notice")).getText()).startsWith("Removed");
        assertThat(site.api()
                        .get("/api/v1/resources/" + room + "/controller", site.token())
                        .status())
                .isEqualTo(404);
        assertThat(audit("room-controller.remove", room)).hasSize(1);

        // The front desk books rooms but does not wire them; a form without its token changes nothing.
        String csrf = csrf();
        assertThat(post("/console/resources/" + room + "/controller", "endpoint=opc.tcp://h:1&node.presence=ns=2;i=1")
                        .status())
                .isEqualTo(403);
        assertThat(site.api()
                        .get("/api/v1/resources/" + room + "/controller", site.token())
                        .status())
                .isEqualTo(404);
        site.signIn(browser, site.account("front_desk", "[]", PASSWORD), PASSWORD);
        assertThat(get("/console/resources/" + room + "/controller").status()).isEqualTo(403);
        assertThat(post(
                                "/console/resources/" + room + "/controller",
                                "_csrf=" + csrf() + "&endpoint=opc.tcp://h:1&node.presence=ns=2;i=1")
                        .status())
                .isEqualTo(403);
        assertThat(csrf).isNotBlank();
    }

    // ---- helpers

    private SiteBookings bookings() {
        return new SiteBookings(site, BERLIN);
    }

    private void openForm(String resource, String member, String search) {
        browser.open(site.url("/console/sites/" + site.siteId + "/bookings/new"));
        browser.awaitHeading("New booking");
        new Select(browser.driver().findElement(By.id("resourceId"))).selectByValue(resource);
        chooseMember(search, member);
    }

    /** Types into the member search and picks the member from what htmx brings back. */
    private void chooseMember(String search, String member) {
        WebElement query = browser.driver().findElement(By.id("memberQuery"));
        query.sendKeys(search);
        browser.awaitVisible(By.id("member-" + member)).click();
    }

    private void type(String id, String text) {
        WebElement field = browser.driver().findElement(By.id(id));
        field.clear();
        field.sendKeys(text);
    }

    /** Sets a date or time field's value as a browser picker would (typing into them depends on the locale). */
    private void set(String id, String value) {
        browser.script("document.getElementById(arguments[0]).value = arguments[1];", id, value);
    }

    /** How many five-minute columns come before {@code cell} in its row (the row's heading excluded). */
    private static int columnsBefore(WebElement row, WebElement cell) {
        int columns = 0;
        for (WebElement td : row.findElements(By.tagName("td"))) {
            if (td.equals(cell)) {
                return columns;
            }
            columns += Integer.parseInt(
                    Optional.ofNullable(td.getAttribute("colspan")).orElse("1"));
        }
        throw new AssertionError("the cell is not in the row");
    }

    private static boolean isStale(WebElement element) {
        try {
            element.isDisplayed();
            return false;
        } catch (org.openqa.selenium.StaleElementReferenceException e) {
            return true;
        }
    }

    private static String weekdays() {
        StringBuilder json = new StringBuilder();
        for (String day : List.of("monday", "tuesday", "wednesday", "thursday", "friday")) {
            json.append(json.isEmpty() ? "" : ",")
                    .append("{\"day\":\"")
                    .append(day)
                    .append("\",\"from\":\"08:00\",\"to\":\"18:00\"}");
        }
        return json.toString();
    }

    private JsonNode audit(String action, String resourceId) {
        return site.api()
                .get("/api/v1/audit?action=" + action + "&resourceId=" + resourceId, site.token())
                .json()
                .get("items");
    }

    private String session() {
        return browser.driver().manage().getCookieNamed("gh_session").getValue();
    }

    private String csrf() {
        return browser.driver()
                .findElement(By.cssSelector("meta[name=csrf-token]"))
                .getAttribute("content");
    }

    private Api.Response get(String path) {
        return site.api().withCookie("GET", path, "gh_session=" + session(), Optional.empty());
    }

    private Api.Response post(String path, String form) {
        return site.api().withCookie("POST", path, "gh_session=" + session(), Optional.of(form));
    }
}
