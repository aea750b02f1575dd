package dev.gatehouse.hub.console;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.gatehouse.browser.Axe;
import dev.gatehouse.edge.access.Decided;
import dev.gatehouse.hub.testing.Api;
import dev.gatehouse.hub.testing.EdgeSite;
import dev.gatehouse.hub.testing.LiveBrowserTest;
import dev.gatehouse.hub.testing.LiveSite;
import dev.gatehouse.hub.testing.QrImages;
import dev.gatehouse.protocol.model.DenyReason;
import dev.gatehouse.protocol.model.GrantBasis;
import dev.gatehouse.protocol.policy.Decision;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chromium.ChromiumDriver;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.Select;

/**
 * The members and visitor-pass pages in a real Chromium against a real hub and a simulated site: a
 * change made in the console must reach the door (a suspended member is denied, a card enrolled by
 * tapping it opens it, a visitor's QR code from the page is granted), and a role that may not change
 * members sees no button and is refused.
 */
class MemberPagesTest extends LiveBrowserTest {
    private static final String PASSWORD = "front desk password for tests";

    private String frontDesk;

    @BeforeAll
    void setUp() throws Exception {
        frontDesk = site.account("front-desk", "[]", PASSWORD);
    }

    @AfterEach
    void noErrorsInTheBrowser() {
        assertThat(browser.consoleErrors()).isEmpty();
    }

    private void signInAsFrontDesk() {
        site.signIn(browser, frontDesk, PASSWORD);
    }

    private void check(String name) {
        Axe.assertNoSeriousViolations(browser, name);
        browser.screenshot(name);
    }

    @Test
    void theSearchFindsAMemberByNameOrCardLabelAsOneTypes() {
        site.member("Zelda Quist", LiveSite.uid());
        String zora = site.member("Zora Quill", LiveSite.uid());
        String ada = site.member("Ada Search", LiveSite.uid());
        site.hub.create(
                "/api/v1/members/" + ada + "/credentials",
                site.token(),
                "{\"type\":\"nfc-card\",\"uid\":\"" + LiveSite.uid() + "\",\"label\":\"Blue fob 77\"}");
        signInAsFrontDesk();
        browser.open(site.url("/console/members"));
        WebElement search = browser.awaitVisible(By.id("q"));
        search.sendKeys("quil");
        // htmx replaces the rows without a page load: only Zora is left.
        browser.await(driver -> driver.findElements(By.cssSelector("#members-rows tr[data-member]"))
                        .size()
                == 1);
        assertThat(browser.driver()
                        .findElement(By.cssSelector("#members-rows tr[data-member]"))
                        .getAttribute("data-member"))
                .isEqualTo(zora);
        assertThat(browser.driver().getCurrentUrl()).endsWith("/console/members");
        check("members-search");
        search.clear();
        search.sendKeys("blue fob");
        browser.await(driver -> driver.findElements(By.cssSelector("#members-rows tr[data-member='" + ada + "']"))
                        .size()
                == 1);
        assertThat(browser.driver().findElements(By.cssSelector("#members-rows tr[data-member]")))
                .hasSize(1);
        // Without JavaScript the same search is a plain GET answering the whole page.
        Api.Response page = site.api().withCookie("GET", "/console/members?q=quil", cookie(), Optional.empty());
        assertThat(page.text()).contains("<html").contains("Zora Quill").doesNotContain("Zelda Quist");
    }

    @Test
    void aLongListPagesWithANextLinkWithoutRepeatingAnyone() {
        for (int i = 0; i < 27; i++) {
            site.hub.create(
                    "/api/v1/members",
                    site.token(),
                    "{\"email\":\"pager" + i + "@members.example\",\"fullName\":\"Pager " + i + "\"}");
        }
        signInAsFrontDesk();
        browser.open(site.url("/console/members?q=pager"));
        List<String> first = rows();
        assertThat(first).hasSize(25);
        browser.driver().findElement(By.cssSelector("a[rel=next]")).click();
        browser.await(driver -> !rows().equals(first));
        List<String> second = rows();
        assertThat(second).hasSize(2).doesNotContainAnyElementsOf(first);
        assertThat(browser.driver().findElements(By.cssSelector("a[rel=next]"))).isEmpty();
    }

