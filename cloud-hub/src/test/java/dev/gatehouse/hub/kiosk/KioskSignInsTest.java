package dev.gatehouse.hub.kiosk;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.icegreen.greenmail.util.GreenMail;
import com.icegreen.greenmail.util.GreenMailUtil;
import com.icegreen.greenmail.util.ServerSetupTest;
import dev.gatehouse.hub.mqtt.MqttSettings;
import dev.gatehouse.hub.store.Sql;
import dev.gatehouse.hub.store.StoreKind;
import dev.gatehouse.hub.testing.Api;
import dev.gatehouse.hub.testing.SmtpSettings;
import dev.gatehouse.hub.testing.TestHub;
import dev.gatehouse.protocol.message.Envelope;
import dev.gatehouse.protocol.message.KioskEvent;
import dev.gatehouse.protocol.model.MemberId;
import dev.gatehouse.protocol.model.PassId;
import jakarta.mail.MessagingException;
import jakarta.mail.internet.MimeMessage;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.AfterParameterizedClassInvocation;
import org.junit.jupiter.params.BeforeParameterizedClassInvocation;
import org.junit.jupiter.params.Parameter;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Kiosk sign-ins at the hub on both stores: each edge event stored once per tenant and event id with
 * one outbox event, the host mailed once however many senders try (real SMTP, GreenMail), and the
 * site's visitor log in pages, newest first, for the site's own tenant only.
 */
@ParameterizedClass
@EnumSource(StoreKind.class)
class KioskSignInsTest {
    static TestHub hub;
    static GreenMail smtp;
    static TestHub.Tenant acme;
    static String site;
    static String host;

    @Parameter
    StoreKind store;

    @BeforeParameterizedClassInvocation
    static void start(StoreKind kind) {
        smtp = new GreenMail(ServerSetupTest.SMTP.dynamicPort());
        smtp.start();
        int port = smtp.getSmtp().getPort();
        hub = TestHub.start(
                kind,
                Clock.systemUTC(),
                Optional.empty(),
                MqttSettings.disabled(),
                config -> config.withMail(
                        SmtpSettings.local(port, "desk@gatehouse.example", Path.of("target", "kiosk-mail"))));
        acme = hub.newTenant("kiosk");
        site = hub.create(
                "/api/v1/sites",
                acme.token(),
                "{\"name\":\"Lobby House\",\"address\":\"Main Street 1\",\"timeZone\":\"Europe/Berlin\"}");
        host = hub.create(
                "/api/v1/members", acme.token(), "{\"email\":\"ada@acme.example\",\"fullName\":\"Ada Host\"}");
    }

    @AfterParameterizedClassInvocation
    static void stop() {
        hub.close();
        smtp.stop();
    }

    private static Envelope event(KioskEvent event, Instant at) {
        return new Envelope(UUID.randomUUID().toString(), at, event);
    }

    private static boolean ingest(String tenantId, Envelope envelope) {
        Instant now = Instant.now();
        return hub.hub().database().write(c -> KioskSignIns.insert(c, tenantId, "pi-1", envelope, now));
    }

    private static long count(String sql, Object... params) {
        return hub.hub().database().read(c -> Sql.one(c, sql, Sql.LONG, params)).orElseThrow();
    }

    private static List<MimeMessage> mailsAbout(String visitor) {
        List<MimeMessage> out = new ArrayList<>();
        for (MimeMessage message : smtp.getReceivedMessages()) {
            try {
                if (message.getSubject().startsWith(visitor + " is here")) {
                    out.add(message);
                }
            } catch (MessagingException e) {
                throw new AssertionError(e);
            }
        }
        return out;
    }

