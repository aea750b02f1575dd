package dev.gatehouse.hub.portal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.gatehouse.browser.Axe;
import dev.gatehouse.edge.access.Decided;
import dev.gatehouse.hub.store.Sql;
import dev.gatehouse.hub.testing.Api;
import dev.gatehouse.hub.testing.EdgeSite;
import dev.gatehouse.hub.testing.LiveBrowserTest;
import dev.gatehouse.hub.testing.LiveSite;
import dev.gatehouse.hub.testing.QrImages;
import jakarta.mail.Session;
import jakarta.mail.internet.MimeMessage;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Properties;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.Cookie;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * The member portal on a phone-sized Chromium against a real hub and a simulated site: sign-in by an
 * e-mailed link, the rotating QR pass that the simulated door's scanner accepts, remote unlock
 * decided by the policy (and refused with its reason), links that work once, sessions that open
 * neither console nor API, and the web app manifest.
 */
class PortalBrowserTest extends LiveBrowserTest {
    private static final Pattern LINK = Pattern.compile("http://[^\\s]+/portal/link/([A-Za-z0-9_-]{43})");
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    @BeforeAll
    void setUp() throws Exception {
        browser.phone();
    }

    @Test
    void aMemberBuysADayPassOnTheirAccountAndTheDoorLetsThemInToday() {
        // A member of the site without any plan: the door stays shut until they buy a pass.
        String member = site.member("Pia Passbuyer", LiveSite.uid());
        assertThat(site.api()
                        .delete("/api/v1/members/" + member + "/plans/" + site.plan, site.token())
                        .status())
                .isEqualTo(204);
        site.hub.create(
                "/api/v1/packages",
                site.token(),
                "{\"name\":\"Day Pass\",\"kind\":\"pass\",\"price\":2500,\"interval\":\"one-off\",\"passes\":1,"
                        + "\"passValidDays\":1,\"planId\":\"" + site.plan + "\",\"publicSale\":true}");
        PortalSignIns.signIn(site, browser, site.tenant.id(), member);
        browser.open(site.url("/portal/passes"));
        browser.awaitHeading("Buy a day pass");
        Axe.assertNoSeriousViolations(browser, "portal passes");
        assertThat(Axe.violations(browser)).isEmpty();
        browser.screenshot("passes");
        browser.driver().findElement(By.id("buy-pass")).click();
        browser.awaitText(By.id("passes-bought"), "Bought: Day Pass");
        assertThat(Axe.violations(browser)).isEmpty();
        assertThat(browser.consoleErrors()).isEmpty();
        browser.screenshot("passes-bought");
        JsonNode charges = site.api()
                .get("/api/v1/members/" + member + "/charges", site.token())
                .json()
                .get("items");
        assertThat(charges).hasSize(1);
        assertThat(charges.get(0).get("kind").asText()).isEqualTo("pass");
    }

