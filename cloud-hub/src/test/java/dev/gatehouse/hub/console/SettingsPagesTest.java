package dev.gatehouse.hub.console;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.gatehouse.browser.Axe;
import dev.gatehouse.hub.testing.Api;
import dev.gatehouse.hub.testing.LiveBrowserTest;
import dev.gatehouse.hub.testing.MailFolder;
import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.Select;

/**
 * The settings page in a real Chromium: branding (name, colours, a logo checked before it is kept)
 * shown in the console and the member portal, operator accounts invited by mail and their roles
 * changed, API tokens made, shown once and revoked — and only owners get there.
 */
class SettingsPagesTest extends LiveBrowserTest {
    private static final String CLEAN_SVG = "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 10 10\">"
            + "<rect width=\"10\" height=\"10\" fill=\"#7a1f4e\"/></svg>";

    private final HttpClient http = HttpClient.newHttpClient();

    private void openSettingsAsOwner() {
        site.signInAsOwner(browser);
        browser.open(site.url("/console/settings"));
        browser.awaitHeading("Settings");
    }

    private JsonNode tenant() {
        return site.api().get("/api/v1/tenant", site.token()).json();
    }

    private HttpResponse<byte[]> get(String path) throws Exception {
        return http.send(
                HttpRequest.newBuilder(URI.create(site.url(path))).build(), HttpResponse.BodyHandlers.ofByteArray());
    }

    private void setValue(String id, String value) {
        browser.script("document.getElementById(arguments[0]).value = arguments[1];", id, value);
    }

    private void saveBranding() {
        browser.driver().findElement(By.id("save-branding")).click();
    }

    @Test
    void anOwnerBrandsTheConsoleAndTheMemberPortalWithNameColoursAndLogo() throws Exception {
        openSettingsAsOwner();
        Axe.assertNoSeriousViolations(browser, "settings");
        browser.screenshot("settings");
        WebElement name = browser.driver().findElement(By.id("brand-name"));
        name.clear();
        name.sendKeys("Coworking Süd");
        setValue("brand-primary", "#7a1f4e");
        setValue("logo", CLEAN_SVG);
        saveBranding();
        assertThat(browser.awaitVisible(By.cssSelector("p.notice")).getText()).contains("Branding saved");
        assertThat(browser.driver()
                        .findElement(By.cssSelector("header.top a.brand"))
                        .getText())
                .isEqualTo("Coworking Süd");
        // The colour reaches the page: the header is painted with it.
        assertThat(browser.driver().findElement(By.cssSelector("header.top")).getCssValue("background-color"))
                .isEqualTo("rgba(122, 31, 78, 1)");
        assertThat(tenant().get("primaryColor").asText()).isEqualTo("#7a1f4e");
        HttpResponse<byte[]> logo = get("/console/logo?tenant=" + site.tenant.slug());
        assertThat(logo.headers().firstValue("Content-Type")).hasValue("image/svg+xml");
        assertThat(new String(logo.body(), java.nio.charset.StandardCharsets.UTF_8))
                .contains("#7a1f4e");
        assertThat(logo.headers().firstValue("Content-Security-Policy"))
                .hasValueSatisfying(csp -> assertThat(csp).startsWith("default-src 'none'"));
        // The member portal's sign-in page of this space takes the same branding.
        HttpResponse<byte[]> css = get("/console/branding.css?tenant=" + site.tenant.slug());
        assertThat(new String(css.body(), java.nio.charset.StandardCharsets.UTF_8))
                .contains("--brand: #7a1f4e");
        browser.screenshot("settings-branded");
        // The audit log has the change with its before and after.
        JsonNode audit = site.api()
                .get("/api/v1/audit?action=tenant.update", site.token())
                .json();
        assertThat(audit.get("items").toString()).contains("Coworking Süd");
    }

