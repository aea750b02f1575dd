package dev.gatehouse.hub.console;

import static org.assertj.core.api.Assertions.assertThat;

import dev.gatehouse.browser.Axe;
import dev.gatehouse.hub.testing.Api;
import dev.gatehouse.hub.testing.LiveBrowserTest;
import dev.gatehouse.hub.testing.LiveSite;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.support.ui.ExpectedConditions;

/**
 * The console in a real Chromium against a real hub and a simulated site: sign-in, the overview and
 * its live feed, escaping, CSRF, sign-out and tenant isolation of sessions.
 */
class ConsoleBrowserTest extends LiveBrowserTest {

    @Test
    void theHubRootIsTheSignInPageAndAWrongPasswordSaysSoWithoutSigningIn() {
        browser.open(site.url("/"));
        browser.awaitVisible(By.id("email"));
        Axe.assertNoSeriousViolations(browser, "sign-in");
        browser.screenshot("signin");
        site.submitSignIn(browser, site.ownerEmail, "not the password at all");
        assertThat(browser.awaitVisible(By.id("signin-error")).getText()).contains("wrong");
        assertThat(browser.driver().getCurrentUrl()).endsWith("/signin");
        browser.open(site.url("/console"));
        browser.awaitVisible(By.id("email")); // still signed out: back to the sign-in page
        assertThat(browser.driver().getCurrentUrl()).contains("/signin?next=%2Fconsole");
    }

    @Test
    void aTapAtTheSimulatedDoorAppearsInTheLiveFeedWithTheMembersNameAsText() {
        String uid = LiveSite.uid();
        String name = "<script>alert('x')</script> Ada";
        site.member(name, uid);
        site.awaitInSync();
        site.signInAsOwner(browser);
        browser.open(site.url("/console"));
        browser.awaitVisible(By.cssSelector("table.feed"));
        WebElement feed = browser.driver().findElement(By.id("feed"));
        assertThat(browser.driver().findElement(By.tagName("h2")).getText()).isEqualTo("Berlin Mitte");
        // The page's event stream opens before the tap: the row must arrive live, not on a reload.
        assertThat(feed.findElements(By.cssSelector("tr.granted"))).isEmpty();
        site.edge.tap(uid);
        WebElement row = browser.await(ExpectedConditions.presenceOfElementLocated(By.cssSelector("#feed tr.granted")));
        assertThat(row.getText()).contains(name).contains("Front door").contains("granted");
        assertThat(browser.driver().findElements(By.cssSelector("#feed script")))
                .isEmpty();
        // The tiles refresh by themselves: the member now counts as on site, the edge as online.
        browser.await(driver -> driver.findElement(By.cssSelector("[data-testid='people-" + site.siteId + "']"))
                .getText()
                .equals("1"));
        assertThat(browser.driver()
                        .findElement(By.cssSelector("[data-testid='devices-" + site.siteId + "']"))
                        .getText())
                .isEqualTo("1 online of 1");
        // The owner sees finance's figure, with what it counts.
        assertThat(browser.driver().findElement(By.id("mrr")).getText())
                .contains("Monthly recurring revenue")
                .contains("No recurring subscriptions run now.")
                .contains("no one-off packages");
        assertThat(browser.consoleErrors()).isEmpty();
        Axe.assertNoSeriousViolations(browser, "overview");
        browser.screenshot("overview-live");
    }

    @Test
    void aFormWithoutItsCsrfTokenIsRefusedAndChangesNothing() {
        site.signInAsOwner(browser);
        browser.open(site.url("/console"));
        browser.awaitVisible(By.cssSelector("table.feed"));
        // Sign-out without the token: the session must survive.
        String cookie = browser.driver().manage().getCookieNamed("gh_session").getValue();
        Api.Response refused =
                site.api().withCookie("POST", "/signout", "gh_session=" + cookie, Optional.of("_csrf=forged"));
        assertThat(refused.status()).isEqualTo(403);
        browser.open(site.url("/console"));
        assertThat(browser.awaitVisible(By.tagName("h1")).getText()).isEqualTo("Overview");
    }

    @Test
    void anotherTenantsSessionCannotReadThisTenantsPages() {
        site.signInAsOwner(browser);
        String cookie = browser.driver().manage().getCookieNamed("gh_session").getValue();
        // The session's API view is its own tenant's: another tenant's site is not found.
        var other = site.hub.newTenant("other");
        String otherSite = site.hub.create(
                "/api/v1/sites",
                other.token(),
                "{\"name\":\"Elsewhere\",\"address\":\"2 Test St\",\"timeZone\":\"UTC\"}");
        Api.Response answer =
                site.api().withCookie("GET", "/api/v1/sites/" + otherSite, "gh_session=" + cookie, Optional.empty());
        assertThat(answer.status()).isEqualTo(404);
        browser.open(site.url("/console"));
        assertThat(browser.driver().getPageSource()).doesNotContain("Elsewhere");
    }

    @Test
    void signingOutEndsTheSession() {
        site.signInAsOwner(browser);
        String cookie = browser.driver().manage().getCookieNamed("gh_session").getValue();
        site.signOut(browser);
        Api.Response after = site.api().withCookie("GET", "/console", "gh_session=" + cookie, Optional.empty());
        assertThat(after.status()).isEqualTo(303);
        assertThat(after.headers().firstValue("Location")).hasValue("/signin?next=%2Fconsole");
    }
}
