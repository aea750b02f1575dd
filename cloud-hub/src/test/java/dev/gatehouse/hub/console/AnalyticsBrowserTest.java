package dev.gatehouse.hub.console;

import static org.assertj.core.api.Assertions.assertThat;

import dev.gatehouse.browser.Axe;
import dev.gatehouse.hub.analytics.Entries;
import dev.gatehouse.hub.testing.Api;
import dev.gatehouse.hub.testing.LiveBrowserTest;
import dev.gatehouse.hub.testing.LiveSite;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.support.ui.ExpectedConditions;

/**
 * The analytics pages in a real Chromium: the site page shows each occupancy by name with its
 * definition and its charts drawn; a number drills down to exactly the rows behind it (as many
 * people as it says, each linking to the member); the revenue page shows the waterfall whose
 * movement links list the members behind them, its MRR figures the subscriptions in them, page by page.
 * The pages pass axe.
 */
class AnalyticsBrowserTest extends LiveBrowserTest {
    @Test
    void theSitePageNamesEachOccupancyDrawsItsChartsAndANumberDrillsDownToItsPeople() {
        List<String> people = List.of(
                site.member("Ada Analytics", LiveSite.uid()),
                site.member("Bo Analytics", LiveSite.uid()),
                site.member("Cy Analytics", LiveSite.uid()));
        Instant now = Instant.now().truncatedTo(ChronoUnit.SECONDS);
        site.hub
                .hub()
                .stores()
                .accessLog()
                .ingest(
                        site.tenant.id(),
                        site.siteId,
                        site.device,
                        List.of(
                                Entries.granted(
                                        site.siteId, site.door, now.minus(Duration.ofMinutes(3)), people.get(0)),
                                Entries.granted(
                                        site.siteId, site.door, now.minus(Duration.ofMinutes(2)), people.get(1)),
                                Entries.granted(
                                        site.siteId, site.door, now.minus(Duration.ofMinutes(1)), people.get(2))));
        site.hub.create(
                "/api/v1/sites/" + site.siteId + "/resources",
                site.token(),
                "{\"name\":\"Focus room\",\"kind\":\"meeting-room\",\"capacity\":4}");

        site.signInAsOwner(browser);
        browser.open(site.url("/console/analytics?site=" + site.siteId));
        browser.awaitHeading("Analytics");
        WebElement physical = browser.awaitVisible(By.cssSelector("[data-testid=physical]"));
        // Why: "occupancy" means four things; each figure must say which one it is and how it is counted.
        assertThat(physical.getText()).contains("Physical occupancy", "3 people at the peak");
        assertThat(browser.driver()
                        .findElement(By.cssSelector("[data-testid=sold]"))
                        .getText())
                .contains("Sold occupancy", "hot-desk coefficient");
        assertThat(browser.driver()
                        .findElement(By.cssSelector("[data-testid=no-shows]"))
                        .getText())
                .contains("No-show rate");
        assertThat(browser.driver().findElement(By.id("utilisation")).getText()).contains("Focus room");
        assertReadableInstant(browser.driver().findElement(By.cssSelector("#as-of time")));
        assertThat(browser.driver().findElement(By.id("physical-chart")).getAttribute("aria-label"))
                .contains("physical occupancy");
        // chart.js drew on both canvases (it registers each chart on its canvas).
        assertThat(
                        browser.script(
                                "return [Chart.getChart('physical-chart') != null, Chart.getChart('utilisation-chart') != null];"))
                .isEqualTo(List.of(true, true));
        Axe.assertNoSeriousViolations(browser, "analytics site page");
        browser.screenshot("analytics-site");
        browser.script("document.getElementById('physical-heading').scrollIntoView()");
        browser.screenshot("analytics-site-charts");

        browser.driver().findElement(By.cssSelector("#physical-hours summary")).click();
        WebElement three = browser.driver().findElements(By.cssSelector("a[data-testid^=present-]")).stream()
                .filter(link -> link.getText().equals("3"))
                .findFirst()
                .orElseThrow();
        three.click();
        browser.awaitHeading("Rows behind a figure");
        assertThat(browser.driver().findElement(By.id("row-count")).getText()).isEqualTo("3 rows");
        List<String> linked = browser.driver().findElements(By.cssSelector("#rows a")).stream()
                .map(a -> a.getAttribute("href").replaceAll(".*/console/members/", ""))
                .toList();
        assertThat(linked).containsExactlyInAnyOrderElementsOf(people);
        Axe.assertNoSeriousViolations(browser, "analytics rows page");
        browser.screenshot("analytics-rows");
        assertThat(browser.consoleErrors()).isEmpty();
    }

