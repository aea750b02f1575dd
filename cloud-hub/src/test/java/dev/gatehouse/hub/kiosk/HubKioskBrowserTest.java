package dev.gatehouse.hub.kiosk;

import static org.assertj.core.api.Assertions.assertThat;

import dev.gatehouse.browser.Axe;
import dev.gatehouse.hub.HubConfig;
import dev.gatehouse.hub.billing.StripeStandIn;
import dev.gatehouse.hub.testing.Api;
import dev.gatehouse.hub.testing.LiveBrowserTest;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Optional;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.openqa.selenium.By;
import org.openqa.selenium.Keys;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.support.ui.Select;

/**
 * The hub's kiosk in a real Chromium against a real hub (its tenant's first site has an edge; the
 * kiosk's site has none): an owner makes a pairing code on the console page, the tablet pairs with
 * it, a walk-in finds their host by two letters, signs the visitor agreement and gets a Wi-Fi code, a
 * visitor with an invitation signs in by PIN, the day-pass screen shows a QR code for the phone, and a
 * member checks in with their member QR code typed by the desk's scanner (the code, then Enter) into
 * the start page's field, which has the focus.
 * Every page is checked with axe-core and photographed under target/screenshots.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class HubKioskBrowserTest extends LiveBrowserTest {
    private StripeStandIn stripe;
    private String lobby;
    private String group;
    private String host;
    private String code;

    @Override
    protected HubConfig hubConfig(HubConfig config) {
        stripe = StripeStandIn.start(Clock.systemUTC());
        return config.withStripeApiBase(stripe.apiBase());
    }

    @BeforeAll
    void kioskSite() {
        Api api = site.api();
        lobby = site.hub.create(
                "/api/v1/sites",
                site.token(),
                "{\"name\":\"Canal Lofts\",\"address\":\"Canal Street 9\",\"timeZone\":\"Europe/Berlin\"}");
        String door = site.hub.create("/api/v1/sites/" + lobby + "/doors", site.token(), "{\"name\":\"Entrance\"}");
        group = site.hub.create(
                "/api/v1/sites/" + lobby + "/door-groups",
                site.token(),
                "{\"name\":\"All\",\"doorIds\":[\"" + door + "\"]}");
        String plan = site.hub.create(
                "/api/v1/plans",
                site.token(),
                "{\"name\":\"Canal desk\",\"doorGroupIds\":[\"" + group
                        + "\"],\"schedule\":[],\"holidays\":\"ignored\"}");
        host = site.hub.create(
                "/api/v1/members", site.token(), "{\"email\":\"grace@canal.example\",\"fullName\":\"Grace Hopper\"}");
        assertThat(api.put("/api/v1/members/" + host + "/plans/" + plan, site.token(), "{}")
                        .status())
                .isBetween(200, 201);
        assertThat(api.post(
                                "/api/v1/agreements",
                                site.token(),
                                "{\"siteId\":\"" + lobby + "\",\"title\":\"Visitor agreement\",\"body\":\"I,"
                                        + " {visitorName}, visiting {hostName} at {siteName} on {date}, keep the quiet"
                                        + " floor quiet and leave my badge at the desk.\"}")
                        .status())
                .isEqualTo(201);
        assertThat(api.sendBytes(
                                "POST",
                                "/api/v1/sites/" + lobby + "/wifi-vouchers",
                                site.token(),
                                "code,minutes,expires\nCANAL-7Q2M,480,\nCANAL-9X4K,480,\n"
                                        .getBytes(StandardCharsets.UTF_8),
                                Optional.of("text/csv"))
                        .status())
                .isEqualTo(201);
        site.hub.create(
                "/api/v1/packages",
                site.token(),
                "{\"name\":\"Day Pass\",\"kind\":\"pass\",\"price\":2500,\"interval\":\"one-off\",\"passes\":1,"
                        + "\"passValidDays\":1,\"planId\":\"" + plan + "\",\"publicSale\":true,"
                        + "\"description\":\"A desk for a day\"}");
        String secretKey = stripe.newSecretKey();
        String webhookSecret = "whsec_" + Long.toHexString(System.nanoTime()) + "browser";
        stripe.webhooks(secretKey, URI.create(site.url("")), site.tenant.id(), webhookSecret);
        assertThat(api.put(
                                "/api/v1/billing/stripe",
                                site.token(),
                                "{\"secretKey\":\"" + secretKey + "\",\"webhookSecret\":\"" + webhookSecret + "\"}")
                        .status())
                .isEqualTo(200);
    }

    @AfterAll
    void stopStripe() {
        if (stripe != null) {
            stripe.close();
        }
    }

    private WebElement id(String id) {
        return browser.awaitVisible(By.id(id));
    }

    @Test
    @Order(1)
    void anOwnerMakesAPairingCodeForTheSiteWithoutAnEdge() {
        browser.desktop();
        site.signInAsOwner(browser);
        browser.open(site.url("/console/kiosks"));
        browser.awaitHeading("Kiosks");
        // The edge's site is listed as having its own kiosk, and offered no code.
        assertThat(id("kiosk-sites").getText()).contains("has a Gatehouse Pi");
        Select sites = new Select(id("kiosk-site"));
        assertThat(sites.getOptions()).extracting(WebElement::getText).containsExactly("Canal Lofts");
        Axe.assertNoSeriousViolations(browser, "console kiosks");
        id("kiosk-name").sendKeys("Lobby tablet");
        id("make-code").click();

        code = id("pairing-code-value").getText();
        assertThat(code).matches("[0-9A-Z]{4}-[0-9A-Z]{4}");
        Axe.assertNoSeriousViolations(browser, "console kiosks, a code made");
        browser.screenshot("hub-kiosk-console-code");
    }

    @Test
    @Order(2)
    void theTabletPairsAndAWalkInSignsTheAgreementAndGetsAWifiCode() {
        browser.desktop();
        browser.open(site.url("/kiosk/"));
        browser.awaitHeading("Pair this tablet");
        Axe.assertNoSeriousViolations(browser, "kiosk pairing");
        browser.screenshot("hub-kiosk-pair");
        id("code").sendKeys(code);
        id("pair-submit").click();

        browser.awaitHeading("Welcome");
        assertThat(id("choose-day-pass").getText()).contains("Buy a day pass");
        Axe.assertNoSeriousViolations(browser, "kiosk start");
        browser.screenshot("hub-kiosk-home");
        id("choose-walk-in").click();
        browser.awaitHeading("Sign in as a visitor");
        id("name").sendKeys("Ada Lovelace");
        id("email").sendKeys("ada@visitors.example");
        id("q").sendKeys("gr");
        WebElement choice = browser.awaitVisible(By.cssSelector("#hosts input[name=host][value='" + host + "']"));
        assertThat(id("hosts").getText()).contains("Grace Hopper").doesNotContain("@");
        Axe.assertNoSeriousViolations(browser, "kiosk walk-in, hosts found");
        browser.screenshot("hub-kiosk-walk-in");
        choice.click();
        id("walk-in-submit").click();

        browser.awaitHeading("Please read and sign");
        assertThat(id("agreement-text").getText()).contains("I, Ada Lovelace, visiting Grace Hopper at Canal Lofts on");
        Axe.assertNoSeriousViolations(browser, "kiosk agreement");
        browser.screenshot("hub-kiosk-agreement");
        id("agree").click();
        id("agreement-submit").click();

        browser.awaitHeading("Signed in");
        assertThat(id("welcome-heading").getText()).isEqualTo("Welcome, Ada Lovelace!");
        assertThat(id("wifi-code").getText()).startsWith("CANAL-");
        Axe.assertNoSeriousViolations(browser, "kiosk welcome");
        browser.screenshot("hub-kiosk-welcome");
        assertThat(browser.consoleErrors()).isEmpty();
    }

    @Test
    @Order(3)
    void aVisitorWithAnInvitationSignsInByPin() {
        Instant now = Instant.now().truncatedTo(ChronoUnit.SECONDS);
        Api.Response pass = site.api()
                .post(
                        "/api/v1/sites/" + lobby + "/visitor-passes",
                        site.token(),
                        "{\"visitorName\":\"Alan Turing\",\"hostMemberId\":\"" + host + "\",\"doorGroupIds\":[\""
                                + group + "\"],\"validFrom\":\"" + now.minusSeconds(60) + "\",\"validUntil\":\""
                                + now.plus(Duration.ofHours(3)) + "\"}");
        assertThat(pass.status()).as(pass.toString()).isEqualTo(201);
        browser.desktop();
        // Every test starts with no cookies: a second tablet, paired with a fresh code.
        pairAgain();
        id("choose-pin").click();
        browser.awaitHeading("Sign in with your PIN");
        id("pin").sendKeys("000000".equals(pass.json().get("pin").asText()) ? "000001" : "000000");
        id("pin-submit").click();
        assertThat(id("error").getText()).contains("not known here");
        Axe.assertNoSeriousViolations(browser, "kiosk PIN refused");
        browser.screenshot("hub-kiosk-pin-refused");
        id("pin").sendKeys(pass.json().get("pin").asText());
        id("pin-submit").click();

        browser.awaitHeading("Please read and sign");
        id("agree").click();
        id("agreement-submit").click();
        browser.awaitHeading("Signed in");
        assertThat(id("welcome-heading").getText()).isEqualTo("Welcome, Alan Turing!");
        assertThat(id("welcome").getText()).contains("Grace Hopper is being told");
    }

    @Test
    @Order(4)
    void theDayPassScreenShowsAQrCodeForThePhone() throws Exception {
        browser.desktop();
        pairAgain();
        id("choose-day-pass").click();
        browser.awaitHeading("Buy a day pass");
        WebElement qr = browser.awaitVisible(By.cssSelector("#day-passes img.qr"));
        assertThat((Long) browser.script("return arguments[0].naturalWidth;", qr))
                .isGreaterThan(0L);
        assertThat(id("day-passes").getText()).contains("Day Pass").contains("?site=" + lobby);
        Axe.assertNoSeriousViolations(browser, "kiosk day pass");
        browser.screenshot("hub-kiosk-day-pass");
        assertThat(browser.consoleErrors()).isEmpty();
    }

    @Test
    @Order(5)
    void aMemberChecksInWithTheirQrCodeTypedByTheDesksScanner() {
        String credential =
                site.hub.create("/api/v1/members/" + host + "/credentials", site.token(), "{\"type\":\"member-qr\"}");
        Api.Response minted =
                site.api().post("/api/v1/credentials/" + credential + "/qr-token?siteId=" + lobby, site.token(), "");
        assertThat(minted.status()).as(minted.toString()).isIn(200, 201);
        String token = minted.json().get("token").asText();
        browser.desktop();
        pairAgain();
        // The scanner is a keyboard: it types into whatever has the focus, which is the check-in field.
        assertThat(browser.script("return document.activeElement.id;")).isEqualTo("member-code");
        browser.driver().switchTo().activeElement().sendKeys("not-a-member-code" + Keys.ENTER);
        browser.awaitHeading("Welcome");
        assertThat(id("error").getText()).contains("not a member code");
        assertThat(browser.script("return document.activeElement.id;")).isEqualTo("member-code");
        Axe.assertNoSeriousViolations(browser, "kiosk member code refused");
        browser.screenshot("hub-kiosk-member-refused");
        // The refusal is a 422 page, which Chromium logs as a failed load: nothing else may be logged.
        assertThat(browser.consoleErrors()).allMatch(error -> error.contains("422"));

        browser.driver().switchTo().activeElement().sendKeys(token + Keys.ENTER);

        browser.awaitHeading("Checked in");
        assertThat(id("greeting-heading").getText()).isEqualTo("Welcome, Grace Hopper! You are checked in.");
        assertThat(id("member-greeting").getText()).contains("No bookings for you today.");
        Axe.assertNoSeriousViolations(browser, "kiosk member checked in");
        browser.screenshot("hub-kiosk-member-checked-in");
        assertThat(browser.consoleErrors()).isEmpty();
    }

    @Test
    @Order(6)
    void theVisitorLogShowsTheAgreementSignedAndTheVoucherWithItsCodeOnlyToThoseWhoManageTheSite() {
        browser.desktop();
        site.signInAsOwner(browser);
        browser.open(site.url("/console/visitor-log?siteId=" + lobby));
        browser.awaitHeading("Visitor log");
        assertThat(browser.driver().findElements(By.cssSelector("#visitor-log thead th")))
                .extracting(WebElement::getText)
                .contains("Agreement signed", "Wi-Fi voucher");
        // The walk-in of the second test: signed version 1 and got a code from the pool.
        String row = walkInRow();
        WebElement agreement = id("agreement-" + row);
        assertThat(agreement.getText()).contains("Version 1");
        agreement.findElement(By.tagName("summary")).click();
        assertThat(agreement.getText())
                .contains("Signed as")
                .contains("Ada Lovelace")
                .contains("Document SHA-256")
                .containsPattern("[0-9a-f]{64}");
        assertThat(id("agreement-pdf-" + row).getAttribute("href")).contains("/console/visitor-agreements/signatures/");
        assertThat(id("wifi-" + row).getText()).contains("Issued").contains("valid until");
        assertThat(id("wifi-code-" + row).getText()).startsWith("CANAL-");
        Axe.assertNoSeriousViolations(browser, "console visitor log, owner");
        browser.screenshot("hub-visitor-log-owner");
        assertThat(browser.consoleErrors()).isEmpty();
        site.signOut(browser);

        // The front desk sees the signature and that a voucher was issued, never its code.
        String desk = site.account("front-desk", "[\"" + lobby + "\"]", "front-desk-password-2026");
        site.signIn(browser, desk, "front-desk-password-2026");
        browser.open(site.url("/console/visitor-log?siteId=" + lobby));
        browser.awaitHeading("Visitor log");
        row = walkInRow();
        id("agreement-" + row).findElement(By.tagName("summary")).click();
        assertThat(id("agreement-" + row).getText()).contains("Ada Lovelace").containsPattern("[0-9a-f]{64}");
        assertThat(id("wifi-" + row).getText()).contains("Issued").doesNotContain("CANAL-");
        assertThat(browser.driver().findElements(By.id("wifi-code-" + row))).isEmpty();
        assertThat(browser.driver().getPageSource()).doesNotContain("CANAL-");
        Axe.assertNoSeriousViolations(browser, "console visitor log, front desk");
        browser.screenshot("hub-visitor-log-front-desk");
        assertThat(browser.consoleErrors()).isEmpty();
        site.signOut(browser);
    }

    /** The id of the visitor log's row of the walk-in Ada Lovelace. */
    private String walkInRow() {
        WebElement who = browser.awaitVisible(By.xpath("//table[@id='visitor-log']//th[contains(., 'Ada Lovelace')]"));
        return who.findElement(By.xpath("./..")).getAttribute("id").substring("sign-in-".length());
    }

    /** Every test starts with no cookies: the owner makes a new code and the tablet pairs with it. */
    private void pairAgain() {
        site.signInAsOwner(browser);
        browser.open(site.url("/console/kiosks"));
        id("kiosk-name").sendKeys("Tablet " + System.nanoTime());
        id("make-code").click();
        String fresh = id("pairing-code-value").getText();
        site.signOut(browser);
        browser.open(site.url("/kiosk/"));
        id("code").sendKeys(fresh);
        id("pair-submit").click();
        browser.awaitHeading("Welcome");
    }
}