    private List<String> rows() {
        return browser.driver().findElements(By.cssSelector("#members-rows tr[data-member]")).stream()
                .map(row -> row.getAttribute("data-member"))
                .toList();
    }

    @Test
    void aNewMemberWithABadEmailIsRefusedNamingTheFieldAndNothingIsSaved() {
        signInAsFrontDesk();
        browser.open(site.url("/console/members/new"));
        browser.awaitVisible(By.id("email")).sendKeys("not-an-address");
        browser.driver().findElement(By.id("fullName")).sendKeys("Nadia Nomail");
        browser.driver()
                .findElement(By.cssSelector("form.profile button[type=submit]"))
                .click();
        WebElement error = browser.awaitVisible(By.id("email-error"));
        assertThat(error.getText()).contains("is not an e-mail address");
        assertThat(browser.consoleErrors()).singleElement().asString().contains("status of 422");
        assertThat(browser.driver().findElement(By.id("email")).getAttribute("aria-describedby"))
                .isEqualTo("email-error");
        assertThat(browser.driver().findElement(By.id("fullName")).getAttribute("value"))
                .isEqualTo("Nadia Nomail");
        check("members-new-error");
        assertThat(members("Nadia")).isEmpty();

        WebElement email = browser.driver().findElement(By.id("email"));
        email.clear();
        email.sendKeys("nadia@members.example");
        browser.driver()
                .findElement(By.cssSelector("form.profile button[type=submit]"))
                .click();
        assertThat(browser.awaitVisible(By.cssSelector("p.notice")).getText()).isEqualTo("Member created.");
        assertThat(members("Nadia")).hasSize(1);
    }

    @Test
    void aMemberSuspendedInTheConsoleIsDeniedAtTheirNextTapAndTheirNameIsText() {
        String name = "<img src=x onerror=alert(1)> Sue";
        String uid = LiveSite.uid();
        String member = site.member(name, uid);
        site.awaitInSync();
        assertThat(site.edge.tap(uid).decision()).isInstanceOf(Decision.Granted.class);
        signInAsFrontDesk();
        browser.open(site.url("/console/members/" + member));
        assertThat(browser.awaitVisible(By.cssSelector("[data-testid=member-name]"))
                        .getText())
                .isEqualTo(name);
        assertThat(browser.driver().findElements(By.cssSelector("main img[src=x]")))
                .isEmpty();
        // Their access log shows the tap, at the door, by name.
        await().atMost(Duration.ofSeconds(15)).untilAsserted(() -> {
            browser.open(site.url("/console/members/" + member));
            assertThat(browser.awaitVisible(By.tagName("main")).getText()).contains("Front door");
            assertThat(browser.driver().findElements(By.cssSelector("#member-log tr.granted")))
                    .isNotEmpty();
        });
        check("member-detail");
        browser.driver().findElement(By.id("reason")).sendKeys("card shared with a friend");
        browser.driver().findElement(By.id("suspend")).click();
        assertThat(browser.awaitVisible(By.cssSelector("p.notice")).getText()).startsWith("Member suspended.");
        assertThat(browser.driver().findElements(By.id("reactivate"))).hasSize(1);
        site.awaitInSync();
        assertThat(site.edge.tap(uid).decision()).isEqualTo(new Decision.Denied(DenyReason.MEMBER_SUSPENDED));
        Api.Response audit = site.api().get("/api/v1/audit?resourceType=member&resourceId=" + member, site.token());
        assertThat(audit.text()).contains("member.suspend").contains("card shared with a friend");
        check("member-suspended");

        // Cancelling is final, so the page asks first: dismissed, nothing happens.
        browser.driver().findElement(By.id("cancel-reason")).sendKeys("moved away");
        browser.driver().findElement(By.id("cancel")).click();
        browser.await(ExpectedConditions.alertIsPresent()).dismiss();
        assertThat(status(member)).isEqualTo("suspended");
        browser.driver().findElement(By.id("cancel")).click();
        browser.await(ExpectedConditions.alertIsPresent()).accept();
        assertThat(browser.awaitVisible(By.cssSelector("p.notice")).getText()).isEqualTo("Membership cancelled.");
        assertThat(status(member)).isEqualTo("cancelled");
        assertThat(browser.driver().findElements(By.id("reactivate"))).isEmpty();
    }

