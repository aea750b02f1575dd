package dev.gatehouse.hub.announcements;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.icegreen.greenmail.util.GreenMail;
import com.icegreen.greenmail.util.ServerSetupTest;
import dev.gatehouse.hub.accounts.Sessions;
import dev.gatehouse.hub.accounts.WebSession;
import dev.gatehouse.hub.members.People;
import dev.gatehouse.hub.mqtt.MqttSettings;
import dev.gatehouse.hub.store.StoreKind;
import dev.gatehouse.hub.testing.Api;
import dev.gatehouse.hub.testing.MovableClock;
import dev.gatehouse.hub.testing.SmtpSettings;
import dev.gatehouse.hub.testing.TestHub;
import jakarta.mail.internet.MimeMessage;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.AfterParameterizedClassInvocation;
import org.junit.jupiter.params.BeforeParameterizedClassInvocation;
import org.junit.jupiter.params.Parameter;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Announcements on both stores with real SMTP (GreenMail): one posted for a site is seen in the
 * portal and mailed once by that site's member and not by another site's; one for the whole space
 * reaches everyone; a scheduled one waits for its time, an expired or withdrawn one is gone; its text
 * is shown as text, never as HTML; bad input and other tenants' or sites' announcements are refused.
 */
@ParameterizedClass
@EnumSource(StoreKind.class)
class AnnouncementApiTest {
    static GreenMail smtp;
    static MovableClock clock;
    static TestHub hub;

    @Parameter
    StoreKind store;

    private TestHub.Tenant tenant;
    private String kreuzberg;
    private String mitte;
    private String ada;
    private String bob;

    @BeforeParameterizedClassInvocation
    static void start(StoreKind kind) {
        smtp = new GreenMail(ServerSetupTest.SMTP.dynamicPort());
        smtp.start();
        clock = new MovableClock();
        int port = smtp.getSmtp().getPort();
        hub = TestHub.start(
                kind,
                clock,
                Optional.empty(),
                MqttSettings.disabled(),
                config -> config.withMail(
                        SmtpSettings.local(port, "news@gatehouse.example", Path.of("target", "announcement-mail"))));
    }

    @AfterParameterizedClassInvocation
    static void stop() {
        hub.close();
        smtp.stop();
    }

    @BeforeEach
    void space() throws Exception {
        hub.hub().announcementMails().pass(); // what earlier tests left due
        smtp.purgeEmailFromAllMailboxes();
        tenant = hub.newTenant("news");
        People people = new People(hub, tenant.token());
        kreuzberg = site("Kreuzberg");
        mitte = site("Mitte");
        ada = member(people, "ada", kreuzberg);
        bob = member(people, "bob", mitte);
    }

    private String site(String name) {
        return hub.create(
                "/api/v1/sites",
                tenant.token(),
                "{\"name\":\"" + name + "\",\"address\":\"x\",\"timeZone\":\"Europe/Berlin\"}");
    }

    /** A member whose plan opens a door at {@code site}: a member of that site. */
    private String member(People people, String name, String site) {
        String member = hub.create(
                "/api/v1/members",
                tenant.token(),
                "{\"email\":\"" + name + "-" + tenant.slug() + "@example.com\",\"fullName\":\"" + name + "\"}");
        String plan = people.plan("[]", "ignored", people.group(site, people.door(site)));
        assertThat(people.assign(member, plan, "{}").status()).isEqualTo(201);
        return member;
    }

    private Api.Response post(String token, String body) {
        return hub.api().post("/api/v1/announcements", token, body);
    }

    private String posted(String body) {
        Api.Response answer = post(tenant.token(), body);
        assertThat(answer.status()).as(answer.toString()).isEqualTo(201);
        return answer.json().get("id").asText();
    }