    @Test
    void theRevenuePageShowsTheWaterfallAndItsFiguresDrillDownToTheRowsBehindThemPageByPage() {
        String member = site.member("Rita Revenue", LiveSite.uid());
        String pkg = site.hub.create(
                "/api/v1/packages",
                site.token(),
                "{\"name\":\"Analytics desk " + LiveSite.uid() + "\",\"kind\":\"membership\",\"price\":19900,"
                        + "\"interval\":\"month\"}");
        Api.Response sold = site.api()
                .post(
                        "/api/v1/subscriptions",
                        site.token(),
                        "{\"memberId\":\"" + member + "\",\"packageId\":\"" + pkg + "\",\"siteId\":\"" + site.siteId
                                + "\"}");
        assertThat(sold.status()).as(sold.toString()).isEqualTo(201);

        site.signInAsOwner(browser);
        browser.open(site.url("/console/analytics/revenue"));
        browser.awaitHeading("Revenue analytics");
        WebElement thisMonth = browser.driver().findElement(By.cssSelector("#waterfall tbody tr:last-child"));
        WebElement newMoney = thisMonth.findElement(By.cssSelector("a[data-kind=new]"));
        assertThat(newMoney.getText()).contains("199.00");
        // The instant the figures stand at, as people read it; the exact instant for machines.
        assertReadableInstant(browser.driver().findElement(By.cssSelector("main p.hint time")));
        assertThat(browser.script("return Chart.getChart('waterfall-chart') != null;"))
                .isEqualTo(true);
        Axe.assertNoSeriousViolations(browser, "revenue analytics page");
        browser.screenshot("analytics-revenue");

        newMoney.click();
        browser.awaitHeading("Rows behind a figure");
        assertThat(browser.driver().findElement(By.id("row-count")).getText()).isEqualTo("1 row");
        assertThat(browser.driver().findElement(By.id("rows")).getText()).contains(member, "new", "199.00");

        // Two more subscriptions, so that the month's ending MRR stands on three: one a page is three pages.
        for (String name : List.of("Pia Paged", "Quin Paged")) {
            String paged = site.hub.create(
                    "/api/v1/packages",
                    site.token(),
                    "{\"name\":\"Paged desk " + LiveSite.uid() + "\",\"kind\":\"membership\",\"price\":5050,"
                            + "\"interval\":\"month\"}");
            Api.Response sale = site.api()
                    .post(
                            "/api/v1/subscriptions",
                            site.token(),
                            "{\"memberId\":\"" + site.member(name, LiveSite.uid()) + "\",\"packageId\":\"" + paged
                                    + "\",\"siteId\":\"" + site.siteId + "\"}");
            assertThat(sale.status()).as(sale.toString()).isEqualTo(201);
        }

        browser.open(site.url("/console/analytics/revenue"));
        browser.awaitHeading("Revenue analytics");
        WebElement ending =
                browser.driver().findElement(By.cssSelector("#waterfall tbody tr:last-child a[data-figure=ending]"));
        String figure = ending.getText();
        ending.click();
        browser.awaitHeading("Rows behind a figure");
        // Why: the figure and its row count are over all its rows, whichever page shows them.
        String count = browser.driver().findElement(By.id("row-count")).getText();
        assertThat(browser.driver().findElement(By.id("rows-total")).getText()).isEqualTo(figure);
        assertThat(browser.driver().findElement(By.tagName("main")).getText()).contains("MRR: the recurring price");
        int rows = Integer.parseInt(count.substring(0, count.indexOf(' ')));
        assertThat(rows).isEqualTo(3);

        // One row a page: following "Next page" visits every subscription once and their MRR adds up to the figure.
        browser.open(browser.driver().getCurrentUrl() + "&limit=1");
        List<String> seen = new java.util.ArrayList<>();
        long cents = 0;
        while (true) {
            int n = seen.size() + 1;
            browser.await(ExpectedConditions.textToBePresentInElementLocated(
                    By.id("row-count"), "rows " + n + "–" + n + " shown"));
            List<WebElement> cells = browser.driver().findElements(By.cssSelector("#rows tbody td"));
            seen.add(cells.getFirst().getText());
            cents += Math.round(Double.parseDouble(cells.getLast().getText()) * 100);
            List<WebElement> next = browser.driver().findElements(By.cssSelector("a[rel=next]"));
            if (next.isEmpty()) {
                break;
            }
            if (seen.size() == 1) {
                Axe.assertNoSeriousViolations(browser, "MRR rows page");
                browser.screenshot("analytics-mrr-paged");
            }
            next.getFirst().click();
        }
        assertThat(seen).hasSize(rows).doesNotHaveDuplicates();
        assertThat(cents).isEqualTo(Math.round(Double.parseDouble(figure) * 100));
        browser.driver().findElement(By.cssSelector("a[rel=prev]")).click();
        browser.await(ExpectedConditions.textToBePresentInElementLocated(
                By.id("row-count"), "rows " + (rows - 1) + "–" + (rows - 1) + " shown"));
        assertThat(browser.driver()
                        .findElement(By.cssSelector("#rows tbody td"))
                        .getText())
                .isEqualTo(seen.get(rows - 2));
        assertThat(browser.consoleErrors()).isEmpty();
    }

    @Test
    void aMonthThatIsNoMonthIsABadRequestPageSayingHowToWriteIt() {
        site.signInAsOwner(browser);
        browser.open(site.url("/console/analytics/movements?month=2027-13"));
        assertThat(browser.driver().findElement(By.tagName("main")).getText())
                .contains("month '2027-13' is not understood", "2027-03");
        assertThat(browser.consoleErrors()).hasSize(1);
    }

    /** An "as of" instant: a date and time as people read them, the exact instant in its datetime. */
    private static void assertReadableInstant(WebElement time) {
        assertThat(java.time.Instant.parse(time.getAttribute("datetime"))).isBefore(java.time.Instant.now());
        assertThat(time.getText())
                .matches("[A-Z][a-z]{2} \\d{1,2}, \\d{4}, \\d{1,2}:\\d{2}:\\d{2}[\\s\\u202f][AP]M \\S+");
    }
}