    @Test
    void aMemberSignsInByMailedLinkAndTheDoorAcceptsTheirRotatingPass() throws Exception {
        String member = site.member("Mia Member", LiveSite.uid());
        String email = emailOf(member);

        fillSignIn(email.toUpperCase(Locale.ROOT));
        Axe.assertNoSeriousViolations(browser, "portal sign-in");
        browser.screenshot("signin");
        browser.driver()
                .findElement(By.cssSelector("form.stack button[type=submit]"))
                .click();
        assertThat(browser.awaitVisible(By.id("signin-sent")).getText()).contains("If you are a member");
        Axe.assertNoSeriousViolations(browser, "portal sign-in sent");
        browser.screenshot("signin-sent");

        String link = awaitLink(email);
        browser.open(link);
        browser.awaitVisible(By.id("continue"));
        assertThat(browser.driver()
                        .findElement(By.cssSelector(".portal-top .space"))
                        .getText())
                .isEqualTo(site.api()
                        .get("/api/v1/tenant", site.token())
                        .json()
                        .get("name")
                        .asText());
        Axe.assertNoSeriousViolations(browser, "portal link");
        browser.screenshot("link");
        browser.driver().findElement(By.id("continue")).click();
        browser.awaitHeading("My pass");
        assertThat(browser.driver().getCurrentUrl()).endsWith("/portal");
        browser.awaitVisible(By.id("pass-qr"));
        Axe.assertNoSeriousViolations(browser, "portal home");
        browser.screenshot("home");
        Cookie cookie = browser.driver().manage().getCookieNamed("gh_member");
        assertThat(cookie.isHttpOnly()).isTrue();
        assertThat(cookie.getSameSite()).isEqualTo("Lax");

        // The first visit gave the member a phone pass, audited as done by the member.
        JsonNode enrolled = audit(member, "credential.enroll");
        assertThat(enrolled).hasSize(1);
        assertThat(enrolled.get(0).get("actor").get("kind").asText()).isEqualTo("member");
        site.awaitInSync();

        String src = browser.driver().findElement(By.id("pass-qr")).getAttribute("src");
        String token = QrImages.decode(fetch(src, cookie));
        Decided scanned = scan(token);
        assertThat(scanned.decision().granted()).as(scanned.toString()).isTrue();
        assertThat(scanned.accessEvent().member())
                .hasValueSatisfying(id -> assertThat(id.value()).isEqualTo(member));

        // Before the code expires the page fetches a new one, which is another token the door accepts.
        new WebDriverWait(browser.driver(), MemberPass.REFRESH.plusSeconds(15))
                .until(d -> !src.equals(d.findElement(By.id("pass-qr")).getAttribute("src")));
        String renewed = QrImages.decode(
                fetch(browser.driver().findElement(By.id("pass-qr")).getAttribute("src"), cookie));
        assertThat(renewed).isNotEqualTo(token);
        assertThat(scan(renewed).decision().granted()).isTrue();

        // Open the front door: the relay pulses and the audit names the member.
        int transitions = site.edge.relayTransitions();
        browser.open(site.url("/portal"));
        browser.awaitVisible(By.cssSelector("button[data-door='" + site.door + "']"))
                .click();
        assertThat(browser.awaitVisible(By.id("portal-notice")).getText()).isEqualTo("Front door is opening now.");
        await().atMost(Duration.ofSeconds(15)).until(() -> site.edge.relayTransitions() > transitions);
        JsonNode unlocks = audit(member, "door.unlock");
        assertThat(unlocks).hasSize(1);
        assertThat(unlocks.get(0).get("actor").get("kind").asText()).isEqualTo("member");
        assertThat(unlocks.get(0).get("resourceId").asText()).isEqualTo(site.door);

        // The entries the door reported are listed, in Berlin time.
        await().atMost(Duration.ofSeconds(15))
                .until(() -> site.api()
                                .get("/api/v1/access-events?memberId=" + member, site.token())
                                .json()
                                .get("items")
                                .size()
                        >= 2);
        browser.open(site.url("/portal"));
        assertThat(browser.awaitVisible(By.id("entries")).findElements(By.cssSelector("li.granted")))
                .hasSizeGreaterThanOrEqualTo(2);
        assertThat(browser.driver().findElement(By.id("entries")).getText()).contains("Front door", "CET");
        assertThat(browser.driver().findElement(By.id("access-heading")).getText())
                .isEqualTo("My access");
        assertThat(browser.driver().findElement(By.cssSelector(".grant")).getText())
                .contains("Berlin Mitte", "Front door", "At any time", "Europe/Berlin");
        Axe.assertNoSeriousViolations(browser, "portal home with entries");
        browser.script("document.getElementById('access-heading').scrollIntoView();");
        browser.screenshot("home-access-entries");
        assertThat(browser.consoleErrors()).isEmpty();
    }