    /** The member's portal page of announcements. */
    private String portal(String member) {
        Sessions.Opened session = new Sessions(hub.hub().database(), clock, Duration.ofDays(30), Duration.ofDays(30))
                .open(tenant.id(), WebSession.Kind.MEMBER, member, "127.0.0.1", false);
        Api.Response page =
                hub.api().withCookie("GET", "/portal/news", "gh_member=" + session.cookieValue(), Optional.empty());
        assertThat(page.status()).as(page.toString()).isEqualTo(200);
        return page.text();
    }

    /** Who this test's tenant mailed (a mail an earlier test's sweep was still sending is not its own). */
    private List<String> mailedTo() throws Exception {
        return Arrays.stream(smtp.getReceivedMessages())
                .map(AnnouncementApiTest::to)
                .filter(to -> to.endsWith("-" + tenant.slug() + "@example.com"))
                .toList();
    }

    private static String to(MimeMessage message) {
        try {
            return message.getAllRecipients()[0].toString();
        } catch (jakarta.mail.MessagingException e) {
            throw new IllegalStateException(e);
        }
    }

    private String email(String name) {
        return name + "-" + tenant.slug() + "@example.com";
    }

    @Test
    void anAnnouncementForOneSiteReachesThatSitesMemberOnceAndNotAnotherSites() throws Exception {
        String id = posted("{\"siteId\":\"" + kreuzberg + "\",\"title\":\"Coffee machine repaired\","
                + "\"body\":\"The machine on floor 2 works again.\\n\\nEnjoy.\"}");

        hub.hub().announcementMails().pass();
        // The hub's own sweep may have claimed the mail first: wait for it, whoever sends it.
        await().untilAsserted(() -> assertThat(mailedTo()).containsExactly(email("ada")));
        assertThat(smtp.getReceivedMessages()[0].getSubject()).isEqualTo("Coffee machine repaired");
        // Again, as a retry or a restart would: nobody is mailed twice.
        hub.hub().announcementMails().pass();
        assertThat(mailedTo()).containsExactly(email("ada"));

        assertThat(portal(ada))
                .contains("Coffee machine repaired", "<p>The machine on floor 2 works again.</p>", "<p>Enjoy.</p>");
        assertThat(portal(bob)).doesNotContain("Coffee machine repaired").contains("No announcements right now.");

        await().untilAsserted(() -> {
            JsonNode shown =
                    hub.api().get("/api/v1/announcements/" + id, tenant.token()).json();
            assertThat(shown.get("state").asText()).isEqualTo("live");
            assertThat(shown.at("/mail/sent").asInt()).isEqualTo(1);
        });
        assertThat(hub.api().get("/api/v1/audit", tenant.token()).text()).contains("announcement.create");
    }

    @Test
    void anAnnouncementForTheWholeSpaceReachesEveryMember() throws Exception {
        posted("{\"title\":\"Closed on Friday\",\"body\":\"We close at noon.\"}");
        hub.hub().announcementMails().pass();
        await().untilAsserted(() -> assertThat(mailedTo()).containsExactlyInAnyOrder(email("ada"), email("bob")));
        assertThat(portal(ada)).contains("Closed on Friday");
        assertThat(portal(bob)).contains("Closed on Friday");
    }

    @Test
    void aScheduledAnnouncementWaitsForItsTimeAndAWithdrawnOneIsGone() throws Exception {
        Instant later = clock.instant().plus(Duration.ofHours(2));
        String id = posted("{\"title\":\"Fire drill\",\"body\":\"At three.\",\"publishAt\":\"" + later
                + "\",\"expiresAt\":\"" + later.plus(Duration.ofHours(1)) + "\"}");
        hub.hub().announcementMails().pass();
        assertThat(mailedTo()).isEmpty();
        assertThat(portal(ada)).doesNotContain("Fire drill");

        clock.advance(Duration.ofHours(2).plusMinutes(1));
        assertThat(portal(ada)).contains("Fire drill");
        hub.hub().announcementMails().pass();
        await().untilAsserted(() -> assertThat(mailedTo()).hasSize(2));

        clock.advance(Duration.ofHours(1));
        assertThat(portal(ada)).doesNotContain("Fire drill");
        assertThat(hub.api()
                        .get("/api/v1/announcements/" + id, tenant.token())
                        .json()
                        .get("state")
                        .asText())
                .isEqualTo("expired");

        String other = posted("{\"title\":\"Wrong news\",\"body\":\"Oops.\"}");
        assertThat(portal(bob)).contains("Wrong news");
        Api.Response withdrawn = hub.api().post("/api/v1/announcements/" + other + "/withdraw", tenant.token(), "");
        assertThat(withdrawn.status()).as(withdrawn.toString()).isEqualTo(200);
        assertThat(withdrawn.json().get("state").asText()).isEqualTo("withdrawn");
        assertThat(portal(bob)).doesNotContain("Wrong news");
    }

