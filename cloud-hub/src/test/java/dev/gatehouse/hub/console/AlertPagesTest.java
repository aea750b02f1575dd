package dev.gatehouse.hub.console;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.icegreen.greenmail.util.GreenMail;
import com.icegreen.greenmail.util.ServerSetupTest;
import dev.gatehouse.browser.Axe;
import dev.gatehouse.hub.HubConfig;
import dev.gatehouse.hub.accounts.MailSettings;
import dev.gatehouse.hub.testing.LiveBrowserTest;
import jakarta.mail.internet.MimeMessage;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.openqa.selenium.By;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.support.ui.ExpectedConditions;

/**
 * Fleet alerts in a real Chromium against a real hub, a simulated site and a real SMTP server
 * (GreenMail, in process): a door forced open on the simulator shows on the alerts page without a
 * reload and is mailed to the alert contacts, then resolved when the door closes; an edge that stops
 * raises "offline". Contacts are set on the page, bad addresses refused with nothing changed, and only
 * owners see that form. The edge is stopped last.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class AlertPagesTest extends LiveBrowserTest {
    static final GreenMail SMTP = new GreenMail(ServerSetupTest.SMTP.dynamicPort());
    static final String OPS = "ops@alerts.example";

    static {
        SMTP.start();
    }

    @Override
    protected HubConfig hubConfig(HubConfig config) {
        return config.withMail(new MailSettings(
                MailSettings.Mode.SMTP,
                config.dataDir().resolve("mail"),
                "alerts@gatehouse.example",
                Optional.of("127.0.0.1"),
                SMTP.getSmtp().getPort(),
                Optional.empty(),
                Optional.empty(),
                false));
    }

    @AfterAll
    void stopSmtp() {
        SMTP.stop();
    }

    static List<MimeMessage> mailsTo(String address) {
        return Arrays.stream(SMTP.getReceivedMessages())
                .filter(m -> {
                    try {
                        return m.getAllRecipients()[0].toString().equals(address);
                    } catch (jakarta.mail.MessagingException e) {
                        return false;
                    }
                })
                .toList();
    }

    static List<String> subjects(String address) {
        return mailsTo(address).stream()
                .map(m -> {
                    try {
                        return m.getSubject();
                    } catch (jakarta.mail.MessagingException e) {
                        return "?";
                    }
                })
                .toList();
    }

    @Test
    @Order(1)
    void anOwnerSetsTheAlertContactsAndABadAddressChangesNothing() {
        site.signInAsOwner(browser);
        browser.open(site.url("/console/alerts"));
        assertThat(browser.awaitVisible(By.cssSelector("[data-testid=no-alerts]"))
                        .getText())
                .contains("No alerts");
        WebElement emails = browser.awaitVisible(By.id("alert-emails"));
        emails.sendKeys(OPS + "\nnot-an-address");
        browser.driver().findElement(By.id("save-alert-settings")).click();
        assertThat(browser.awaitVisible(By.id("alert-settings-error")).getText())
                .contains("'not-an-address' is not an e-mail address");
        JsonNode unchanged =
                site.api().get("/api/v1/alert-settings", site.token()).json();
        assertThat(unchanged.get("emails")).isEmpty();

        emails = browser.driver().findElement(By.id("alert-emails"));
        emails.clear();
        emails.sendKeys(OPS);
        browser.driver().findElement(By.id("save-alert-settings")).click();
        assertThat(browser.awaitVisible(By.cssSelector("p.notice")).getText()).contains("saved");
        JsonNode saved = site.api().get("/api/v1/alert-settings", site.token()).json();
        assertThat(saved.get("emails").get(0).asText()).isEqualTo(OPS);
        assertThat(site.api()
                        .get("/api/v1/audit?action=alerts.settings", site.token())
                        .json()
                        .get("items"))
                .hasSize(1);
        Axe.assertNoSeriousViolations(browser, "alerts");
        assertThat(browser.consoleErrors()).allMatch(e -> e.contains("422"));
    }

    @Test
    @Order(2)
    void aForcedDoorShowsLiveAndIsMailedThenResolvedWhenItCloses() throws Exception {
        site.signInAsOwner(browser);
        browser.open(site.url("/console/alerts"));
        browser.awaitVisible(By.cssSelector("[data-testid=alerts-live]"));
        long forced = System.nanoTime();
        site.edge.simulator().openDoor(site.door);

        By row = By.cssSelector("tr[data-alert=door-forced-open][data-subject=" + site.door + "]");
        browser.await(ExpectedConditions.textToBePresentInElementLocated(row, "open"));
        long onScreen = System.nanoTime();
        assertThat(browser.driver().findElement(row).getText()).contains("Front door forced open", "Berlin Mitte");
        await().atMost(Duration.ofSeconds(15))
                .until(() -> subjects(OPS).contains("Alert: Front door forced open (Berlin Mitte)"));
        long mailed = System.nanoTime();
        System.out.printf(
                "alerts: door forced open → console row %d ms, → mail at the SMTP server %d ms%n",
                Duration.ofNanos(onScreen - forced).toMillis(),
                Duration.ofNanos(mailed - forced).toMillis());
        // the owner is not mailed: the contacts replace the owners
        assertThat(mailsTo(site.ownerEmail)).isEmpty();
        browser.screenshot("alert-door-forced");

        site.edge.simulator().closeDoor(site.door);
        browser.await(ExpectedConditions.textToBePresentInElementLocated(row, "resolved"));
        await().atMost(Duration.ofSeconds(15))
                .until(() -> subjects(OPS).contains("Resolved: Front door forced open (Berlin Mitte)"));
        // once each, however many evaluations ran
        assertThat(subjects(OPS).stream().filter(s -> s.contains("forced open")))
                .hasSize(2);
        JsonNode open = site.api().get("/api/v1/alerts", site.token()).json();
        assertThat(open.get("items")).isEmpty();
        JsonNode all = site.api().get("/api/v1/alerts?status=all", site.token()).json();
        assertThat(all.at("/items/0/kind").asText()).isEqualTo("door-forced-open");
        assertThat(all.at("/items/0/clearedAt").isNull()).isFalse();
        assertThat(browser.consoleErrors()).isEmpty();
    }

    @Test
    @Order(3)
    void aFrontDeskSeesAlertsButNotTheContacts() {
        String email = site.account("front-desk", "[]", "front desk password for alerts");
        site.signIn(browser, email, "front desk password for alerts");
        browser.open(site.url("/console/alerts"));
        browser.awaitVisible(By.cssSelector("[data-testid=alerts-live]"));
        assertThat(browser.driver().findElements(By.id("alert-emails"))).isEmpty();
        assertThat(site.api().get("/api/v1/alert-settings", frontDeskToken()).status())
                .isEqualTo(403);
    }

    private String frontDeskToken() {
        return site.api()
                .post("/api/v1/tokens", site.token(), "{\"name\":\"desk\",\"role\":\"front-desk\",\"sites\":[]}")
                .json()
                .get("token")
                .asText();
    }

    @Test
    @Order(4)
    void anEdgeThatStopsRaisesOfflineOnThePageAndByMail() {
        site.signInAsOwner(browser);
        browser.open(site.url("/console/alerts"));
        browser.awaitVisible(By.cssSelector("[data-testid=alerts-live]"));
        long stopped = System.nanoTime();
        site.edge.close();
        By row = By.cssSelector("tr[data-alert=device-offline][data-subject=" + site.device + "]");
        browser.await(ExpectedConditions.textToBePresentInElementLocated(row, "open"));
        long onScreen = System.nanoTime();
        await().atMost(Duration.ofSeconds(15))
                .until(() -> subjects(OPS).contains("Alert: Front desk Pi offline (Berlin Mitte)"));
        System.out.printf(
                "alerts: edge stopped → offline row %d ms, → mail %d ms%n",
                Duration.ofNanos(onScreen - stopped).toMillis(),
                Duration.ofNanos(System.nanoTime() - stopped).toMillis());
        Axe.assertNoSeriousViolations(browser, "alerts with an offline device");
        browser.screenshot("alert-device-offline");
        assertThat(browser.consoleErrors()).isEmpty();
    }
}