    @Test
    void aSuspendedMembersOpenIsRefusedWithThePolicysReasonAndNothingIsSent() throws Exception {
        String member = site.member("Sam Suspended", LiveSite.uid());
        signIn(emailOf(member));
        Api.Response suspended =
                site.api().patch("/api/v1/members/" + member, site.token(), "{\"status\":\"suspended\"}");
        assertThat(suspended.status()).as(suspended.toString()).isEqualTo(200);
        int commands = commandCount();
        int transitions = site.edge.relayTransitions();

        browser.open(site.url("/portal"));
        assertThat(browser.awaitVisible(By.id("pass-unavailable")).getText()).contains("suspended");
        browser.driver()
                .findElement(By.cssSelector("button[data-door='" + site.door + "']"))
                .click();
        assertThat(browser.awaitVisible(By.id("portal-refusal")).getText())
                .isEqualTo("Front door stays shut: The member is suspended.");
        Axe.assertNoSeriousViolations(browser, "portal refusal");
        browser.screenshot("refused");
        assertThat(commandCount()).isEqualTo(commands);
        assertThat(site.edge.relayTransitions()).isEqualTo(transitions);
        assertThat(audit(member, "door.unlock")).isEmpty();
        // The pass image is refused too.
        Cookie cookie = browser.driver().manage().getCookieNamed("gh_member");
        assertThat(fetchStatus(site.url("/portal/qr.png"), cookie)).isEqualTo(409);
        assertThat(browser.consoleErrors()).isEmpty();
    }

    @Test
    void aLinkWorksOnceAndNotOnceExpired() throws Exception {
        String email = emailOf(site.member("Lou Link", LiveSite.uid()));
        String link = requestLink(email);
        browser.open(link);
        browser.awaitVisible(By.id("continue")).click();
        browser.awaitVisible(By.id("pass-qr"));

        browser.driver().manage().deleteAllCookies();
        browser.open(link);
        assertThat(browser.awaitVisible(By.id("link-error")).getText()).contains("does not work any more");
        Axe.assertNoSeriousViolations(browser, "portal used link");
        browser.screenshot("used-link");

        String second = requestLink(email);
        browser.open(second);
        browser.awaitVisible(By.id("continue"));
        site.hub
                .hub()
                .database()
                .run(c -> Sql.update(
                        c,
                        "UPDATE one_time_links SET expires_at = ? WHERE used_at IS NULL",
                        System.currentTimeMillis() - 1));
        browser.driver().findElement(By.id("continue")).click();
        assertThat(browser.awaitVisible(By.id("link-error")).getText()).contains("does not work any more");
        assertThat(browser.driver().manage().getCookieNamed("gh_member")).isNull();
        browser.open(site.url("/portal"));
        browser.awaitVisible(By.id("email")); // still signed out
        // The dead links' pages answer 404, which the browser logs; nothing else may be logged.
        assertThat(browser.consoleErrors())
                .allSatisfy(error -> assertThat(error).contains("/portal/link/", "status of 404"));
    }

    @Test
    void aMemberSessionOpensNoConsoleNorApiAndAnOperatorSessionNoPortal() throws Exception {
        signIn(emailOf(site.member("Max Member", LiveSite.uid())));
        Cookie cookie = browser.driver().manage().getCookieNamed("gh_member");
        browser.open(site.url("/console"));
        browser.awaitVisible(By.id("password"));
        assertThat(browser.driver().getCurrentUrl()).contains("/signin?next=%2Fconsole");
        Api.Response api =
                site.api().withCookie("GET", "/api/v1/members", "gh_member=" + cookie.getValue(), Optional.empty());
        assertThat(api.status()).isEqualTo(401);
        Api.Response asOperatorCookie =
                site.api().withCookie("GET", "/api/v1/members", "gh_session=" + cookie.getValue(), Optional.empty());
        assertThat(asOperatorCookie.status()).isEqualTo(401);

        browser.driver().manage().deleteAllCookies();
        site.signInAsOwner(browser);
        browser.open(site.url("/portal"));
        browser.awaitVisible(By.id("email"));
        assertThat(browser.driver().getCurrentUrl()).endsWith("/portal/signin");
        assertThat(browser.consoleErrors()).isEmpty();
    }