    @Test
    void theTextIsShownAsTextNeverAsHtml() {
        posted("{\"title\":\"<b>Bold</b> claim\",\"body\":\"<script>alert(1)</script> <img src=x onerror=alert(2)>\"}");
        String page = portal(ada);
        assertThat(page).doesNotContain("<script>alert(1)", "<img src=x", "<b>Bold</b>");
        assertThat(page).contains("&lt;script&gt;alert(1)&lt;/script&gt;", "&lt;b&gt;Bold&lt;/b&gt; claim");
    }

    @Test
    void badInputAndOtherTenantsOrSitesAreRefusedAndChangeNothing() {
        Api.Response noTitle = post(tenant.token(), "{\"body\":\"x\"}");
        assertThat(noTitle.status()).isEqualTo(422);
        assertThat(noTitle.json().at("/errors/0/field").asText()).isEqualTo("title");
        Api.Response noBody = post(tenant.token(), "{\"title\":\"x\"}");
        assertThat(noBody.json().at("/errors/0/field").asText()).isEqualTo("body");
        Api.Response backwards = post(
                tenant.token(),
                "{\"title\":\"x\",\"body\":\"y\",\"publishAt\":\"2030-01-02T00:00:00Z\",\"expiresAt\":\"2030-01-01T00:00:00Z\"}");
        assertThat(backwards.status()).isEqualTo(422);
        assertThat(backwards.json().at("/errors/0/field").asText()).isEqualTo("expiresAt");
        Api.Response unknownSite =
                post(tenant.token(), "{\"siteId\":\"site_nothere000000000\",\"title\":\"x\",\"body\":\"y\"}");
        assertThat(unknownSite.status()).isEqualTo(422);

        TestHub.Tenant other = hub.newTenant("other-news");
        String theirs = hub.api()
                .post("/api/v1/announcements", other.token(), "{\"title\":\"Theirs\",\"body\":\"z\"}")
                .json()
                .get("id")
                .asText();
        assertThat(hub.api()
                        .get("/api/v1/announcements/" + theirs, tenant.token())
                        .status())
                .isEqualTo(404);
        assertThat(hub.api()
                        .post("/api/v1/announcements/" + theirs + "/withdraw", tenant.token(), "")
                        .status())
                .isEqualTo(404);

        String desk = hub.api()
                .post(
                        "/api/v1/tokens",
                        tenant.token(),
                        "{\"name\":\"mitte desk\",\"role\":\"front-desk\",\"sites\":[\"" + mitte + "\"]}")
                .json()
                .get("token")
                .asText();
        assertThat(post(desk, "{\"title\":\"All\",\"body\":\"y\"}").status()).isEqualTo(403);
        assertThat(post(desk, "{\"siteId\":\"" + kreuzberg + "\",\"title\":\"K\",\"body\":\"y\"}")
                        .status())
                .isEqualTo(404);
        assertThat(post(desk, "{\"siteId\":\"" + mitte + "\",\"title\":\"M\",\"body\":\"y\"}")
                        .status())
                .isEqualTo(201);

        assertThat(hub.api().get("/api/v1/announcements", tenant.token()).json().get("items"))
                .extracting(item -> item.get("title").asText())
                .containsExactly("M");
    }
}
