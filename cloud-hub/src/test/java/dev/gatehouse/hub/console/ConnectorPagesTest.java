package dev.gatehouse.hub.console;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.gatehouse.browser.Axe;
import dev.gatehouse.hub.HubConfig;
import dev.gatehouse.hub.connectors.ConnectorSettings;
import dev.gatehouse.hub.connectors.StandIn;
import dev.gatehouse.hub.connectors.quickbooks.QuickBooksStandIn;
import dev.gatehouse.hub.connectors.slack.SlackStandIn;
import dev.gatehouse.hub.testing.LiveBrowserTest;
import dev.gatehouse.hub.testing.LiveSite;
import java.net.URI;
import java.time.Duration;
import java.util.Optional;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.openqa.selenium.By;
import org.openqa.selenium.WebElement;

/**
 * The connectors' console pages in a real Chromium against a real hub and local stand-ins of QuickBooks
 * and Slack: an owner sees every connector's state, sets QuickBooks up (its secret never shown again),
 * connects through the OAuth2 flow, runs the pre-flight and sees its mismatches, is refused switching it
 * on until they are fixed, sees a failed job with QuickBooks' reason and retries it, and switches it off;
 * Slack is set up with its token and switched on. Another role neither sees nor opens the pages, and a
 * form posted without the session's CSRF token changes nothing. Each page is checked with axe.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ConnectorPagesTest extends LiveBrowserTest {
    private final QuickBooksStandIn qbo = new QuickBooksStandIn();
    private final SlackStandIn slack = new SlackStandIn();

    @Override
    protected HubConfig hubConfig(HubConfig config) {
        return config.withConnectors(ConnectorSettings.defaults()
                .withBase(ConnectorSettings.QUICKBOOKS, qbo.base())
                .withBase(ConnectorSettings.SLACK, slack.base()));
    }

    @AfterAll
    void stopStandIns() {
        qbo.close();
        slack.close();
    }

    private WebElement row(String connector) {
        return browser.awaitVisible(By.cssSelector("tr[data-connector='" + connector + "']"));
    }

    private void click(String id) {
        browser.driver().findElement(By.id(id)).click();
    }

    private boolean enabled(String connector) {
        return site.api()
                .get("/api/v1/connectors/" + connector, site.token())
                .json()
                .get("enabled")
                .asBoolean();
    }

    private JsonNode jobs(String status) {
        return site.api()
                .get("/api/v1/connectors/quickbooks/jobs?status=" + status, site.token())
                .json()
                .get("items");
    }

    @Test
    @Order(1)
    void anOwnerSeesEveryConnectorsStateAndSetsQuickBooksUpWithoutSeeingItsSecretAgain() {
        site.signInAsOwner(browser);
        browser.open(site.url("/console"));
        browser.driver()
                .findElement(By.cssSelector("nav a[href='/console/connectors']"))
                .click();
        assertThat(row("quickbooks")
                        .findElement(By.cssSelector("[data-testid=connector-state]"))
                        .getText())
                .isEqualTo("not set up");
        assertThat(row("hubspot").getText()).contains("HubSpot");
        assertThat(row("slack").getText()).contains("Slack");
        Axe.assertNoSeriousViolations(browser, "connectors");
        browser.screenshot("connectors-list-empty");

        row("quickbooks").findElement(By.linkText("QuickBooks Online")).click();
        browser.awaitVisible(By.id("setting-itemId")).sendKeys("1");
        browser.driver().findElement(By.id("setting-taxCodeId")).sendKeys("TAX");
        browser.driver().findElement(By.id("secret-clientId")).sendKeys(QuickBooksStandIn.CLIENT_ID);
        browser.driver().findElement(By.id("secret-clientSecret")).sendKeys(QuickBooksStandIn.CLIENT_SECRET);
        click("save-settings");
        assertThat(browser.awaitVisible(By.id("connector-notice")).getText()).contains("saved");
        assertThat(browser.driver()
                        .findElement(By.cssSelector("[data-testid=secret-clientSecret]"))
                        .getText())
                .startsWith("Set.");
        assertThat(browser.driver().getPageSource()).doesNotContain(QuickBooksStandIn.CLIENT_SECRET);
        assertThat(browser.driver().findElement(By.id("setting-itemId")).getAttribute("value"))
                .isEqualTo("1");

        // A bad value is refused beside its field and changes nothing.
        browser.driver().findElement(By.id("setting-numbering")).clear();
        browser.driver().findElement(By.id("setting-numbering")).sendKeys("both");
        click("save-settings");
        assertThat(browser.awaitVisible(By.id("setting-numbering-error")).getText())
                .contains("both");
        assertThat(browser.consoleErrors()).singleElement().satisfies(e -> assertThat(e)
                .contains("422"));
        assertThat(site.api()
                        .get("/api/v1/connectors/quickbooks", site.token())
                        .json()
                        .at("/settings/numbering")
                        .asText())
                .isEqualTo("gatehouse");
        Axe.assertNoSeriousViolations(browser, "connector-refused");
    }

    @Test
    @Order(2)
    void connectingRunsTheOAuthFlowAndThePreflightsMismatchesKeepItOffUntilFixed() {
        site.signInAsOwner(browser);
        browser.open(site.url("/console/connectors/quickbooks"));
        click("connect");
        // The browser is at QuickBooks' authorization page (the stand-in's), with this hub's state.
        browser.await(driver -> driver.getCurrentUrl().contains("/connect/oauth2"));
        URI authorize = URI.create(browser.driver().getCurrentUrl());
        String state = StandIn.form(authorize.getRawQuery()).get("state");
        assertThat(StandIn.form(authorize.getRawQuery()))
                .containsEntry("client_id", QuickBooksStandIn.CLIENT_ID)
                .containsEntry("redirect_uri", site.url("/connectors/oauth/callback"));
        browser.consoleErrors(); // the stand-in's consent page is no page at all
        // The owner consents; QuickBooks sends the browser back with a code and the company.
        browser.open(site.url("/connectors/oauth/callback?code=" + qbo.issueCode() + "&state=" + state + "&realmId="
                + QuickBooksStandIn.REALM));
        assertThat(browser.awaitVisible(By.tagName("main")).getText()).contains("Connected");

        qbo.preference("AutoApplyCredit", true);
        try {
            browser.open(site.url("/console/connectors/quickbooks"));
            assertThat(browser.awaitVisible(By.cssSelector("dd[data-testid=connection]"))
                            .getText())
                    .startsWith("connected");
            click("run-preflight");
            assertThat(browser.awaitVisible(By.cssSelector("#mismatches li[data-code=auto-apply-credits]"))
                            .getText())
                    .contains("Automatically apply credits");
            Axe.assertNoSeriousViolations(browser, "connector-preflight");
            browser.screenshot("connector-preflight-mismatches");

            click("switch-on");
            assertThat(browser.awaitVisible(By.id("connector-error")).getText()).contains("stays off");
            assertThat(browser.driver().findElements(By.cssSelector("#mismatches li")))
                    .hasSize(1);
            assertThat(browser.consoleErrors()).singleElement().satisfies(e -> assertThat(e)
                    .contains("409"));
            assertThat(enabled("quickbooks")).isFalse();
        } finally {
            qbo.preference("AutoApplyCredit", false);
        }
        click("run-preflight");
        browser.awaitVisible(By.id("preflight-ok"));
        click("switch-on");
        assertThat(browser.awaitVisible(By.id("connector-notice")).getText()).contains("is on");
        assertThat(browser.driver()
                        .findElement(By.cssSelector("[data-testid=connector-state]"))
                        .getText())
                .isEqualTo("on");
    }

    @Test
    @Order(3)
    void aFailedJobShowsQuickBooksReasonAndIsRetriedFromThePage() {
        String member = site.member("Mary Connector", LiveSite.uid());
        await().atMost(Duration.ofSeconds(20)).until(() -> jobs("done").size() == 1);
        qbo.preference("CustomTxnNumbers", false);
        try {
            site.api()
                    .post(
                            "/api/v1/members/" + member + "/charges",
                            site.token(),
                            "{\"description\":\"Desk\",\"amount\":9900,\"currency\":\"EUR\",\"idempotencyKey\":\"console-1\"}");
            site.api().post("/api/v1/members/" + member + "/invoices", site.token(), "");
            await().atMost(Duration.ofSeconds(20)).until(() -> jobs("failed").size() == 1);

            site.signInAsOwner(browser);
            browser.open(site.url("/console/connectors"));
            assertThat(row("quickbooks")
                            .findElement(By.cssSelector("[data-testid=failed]"))
                            .getText())
                    .isEqualTo("1");
            assertThat(row("quickbooks")
                            .findElement(By.cssSelector("[data-testid=connector-state]"))
                            .getText())
                    .isEqualTo("on");
            browser.screenshot("connectors-list");
            row("quickbooks").findElement(By.linkText("QuickBooks Online")).click();
            WebElement failed = browser.awaitVisible(By.cssSelector("tr[data-status=failed]"));
            assertThat(failed.findElement(By.cssSelector("[data-testid=job-error]"))
                            .getText())
                    .contains("Custom transaction numbers are off");
            Axe.assertNoSeriousViolations(browser, "connector-jobs");
            browser.screenshot("connector-failed-job");
        } finally {
            qbo.preference("CustomTxnNumbers", true);
        }
        browser.driver()
                .findElement(By.cssSelector("tr[data-status=failed] button.retry"))
                .click();
        assertThat(browser.awaitVisible(By.id("connector-notice")).getText()).contains("run again");
        await().atMost(Duration.ofSeconds(20)).until(() -> jobs("done").size() == 2);
        browser.open(site.url("/console/connectors/quickbooks"));
        browser.awaitVisible(By.cssSelector("[data-testid=no-failures]"));
        assertThat(browser.consoleErrors()).isEmpty();

        click("switch-off");
        assertThat(browser.awaitVisible(By.id("connector-notice")).getText()).contains("is off");
        assertThat(enabled("quickbooks")).isFalse();
    }

    @Test
    @Order(4)
    void slackIsSetUpWithItsTokenAndSwitchedOn() {
        slack.channel("C0CONSOLE", "front-desk", true, false);
        site.signInAsOwner(browser);
        browser.open(site.url("/console/connectors/slack"));
        assertThat(browser.driver().findElements(By.id("connect"))).isEmpty();
        browser.awaitVisible(By.id("setting-channel")).sendKeys("C0CONSOLE");
        browser.driver().findElement(By.id("secret-botToken")).sendKeys(SlackStandIn.TOKEN);
        click("save-settings");
        browser.awaitVisible(By.id("connector-notice"));
        click("switch-on");
        assertThat(browser.awaitVisible(By.id("connector-notice")).getText()).contains("is on");
        site.member("Sam Slack", LiveSite.uid());
        await().atMost(Duration.ofSeconds(20))
                .until(() -> !slack.posted("C0CONSOLE").isEmpty());
        browser.open(site.url("/console/connectors/slack"));
        assertThat(browser.awaitVisible(By.cssSelector("tr[data-status=done]")).getText())
                .contains("member.created");
        Axe.assertNoSeriousViolations(browser, "connector-slack");
        browser.screenshot("connector-slack");
        assertThat(browser.consoleErrors()).isEmpty();
    }

    @Test
    @Order(5)
    void anotherRoleNeitherSeesNorOpensThePagesAndAFormWithoutItsTokenChangesNothing() {
        String email = site.account("site-manager", "[\"" + site.siteId + "\"]", "site manager password 1");
        site.signIn(browser, email, "site manager password 1");
        assertThat(browser.driver().findElements(By.cssSelector("nav a[href='/console/connectors']")))
                .isEmpty();
        browser.open(site.url("/console/connectors"));
        assertThat(browser.awaitVisible(By.tagName("h1")).getText()).contains("403");
        browser.consoleErrors();

        site.signInAsOwner(browser);
        String cookie = browser.driver().manage().getCookieNamed("gh_session").getValue();
        assertThat(site.api()
                        .withCookie(
                                "POST",
                                "/console/connectors/slack/disable",
                                "gh_session=" + cookie,
                                Optional.of("_csrf=forged"))
                        .status())
                .isEqualTo(403);
        assertThat(enabled("slack")).isTrue();
    }
}