    @Test
    void linkRequestsSayTheSameForStrangersAndAreThrottledPerEmail() throws Exception {
        String stranger = "nobody-" + System.nanoTime() + "@members.example";
        for (int i = 0; i < LinkThrottle.PER_EMAIL; i++) {
            Api.Response asked = askForLink(site.tenant.slug(), stranger);
            assertThat(asked.status()).isEqualTo(200);
            assertThat(asked.text()).contains("If you are a member, we sent you a link.");
        }
        Api.Response throttled = askForLink(site.tenant.slug(), stranger);
        assertThat(throttled.status()).isEqualTo(429);
        assertThat(throttled.text()).contains("Wait 15 minutes");
        assertThat(mailsTo(stranger)).isEmpty();

        Api.Response noToken = site.api()
                .withCookie(
                        "POST",
                        "/portal/signin",
                        "gh_presession=" + "a".repeat(43),
                        Optional.of("workspace=" + site.tenant.slug() + "&email=x%40members.example"));
        assertThat(noToken.status()).isEqualTo(403);
    }

    @Test
    void thePortalIsInstallableWithTheSpacesIcons() throws Exception {
        signIn(emailOf(site.member("Ida Install", LiveSite.uid())));
        Cookie cookie = browser.driver().manage().getCookieNamed("gh_member");
        Api.Response manifest = site.api()
                .withCookie("GET", "/portal/manifest.webmanifest", "gh_member=" + cookie.getValue(), Optional.empty());
        assertThat(manifest.status()).isEqualTo(200);
        assertThat(manifest.contentType()).startsWith("application/manifest+json");
        JsonNode json = manifest.json();
        assertThat(json.get("start_url").asText()).isEqualTo("/portal");
        assertThat(json.get("display").asText()).isEqualTo("standalone");
        assertThat(json.get("theme_color").asText()).matches("#[0-9a-fA-F]{6}");
        assertThat(json.get("icons").findValuesAsText("sizes")).containsExactly("192x192", "512x512");
        for (int size : new int[] {192, 512}) {
            BufferedImage icon =
                    ImageIO.read(new ByteArrayInputStream(fetch(site.url("/portal/icon-" + size + ".png"), cookie)));
            assertThat(icon.getWidth()).isEqualTo(size);
            assertThat(icon.getHeight()).isEqualTo(size);
        }
        browser.open(site.url("/portal"));
        browser.awaitVisible(By.id("pass-qr"));
        assertThat(browser.driver()
                        .findElement(By.cssSelector("link[rel=manifest]"))
                        .getAttribute("href"))
                .endsWith("/portal/manifest.webmanifest");
        assertThat(browser.driver()
                        .findElement(By.cssSelector("meta[name=theme-color]"))
                        .getAttribute("content"))
                .isEqualTo(json.get("theme_color").asText());
        assertThat(browser.driver().findElements(By.cssSelector("link[rel=apple-touch-icon]")))
                .hasSize(1);
        // Nothing wider than the phone: no sideways scrolling at 390 px.
        assertThat((Long) browser.script("return document.documentElement.scrollWidth;"))
                .isLessThanOrEqualTo(390L);
        assertThat(browser.consoleErrors()).isEmpty();
    }

    // ---- helpers

    private String emailOf(String member) {
        return site.api()
                .get("/api/v1/members/" + member, site.token())
                .json()
                .get("email")
                .asText();
    }

    /** Signs the member in through the browser: asks for a link, follows it, presses Continue. */
    private void signIn(String email) throws Exception {
        browser.open(requestLink(email));
        browser.awaitVisible(By.id("continue")).click();
        browser.awaitVisible(By.id("pass-qr"));
    }

    /** Opens the sign-in form and fills it in, without sending it. */
    private void fillSignIn(String email) {
        browser.open(site.url("/portal/signin"));
        browser.awaitVisible(By.id("workspace")).sendKeys(site.tenant.slug());
        browser.driver().findElement(By.id("email")).sendKeys(email);
    }