    private String status(String member) {
        return site.api()
                .get("/api/v1/members/" + member, site.token())
                .json()
                .get("status")
                .asText();
    }

    @Test
    void aCardTappedWhileThePageWaitsBecomesTheMembersAndOpensTheDoor() throws Exception {
        String member = site.member("Enid Enroll", LiveSite.uid());
        String card = LiveSite.uid();
        site.awaitInSync();
        signInAsFrontDesk();
        browser.open(site.url("/console/members/" + member));
        new Select(browser.awaitVisible(By.id("doorId"))).selectByValue(site.door);
        browser.driver().findElement(By.id("enroll")).click();
        browser.awaitVisible(By.cssSelector("[data-state=waiting]"));
        check("enroll-waiting");
        assertThat(site.edge.tap(card).decision()).isEqualTo(new Decision.Denied(DenyReason.UNKNOWN_CREDENTIAL));
        WebElement done =
                browser.await(ExpectedConditions.visibilityOfElementLocated(By.cssSelector("[data-state=enrolled]")));
        assertThat(done.getText()).startsWith("Card enrolled.");
        check("enroll-done");
        site.awaitInSync();
        assertThat(site.edge.tap(card).decision()).isInstanceOf(Decision.Granted.class);
        browser.open(site.url("/console/members/" + member));
        assertThat(browser.awaitVisible(By.cssSelector("table.credentials")).getText())
                .contains("Tapped at Front door");

        // A member QR code issued on the page opens the door too.
        browser.driver().findElement(By.id("issue-qr")).click();
        WebElement qr = browser.awaitVisible(By.cssSelector("table.credentials img.qr"));
        browser.await(driver ->
                (Boolean) browser.script("return arguments[0].complete && arguments[0].naturalWidth > 0;", qr));
        browser.script("arguments[0].scrollIntoView();", browser.driver().findElement(By.id("credentials-heading")));
        check("member-credentials");
        site.awaitInSync();
        String token = QrImages.decode(png(qr.getAttribute("src").replaceFirst("^https?://[^/]+", "")));
        int before = site.edge.decisions.size();
        site.edge.simulator().scanCode(EdgeSite.QR, token);
        await().atMost(Duration.ofSeconds(15)).until(() -> site.edge.decisions.size() > before);
        assertThat(site.edge.decisions.get(before).decision()).isInstanceOf(Decision.Granted.class);
    }

