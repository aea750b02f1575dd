package dev.gatehouse.hub.portal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.gatehouse.browser.Axe;
import dev.gatehouse.edge.access.Decided;
import dev.gatehouse.hub.accounts.Sessions;
import dev.gatehouse.hub.testing.Api;
import dev.gatehouse.hub.testing.EdgeSite;
import dev.gatehouse.hub.testing.LiveBrowserTest;
import dev.gatehouse.hub.testing.LiveSite;
import dev.gatehouse.hub.testing.MailFolder;
import dev.gatehouse.hub.testing.QrImages;
import dev.gatehouse.protocol.model.DenyReason;
import dev.gatehouse.protocol.model.GrantBasis;
import dev.gatehouse.protocol.policy.Decision;
import jakarta.mail.Multipart;
import jakarta.mail.Part;
import jakarta.mail.Session;
import jakarta.mail.internet.MimeMessage;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.openqa.selenium.By;
import org.openqa.selenium.WebElement;

/**
 * A member invites a visitor from the portal on a phone-sized Chromium, against a real hub with a
 * real edge on the simulator: the visitor gets the QR code and the PIN by e-mail; the PIN opens the
 * visitor door once, offline at the edge, and the QR code is then refused; a quarter hour is required;
 * the member sees and cancels only their own invitations. Each page is checked with axe-core and
 * photographed under target/screenshots.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class PortalVisitorsBrowserTest extends LiveBrowserTest {
    private static final Pattern PIN = Pattern.compile("type this PIN instead: ([0-9]{6})");

    private String host;
    private String otherMember;

    @BeforeAll
    void setUp() {
        // The operator marks the entrance's group as the doors for visitors.
        String group = site.hub.create(
                "/api/v1/sites/" + site.siteId + "/door-groups",
                site.token(),
                "{\"name\":\"Entrance\",\"doorIds\":[\"" + site.door + "\"]}");
        Api.Response marked = site.api().patch("/api/v1/door-groups/" + group, site.token(), "{\"forVisitors\":true}");
        assertThat(marked.status()).as(marked.toString()).isEqualTo(200);
        assertThat(marked.json().get("forVisitors").asBoolean()).isTrue();
        host = site.member("Hana Host", LiveSite.uid());
        otherMember = site.member("Olli Other", LiveSite.uid());
    }

    private Path mailFolder() {
        return site.hub.hub().config().dataDir().resolve("mail");
    }

    /** The newest mail to {@code to}. */
    private MimeMessage mailTo(String to) throws Exception {
        List<Path> mails;
        try (Stream<Path> files = Files.list(mailFolder())) {
            mails = files.filter(file -> file.getFileName().toString().endsWith(".eml"))
                    .sorted(Comparator.reverseOrder())
                    .toList();
        }
        for (Path mail : mails) {
            try (InputStream in = Files.newInputStream(mail)) {
                MimeMessage message = new MimeMessage(Session.getInstance(new Properties()), in);
                if (message.getAllRecipients()[0].toString().equals(to)) {
                    return message;
                }
            }
        }
        throw new AssertionError("no mail to " + to);
    }

    private static byte[] attachment(MimeMessage message, String name) throws Exception {
        Multipart parts = (Multipart) message.getContent();
        for (int i = 0; i < parts.getCount(); i++) {
            Part part = parts.getBodyPart(i);
            if (name.equals(part.getFileName())) {
                try (InputStream in = part.getInputStream()) {
                    return in.readAllBytes();
                }
            }
        }
        throw new AssertionError("no attachment " + name);
    }

    private void invite(String name, String email) {
        browser.awaitVisible(By.id("name")).sendKeys(name);
        browser.driver().findElement(By.id("email")).sendKeys(email);
        browser.driver().findElement(By.id("invite")).click();
    }

    private Decided scan(String token) {
        int before = site.edge.decisions.size();
        site.edge.simulator().scanCode(EdgeSite.QR, token);
        await().atMost(Duration.ofSeconds(15)).until(() -> site.edge.decisions.size() > before);
        return site.edge.decisions.get(before);
    }

    @Test
    @Order(1)
    void aMembersVisitorGetsQrAndPinByMailAndThePinOpensTheVisitorDoorOnce() throws Exception {
        browser.phone();
        PortalSignIns.signIn(site, browser, site.tenant.id(), host);
        browser.driver().findElement(By.linkText("Visitors")).click();
        browser.awaitHeading("Visitors");
        assertThat(browser.driver().findElement(By.id("invitations-none")).getText())
                .isEqualTo("You have not invited anyone yet.");
        assertThat(browser.driver().findElement(By.id("arrival")).getDomProperty("value"))
                .matches("\\d{4}-\\d{2}-\\d{2}T\\d{2}:(00|15|30|45)");
        Axe.assertNoSeriousViolations(browser, "portal visitors, empty");
        browser.screenshot("visitors-empty");

        invite("Grace Hopper", "grace@visitors.example");

        assertThat(browser.awaitVisible(By.id("visitors-notice")).getText()).startsWith("Invitation sent");
        WebElement invitation = browser.driver().findElement(By.cssSelector("#invitations li.invitation"));
        assertThat(invitation.getText()).contains("Grace Hopper", "invited");
        assertThat(invitation.getDomAttribute("data-state")).isEqualTo("active");
        Axe.assertNoSeriousViolations(browser, "portal visitors, one invitation");
        browser.script("arguments[0].scrollIntoView();", browser.driver().findElement(By.id("invitations-heading")));
        browser.screenshot("visitors-invited");

        MimeMessage mail = mailTo("grace@visitors.example");
        Matcher pin = PIN.matcher(MailFolder.text(mail));
        assertThat(pin.find()).as("the PIN in the mail").isTrue();
        String token = QrImages.decode(attachment(mail, "visitor-pass.png"));

        // At the kiosk, offline at the edge: the PIN opens the visitor door once; then the QR code is refused.
        site.awaitInSync();
        Decided byPin = site.edge.agent.admitByPin(site.door, pin.group(1)).get(15, TimeUnit.SECONDS);
        assertThat(byPin.decision())
                .isInstanceOfSatisfying(Decision.Granted.class, granted -> assertThat(granted.basis())
                        .isEqualTo(GrantBasis.VISITOR_PASS));
        assertThat(scan(token).decision()).isEqualTo(new Decision.Denied(DenyReason.VISITOR_PASS_USED));

        // The hub hears of the use: the member sees their visitor arrived.
        await().atMost(Duration.ofSeconds(15)).until(() -> {
            browser.open(site.url("/portal/visitors"));
            return browser.awaitVisible(By.cssSelector("#invitations li.invitation"))
                    .getDomAttribute("data-state")
                    .equals("used");
        });
        assertThat(browser.driver()
                        .findElement(By.cssSelector("#invitations li.invitation"))
                        .getText())
                .contains("arrived");
        assertThat(browser.consoleErrors()).isEmpty();
    }

    @Test
    @Order(2)
    void anArrivalOffTheQuarterHourIsRefusedBesideTheFieldAndInvitesNobody() {
        browser.phone();
        PortalSignIns.signIn(site, browser, site.tenant.id(), otherMember);
        browser.open(site.url("/portal/visitors"));
        WebElement arrival = browser.awaitVisible(By.id("arrival"));
        String quarter = arrival.getDomProperty("value");
        browser.script("arguments[0].value = arguments[1];", arrival, quarter.substring(0, 14) + "07");

        invite("Ada Lovelace", "ada@visitors.example");

        assertThat(browser.awaitVisible(By.id("arrival-error")).getText())
                .isEqualTo("Choose a quarter hour (:00, :15, :30 or :45).");
        assertThat(browser.driver().findElement(By.id("name")).getDomProperty("value"))
                .isEqualTo("Ada Lovelace");
        assertThat(browser.driver().findElement(By.id("invitations-none")).isDisplayed())
                .isTrue();
        Axe.assertNoSeriousViolations(browser, "portal visitors, a refused arrival");
        browser.screenshot("visitors-refused");
        assertThat(browser.consoleErrors()).hasSize(1).allMatch(error -> error.contains("422"));
    }

    @Test
    @Order(3)
    void aMemberCancelsTheirOwnInvitationAndNobodyElseCanSeeOrCancelIt() {
        browser.phone();
        PortalSignIns.signIn(site, browser, site.tenant.id(), otherMember);
        browser.open(site.url("/portal/visitors"));
        invite("Katherine Johnson", "katherine@visitors.example");
        browser.awaitVisible(By.id("visitors-notice"));
        WebElement mine = browser.driver().findElement(By.cssSelector("#invitations li.invitation"));
        assertThat(mine.getText()).contains("Katherine Johnson").doesNotContain("Grace Hopper");
        String passId = mine.findElement(By.tagName("form"))
                .getDomAttribute("action")
                .replaceAll("^/portal/visitors/|/cancel$", "");

        // The first host cannot cancel it: not theirs, as if it did not exist.
        Sessions.Opened first = PortalSignIns.session(site, site.tenant.id(), host);
        Api.Response foreign = site.api()
                .withCookie(
                        "POST",
                        "/portal/visitors/" + passId + "/cancel",
                        "gh_member=" + first.cookieValue(),
                        Optional.of("_csrf=" + first.session().csrfToken()));
        assertThat(foreign.status()).isEqualTo(404);
        assertThat(site.api()
                        .withCookie("GET", "/portal/visitors", "gh_member=" + first.cookieValue(), Optional.empty())
                        .text())
                .doesNotContain("Katherine Johnson");

        mine.findElement(By.tagName("button")).click();
        assertThat(browser.awaitVisible(By.id("visitors-notice")).getText()).startsWith("Invitation cancelled");
        assertThat(browser.driver()
                        .findElement(By.cssSelector("#invitations li.invitation"))
                        .getDomAttribute("data-state"))
                .isEqualTo("revoked");
        assertThat(site.api()
                        .get("/api/v1/visitor-passes/" + passId, site.token())
                        .json()
                        .get("status")
                        .asText())
                .isEqualTo("revoked");
        Axe.assertNoSeriousViolations(browser, "portal visitors, cancelled");
        browser.script("arguments[0].scrollIntoView();", browser.driver().findElement(By.id("invitations-heading")));
        browser.screenshot("visitors-cancelled");
        assertThat(browser.consoleErrors()).isEmpty();
    }
}
