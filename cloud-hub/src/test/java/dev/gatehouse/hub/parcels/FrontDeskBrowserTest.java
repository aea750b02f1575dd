package dev.gatehouse.hub.parcels;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.icegreen.greenmail.util.GreenMail;
import com.icegreen.greenmail.util.ServerSetupTest;
import dev.gatehouse.browser.Axe;
import dev.gatehouse.hub.HubConfig;
import dev.gatehouse.hub.portal.PortalSignIns;
import dev.gatehouse.hub.testing.LiveBrowserTest;
import dev.gatehouse.hub.testing.LiveSite;
import dev.gatehouse.hub.testing.MailFolder;
import dev.gatehouse.hub.testing.SmtpSettings;
import jakarta.mail.Multipart;
import jakarta.mail.internet.MimeMessage;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.openqa.selenium.By;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.interactions.Actions;
import org.openqa.selenium.support.ui.Select;

/**
 * The front desk in a real Chromium against a real hub and a real SMTP server (GreenMail, in
 * process): the desk logs a parcel with a photo chosen in the file input (the tablet's camera), the
 * member is mailed at once with the photo and sees it waiting in the portal, then signs for it on the
 * screen and the desk hands it over; an announcement posted for one site is seen and mailed once by
 * that site's member and not by another site's. Each page is checked with axe-core and photographed
 * under target/screenshots.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class FrontDeskBrowserTest extends LiveBrowserTest {
    static final GreenMail SMTP = new GreenMail(ServerSetupTest.SMTP.dynamicPort());
    private static final String PASSWORD = "front desk password for tests";

    static {
        SMTP.start();
    }

    private String ada;
    private String adaEmail;
    private String bob;
    private String bobEmail;
    private String siteName;
    private String desk;

    @Override
    protected HubConfig hubConfig(HubConfig config) {
        return config.withMail(SmtpSettings.local(
                SMTP.getSmtp().getPort(),
                "desk@gatehouse.example",
                config.dataDir().resolve("mail")));
    }

    @AfterAll
    void stopSmtp() {
        SMTP.stop();
    }

    @BeforeAll
    void people() {
        ada = site.member("Ada Parcel", LiveSite.uid());
        adaEmail = site.api()
                .get("/api/v1/members/" + ada, site.token())
                .json()
                .get("email")
                .asText();
        siteName = site.api()
                .get("/api/v1/sites/" + site.siteId, site.token())
                .json()
                .get("name")
                .asText();
        // Bob belongs to another site: his plan opens a door there only.
        String annex = site.hub.create(
                "/api/v1/sites", site.token(), "{\"name\":\"Annex\",\"address\":\"x\",\"timeZone\":\"Europe/Berlin\"}");
        String door = site.hub.create("/api/v1/sites/" + annex + "/doors", site.token(), "{\"name\":\"Annex door\"}");
        String group = site.hub.create(
                "/api/v1/sites/" + annex + "/door-groups",
                site.token(),
                "{\"name\":\"Annex\",\"doorIds\":[\"" + door + "\"]}");
        String plan = site.hub.create(
                "/api/v1/plans", site.token(), "{\"name\":\"Annex\",\"doorGroupIds\":[\"" + group + "\"]}");
        bob = site.hub.create(
                "/api/v1/members",
                site.token(),
                "{\"email\":\"bob-annex@members.example\",\"fullName\":\"Bob Annex\"}");
        assertThat(site.api()
                        .put("/api/v1/members/" + bob + "/plans/" + plan, site.token(), "{}")
                        .status())
                .isBetween(200, 201);
        bobEmail = "bob-annex@members.example";
        desk = site.account("front-desk", "[\"" + site.siteId + "\"]", PASSWORD);
    }

    private List<MimeMessage> mailsTo(String to) {
        return Arrays.stream(SMTP.getReceivedMessages())
                .filter(message -> {
                    try {
                        return message.getAllRecipients()[0].toString().equals(to);
                    } catch (jakarta.mail.MessagingException e) {
                        throw new IllegalStateException(e);
                    }
                })
                .toList();
    }

    private static String photoFile() throws Exception {
        return Path.of(FrontDeskBrowserTest.class
                        .getResource("/parcels/parcel.png")
                        .toURI())
                .toAbsolutePath()
                .toString();
    }

    private boolean imageLoaded(WebElement image) {
        return (Boolean) browser.script("return arguments[0].complete && arguments[0].naturalWidth > 0;", image);
    }

    @Test
    @Order(1)
    void theDeskLogsAParcelWithAPhotoAndTheMemberIsMailedAtOnce() throws Exception {
        browser.desktop();
        site.signIn(browser, desk, PASSWORD);
        browser.driver().findElement(By.linkText("Mail and parcels")).click();
        browser.awaitHeading("Mail and parcels");
        assertThat(browser.driver().findElement(By.id("parcels-none")).getText())
                .isEqualTo("Nothing here.");

        // Without a member the form comes back with the message beside the field, and nothing is logged.
        browser.driver().findElement(By.id("log-parcel")).click();
        assertThat(browser.awaitVisible(By.id("memberId-error")).getText()).contains("For member", "required");
        assertThat(browser.consoleErrors()).hasSize(1).allMatch(error -> error.contains("422"));
        assertThat(browser.driver().findElements(By.id("parcels-none"))).hasSize(1);

        new Select(browser.driver().findElement(By.id("memberId"))).selectByValue(ada);
        browser.driver().findElement(By.id("kind-parcel")).click();
        browser.driver().findElement(By.id("carrier")).sendKeys("DHL");
        browser.driver().findElement(By.id("trackingNumber")).sendKeys("JJD00012345");
        browser.driver().findElement(By.id("shelf")).sendKeys("B2");
        browser.driver().findElement(By.id("photo-file")).sendKeys(photoFile());
        WebElement preview = browser.awaitVisible(By.id("photo-preview"));
        assertThat(imageLoaded(preview)).isTrue();
        assertThat(browser.driver().findElement(By.id("photo")).getDomProperty("value"))
                .startsWith("data:image/jpeg;base64,");
        Axe.assertNoSeriousViolations(browser, "console parcels, the form filled");
        browser.screenshot("parcel-form");

        browser.driver().findElement(By.id("log-parcel")).click();
        browser.awaitHeading("Mail or parcel");
        assertThat(browser.driver().findElement(By.id("parcel-notice")).getText())
                .isEqualTo("Logged; the member was told.");
        assertThat(browser.driver().findElement(By.id("notice-state")).getText())
                .contains("e-mailed");
        assertThat(browser.driver().findElement(By.id("parcel-facts")).getText())
                .contains("DHL", "JJD00012345", "B2", siteName);
        assertThat(imageLoaded(browser.driver().findElement(By.id("parcel-photo"))))
                .isTrue();
        Axe.assertNoSeriousViolations(browser, "console parcel");
        browser.screenshot("parcel-logged");

        // The mail went out in the same request, with the desk's photo attached.
        List<MimeMessage> mails = mailsTo(adaEmail);
        assertThat(mails).hasSize(1);
        assertThat(mails.getFirst().getSubject()).startsWith("A parcel is waiting for you at " + siteName);
        assertThat(MailFolder.text(mails.getFirst())).contains("Hello Ada Parcel", "Shelf: B2", "Carrier: DHL");
        assertThat(((Multipart) mails.getFirst().getContent()).getBodyPart(1).getContentType())
                .startsWith("image/jpeg");
        assertThat(browser.consoleErrors()).isEmpty();
    }

    @Test
    @Order(2)
    void theMemberSeesTheParcelWaitingWithItsPhotoInThePortal() {
        browser.phone();
        PortalSignIns.signIn(site, browser, site.tenant.id(), ada);
        browser.driver().findElement(By.linkText("Mail and parcels")).click();
        browser.awaitHeading("Mail and parcels");
        String waiting = browser.driver().findElement(By.id("mail-waiting")).getText();
        assertThat(waiting).contains("Parcel at " + siteName, "DHL", "JJD00012345", "Shelf: B2");
        assertThat(imageLoaded(browser.driver().findElement(By.cssSelector("#mail-waiting img.parcel-photo"))))
                .isTrue();
        Axe.assertNoSeriousViolations(browser, "portal mail and parcels");
        assertThat((Long) browser.script("return document.documentElement.scrollWidth;"))
                .isLessThanOrEqualTo(390L);
        browser.screenshot("portal-mail");

        // Another member sees nothing of it.
        PortalSignIns.signIn(site, browser, site.tenant.id(), bob);
        browser.open(site.url("/portal/mail"));
        browser.awaitHeading("Mail and parcels");
        assertThat(browser.driver().findElement(By.id("mail-none")).getText())
                .isEqualTo("Nothing is waiting for you at the desk.");
        assertThat(browser.consoleErrors()).isEmpty();
    }

    @Test
    @Order(3)
    void theMemberSignsForThePickupAndTheDeskHandsItOver() {
        browser.desktop();
        site.signIn(browser, desk, PASSWORD);
        browser.open(site.url("/console/parcels"));
        browser.driver().findElement(By.cssSelector("#parcels a")).click();
        browser.awaitHeading("Mail or parcel");
        assertThat(browser.driver().findElement(By.id("collectedBy")).getDomProperty("value"))
                .isEqualTo("Ada Parcel");

        // No signature and no confirmation: refused beside the signature, nothing handed over.
        browser.driver().findElement(By.id("hand-over")).click();
        assertThat(browser.awaitVisible(By.id("signature-error")).getText()).contains("Signature", "required");
        assertThat(browser.consoleErrors()).hasSize(1).allMatch(error -> error.contains("422"));

        WebElement pad = browser.awaitVisible(By.id("signature-pad"));
        new Actions(browser.driver())
                .moveToElement(pad, -120, 10)
                .clickAndHold()
                .moveByOffset(40, -30)
                .moveByOffset(40, 40)
                .moveByOffset(40, -35)
                .moveByOffset(60, 20)
                .release()
                .perform();
        browser.await(driver -> "true".equals(pad.getDomAttribute("data-signed")));
        assertThat(browser.driver().findElement(By.id("signature")).getDomProperty("value"))
                .startsWith("data:image/png;base64,");
        Axe.assertNoSeriousViolations(browser, "console parcel, signed");
        browser.screenshot("parcel-signed");

        browser.driver().findElement(By.id("hand-over")).click();
        browser.awaitVisible(By.id("collected"));
        assertThat(browser.driver().findElement(By.id("parcel-notice")).getText())
                .isEqualTo("Handed over and signed for.");
        assertThat(browser.driver().findElement(By.id("collected-by")).getText())
                .startsWith("Collected by Ada Parcel on");
        assertThat(imageLoaded(browser.driver().findElement(By.id("parcel-signature"))))
                .isTrue();
        Axe.assertNoSeriousViolations(browser, "console parcel, handed over");
        browser.screenshot("parcel-handed-over");
        assertThat(site.api().get("/api/v1/audit", site.token()).text()).contains("parcel.log", "parcel.collect");
        assertThat(browser.consoleErrors()).isEmpty();
    }

    @Test
    @Order(4)
    void anAnnouncementForOneSiteIsSeenAndMailedOnceByItsMemberOnly() {
        browser.desktop();
        site.signInAsOwner(browser);
        browser.driver().findElement(By.linkText("Announcements")).click();
        browser.awaitHeading("Announcements");
        new Select(browser.driver().findElement(By.id("siteId"))).selectByValue(site.siteId);
        browser.driver().findElement(By.id("title")).sendKeys("Lift maintenance");
        browser.driver().findElement(By.id("body")).sendKeys("The lift is off on Monday.\n\nUse the stairs, please.");
        Axe.assertNoSeriousViolations(browser, "console announcements, the form filled");
        browser.screenshot("announcement-form");
        browser.driver().findElement(By.id("save-announcement")).click();
        browser.awaitHeading("Announcement");
        assertThat(browser.driver().findElement(By.id("announcement-notice")).getText())
                .startsWith("Posted.");
        Axe.assertNoSeriousViolations(browser, "console announcement");
        browser.screenshot("announcement");

        site.hub.hub().announcementMails().pass();
        await().untilAsserted(() -> assertThat(mailsTo(adaEmail).stream()
                        .filter(m -> subject(m).equals("Lift maintenance"))
                        .count())
                .isEqualTo(1));
        site.hub.hub().announcementMails().pass();
        assertThat(mailsTo(adaEmail).stream().filter(m -> subject(m).equals("Lift maintenance")))
                .hasSize(1);
        assertThat(mailsTo(bobEmail)).isEmpty();

        browser.phone();
        PortalSignIns.signIn(site, browser, site.tenant.id(), ada);
        browser.driver().findElement(By.linkText("Announcements")).click();
        browser.awaitHeading("Announcements");
        assertThat(browser.driver().findElement(By.id("news")).getText())
                .contains("Lift maintenance", "The lift is off on Monday.", "Use the stairs, please.");
        Axe.assertNoSeriousViolations(browser, "portal announcements");
        browser.screenshot("portal-news");

        PortalSignIns.signIn(site, browser, site.tenant.id(), bob);
        browser.open(site.url("/portal/news"));
        browser.awaitHeading("Announcements");
        assertThat(browser.driver().findElements(By.id("news"))).isEmpty();
        assertThat(browser.consoleErrors()).isEmpty();
    }

    private static String subject(MimeMessage message) {
        try {
            return message.getSubject();
        } catch (jakarta.mail.MessagingException e) {
            throw new IllegalStateException(e);
        }
    }
}