    @Test
    void aVisitorPassFromThePageIsEmailedWithItsQrCodeAndPinAndOpensTheDoorOnce() throws Exception {
        signInAsFrontDesk();
        browser.open(site.url("/console/visitor-passes"));
        browser.awaitVisible(By.id("visitorName")).sendKeys("Vera Visitor");
        browser.driver().findElement(By.id("visitorEmail")).sendKeys("vera@visitors.example");
        browser.driver()
                .findElement(By.cssSelector("input[name=doorIds][value='" + site.door + "']"))
                .click();
        check("visitor-passes");
        browser.driver().findElement(By.id("create-pass")).click();
        WebElement image = browser.awaitVisible(By.id("pass-qr"));
        browser.await(driver ->
                (Boolean) browser.script("return arguments[0].complete && arguments[0].naturalWidth > 0;", image));
        assertThat(image.getAttribute("alt")).contains("Vera Visitor");
        check("visitor-pass");
        // Printed, the page is just the pass: no menu, no buttons.
        ChromiumDriver chromium = (ChromiumDriver) browser.driver();
        chromium.executeCdpCommand("Emulation.setEmulatedMedia", Map.of("media", "print"));
        try {
            assertThat(browser.driver().findElement(By.tagName("nav")).isDisplayed())
                    .isFalse();
            assertThat(browser.driver().findElement(By.id("print")).isDisplayed())
                    .isFalse();
            assertThat(image.isDisplayed()).isTrue();
            browser.screenshot("visitor-pass-print");
        } finally {
            chromium.executeCdpCommand("Emulation.setEmulatedMedia", Map.of("media", ""));
        }
        String path = URI.create(image.getAttribute("src")).getPath().replaceFirst("/qr\\.png$", "");
        // The PIN is on the page this once (the hub keeps only its hash).
        String pin = browser.driver().findElement(By.id("pass-pin")).getText();
        assertThat(pin).matches("[0-9]{6}");

        Path mail = site.hub.hub().config().dataDir().resolve("mail");
        long mailsBefore = emls(mail).size();
        browser.driver().findElement(By.id("send-pass")).click();
        assertThat(browser.awaitVisible(By.cssSelector("p.notice")).getText()).isEqualTo("Visitor pass sent.");
        assertThat(browser.driver().findElements(By.id("pass-pin")))
                .as("shown once")
                .isEmpty();
        List<Path> mails = emls(mail);
        assertThat(mails).hasSize((int) mailsBefore + 1);
        String sent = Files.readString(mails.getLast());
        assertThat(sent)
                .contains("vera@visitors.example")
                .contains("visitor-pass.png")
                .contains("image/png")
                .contains(pin);

        String token = QrImages.decode(png(path + "/qr.png"));
        site.awaitInSync();
        int before = site.edge.decisions.size();
        site.edge.simulator().scanCode(EdgeSite.QR, token);
        await().atMost(Duration.ofSeconds(15)).until(() -> site.edge.decisions.size() > before);
        Decided scanned = site.edge.decisions.get(before);
        assertThat(scanned.decision())
                .isInstanceOfSatisfying(Decision.Granted.class, granted -> assertThat(granted.basis())
                        .isEqualTo(GrantBasis.VISITOR_PASS));
        // Single use: the PIN typed at the kiosk afterwards is refused, offline, by the edge itself.
        assertThat(site.edge
                        .agent
                        .admitByPin(site.door, pin)
                        .get(15, java.util.concurrent.TimeUnit.SECONDS)
                        .decision())
                .isEqualTo(new Decision.Denied(dev.gatehouse.protocol.model.DenyReason.VISITOR_PASS_USED));
    }

    @Test
    void onlyAnOwnerDownloadsOrErasesAMembersDataAndTheirCardStopsOpeningTheDoor() {
        String uid = LiveSite.uid();
        String member = site.member("Erin Erasure", uid);
        site.awaitInSync();
        assertThat(site.edge.tap(uid).decision()).isInstanceOf(Decision.Granted.class);

        // Everything held about a person includes their invoices and every site's entries: more than
        // the front desk may read, so neither the export nor the erasure is theirs.
        signInAsFrontDesk();
        browser.open(site.url("/console/members/" + member));
        browser.awaitVisible(By.cssSelector("[data-testid=member-name]"));
        assertThat(browser.driver().findElements(By.id("export"))).isEmpty();
        assertThat(browser.driver().findElements(By.id("erase"))).isEmpty();
        assertThat(site.api()
                        .withCookie("GET", "/console/members/" + member + "/export", cookie(), Optional.empty())
                        .status())
                .isEqualTo(403);
        site.signOut(browser);

        site.signInAsOwner(browser);
        browser.open(site.url("/console/members/" + member));
        assertThat(browser.awaitVisible(By.id("export")).getAttribute("href")).endsWith(member + "/export");
        Api.Response export =
                site.api().withCookie("GET", "/console/members/" + member + "/export", cookie(), Optional.empty());
        assertThat(export.status()).isEqualTo(200);
        assertThat(export.headers().firstValue("Content-Disposition").orElse(""))
                .contains("attachment");
        assertThat(export.json().get("member").get("full_name").asText()).isEqualTo("Erin Erasure");
        assertThat(export.json().get("data").has("credentials")).isTrue();
        check("member-privacy");
        // Erasure cannot be undone, so the page asks first: dismissed, nothing happens.
        browser.driver().findElement(By.id("erase")).click();
        browser.await(ExpectedConditions.alertIsPresent()).dismiss();
        assertThat(browser.driver()
                        .findElement(By.cssSelector("[data-testid=member-name]"))
                        .getText())
                .isEqualTo("Erin Erasure");
        browser.driver().findElement(By.id("erase")).click();
        browser.await(ExpectedConditions.alertIsPresent()).accept();
        assertThat(browser.awaitVisible(By.cssSelector("p.notice")).getText()).startsWith("Member erased.");
        assertThat(browser.driver()
                        .findElement(By.cssSelector("[data-testid=member-name]"))
                        .getText())
                .isEqualTo("Erased member");
        assertThat(browser.driver().findElement(By.tagName("main")).getText()).doesNotContain("Erin Erasure");
        check("member-erased");

        site.awaitInSync();
        assertThat(site.edge.tap(uid).decision()).isInstanceOf(Decision.Denied.class);
        assertThat(site.api()
                        .get("/api/v1/audit?action=member.erase&resourceId=" + member, site.token())
                        .json()
                        .get("items"))
                .hasSize(1);
    }