    @Test
    void aLogoWithAScriptOrAColourTooLightForWhiteTextIsRefusedAndChangesNothing() throws Exception {
        JsonNode before = tenant();
        byte[] logoBefore = get("/console/logo?tenant=" + site.tenant.slug()).body();
        openSettingsAsOwner();
        setValue("logo", "<svg xmlns=\"http://www.w3.org/2000/svg\"><script>alert(1)</script></svg>");
        saveBranding();
        assertThat(browser.awaitVisible(By.id("branding-error")).getText())
                .contains("logo was not taken")
                .contains("script");
        setValue("brand-primary", "#ffee00");
        saveBranding();
        browser.awaitText(By.id("branding-error"), "too light", "#ffee00");
        Axe.assertNoSeriousViolations(browser, "settings-refused");
        browser.screenshot("settings-refused");
        assertThat(tenant()).isEqualTo(before);
        assertThat(get("/console/logo?tenant=" + site.tenant.slug()).body()).isEqualTo(logoBefore);
    }

    @Test
    void aPngLogoChosenAsAFileIsReadByThePageAndServedAsPng() throws Exception {
        BufferedImage image = new BufferedImage(64, 32, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = image.createGraphics();
        g.setColor(new Color(0x1f, 0x4e, 0x79));
        g.fillRect(0, 0, 64, 32);
        g.dispose();
        Path png = Files.createTempFile("logo", ".png");
        ImageIO.write(image, "png", png.toFile());
        openSettingsAsOwner();
        browser.driver()
                .findElement(By.id("logo-file"))
                .sendKeys(png.toAbsolutePath().toString());
        browser.await(driver ->
                driver.findElement(By.id("logo")).getDomProperty("value").startsWith("data:image/png;base64,"));
        saveBranding();
        browser.awaitVisible(By.cssSelector("p.notice"));
        HttpResponse<byte[]> logo = get("/console/logo?tenant=" + site.tenant.slug());
        assertThat(logo.headers().firstValue("Content-Type")).hasValue("image/png");
        BufferedImage served = ImageIO.read(new java.io.ByteArrayInputStream(logo.body()));
        assertThat(served.getWidth()).isEqualTo(64);
        assertThat(served.getHeight()).isEqualTo(32);
        // The header shows it: the image loaded (a broken image has no natural width).
        assertThat(browser.script("return document.querySelector('img.logo-preview').naturalWidth;"))
                .isEqualTo(64L);
    }

    @Test
    void anInvitedFrontDeskGetsAMailSetsAPasswordAndCannotOpenSettingsInPagesOrApi() throws Exception {
        openSettingsAsOwner();
        String email = "desk-" + System.nanoTime() + "@" + site.tenant.slug() + ".example";
        browser.driver().findElement(By.id("invite-email")).sendKeys(email);
        browser.driver().findElement(By.id("invite-name")).sendKeys("Dana Desk");
        new Select(browser.driver().findElement(By.id("invite-role"))).selectByValue("front-desk");
        new Select(browser.driver().findElement(By.id("invite-sites"))).selectByValue(site.siteId);
        browser.driver().findElement(By.id("invite")).click();
        assertThat(browser.awaitVisible(By.cssSelector("p.notice")).getText()).contains("Invitation sent");
        WebElement row = browser.driver().findElement(By.cssSelector("tr[data-account='" + email + "']"));
        assertThat(row.getText()).contains("Dana Desk").contains("invited");
        site.signOut(browser);

        String link = MailFolder.linkMailedTo(site.hub.dataDir().resolve("mail"), email, "/invite/");
        browser.open(link);
        browser.awaitVisible(By.id("password")).sendKeys("front desk password 1");
        browser.driver().findElement(By.id("confirm")).sendKeys("front desk password 1");
        browser.driver().findElement(By.cssSelector("form.stack button")).click();
        browser.awaitVisible(By.cssSelector(".notice"));
        site.signIn(browser, email, "front desk password 1");
        browser.awaitHeading("Overview");
        // No menu entry, and the page itself answers 403 with a page that says why.
        assertThat(browser.driver().findElements(By.cssSelector("nav a[href='/console/settings']")))
                .isEmpty();
        browser.open(site.url("/console/settings"));
        assertThat(browser.awaitVisible(By.tagName("h1")).getText()).contains("403");
        assertThat(browser.driver().findElement(By.tagName("main")).getText()).contains("front desk");
        browser.screenshot("settings-front-desk-refused");
        // The same session on the API: the accounts and tokens are an owner's.
        String cookie = browser.driver().manage().getCookieNamed("gh_session").getValue();
        assertThat(site.api()
                        .withCookie("GET", "/api/v1/tokens", "gh_session=" + cookie, Optional.empty())
                        .status())
                .isEqualTo(403);
        assertThat(site.api()
                        .withCookie("GET", "/api/v1/accounts", "gh_session=" + cookie, Optional.empty())
                        .status())
                .isEqualTo(403);
        browser.consoleErrors(); // the 403 page's own status line
    }

    @Test
    void changingARoleEndsThatOperatorsSessions() {
        String password = "site manager password";
        String email = site.account("site-manager", "[\"" + site.siteId + "\"]", password);
        site.signIn(browser, email, password);
        String managerCookie =
                browser.driver().manage().getCookieNamed("gh_session").getValue();
        browser.driver().manage().deleteAllCookies();
        openSettingsAsOwner();
        WebElement row = browser.driver().findElement(By.cssSelector("tr[data-account='" + email + "']"));
        new Select(row.findElement(By.cssSelector("select[name=role]"))).selectByValue("read-only");
        row.findElement(By.cssSelector("button[type=submit]")).click();
        assertThat(browser.awaitVisible(By.cssSelector("p.notice")).getText()).contains("Account saved");
        JsonNode accounts = site.api().get("/api/v1/accounts", site.token()).json();
        List<String> roles = new ArrayList<>();
        for (JsonNode account : accounts.get("items")) {
            if (account.get("email").asText().equals(email)) {
                roles.add(account.get("role").asText());
                assertThat(account.get("sites").get(0).asText()).isEqualTo(site.siteId);
            }
        }
        assertThat(roles).containsExactly("read-only");
        Api.Response after = site.api().withCookie("GET", "/console", "gh_session=" + managerCookie, Optional.empty());
        assertThat(after.status()).isEqualTo(303); // signed out: back to sign-in
    }

    @Test
    void aTokenIsShownOnceWorksWithItsRoleOnlyAndStopsWhenRevoked() {
        openSettingsAsOwner();
        String name = "Lobby screen " + System.nanoTime();
        browser.driver().findElement(By.id("token-name")).sendKeys(name);
        new Select(browser.driver().findElement(By.id("token-role"))).selectByValue("read-only");
        browser.driver().findElement(By.id("create-token")).click();
        String token = browser.awaitVisible(By.id("new-token")).getText();
        assertThat(token).startsWith("ght_");
        browser.screenshot("settings-token");
        assertThat(site.api().get("/api/v1/members", token).status()).isEqualTo(200);
        Api.Response refused =
                site.api().post("/api/v1/members", token, "{\"email\":\"x@members.example\",\"fullName\":\"X\"}");
        assertThat(refused.status()).isEqualTo(403);
        // Shown once: the page's next load lists only its hint.
        browser.open(site.url("/console/settings"));
        WebElement row = browser.awaitVisible(By.cssSelector("tr[data-token='" + name + "']"));
        assertThat(browser.driver().getPageSource()).doesNotContain(token);
        row.findElement(By.cssSelector("button[type=submit]")).click();
        browser.await(ExpectedConditions.alertIsPresent()).accept(); // the form's data-confirm question
        assertThat(browser.awaitVisible(By.cssSelector("p.notice")).getText()).contains("revoked");
        assertThat(site.api().get("/api/v1/members", token).status()).isEqualTo(401);
    }

    @Test
    void aSettingsFormWithoutItsCsrfTokenIsRefusedAndChangesNothing() {
        JsonNode before = tenant();
        site.signInAsOwner(browser);
        String cookie = browser.driver().manage().getCookieNamed("gh_session").getValue();
        Api.Response refused = site.api()
                .withCookie(
                        "POST",
                        "/console/settings/branding",
                        "gh_session=" + cookie,
                        Optional.of("_csrf=forged&name=Hijacked"));
        assertThat(refused.status()).isEqualTo(403);
        assertThat(tenant()).isEqualTo(before);
    }
}