    /** Asks for a link through the form and answers the link from the mail. */
    private String requestLink(String email) throws Exception {
        int before = mailsTo(email).size();
        fillSignIn(email);
        browser.driver()
                .findElement(By.cssSelector("form.stack button[type=submit]"))
                .click();
        browser.awaitVisible(By.id("signin-sent"));
        await().atMost(Duration.ofSeconds(15)).until(() -> mailsTo(email).size() > before);
        return link(mailsTo(email).getLast());
    }

    private String awaitLink(String email) throws Exception {
        await().atMost(Duration.ofSeconds(15)).until(() -> !mailsTo(email).isEmpty());
        return link(mailsTo(email).getLast());
    }

    private static String link(MimeMessage mail) throws Exception {
        Matcher matcher = LINK.matcher(mail.getContent().toString());
        assertThat(matcher.find()).as("a sign-in link in the mail").isTrue();
        return matcher.group();
    }

    /** The mails to {@code email} in the hub's mail folder, oldest first. */
    private List<MimeMessage> mailsTo(String email) throws IOException {
        Path folder = site.hub.hub().config().mail().folder();
        if (!Files.isDirectory(folder)) {
            return List.of();
        }
        try (Stream<Path> files = Files.list(folder)) {
            return files.filter(file -> file.getFileName().toString().endsWith(".eml"))
                    .sorted()
                    .map(PortalBrowserTest::read)
                    .filter(mail -> {
                        try {
                            return mail.getAllRecipients()[0].toString().equalsIgnoreCase(email);
                        } catch (jakarta.mail.MessagingException e) {
                            throw new IllegalStateException(e);
                        }
                    })
                    .toList();
        }
    }

    private static MimeMessage read(Path file) {
        try (InputStream in = Files.newInputStream(file)) {
            return new MimeMessage(Session.getInstance(new Properties()), in);
        } catch (IOException | jakarta.mail.MessagingException e) {
            throw new IllegalStateException(file.toString(), e);
        }
    }

    private Api.Response askForLink(String workspace, String email) {
        String csrf = "b".repeat(43);
        return site.api()
                .withCookie(
                        "POST",
                        "/portal/signin",
                        "gh_presession=" + csrf,
                        Optional.of("_csrf=" + csrf + "&workspace=" + workspace + "&email="
                                + java.net.URLEncoder.encode(email, java.nio.charset.StandardCharsets.UTF_8)));
    }

    /** The audit entries of {@code action} by the member. */
    private JsonNode audit(String member, String action) {
        return site.api()
                .get("/api/v1/audit?actor=" + member + "&action=" + action, site.token())
                .json()
                .get("items");
    }

    private int commandCount() {
        return site.api()
                .get("/api/v1/sites/" + site.siteId + "/commands?limit=100", site.token())
                .json()
                .get("items")
                .size();
    }

    private Decided scan(String token) {
        int before = site.edge.decisions.size();
        site.edge.simulator().scanCode(EdgeSite.QR, token);
        await().atMost(Duration.ofSeconds(15)).until(() -> site.edge.decisions.size() > before);
        return site.edge.decisions.get(before);
    }

    private static byte[] fetch(String url, Cookie cookie) throws Exception {
        HttpResponse<byte[]> response = HTTP.send(
                HttpRequest.newBuilder(URI.create(url))
                        .header("Cookie", cookie.getName() + "=" + cookie.getValue())
                        .build(),
                HttpResponse.BodyHandlers.ofByteArray());
        assertThat(response.statusCode()).as(url).isEqualTo(200);
        assertThat(response.headers().firstValue("Content-Type")).hasValue("image/png");
        return response.body();
    }

    private static int fetchStatus(String url, Cookie cookie) throws Exception {
        return HTTP.send(
                        HttpRequest.newBuilder(URI.create(url))
                                .header("Cookie", cookie.getName() + "=" + cookie.getValue())
                                .build(),
                        HttpResponse.BodyHandlers.discarding())
                .statusCode();
    }
}
