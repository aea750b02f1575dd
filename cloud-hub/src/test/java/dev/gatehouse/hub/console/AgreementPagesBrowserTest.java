package dev.gatehouse.hub.console;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.gatehouse.browser.Axe;
import dev.gatehouse.edge.cache.EdgeCache;
import dev.gatehouse.hub.testing.LiveBrowserTest;
import dev.gatehouse.protocol.model.Agreement;
import dev.gatehouse.protocol.model.WifiVoucher;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.openqa.selenium.By;
import org.openqa.selenium.support.ui.Select;

/**
 * Visitor agreements and Wi-Fi vouchers end to end, in a real Chromium against a real hub with a real
 * edge agent over the embedded broker: an owner publishes an agreement on the console page and the
 * site's edge holds it in its cache as the kiosk will show it; a pool file with a bad line is refused
 * naming the line, a good one reaches the edge as its slice, from which the kiosk takes a code once
 * per sign-in; the front desk sees the signatures and their PDFs but no forms. Each page is checked
 * with axe-core and photographed under target/screenshots.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class AgreementPagesBrowserTest extends LiveBrowserTest {
    private static final java.time.Instant NOW = java.time.Instant.now();
    private static final String PASSWORD = "front desk password for tests";
    private static final Duration SYNC = Duration.ofSeconds(30);

    private String desk;
    private Path files;

    @BeforeAll
    void people() throws Exception {
        desk = site.account("front-desk", "[\"" + site.siteId + "\"]", PASSWORD);
        files = Files.createTempDirectory("gatehouse-wifi-files");
    }

    private EdgeCache edge() {
        return site.edge.agent.cache();
    }

    private void open() {
        browser.open(site.url("/console/visitor-agreements"));
        browser.awaitHeading("Visitor agreements and Wi-Fi");
    }

    @Test
    @Order(1)
    void anOwnerPublishesAnAgreementAndTheSitesEdgeHoldsIt() {
        browser.desktop();
        site.signInAsOwner(browser);
        open();
        assertThat(browser.driver().findElement(By.id("versions-none")).isDisplayed())
                .isTrue();

        browser.driver().findElement(By.id("title")).sendKeys("Visitor agreement");
        browser.driver()
                .findElement(By.id("body"))
                .sendKeys("I, {visitorName}, visiting {hostName} at {siteName}, keep quiet.");
        Axe.assertNoSeriousViolations(browser, "console visitor agreements, the form filled");
        browser.screenshot("agreements-form");
        browser.driver().findElement(By.id("publish-agreement")).click();

        assertThat(browser.awaitVisible(By.id("agreements-notice")).getText()).contains("published");
        assertThat(browser.driver().findElements(By.cssSelector("#agreement-versions tbody tr")))
                .hasSize(1);
        await().atMost(SYNC).until(() -> edge().agreement().isPresent());
        Agreement held = edge().agreement().orElseThrow();
        assertThat(held.version()).isOne();
        assertThat(held.siteName()).isEqualTo("Berlin Mitte");
        assertThat(held.render(Map.of("visitorName", "Ada", "hostName", "Grace", "siteName", held.siteName())))
                .contains("I, Ada, visiting Grace at Berlin Mitte, keep quiet.");
        Axe.assertNoSeriousViolations(browser, "console visitor agreements, published");
        browser.screenshot("agreements-published");
    }

    @Test
    @Order(2)
    void aBadPoolFileIsRefusedByLineAndAGoodOneReachesTheEdgeAsItsSlice() throws Exception {
        browser.desktop();
        site.signInAsOwner(browser);
        open();
        Path bad = files.resolve("bad.csv");
        Files.writeString(bad, "code,minutes,expires\nKIOSK-1,480,\nKIOSK-2,soon,\n");
        new Select(browser.driver().findElement(By.id("wifi-site"))).selectByValue(site.siteId);
        browser.driver().findElement(By.id("wifi-file")).sendKeys(bad.toString());
        browser.driver().findElement(By.id("upload-vouchers")).click();

        assertThat(browser.awaitVisible(By.id("upload-errors")).getText())
                .contains("Nothing was stored")
                .contains("line 3: minutes 'soon' is not a whole number");
        assertThat(browser.consoleErrors()).hasSize(1).allMatch(error -> error.contains("422"));
        Axe.assertNoSeriousViolations(browser, "console visitor agreements, a refused pool file");
        browser.screenshot("wifi-refused");
        assertThat(edge().vouchersLeft(site.device, NOW)).isZero();

        Path good = files.resolve("good.csv");
        Files.writeString(good, "code,minutes,expires\nKIOSK-1,480,\nKIOSK-2,,2099-12-31T23:00:00Z\n");
        browser.driver().findElement(By.id("wifi-file")).sendKeys(good.toString());
        browser.driver().findElement(By.id("upload-vouchers")).click();

        assertThat(browser.awaitVisible(By.id("agreements-notice")).getText())
                .contains("voucher codes are in the pool");
        assertThat(browser.driver()
                        .findElement(
                                By.cssSelector("#wifi-pools tr[data-site='" + site.siteId + "'] td[data-remaining]"))
                        .getAttribute("data-remaining"))
                .isEqualTo("2");
        assertThat(browser.driver().getPageSource()).doesNotContain("KIOSK-1");
        await().atMost(SYNC).until(() -> edge().vouchersLeft(site.device, NOW) == 2);
        Optional<WifiVoucher> first = edge().takeVoucher(site.device, "ev-sign-in-1", NOW);
        assertThat(first).isPresent();
        assertThat(edge().takeVoucher(site.device, "ev-sign-in-1", NOW)).isEqualTo(first);
        WifiVoucher second =
                edge().takeVoucher(site.device, "ev-sign-in-2", NOW).orElseThrow();
        assertThat(java.util.Set.of(first.get().code(), second.code())).containsExactlyInAnyOrder("KIOSK-1", "KIOSK-2");
        assertThat(edge().takeVoucher(site.device, "ev-sign-in-3", NOW)).isEmpty();
        browser.screenshot("wifi-uploaded");
    }

    @Test
    @Order(3)
    void theFrontDeskSeesSignaturesAndTheirPdfsButNoForms() {
        Agreement held = edge().agreement().orElseThrow();
        Map<String, String> values = Map.of(
                "visitorName", "Ada Lovelace", "hostName", "Grace", "siteName", held.siteName(), "date", "2026-12-07");
        var body = dev.gatehouse.hub.web.Json.MAPPER.createObjectNode();
        body.put("siteId", site.siteId);
        body.put("eventId", "ev-desk-1");
        body.put("agreementId", held.id());
        body.put("version", held.version());
        body.put("sha256", held.sha256());
        body.put("renderedSha256", Agreement.renderedSha256(held.render(values)));
        body.put("signerName", "Ada Lovelace");
        body.put("signerEmail", "ada@visitors.example");
        values.forEach(body.putObject("variables")::put);
        assertThat(site.api()
                        .post("/api/v1/agreement-signatures", site.token(), body.toString())
                        .status())
                .isEqualTo(201);

        browser.desktop();
        site.signIn(browser, desk, PASSWORD);
        browser.driver().findElement(By.linkText("Agreements and Wi-Fi")).click();
        browser.awaitHeading("Visitor agreements and Wi-Fi");

        assertThat(browser.driver().findElements(By.id("publish-agreement"))).isEmpty();
        assertThat(browser.driver().findElements(By.id("upload-vouchers"))).isEmpty();
        String pdf = browser.driver()
                .findElement(By.linkText("PDF signed by Ada Lovelace"))
                .getAttribute("href");
        assertThat(pdf).endsWith("/pdf");
        Axe.assertNoSeriousViolations(browser, "console visitor agreements, the front desk");
        browser.screenshot("agreements-front-desk");
    }

    @Test
    @Order(4)
    void anUploadWithoutTheFormsTokenIsRefusedAndStoresNothing() throws Exception {
        browser.desktop();
        site.signInAsOwner(browser);
        open();
        String before = browser.driver()
                .findElement(By.cssSelector("#wifi-pools tr[data-site='" + site.siteId + "'] td[data-remaining]"))
                .getAttribute("data-remaining");
        Path file = files.resolve("forged.csv");
        Files.writeString(file, "code,minutes\nFORGED-1,60\n");
        // A page of another origin cannot know the token; here the form's own is replaced.
        browser.script("document.querySelector(\"form[action$='/wifi'] input[name='_csrf']\").value = 'forged';");
        browser.driver().findElement(By.id("wifi-file")).sendKeys(file.toString());
        browser.driver().findElement(By.id("upload-vouchers")).click();

        browser.await(driver -> driver.getPageSource().contains("security token"));
        assertThat(browser.consoleErrors()).hasSize(1).allMatch(error -> error.contains("403"));
        open();
        assertThat(browser.driver()
                        .findElement(
                                By.cssSelector("#wifi-pools tr[data-site='" + site.siteId + "'] td[data-remaining]"))
                        .getAttribute("data-remaining"))
                .isEqualTo(before);
    }
}