    @Test
    void aReadOnlyAccountSeesNoChangeButtonsAndItsPostsAreRefused() {
        String member = site.member("Rita Readonly", LiveSite.uid());
        String password = "read only password for tests";
        String readOnly = site.account("read-only", "[]", password);
        site.signIn(browser, readOnly, password);
        browser.open(site.url("/console/members/" + member));
        browser.awaitVisible(By.cssSelector("[data-testid=member-name]"));
        assertThat(browser.driver().findElements(By.id("suspend"))).isEmpty();
        assertThat(browser.driver().findElements(By.id("enroll"))).isEmpty();
        assertThat(browser.driver().findElements(By.id("issue-qr"))).isEmpty();
        check("member-read-only");
        String csrf = browser.driver()
                .findElement(By.cssSelector("meta[name=csrf-token]"))
                .getAttribute("content");
        Api.Response refused = site.api()
                .withCookie(
                        "POST",
                        "/console/members/" + member + "/status",
                        cookie(),
                        Optional.of("_csrf=" + URLEncoder.encode(csrf, StandardCharsets.UTF_8) + "&action=suspend"));
        assertThat(refused.status()).isEqualTo(403);
        assertThat(refused.text()).contains("read-only");
        assertThat(site.api()
                        .get("/api/v1/members/" + member, site.token())
                        .json()
                        .get("status")
                        .asText())
                .isEqualTo("active");
        browser.open(site.url("/console/members/new"));
        assertThat(browser.awaitVisible(By.tagName("h1")).getText()).contains("403");
        assertThat(browser.consoleErrors()).singleElement().asString().contains("status of 403");
    }

    private String cookie() {
        return "gh_session="
                + browser.driver().manage().getCookieNamed("gh_session").getValue();
    }

    private List<com.fasterxml.jackson.databind.JsonNode> members(String q) {
        List<com.fasterxml.jackson.databind.JsonNode> found = new java.util.ArrayList<>();
        site.api()
                .get("/api/v1/members?q=" + q, site.token())
                .json()
                .get("items")
                .forEach(found::add);
        return found;
    }

    private byte[] png(String path) throws Exception {
        HttpResponse<byte[]> response = HttpClient.newHttpClient()
                .send(
                        HttpRequest.newBuilder(URI.create(site.url(path)))
                                .header("Cookie", cookie())
                                .build(),
                        HttpResponse.BodyHandlers.ofByteArray());
        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.headers().firstValue("Content-Type")).hasValue("image/png");
        return response.body();
    }

    private static List<Path> emls(Path folder) throws Exception {
        if (!Files.isDirectory(folder)) {
            return List.of();
        }
        try (Stream<Path> files = Files.list(folder)) {
            return files.filter(file -> file.getFileName().toString().endsWith(".eml"))
                    .sorted()
                    .toList();
        }
    }
}
