package dev.gatehouse.hub.portal;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.gatehouse.browser.Axe;
import dev.gatehouse.edge.access.Decided;
import dev.gatehouse.hub.accounts.Sessions;
import dev.gatehouse.hub.console.FloorPlanSvg;
import dev.gatehouse.hub.store.Sql;
import dev.gatehouse.hub.testing.Api;
import dev.gatehouse.hub.testing.LiveBrowserTest;
import dev.gatehouse.hub.testing.LiveSite;
import dev.gatehouse.hub.testing.SiteBookings;
import dev.gatehouse.hub.testing.TestHub;
import dev.gatehouse.protocol.model.DenyReason;
import dev.gatehouse.protocol.model.MemberId;
import dev.gatehouse.protocol.policy.Decision;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.openqa.selenium.By;
import org.openqa.selenium.Keys;
import org.openqa.selenium.WebElement;

/**
 * Members booking in the portal, on a phone-sized Chromium against a real hub and a simulated site: a
 * member books a room from the floor plan (a real link, reached from the keyboard) and sees it as
 * theirs while another member sees it booked and cannot book over it; the room's door at the simulated
 * site opens for the member who booked it in the portal, and closes again when they cancel; and
 * nothing crosses tenants or members, or works without the session's CSRF token.
 *
 * <p>Members are signed in by opening a portal session for them directly: the e-mailed link that
 * normally does it is {@link PortalBrowserTest}'s subject.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class PortalBookingPagesTest extends LiveBrowserTest {
    private static final ZoneId BERLIN = ZoneId.of("Europe/Berlin");
    private static final String PLAN = "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 400 240\""
            + " width=\"800\" height=\"480\"><rect x=\"4\" y=\"4\" width=\"392\" height=\"232\" fill=\"#f7f7f2\""
            + " stroke=\"#333\" stroke-width=\"4\"/><line x1=\"200\" y1=\"4\" x2=\"200\" y2=\"236\" stroke=\"#333\""
            + " stroke-width=\"3\"/><line x1=\"200\" y1=\"150\" x2=\"396\" y2=\"150\" stroke=\"#333\""
            + " stroke-width=\"3\"/><text x=\"20\" y=\"28\" font-size=\"14\" fill=\"#555\">Rooms</text>"
            + "<text x=\"220\" y=\"28\" font-size=\"14\" fill=\"#555\">Open space</text></svg>";

    private String ada;
    private String desk;
    private String booth;
    private String anaBooking;

    @BeforeAll
    void setUp() {
        browser.phone();
        assertThat(FloorPlanSvg.check(PLAN)).isInstanceOf(FloorPlanSvg.Clean.class);
        site.hub
                .hub()
                .database()
                .run(c -> Sql.update(
                        c,
                        "INSERT INTO floor_plans (site_id, tenant_id, svg, updated_at) VALUES (?, ?, ?, ?)",
                        site.siteId,
                        site.tenant.id(),
                        PLAN,
                        System.currentTimeMillis()));
        ada = resource("{\"name\":\"Room Ada\",\"kind\":\"meeting-room\",\"capacity\":6,\"x\":25,\"y\":35,"
                + "\"amenities\":[\"Screen\"],\"pricePerHour\":1250,\"creditsPerHour\":2}");
        desk = resource("{\"name\":\"Desk 1\",\"kind\":\"hot-desk\",\"x\":70,\"y\":35}");
        booth = resource(
                "{\"name\":\"Booth\",\"kind\":\"phone-booth\",\"x\":75,\"y\":80,\"status\":\"out-of-service\"}");
    }

    @Test
    @Order(1)
    void aMemberBooksARoomFromTheFloorPlanAndSeesItAsMineWhileAnotherSeesItBooked() {
        String ana = site.member("Ana Planner", LiveSite.uid());
        signIn(site.tenant.id(), ana);
        browser.driver().findElement(By.linkText("Book a room or desk")).click();
        browser.awaitHeading("Book a room or desk");
        WebElement plan = browser.awaitVisible(By.id("bookplan"));
        WebElement room = plan.findElement(By.cssSelector("a.spot[data-resource='" + ada + "']"));
        assertThat(room.getDomAttribute("data-state")).isEqualTo("free");
        assertThat(room.getText()).contains("Room Ada", "Free");
        assertThat(room.getDomAttribute("aria-label")).isEqualTo("Room Ada, meeting room: free. Book it");
        WebElement out = plan.findElement(By.cssSelector(".spot[data-resource='" + booth + "']"));
        assertThat(out.getTagName()).isEqualTo("g"); // not a link: nothing to book
        assertThat(out.getText()).contains("Booth", "Out of service");
        assertThat(spotInList(booth)).contains("Out of service");
        assertThat(plan.findElement(By.tagName("image")).getDomAttribute("href"))
                .contains("/portal/book/plan.svg?site=" + site.siteId);
        awaitImageLoaded();
        Axe.assertNoSeriousViolations(browser, "portal floor plan");
        browser.screenshot("plan");
        // Nothing wider than the phone: the plan scrolls in its own frame.
        assertThat((Long) browser.script("return document.documentElement.scrollWidth;"))
                .isLessThanOrEqualTo(390L);

        // From the keyboard: the room is a link that takes focus, and Enter opens its booking form.
        assertThat((Boolean)
                        browser.script("arguments[0].focus(); return document.activeElement === arguments[0];", room))
                .isTrue();
        browser.driver().switchTo().activeElement().sendKeys(Keys.ENTER);
        browser.awaitHeading("Book");
        assertThat(browser.driver().findElement(By.id("resource-heading")).getText())
                .isEqualTo("Room Ada");
        assertThat(browser.driver().findElement(By.id("resource-price")).getText())
                .isEqualTo("12.50 per hour · 2 credits per hour");
        LocalDate day = LocalDate.now(BERLIN).plusDays(1);
        set("date", day.toString());
        set("from", "10:00");
        set("to", "11:00");
        browser.driver().findElement(By.id("title")).sendKeys("Planning");
        Axe.assertNoSeriousViolations(browser, "portal booking form");
        browser.screenshot("book-form");
        browser.driver().findElement(By.id("book")).click();
        assertThat(browser.awaitVisible(By.id("bookings-notice")).getText())
                .startsWith("Booked: Room Ada,")
                .contains("10:00–11:00");
        WebElement mine = browser.driver().findElement(By.cssSelector("#upcoming li"));
        anaBooking = mine.getAttribute("data-booking");
        assertThat(mine.getText()).contains("Room Ada", "Berlin Mitte", "Planning", "12.50", "2 credits");
        Axe.assertNoSeriousViolations(browser, "portal my bookings");
        browser.screenshot("my-bookings");
        JsonNode made =
                site.api().get("/api/v1/bookings/" + anaBooking, site.token()).json();
        assertThat(made.get("memberId").asText()).isEqualTo(ana);
        assertThat(made.get("createdBy").asText()).isEqualTo(ana);
        JsonNode audit = site.api()
                .get("/api/v1/audit?actor=" + ana + "&action=booking.create", site.token())
                .json()
                .get("items");
        assertThat(audit).hasSize(1);
        assertThat(audit.get(0).get("actor").get("kind").asText()).isEqualTo("member");

        // At the booked time, chosen on the page: mine.
        browser.driver().findElement(By.linkText("Book a room or desk")).click();
        showAt(day, "10:30");
        assertThat(spotOnPlan(ada).getDomAttribute("data-state")).isEqualTo("mine");
        assertThat(spotOnPlan(ada).getText()).contains("Mine");
        assertThat(spotOnPlan(ada).getTagName()).isEqualTo("g");
        assertThat(spotOnPlan(desk).getDomAttribute("data-state")).isEqualTo("free");
        assertThat(spotInList(ada)).contains("Mine");
        assertThat(browser.driver().findElement(By.id("at-when")).getText()).contains("10:30");
        Axe.assertNoSeriousViolations(browser, "portal floor plan with my booking");
        awaitImageLoaded();
        browser.screenshot("plan-mine");
        browser.desktop();
        browser.script("document.getElementById('plan-heading').scrollIntoView();");
        browser.screenshot("plan-mine-desktop");
        browser.phone();
        assertThat(browser.consoleErrors()).isEmpty();

        // Another member sees it booked, without who booked it, and cannot book over it.
        String ben = site.member("Ben Second", LiveSite.uid());
        signIn(site.tenant.id(), ben);
        browser.open(site.url("/portal/book"));
        showAt(day, "10:30");
        assertThat(spotOnPlan(ada).getDomAttribute("data-state")).isEqualTo("booked");
        assertThat(spotOnPlan(ada).getText()).contains("Booked").doesNotContain("Ana");
        assertThat(spotInList(ada)).contains("Booked").doesNotContain("Ana");
        awaitImageLoaded();
        browser.screenshot("plan-booked");
        browser.open(site.url("/portal/book/" + ada + "?date=" + day + "&from=10:30&to=11:30"));
        browser.awaitVisible(By.id("book")).click();
        WebElement refused = browser.awaitVisible(By.cssSelector("#book-errors li[data-rule=conflict]"));
        assertThat(refused.getText())
                .contains("That time is taken", "10:00–11:00")
                .doesNotContain("Ana");
        assertThat(browser.driver().findElement(By.id("taken")).getText()).contains("10:00–11:00");
        Axe.assertNoSeriousViolations(browser, "portal booking collision");
        browser.screenshot("book-collision");
        // The refused form answered 409, which the browser logs; nothing else may be logged.
        assertThat(browser.consoleErrors()).singleElement().satisfies(error -> assertThat(error)
                .contains("status of 409"));
    }

    @Test
    @Order(2)
    void theRoomsDoorOpensForTheMemberWhoBookedItInThePortalAndClosesWhenTheyCancel() {
        // A member with a card and no plan: no door of the site opens for them.
        String card = LiveSite.uid();
        String cleo = site.hub.create(
                "/api/v1/members", site.token(), "{\"email\":\"cleo@members.example\",\"fullName\":\"Cleo Door\"}");
        site.hub.create(
                "/api/v1/members/" + cleo + "/credentials",
                site.token(),
                "{\"type\":\"nfc-card\",\"uid\":\"" + card + "\"}");
        // The room behind the site's door; a booking opens it ten minutes before its start.
        String office = resource("{\"name\":\"Office 3\",\"kind\":\"meeting-room\",\"x\":25,\"y\":75,"
                + "\"doorIds\":[\"" + site.door + "\"],\"rules\":{\"granularityMinutes\":5,\"minMinutes\":5,"
                + "\"bufferBeforeMinutes\":10}}");
        site.awaitInSync();
        assertThat(site.edge.tap(card).decision()).isEqualTo(new Decision.Denied(DenyReason.NO_ACCESS_TO_DOOR));

        // Booked in the portal from the next five-minute step (at least a minute away): the buffer
        // before it has begun, so the booked time (with its buffer) is now.
        signIn(site.tenant.id(), cleo);
        ZonedDateTime start = nextStep(Instant.now().plusSeconds(60));
        browser.open(site.url("/portal/book"));
        spotOnPlan(office).click();
        browser.awaitVisible(By.id("book-form"));
        set("date", start.toLocalDate().toString());
        set("from", start.toLocalTime().toString());
        // Half an hour, or until midnight when that comes first ("00:00" ends the day).
        ZonedDateTime end = start.plusMinutes(30);
        set(
                "to",
                end.toLocalDate().equals(start.toLocalDate())
                        ? end.toLocalTime().toString()
                        : "00:00");
        browser.driver().findElement(By.id("book")).click();
        browser.awaitVisible(By.id("bookings-notice"));
        String booking =
                browser.driver().findElement(By.cssSelector("#upcoming li")).getAttribute("data-booking");

        site.awaitInSync();
        Decided granted = site.edge.tap(card);
        assertThat(granted.decision()).isInstanceOf(Decision.Granted.class);
        assertThat(granted.accessEvent().member()).contains(MemberId.of(cleo));

        // Cancelled in the portal: the door is shut to them again.
        browser.driver()
                .findElement(By.cssSelector("#upcoming li[data-booking='" + booking + "'] button"))
                .click();
        assertThat(browser.awaitVisible(By.id("bookings-notice")).getText()).isEqualTo("The booking was cancelled.");
        assertThat(browser.driver().findElement(By.id("past")).getText()).contains("Office 3", "cancelled");
        site.awaitInSync();
        assertThat(site.edge.tap(card).decision()).isEqualTo(new Decision.Denied(DenyReason.NO_ACCESS_TO_DOOR));
        JsonNode audit = site.api()
                .get("/api/v1/audit?actor=" + cleo + "&action=booking.cancel", site.token())
                .json()
                .get("items");
        assertThat(audit).hasSize(1);
        assertThat(browser.consoleErrors()).isEmpty();
    }

    @Test
    @Order(3)
    void aMemberBooksOnlyAsThemselvesAndNeverTouchesAnotherMembersOrTenantsBookings() {
        String dan = site.member("Dan Sneaky", LiveSite.uid());
        String eve = site.member("Eve Victim", LiveSite.uid());
        Sessions.Opened danSession = session(site.tenant.id(), dan);
        String danCookie = "gh_member=" + danSession.cookieValue();
        String csrf = danSession.session().csrfToken();
        LocalDate day = LocalDate.now(BERLIN).plusDays(2);

        // A memberId in the form changes nothing: the booking is the session's member's.
        Api.Response booked = site.api()
                .withCookie(
                        "POST",
                        "/portal/book/" + desk,
                        danCookie,
                        Optional.of("_csrf=" + csrf + "&memberId=" + eve + "&date=" + day + "&from=09:00&to=10:00"));
        assertThat(booked.status()).isEqualTo(303);
        String id = booked.headers().firstValue("Location").orElseThrow().replaceAll(".*booked=", "");
        assertThat(site.api()
                        .get("/api/v1/bookings/" + id, site.token())
                        .json()
                        .get("memberId")
                        .asText())
                .isEqualTo(dan);

        // Without the session's token, nothing is booked or cancelled.
        int before = bookings().count(day);
        Api.Response noToken = site.api()
                .withCookie(
                        "POST", "/portal/book/" + desk, danCookie, Optional.of("date=" + day + "&from=11:00&to=12:00"));
        assertThat(noToken.status()).isEqualTo(403);
        assertThat(bookings().count(day)).isEqualTo(before);
        assertThat(site.api()
                        .withCookie("POST", "/portal/bookings/" + id + "/cancel", danCookie, Optional.of("_csrf=wrong"))
                        .status())
                .isEqualTo(403);
        assertThat(bookings().status(id)).isEqualTo("confirmed");

        // Another member's booking is not Dan's to cancel, nor to see in his list.
        assertThat(site.api()
                        .withCookie(
                                "POST",
                                "/portal/bookings/" + anaBooking + "/cancel",
                                danCookie,
                                Optional.of("_csrf=" + csrf))
                        .status())
                .isEqualTo(404);
        assertThat(bookings().status(anaBooking)).isEqualTo("confirmed");
        assertThat(site.api()
                        .withCookie("GET", "/portal/bookings", danCookie, Optional.empty())
                        .text())
                .contains("Desk 1")
                .doesNotContain("Room Ada");

        // A member of another tenant finds none of this tenant's sites, rooms, plan or bookings.
        TestHub.Tenant other = site.hub.newTenant("elsewhere");
        String otherSite = site.hub.create(
                "/api/v1/sites",
                other.token(),
                "{\"name\":\"Lisbon\",\"address\":\"1 Rua\",\"timeZone\":\"Europe/Lisbon\"}");
        site.hub.create(
                "/api/v1/sites/" + otherSite + "/resources",
                other.token(),
                "{\"name\":\"Sala Lisboa\",\"kind\":\"meeting-room\"}");
        String stranger = site.hub.create(
                "/api/v1/members",
                other.token(),
                "{\"email\":\"zoe@elsewhere.example\",\"fullName\":\"Zoe Stranger\"}");
        Sessions.Opened strangerSession = session(other.id(), stranger);
        String strangerCookie = "gh_member=" + strangerSession.cookieValue();
        for (String path : List.of(
                "/portal/book/" + ada,
                "/portal/book?site=" + site.siteId,
                "/portal/book/plan.svg?site=" + site.siteId)) {
            Api.Response answer = site.api().withCookie("GET", path, strangerCookie, Optional.empty());
            assertThat(answer.status()).as(path).isEqualTo(404);
            assertThat(answer.text()).as(path).doesNotContain("Room Ada").doesNotContain("Berlin Mitte");
        }
        Api.Response theirs = site.api().withCookie("GET", "/portal/book", strangerCookie, Optional.empty());
        assertThat(theirs.text())
                .contains("Sala Lisboa")
                .doesNotContain("Room Ada")
                .doesNotContain("Berlin");
        assertThat(site.api()
                        .withCookie(
                                "POST",
                                "/portal/book/" + ada,
                                strangerCookie,
                                Optional.of("_csrf=" + strangerSession.session().csrfToken() + "&date=" + day
                                        + "&from=13:00&to=14:00"))
                        .status())
                .isEqualTo(404);
        assertThat(site.api()
                        .withCookie(
                                "POST",
                                "/portal/bookings/" + id + "/cancel",
                                strangerCookie,
                                Optional.of("_csrf=" + strangerSession.session().csrfToken()))
                        .status())
                .isEqualTo(404);
        assertThat(bookings().status(id)).isEqualTo("confirmed");
        assertThat(bookings().count(day)).isEqualTo(before);

        // And the plan image itself is served to members of its tenant under its own strict policy.
        Api.Response image =
                site.api().withCookie("GET", "/portal/book/plan.svg?site=" + site.siteId, danCookie, Optional.empty());
        assertThat(image.status()).isEqualTo(200);
        assertThat(image.headers().firstValue("Content-Security-Policy"))
                .hasValue("default-src 'none'; style-src 'unsafe-inline'");
        assertThat(image.text()).isEqualTo(PLAN);
    }

    // ---- helpers

    private SiteBookings bookings() {
        return new SiteBookings(site, BERLIN);
    }

    @Test
    @Order(4)
    void aMembersRequestForASpaceThatNeedsApprovalWaitsThenShowsWhyItWasDeclined() {
        String hall = resource("{\"name\":\"Event hall\",\"kind\":\"event-space\",\"x\":50,\"y\":70,"
                + "\"rules\":{\"approvalHoldHours\":48}}");
        String fay = site.member("Fay Meetup", LiveSite.uid());
        signIn(site.tenant.id(), fay);
        LocalDate day = LocalDate.now(BERLIN).plusDays(5);
        browser.open(site.url("/portal/book/" + hall + "?date=" + day + "&from=18:00&to=21:00"));
        browser.awaitVisible(By.id("book")).click();
        assertThat(browser.awaitVisible(By.id("bookings-notice")).getText())
                .startsWith("Requested: Event hall,")
                .contains("18:00–21:00", "held for you until");
        WebElement mine = browser.driver().findElement(By.cssSelector("#upcoming li"));
        String request = mine.getAttribute("data-booking");
        assertThat(mine.getText()).contains("Event hall", "waiting for approval", "Held for you until");
        Axe.assertNoSeriousViolations(browser, "portal request waiting for approval");
        browser.screenshot("request-pending");
        JsonNode made =
                site.api().get("/api/v1/bookings/" + request, site.token()).json();
        assertThat(made.get("status").asText()).isEqualTo("pending");
        assertThat(made.get("createdBy").asText()).isEqualTo(fay);

        // The space's operator declines it; the member reads why, among past bookings.
        Api.Response declined = site.api()
                .post(
                        "/api/v1/bookings/" + request + "/decline",
                        site.token(),
                        "{\"reason\":\"The hall is closed for painting that week\"}");
        assertThat(declined.status()).as(declined.toString()).isEqualTo(200);
        browser.open(site.url("/portal/bookings"));
        WebElement past = browser.awaitVisible(By.cssSelector("#past li[data-booking='" + request + "']"));
        assertThat(past.getText()).contains("declined", "Why: The hall is closed for painting that week");
        assertThat(browser.driver().findElements(By.cssSelector("#upcoming li[data-booking='" + request + "']")))
                .isEmpty();
        Axe.assertNoSeriousViolations(browser, "portal declined request");
        browser.screenshot("request-declined");
    }

    private String resource(String json) {
        return site.hub.create("/api/v1/sites/" + site.siteId + "/resources", site.token(), json);
    }

    private Sessions.Opened session(String tenantId, String memberId) {
        return PortalSignIns.session(site, tenantId, memberId);
    }

    private void signIn(String tenantId, String memberId) {
        PortalSignIns.signIn(site, browser, tenantId, memberId);
    }

    private void showAt(LocalDate day, String time) {
        set("date", day.toString());
        set("time", time);
        browser.driver()
                .findElement(By.cssSelector("form.at button[type=submit]"))
                .click();
        browser.awaitText(By.id("at-when"), time);
    }

    private WebElement spotOnPlan(String resource) {
        return browser.awaitVisible(By.cssSelector("#bookplan .spot[data-resource='" + resource + "']"));
    }

    private String spotInList(String resource) {
        return browser.driver()
                .findElement(By.cssSelector("#spots li[data-resource='" + resource + "']"))
                .getText();
    }

    private void awaitImageLoaded() {
        // The plan drawing is an <image> in the SVG: wait until it has been fetched before a screenshot.
        browser.await(driver -> (Boolean) browser.script(
                "const e = performance.getEntriesByType('resource').find(r => r.name.includes('/portal/book/plan.svg'));"
                        + " return !!e && e.responseEnd > 0;"));
    }

    private void set(String id, String value) {
        browser.script("document.getElementById(arguments[0]).value = arguments[1];", id, value);
    }

    /** The first five-minute step of Berlin wall-clock time after {@code at}. */
    private static ZonedDateTime nextStep(Instant at) {
        ZonedDateTime local = at.atZone(BERLIN).truncatedTo(ChronoUnit.MINUTES).plusMinutes(1);
        int over = local.getMinute() % 5;
        return over == 0 ? local : local.plusMinutes(5 - over);
    }
}
