package dev.gatehouse.hub.console;

import static org.assertj.core.api.Assertions.assertThat;

import dev.gatehouse.browser.Axe;
import dev.gatehouse.browser.Browser;
import dev.gatehouse.hub.store.StoreKind;
import dev.gatehouse.hub.testing.Api;
import dev.gatehouse.hub.testing.TestHub;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.Optional;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.openqa.selenium.By;

/**
 * Subdomain tenancy in the browser: {@code <slug>.gatehouse.localhost} (Chromium resolves every
 * {@code *.localhost} name to the loopback address) is that tenant's console; its sign-in page needs
 * no workspace, and its session never opens another tenant's pages.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class SubdomainConsoleTest {
    private static final String DOMAIN = "gatehouse.localhost";
    private static final String PASSWORD = "subdomain owner password";

    private TestHub hub;
    private Browser browser;
    private TestHub.Tenant acme;
    private TestHub.Tenant other;

    @BeforeAll
    void start() {
        hub = TestHub.start(StoreKind.SQLITE, Clock.systemUTC(), Optional.of(DOMAIN));
        acme = hub.newTenant("acme");
        other = hub.newTenant("other");
        for (TestHub.Tenant tenant : new TestHub.Tenant[] {acme, other}) {
            hub.create(
                    "/api/v1/accounts",
                    tenant.token(),
                    "{\"email\":\"owner@" + tenant.slug() + ".example\",\"name\":\"Owner\",\"role\":\"owner\","
                            + "\"password\":\"" + PASSWORD + "\"}");
        }
        browser = Browser.start(SubdomainConsoleTest.class);
    }

    @AfterAll
    void stop() {
        try {
            if (browser != null) {
                browser.close();
            }
        } finally {
            if (hub != null) {
                hub.close();
            }
        }
    }

    private String url(TestHub.Tenant tenant, String path) {
        return "http://" + tenant.slug() + "." + DOMAIN + ":" + hub.hub().port() + path;
    }

    @Test
    void aTenantsSubdomainSignsItsOperatorInAndItsSessionOpensNoOtherTenantsPages() {
        browser.open(url(acme, "/"));
        browser.awaitVisible(By.id("email")).sendKeys("owner@" + acme.slug() + ".example");
        assertThat(browser.driver().findElements(By.id("workspace"))).isEmpty();
        Axe.assertNoSeriousViolations(browser, "subdomain sign-in");
        browser.screenshot("subdomain-signin");
        browser.driver().findElement(By.id("password")).sendKeys(PASSWORD);
        browser.driver()
                .findElement(By.cssSelector("form.stack button[type=submit]"))
                .click();
        assertThat(browser.awaitVisible(By.cssSelector("header.top .brand")).getText())
                .isEqualTo("acme coworking");
        String cookie = browser.driver().manage().getCookieNamed("gh_session").getValue();

        // The cookie is host-only: the other tenant's subdomain gets no session and shows its sign-in.
        browser.open(url(other, "/console"));
        browser.awaitVisible(By.id("email"));
        // Even sent there on purpose, the session is refused on another tenant's host.
        Api.Response forged = hub.api()
                .raw(("GET /console HTTP/1.1\r\nHost: " + other.slug() + "." + DOMAIN + "\r\nCookie: gh_session="
                                + cookie + "\r\nConnection: close\r\n\r\n")
                        .getBytes(StandardCharsets.ISO_8859_1));
        assertThat(forged.status()).isEqualTo(303);
        Api.Response withCookie = hub.api().withCookie("GET", "/console", "gh_session=" + cookie, Optional.empty());
        assertThat(withCookie.status())
                .as("on the bare address the session is the tenant's own")
                .isEqualTo(200);
    }
}
