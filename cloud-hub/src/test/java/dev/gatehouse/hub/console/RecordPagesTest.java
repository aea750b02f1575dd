package dev.gatehouse.hub.console;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.gatehouse.browser.Axe;
import dev.gatehouse.hub.testing.Api;
import dev.gatehouse.hub.testing.LiveBrowserTest;
import dev.gatehouse.hub.testing.LiveSite;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.support.ui.Select;

/**
 * The console's record pages in a real Chromium against a live simulated site: the access log (filters,
 * paging, CSV export), explain, the audit log and settings.
 */
class RecordPagesTest extends LiveBrowserTest {

    /** Taps {@code uid} at the front door and waits until the hub has the member's event. */
    private void tapAndAwait(String uid, String memberId) {
        site.awaitInSync();
        int before = events(memberId);
        site.edge.tap(uid);
        await().atMost(Duration.ofSeconds(30)).until(() -> events(memberId) > before);
    }

    private int events(String memberId) {
        return site.api()
                .get("/api/v1/access-events?memberId=" + memberId, site.token())
                .json()
                .get("items")
                .size();
    }

    private String suspendedMember(String name, String uid) {
        String member = site.member(name, uid);
        Api.Response suspended =
                site.api().patch("/api/v1/members/" + member, site.token(), "{\"status\":\"suspended\"}");
        assertThat(suspended.status()).as(suspended.toString()).isEqualTo(200);
        site.awaitInSync();
        return member;
    }

    private String cookie() {
        return "gh_session="
                + browser.driver().manage().getCookieNamed("gh_session").getValue();
    }

    private void checkPage(String name) {
        assertThat(browser.consoleErrors()).isEmpty();
        Axe.assertNoSeriousViolations(browser, name);
        browser.screenshot(name);
    }

    /** A page answered with an error status: the browser logs that status and nothing else. */
    private void checkPage(String name, int status) {
        assertThat(browser.consoleErrors()).allMatch(error -> error.contains("status of " + status));
        Axe.assertNoSeriousViolations(browser, name);
        browser.screenshot(name);
    }

    @Test
    void aTapShowsInTheAccessLogAndTheDeniedFilterFindsOnlyDenials() {
        String granted = LiveSite.uid();
        String grantedId = site.member("Grace Granted", granted);
        String denied = LiveSite.uid();
        String deniedId = suspendedMember("Dora Denied", denied);
        tapAndAwait(granted, grantedId);
        tapAndAwait(denied, deniedId);
        site.signInAsOwner(browser);
        browser.open(site.url("/console/access-log"));
        WebElement log = browser.awaitVisible(By.id("log"));
        assertThat(log.getText())
                .contains("Grace Granted")
                .contains("Dora Denied")
                .contains("Front door");
        assertThat(browser.driver().findElement(By.id("zone-hint")).getText()).contains("UTC");
        checkPage("access-log");

        new Select(browser.driver().findElement(By.id("decision"))).selectByValue("denied");
        new Select(browser.driver().findElement(By.id("site"))).selectByValue(site.siteId);
        browser.driver()
                .findElement(By.cssSelector("form.filters button[type=submit]"))
                .click();
        browser.await(d -> d.getCurrentUrl().contains("decision=denied"));
        List<WebElement> rows = browser.driver().findElements(By.cssSelector("#log tr"));
        assertThat(rows).isNotEmpty();
        assertThat(rows).allSatisfy(row -> assertThat(row.getAttribute("class")).isEqualTo("denied"));
        assertThat(browser.driver().findElement(By.id("log")).getText())
                .contains("Dora Denied")
                .doesNotContain("Grace Granted");
        assertThat(browser.driver().findElement(By.id("zone-hint")).getText()).contains("Europe/Berlin");
        checkPage("access-log-denied");
    }

    @Test
    void aMalformedDateOrUnknownReasonIsNamedAndNoQueryRuns() {
        site.signInAsOwner(browser);
        browser.open(site.url("/console/access-log?from=yesterday&reason=bribery"));
        String errors = browser.awaitVisible(By.id("filter-errors")).getText();
        assertThat(errors).contains("'yesterday' is not a date and time").contains("'bribery' is not a deny reason");
        assertThat(browser.driver().findElements(By.cssSelector("#log tr"))).isEmpty();
        assertThat(browser.driver().findElement(By.id("from")).getAttribute("value"))
                .isEmpty();
        checkPage("access-log-bad-filter", 422);
    }

    @Test
    void theCsvExportHasTheHeaderTheRowsAndDefusesFormulas() {
        String uid = LiveSite.uid();
        String member = site.member("=HYPERLINK(\"x\")", uid);
        tapAndAwait(uid, member);
        site.signInAsOwner(browser);
        Api.Response csv =
                site.api().withCookie("GET", "/console/access-log.csv?member=" + member, cookie(), Optional.empty());
        assertThat(csv.status()).as(csv.toString()).isEqualTo(200);
        assertThat(csv.contentType()).startsWith("text/csv");
        assertThat(csv.headers().firstValue("Content-Disposition").orElseThrow())
                .startsWith("attachment;");
        List<String> lines = csv.text().lines().toList();
        assertThat(lines.getFirst())
                .isEqualTo("time_utc,local_time,time_zone,site,door,member,member_id,decision,reason");
        assertThat(lines).hasSize(2);
        assertThat(lines.get(1))
                .contains(",Berlin Mitte,Front door,\"'=HYPERLINK(\"\"x\"\")\"," + member + ",granted,")
                .contains("Europe/Berlin");
        assertThat(csv.text()).contains("\r\n");
    }

