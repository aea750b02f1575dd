package dev.gatehouse.hub.console;

import static org.assertj.core.api.Assertions.assertThat;

import dev.gatehouse.browser.Axe;
import dev.gatehouse.browser.Browser;
import dev.gatehouse.hub.accounts.Totp;
import dev.gatehouse.hub.store.StoreKind;
import dev.gatehouse.hub.testing.Api;
import dev.gatehouse.hub.testing.MailFolder;
import dev.gatehouse.hub.testing.TestHub;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.openqa.selenium.By;

/**
 * Invitations, password resets, sign-in throttling and the owners' second factor, in a real Chromium
 * against a real hub whose mail lands in its folder (the demo's mode).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class SignInFlowsTest {
    private TestHub hub;
    private Browser browser;
    private TestHub.Tenant tenant;

    @BeforeAll
    void start() {
        hub = TestHub.start(StoreKind.SQLITE);
        tenant = hub.newTenant("flows");
        browser = Browser.start(SignInFlowsTest.class);
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

    @BeforeEach
    void signedOut() {
        browser.driver().manage().deleteAllCookies();
        browser.consoleErrors();
    }

    private String url(String path) {
        return "http://127.0.0.1:" + hub.hub().port() + path;
    }

    private void submitSignIn(String email, String password) {
        browser.open(url("/signin"));
        browser.awaitVisible(By.id("workspace")).sendKeys(tenant.slug());
        browser.driver().findElement(By.id("email")).sendKeys(email);
        browser.driver().findElement(By.id("password")).sendKeys(password);
        browser.driver()
                .findElement(By.cssSelector("form.stack button[type=submit]"))
                .click();
    }

    private String account(String email, Optional<String> password) {
        String json = "{\"email\":\"" + email + "\",\"name\":\"Someone\",\"role\":\"owner\""
                + password.map(p -> ",\"password\":\"" + p + "\"").orElse("") + "}";
        Api.Response created = hub.api().post("/api/v1/accounts", tenant.token(), json);
        assertThat(created.status()).as(created.toString()).isEqualTo(201);
        return created.json().get("id").asText();
    }

    /** The link in the newest mail to {@code to} in the hub's mail folder. */
    private String linkMailedTo(String to, String path) throws Exception {
        return MailFolder.linkMailedTo(hub.dataDir().resolve("mail"), to, path);
    }

    @Test
    void anInvitedOperatorChoosesAPasswordFromTheMailedLinkOnceAndSignsIn() throws Exception {
        String email = "invited@flows.example";
        account(email, Optional.empty());
        String link = linkMailedTo(email, "/invite/");
        browser.open(link);
        // Long enough for the browser's own check, but the confirmation differs: the server says so.
        browser.awaitVisible(By.id("password")).sendKeys("a long invited password");
        browser.driver().findElement(By.id("confirm")).sendKeys("another long password");
        browser.driver().findElement(By.cssSelector("form.stack button")).click();
        assertThat(browser.awaitVisible(By.id("password-error")).getText()).contains("differ");
        Axe.assertNoSeriousViolations(browser, "choose password");
        browser.screenshot("invite-choose-password");
        browser.driver().findElement(By.id("password")).sendKeys("a long invited password");
        browser.driver().findElement(By.id("confirm")).sendKeys("a long invited password");
        browser.driver().findElement(By.cssSelector("form.stack button")).click();
        browser.awaitVisible(By.cssSelector(".notice"));
        submitSignIn(email, "a long invited password");
        browser.awaitHeading("Overview");
        // The link worked once.
        browser.open(link);
        assertThat(browser.awaitVisible(By.cssSelector("p.error")).getText()).contains("expired or has been used");
    }

    @Test
    void aSignedInOperatorsPagesReportTheirServerTimeAndNoAnonymousPageDoes() throws Exception {
        account("timed@flows.example", Optional.of("a long timed password"));
        submitSignIn("timed@flows.example", "a long timed password");
        browser.awaitHeading("Overview");
        String cookie = "gh_session="
                + browser.driver().manage().getCookieNamed("gh_session").getValue();
        HttpClient http = HttpClient.newHttpClient();
        HttpResponse<String> page = http.send(
                HttpRequest.newBuilder(URI.create(url("/console/members")))
                        .header("Cookie", cookie)
                        .build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(page.statusCode()).isEqualTo(200);
        assertThat(page.headers().firstValue("Server-Timing")).hasValueSatisfying(value -> assertThat(value)
                .matches("app;dur=\\d+\\.\\d{3}, session;dur=\\d+\\.\\d{3}, data;dur=\\d+\\.\\d{3},"
                        + " render;dur=\\d+\\.\\d{3}"));
        HttpResponse<String> signIn = http.send(
                HttpRequest.newBuilder(URI.create(url("/signin"))).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(signIn.statusCode()).isEqualTo(200);
        assertThat(signIn.headers().firstValue("Server-Timing")).isEmpty();
    }

    @Test
    void aPasswordResetByMailEndsTheOldPasswordAndTheSameAnswerComesForUnknownAddresses() throws Exception {
        String email = "reset@flows.example";
        account(email, Optional.of("the first password here"));
        for (String who : List.of(email, "nobody@flows.example")) {
            browser.open(url("/reset"));
            browser.awaitVisible(By.id("workspace")).sendKeys(tenant.slug());
            browser.driver().findElement(By.id("email")).sendKeys(who);
            browser.driver().findElement(By.cssSelector("form.stack button")).click();
            assertThat(browser.awaitVisible(By.id("reset-notice")).getText()).contains("If an active account");
        }
        browser.screenshot("reset-asked");
        browser.open(linkMailedTo(email, "/reset/"));
        browser.awaitVisible(By.id("password")).sendKeys("the second password now");
        browser.driver().findElement(By.id("confirm")).sendKeys("the second password now");
        browser.driver().findElement(By.cssSelector("form.stack button")).click();
        browser.awaitVisible(By.cssSelector(".notice"));
        submitSignIn(email, "the first password here");
        assertThat(browser.awaitVisible(By.id("signin-error")).getText()).contains("wrong");
        submitSignIn(email, "the second password now");
        browser.awaitHeading("Overview");
    }

    @Test
    void theSixthWrongPasswordIsThrottledEvenWhenTheRightOneFollows() {
        String email = "throttled@flows.example";
        account(email, Optional.of("the right password ok"));
        for (int i = 0; i < 5; i++) {
            submitSignIn(email, "wrong password " + i);
            assertThat(browser.awaitVisible(By.id("signin-error")).getText()).contains("wrong");
        }
        submitSignIn(email, "the right password ok");
        assertThat(browser.awaitVisible(By.id("signin-error")).getText()).contains("Too many failed sign-ins");
        assertThat(browser.driver().manage().getCookieNamed("gh_session")).isNull();
    }

    @Test
    void anOwnerWithASecondFactorNeedsTheCurrentCodeAfterThePassword() {
        String email = "totp@flows.example";
        account(email, Optional.of("owner password with totp"));
        submitSignIn(email, "owner password with totp");
        browser.awaitVisible(By.cssSelector("header.top"));
        browser.open(url("/console/account"));
        String secret = browser.awaitVisible(By.id("totp-secret")).getText();
        Axe.assertNoSeriousViolations(browser, "my account");
        browser.screenshot("account-totp");
        // The previous step's code is still accepted; each code works once, so sign-in needs a later one.
        // Start early in a 30-second step, so that the step cannot roll over before the hub checks the
        // code (the previous step's code would then be two steps old).
        org.awaitility.Awaitility.await()
                .atMost(java.time.Duration.ofSeconds(31))
                .pollInterval(java.time.Duration.ofMillis(100))
                .until(() -> Instant.now().getEpochSecond() % 30 >= 1
                        && Instant.now().getEpochSecond() % 30 <= 15);
        browser.driver()
                .findElement(By.id("enroll-code"))
                .sendKeys(Totp.codeAt(secret, Instant.now().minusSeconds(30)));
        browser.driver()
                .findElement(By.cssSelector("form[action='/console/account/totp'] button"))
                .click();
        browser.awaitVisible(By.cssSelector(".notice"));
        browser.driver().manage().deleteAllCookies();
        submitSignIn(email, "owner password with totp");
        browser.awaitVisible(By.id("code"))
                .sendKeys("000000".equals(Totp.codeAt(secret, Instant.now())) ? "111111" : "000000");
        browser.driver().findElement(By.cssSelector("form.stack button")).click();
        assertThat(browser.awaitVisible(By.id("code-error")).getText()).contains("not the current one");
        // Before the code, the session opens nothing.
        String pending = browser.driver().manage().getCookieNamed("gh_session").getValue();
        assertThat(hub.api()
                        .withCookie("GET", "/console", "gh_session=" + pending, Optional.empty())
                        .status())
                .isEqualTo(303);
        String used = Totp.codeAt(secret, Instant.now());
        browser.driver().findElement(By.id("code")).sendKeys(used);
        browser.driver().findElement(By.cssSelector("form.stack button")).click();
        browser.awaitHeading("Overview");
        assertThat(browser.driver().manage().getCookieNamed("gh_session").getValue())
                .isNotEqualTo(pending);
        // The same code again, as someone who saw it would: refused, no session.
        browser.driver().manage().deleteAllCookies();
        submitSignIn(email, "owner password with totp");
        browser.awaitVisible(By.id("code")).sendKeys(used);
        browser.driver().findElement(By.cssSelector("form.stack button")).click();
        assertThat(browser.awaitVisible(By.id("code-error")).getText()).contains("used already");
        assertThat(browser.consoleErrors()).allMatch(error -> error.contains("401"));
    }
}