    @Test
    void aWalkInIsStoredOnceWithOneOutboxEventHoweverOftenTheEdgeSendsIt() {
        Envelope walkIn = event(
                KioskEvent.walkIn(
                        site, "k-lobby", MemberId.of(host), "Grace Hopper", Optional.of("grace@example.org"), false),
                Instant.now());

        assertThat(ingest(acme.id(), walkIn)).isTrue();
        assertThat(ingest(acme.id(), walkIn)).isFalse();

        assertThat(count("SELECT COUNT(*) FROM kiosk_sign_ins WHERE id = ?", walkIn.id()))
                .isEqualTo(1);
        assertThat(count(
                        "SELECT COUNT(*) FROM outbox_events WHERE type = 'visitor.signed-in' AND entity_id = ?",
                        walkIn.id()))
                .isEqualTo(1);
        String payload = hub.hub()
                .database()
                .read(c -> Sql.one(c, "SELECT payload FROM outbox_events WHERE entity_id = ?", Sql.STRING, walkIn.id()))
                .orElseThrow();
        // Ids only, like the other visitor events: a delivered payload cannot be erased, so the
        // visitor's name and e-mail and the host's name stay in the visitor log, which retention reaches.
        assertThat(payload)
                .contains("\"kind\":\"walk-in-signed-in\"")
                .contains("\"hostMemberId\":\"" + host + "\"")
                .contains("\"eventId\":\"" + walkIn.id() + "\"")
                .doesNotContain("Grace Hopper")
                .doesNotContain("Ada Host")
                .doesNotContain("visitorName")
                .doesNotContain("hostName")
                .doesNotContain("grace@example.org");
    }

    @Test
    void theHostIsMailedOnceEvenWhenTwoSendersTry() {
        Envelope walkIn = event(
                KioskEvent.walkIn(site, "k-lobby", MemberId.of(host), "Alan Turing", Optional.empty(), true),
                Instant.now());
        ingest(acme.id(), walkIn);

        // The hub's own sender runs too (every 5 s); a notice is claimed before it is sent.
        hub.hub().hostNotices().sendDue();
        hub.hub().hostNotices().sendDue();
        org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(20)).until(() -> hub.hub()
                .database()
                .read(c -> Sql.one(c, "SELECT notice_state FROM kiosk_sign_ins WHERE id = ?", Sql.STRING, walkIn.id()))
                .orElse("")
                .equals("SENT"));
        hub.hub().hostNotices().sendDue();