    @Test
    void theCsvExportWalksEveryPageOfTheLog() {
        site.signInAsOwner(browser);
        int total = 0;
        Optional<String> cursor = Optional.empty();
        do {
            var page = site.api()
                    .get(
                            "/api/v1/access-events?limit=2"
                                    + cursor.map(c -> "&cursor=" + c).orElse(""),
                            site.token())
                    .json();
            total += page.get("items").size();
            cursor = Optional.ofNullable(page.get("nextCursor")).map(n -> n.asText());
        } while (cursor.isPresent());
        Api.Response csv = site.api().withCookie("GET", "/console/access-log.csv", cookie(), Optional.empty());
        assertThat(csv.text().lines().count()).isEqualTo(total + 1L);
    }

    @Test
    void explainSaysWhyASuspendedMemberWasDeniedAndThatAnActiveOneWouldGetInTomorrow() {
        String uid = LiveSite.uid();
        String suspended = suspendedMember("Sam Suspended", uid);
        tapAndAwait(uid, suspended);
        String active = site.member("Alma Active", LiveSite.uid());
        site.signInAsOwner(browser);
        browser.open(site.url("/console/access-log?member=" + suspended));
        browser.awaitVisible(By.cssSelector("#log tr.denied a.explain")).click();
        assertThat(browser.awaitVisible(By.id("answer-heading")).getText())
                .isEqualTo("Sam Suspended does not get in at Berlin Mitte: Front door");
        assertThat(browser.driver().findElement(By.id("sentence")).getText()).isEqualTo("The member is suspended.");
        assertThat(browser.driver().findElement(By.id("basis")).getText()).isEqualTo("member-suspended");
        checkPage("explain-why");

        browser.open(site.url("/console/explain"));
        WebElement when = browser.awaitVisible(By.id("would-when"));
        assertThat(when.getAttribute("value")).endsWith("T09:00");
        browser.driver().findElement(By.id("would-member")).sendKeys(active);
        browser.driver()
                .findElement(By.cssSelector("#would-form button[type=submit]"))
                .click();
        assertThat(browser.awaitVisible(By.id("answer-heading")).getText())
                .isEqualTo("Alma Active gets in at Berlin Mitte: Front door");
        assertThat(browser.driver().findElement(By.id("decision")).getText()).isEqualTo("granted");
        assertThat(browser.driver().findElement(By.id("local-time")).getText())
                .contains("09:00:00")
                .contains("Europe/Berlin");
        checkPage("explain-would");
    }

    @Test
    void theAuditPageListsAChangeMadeThroughTheApiWithBeforeAndAfter() {
        String member = site.member("Bea Before", LiveSite.uid());
        Api.Response renamed =
                site.api().patch("/api/v1/members/" + member, site.token(), "{\"fullName\":\"Abe After\"}");
        assertThat(renamed.status()).as(renamed.toString()).isEqualTo(200);
        site.signInAsOwner(browser);
        browser.open(site.url("/console/audit?resource=" + member + "&action=member.update"));
        List<WebElement> rows = browser.awaitVisible(By.id("entries")).findElements(By.cssSelector(":scope > tr"));
        assertThat(rows).hasSize(1);
        assertThat(rows.getFirst().getText()).contains("member.update").contains(member);
        WebElement change = rows.getFirst().findElement(By.xpath(".//table[@class='diff']//tr[th='fullName']"));
        assertThat(change.findElement(By.tagName("del")).getText()).isEqualTo("Bea Before");
        assertThat(change.findElement(By.tagName("ins")).getText()).isEqualTo("Abe After");
        checkPage("audit");
    }

    @Test
    void aSiteManagerOfOneSiteSeesNothingOfAnother() {
        String other = site.hub.create(
                "/api/v1/sites",
                site.token(),
                "{\"name\":\"Hamburg Hafen\",\"address\":\"2 Test St\",\"timeZone\":\"Europe/Berlin\"}");
        String otherDoor =
                site.hub.create("/api/v1/sites/" + other + "/doors", site.token(), "{\"name\":\"Harbour door\"}");
        String ownDoor =
                site.hub.create("/api/v1/sites/" + site.siteId + "/doors", site.token(), "{\"name\":\"Side door\"}");
        String password = "site manager password";
        String email = site.account("site-manager", "[\"" + site.siteId + "\"]", password);
        site.signIn(browser, email, password);

        browser.open(site.url("/console/audit?action=door.create"));
        String entries = browser.awaitVisible(By.id("entries")).getText();
        assertThat(entries).contains(ownDoor).doesNotContain(otherDoor).doesNotContain("Harbour door");
        checkPage("audit-site-manager");

        browser.open(site.url("/console/access-log"));
        String options = browser.awaitVisible(By.id("site")).getText()
                + browser.driver().findElement(By.id("door")).getText();
        assertThat(options)
                .contains("Berlin Mitte")
                .doesNotContain("Hamburg Hafen")
                .doesNotContain("Harbour door");
        browser.open(site.url("/console/access-log?site=" + other));
        assertThat(browser.awaitVisible(By.id("filter-errors")).getText()).contains("Choose one of your sites");
        browser.open(site.url(
                "/console/explain?ask=would&member=x@example.com&door=" + otherDoor + "&when=2026-12-05T09:00"));
        assertThat(browser.awaitVisible(By.id("explain-errors")).getText()).contains("Choose one of your doors");
    }
}