        assertThat(mailsAbout("Alan Turing")).singleElement().satisfies(mail -> {
            assertThat(GreenMailUtil.getAddressList(mail.getAllRecipients())).isEqualTo("ada@acme.example");
            assertThat(GreenMailUtil.getBody(mail)).contains("offline");
        });
    }

    /** A walk-in stored as a stopped hub left it: its notice claimed ({@code SENDING}) 3 minutes ago. */
    private static Envelope leftSending(String visitor, int attempts) {
        Envelope walkIn = event(
                KioskEvent.walkIn(site, "k-lobby", MemberId.of(host), visitor, Optional.empty(), false), Instant.now());
        // In one transaction with the ingest, so the hub's own sender never sees it pending.
        hub.hub().database().run(c -> {
            KioskSignIns.insert(c, acme.id(), "pi-1", walkIn, Instant.now());
            Sql.update(
                    c,
                    "UPDATE kiosk_sign_ins SET notice_state = 'SENDING', notice_attempts = ?, noticed_at = ? WHERE id = ?",
                    attempts,
                    Instant.now().minus(KioskSignIns.STUCK).minusSeconds(60),
                    walkIn.id());
        });
        return walkIn;
    }

    private static JsonNode logEntry(String id) {
        JsonNode items = hub.api()
                .get("/api/v1/sites/" + site + "/visitor-log?limit=500", acme.token())
                .json()
                .get("items");
        for (JsonNode item : items) {
            if (item.get("id").asText().equals(id)) {
                return item;
            }
        }
        throw new AssertionError("sign-in " + id + " is not in the visitor log");
    }

    private static String noticeState(String id) {
        return hub.hub()
                .database()
                .read(c -> Sql.one(c, "SELECT notice_state FROM kiosk_sign_ins WHERE id = ?", Sql.STRING, id))
                .orElseThrow();
    }

    /**
     * A hub that stops while mailing a host leaves the notice "sending". After a restart the notice is
     * sent once it has been stuck long enough; one stuck on its last allowed attempt can never be
     * claimed again, so it must end failed (and say so in the visitor log), not stay "sending" and be
     * picked up by every pass for ever.
     */
    @Test
    void aNoticeLeftSendingByAStoppedHubIsSentAfterARestartOrEndsFailedOnItsLastAttempt() {
        Envelope recovered = leftSending("Katherine Johnson", 3);
        Envelope abandoned = leftSending("Dorothy Vaughan", KioskSignIns.MAX_NOTICE_ATTEMPTS);

        hub.hub().hostNotices().sendDue();
        org.awaitility.Awaitility.await()
                .atMost(Duration.ofSeconds(20))
                .until(() -> noticeState(recovered.id()).equals("SENT")
                        && noticeState(abandoned.id()).equals("FAILED"));
        hub.hub().hostNotices().sendDue();

        assertThat(mailsAbout("Katherine Johnson")).hasSize(1);
        assertThat(mailsAbout("Dorothy Vaughan")).isEmpty();
        assertThat(noticeState(abandoned.id())).isEqualTo("FAILED");
        JsonNode shown = logEntry(abandoned.id());
        assertThat(shown.get("hostNotice").asText()).isEqualTo("failed");
        assertThat(shown.get("hostNoticeError").asText()).contains("10 attempts");
        List<String> sending = hub.hub()
                .database()
                .read(c -> Sql.list(c, "SELECT id FROM kiosk_sign_ins WHERE notice_state = 'SENDING'", Sql.STRING));
        assertThat(sending).doesNotContain(abandoned.id());
    }

    /** A failed mail is tried again ("retrying") until its last attempt, then "failed" for good. */
    @Test
    void aFailingNoticeIsRetryingUntilItsLastAttemptThenFailedForGood() {
        String gone = hub.create(
                "/api/v1/members", acme.token(), "{\"email\":\"gone@acme.example\",\"fullName\":\"Gone Host\"}");
        Envelope early = event(
                KioskEvent.walkIn(site, "k-lobby", MemberId.of(gone), "Early Visitor", Optional.empty(), false),
                Instant.now());
        Envelope last = event(
                KioskEvent.walkIn(site, "k-lobby", MemberId.of(gone), "Late Visitor", Optional.empty(), false),
                Instant.now());
        hub.hub().database().run(c -> {
            KioskSignIns.insert(c, acme.id(), "pi-1", early, Instant.now());
            KioskSignIns.insert(c, acme.id(), "pi-1", last, Instant.now());
            // The host has no address to write to any more: every attempt fails.
            Sql.update(c, "UPDATE members SET erased_at = ? WHERE id = ?", Instant.now(), gone);
            Sql.update(
                    c,
                    "UPDATE kiosk_sign_ins SET notice_attempts = ? WHERE id = ?",
                    KioskSignIns.MAX_NOTICE_ATTEMPTS - 1,
                    last.id());
        });

        hub.hub().hostNotices().sendDue();
        org.awaitility.Awaitility.await()
                .atMost(Duration.ofSeconds(20))
                .until(() -> noticeState(early.id()).equals("RETRYING")
                        && noticeState(last.id()).equals("FAILED"));

        assertThat(logEntry(early.id()).get("hostNotice").asText()).isEqualTo("retrying");
        assertThat(logEntry(last.id()).get("hostNotice").asText()).isEqualTo("failed");
        assertThat(logEntry(last.id()).get("hostNoticeError").asText()).contains("no e-mail address");
    }

    @Test
    void aMembersOwnCheckInTellsNobodyAndIsAMemberCheckedInEvent() {
        Envelope checkIn = event(KioskEvent.member(site, "k-lobby", MemberId.of(host), false), Instant.now());

        ingest(acme.id(), checkIn);

        assertThat(count("SELECT COUNT(*) FROM kiosk_sign_ins WHERE id = ? AND notice_state = 'NONE'", checkIn.id()))
                .isEqualTo(1);
        assertThat(count(
                        "SELECT COUNT(*) FROM outbox_events WHERE type = 'member.checked-in' AND entity_id = ?",
                        checkIn.id()))
                .isEqualTo(1);
    }

    @Test
    void aPassSignInTakesTheVisitorsNameFromThePass() {
        Instant now = Instant.now().truncatedTo(ChronoUnit.SECONDS);
        String door = hub.create("/api/v1/sites/" + site + "/doors", acme.token(), "{\"name\":\"Front\"}");
        Api.Response pass = hub.api()
                .post(
                        "/api/v1/sites/" + site + "/visitor-passes",
                        acme.token(),
                        "{\"visitorName\":\"Hedy Lamarr\",\"hostMemberId\":\"" + host + "\",\"doorIds\":[\"" + door
                                + "\"],\"validFrom\":\"" + now + "\",\"validUntil\":\"" + now.plusSeconds(3600)
                                + "\"}");
        String passId = pass.json().get("id").asText();
        Envelope signIn = event(
                KioskEvent.visitor(site, "k-lobby", PassId.of(passId), Optional.of(MemberId.of(host)), false),
                Instant.now());

        ingest(acme.id(), signIn);

        assertThat(count(
                        "SELECT COUNT(*) FROM kiosk_sign_ins WHERE id = ? AND visitor_name = 'Hedy Lamarr' AND pass_id = ?",
                        signIn.id(),
                        passId))
                .isEqualTo(1);
    }

    @Test
    void theVisitorLogPagesNewestFirstAndOnlyForTheSitesTenant() {
        Instant base = Instant.parse("2020-01-01T09:00:00Z");
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            Envelope walkIn = event(
                    KioskEvent.walkIn(site, "k-lobby", MemberId.of(host), "Old visitor " + i, Optional.empty(), false),
                    base.plusSeconds(i));
            ingest(acme.id(), walkIn);
            ids.add(walkIn.id());
        }
        // Everything else in this class happened after 2020: the oldest page holds these three.
        List<String> seen = new ArrayList<>();
        String path = "/api/v1/sites/" + site + "/visitor-log?limit=2";
        String cursor = "";
        do {
            JsonNode page = hub.api().get(path + cursor, acme.token()).json();
            page.get("items").forEach(item -> seen.add(item.get("id").asText()));
            cursor =
                    page.has("nextCursor") ? "&cursor=" + page.get("nextCursor").asText() : "";
        } while (!cursor.isEmpty());
        assertThat(seen.subList(seen.size() - 3, seen.size())).containsExactly(ids.get(2), ids.get(1), ids.get(0));
        assertThat(seen).doesNotHaveDuplicates();

        TestHub.Tenant other = hub.newTenant("elsewhere");
        assertThat(hub.api()
                        .get("/api/v1/sites/" + site + "/visitor-log", other.token())
                        .status())
                .isEqualTo(404);
        Api.Response bad = hub.api().get("/api/v1/sites/" + site + "/visitor-log?limit=0", acme.token());
        assertThat(bad.status()).isEqualTo(422);
        assertThat(bad.text()).contains("limit");
    }

    /** The display name the site's change log hands its edges for {@code member}, as of now. */
    private static Optional<String> nameSent(String member) {
        Optional<String> last = Optional.empty();
        for (var change : new dev.gatehouse.hub.sync.SyncStore(hub.hub().database(), Clock.systemUTC())
                .range(acme.id(), site, 0, 100_000)
                .orElseThrow()
                .changes()) {
            if (change.change() instanceof dev.gatehouse.protocol.message.Change.Upsert upsert
                    && upsert.entity() instanceof dev.gatehouse.protocol.model.Member m
                    && m.id().value().equals(member)) {
                last = m.displayName();
            }
        }
        return last;
    }

    @Test
    void aMembersNameReachesOnlySitesWhoseEdgesAllReadItAndComesAgainWhenTheyDo() {
        String member = hub.create(
                "/api/v1/members", acme.token(), "{\"email\":\"cy@acme.example\",\"fullName\":\"Cy Named\"}");
        // The name goes only where the member has access: give Cy a plan at the site.
        var people = new dev.gatehouse.hub.members.People(hub, acme.token());
        String plan = people.plan("[]", "ignored", people.group(site, people.door(site)));
        assertThat(hub.api()
                        .put("/api/v1/members/" + member + "/plans/" + plan, acme.token(), "{}")
                        .status())
                .isLessThan(300);
        // No edge at the site yet: nobody to refuse the field.
        assertThat(nameSent(member)).contains("Cy Named");

        // An edge that predates member-names would refuse a batch with the name: it gets the member without.
        String device = hub.create("/api/v1/sites/" + site + "/devices", acme.token(), "{\"name\":\"Old Pi\"}");
        hub.hub()
                .database()
                .run(c -> Sql.update(
                        c, "UPDATE devices SET status = 'active', features = 'door-policy' WHERE id = ?", device));
        assertThat(nameSent(member)).isEmpty();
        long before = count("SELECT COUNT(*) FROM site_changes WHERE site_id = ?", site);

        // Upgraded: it reports the feature, and the members are sent again with their names.
        hub.hub().database().run(c -> {
            var reads = dev.gatehouse.hub.bookings.SiteFeatures.reads(c, acme.id(), site);
            Sql.update(c, "UPDATE devices SET features = 'door-policy,member-names' WHERE id = ?", device);
            dev.gatehouse.hub.bookings.SiteFeatures.catchUp(c, acme.id(), site, reads, Instant.now());
        });
        assertThat(count("SELECT COUNT(*) FROM site_changes WHERE site_id = ?", site))
                .isGreaterThan(before);
        assertThat(nameSent(member)).contains("Cy Named");

        // A suspended member's name leaves the edges.
        Api.Response suspended =
                hub.api().patch("/api/v1/members/" + member, acme.token(), "{\"status\":\"suspended\"}");
        assertThat(suspended.status()).as(suspended.toString()).isLessThan(300);
        assertThat(nameSent(member)).isEmpty();
        hub.hub().database().run(c -> Sql.update(c, "UPDATE devices SET status = 'retired' WHERE id = ?", device));
    }

    @Test
    void theConsolesVisitorLogListsTheSitesSignInsToItsOperatorsOnly() {
        Envelope walkIn = event(
                KioskEvent.walkIn(site, "k-lobby", MemberId.of(host), "Mary Jackson", Optional.empty(), true),
                Instant.now());
        ingest(acme.id(), walkIn);
        var desk = hub.operator(acme, "front-desk", "[\"" + site + "\"]");

        Api.Response page = hub.api()
                .withCookie("GET", "/console/visitor-log", "gh_session=" + desk.cookieValue(), Optional.empty());

        assertThat(page.status()).isEqualTo(200);
        assertThat(page.text())
                .contains("id=\"sign-in-" + walkIn.id() + "\"")
                .contains("Mary Jackson")
                .contains("Ada Host")
                .contains("Walk-in")
                .contains("made offline")
                .contains("href=\"/console/visitor-log\"");
        // Another tenant's operator asking for this site sees none of it.
        TestHub.Tenant other = hub.newTenant("log-other");
        var stranger = hub.operator(other, "owner", "[]");
        Api.Response theirs = hub.api()
                .withCookie(
                        "GET",
                        "/console/visitor-log?siteId=" + site,
                        "gh_session=" + stranger.cookieValue(),
                        Optional.empty());
        assertThat(theirs.status()).isEqualTo(200);
        assertThat(theirs.text()).doesNotContain("Mary Jackson").contains("not one you may see");
    }
}
