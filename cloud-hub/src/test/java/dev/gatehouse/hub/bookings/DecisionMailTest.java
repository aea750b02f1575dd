package dev.gatehouse.hub.bookings;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.icegreen.greenmail.util.GreenMail;
import com.icegreen.greenmail.util.ServerSetupTest;
import dev.gatehouse.hub.accounts.MailSettings;
import dev.gatehouse.hub.console.ConsoleSettings;
import dev.gatehouse.hub.mqtt.MqttSettings;
import dev.gatehouse.hub.store.StoreKind;
import dev.gatehouse.hub.store.StoreResult;
import dev.gatehouse.hub.testing.Api;
import dev.gatehouse.hub.testing.MovableClock;
import dev.gatehouse.hub.testing.TestHub;
import jakarta.mail.MessagingException;
import jakarta.mail.internet.MimeMessage;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.time.Duration;
import java.time.LocalDate;
import java.time.LocalTime;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A member learns by mail what became of a request that waited for approval: approved, declined with
 * the operator's reason, or lapsed with the credits back. Sent over real SMTP (GreenMail) after the
 * decision committed, once per decision; a mail that cannot be sent leaves the decision standing.
 */
class DecisionMailTest {
    private static final ZoneId BERLIN = ZoneId.of("Europe/Berlin");
    private static final String ADA = "ada@example.com";
    static final GreenMail SMTP = new GreenMail(ServerSetupTest.SMTP.dynamicPort());
    static MovableClock clock;
    static TestHub hub;

    private BookingSite at;
    private LocalDate day;

    @BeforeAll
    static void start() {
        SMTP.start();
        clock = new MovableClock();
        hub = TestHub.start(
                StoreKind.SQLITE, clock, Optional.empty(), MqttSettings.disabled(), config -> config.withMail(
                                smtp(SMTP.getSmtp().getPort()))
                        .withConsole(new ConsoleSettings(
                                Optional.of(URI.create("https://hub.example.test/")),
                                ConsoleSettings.defaults().dwell())));
    }

    @AfterAll
    static void stop() {
        hub.close();
        SMTP.stop();
    }

    private static MailSettings smtp(int port) {
        return new MailSettings(
                MailSettings.Mode.SMTP,
                java.nio.file.Path.of("target", "decision-mail"),
                "bookings@gatehouse.example",
                Optional.of("127.0.0.1"),
                port,
                Optional.empty(),
                Optional.empty(),
                false);
    }

    @BeforeEach
    void site() throws Exception {
        SMTP.purgeEmailFromAllMailboxes();
        clock.set(Duration.ZERO);
        at = BookingSite.create(hub, "mail");
        day = LocalDate.now(BERLIN).plusDays(3);
    }

    private String boardroom(int holdHours) {
        return hub.create(
                "/api/v1/sites/" + at.site() + "/resources",
                at.tenant().token(),
                "{\"name\":\"Boardroom\",\"kind\":\"meeting-room\",\"rules\":{\"approvalHoldHours\":" + holdHours
                        + "}}");
    }

    private String requested(String room, String from, String to) {
        Api.Response answer = hub.api()
                .post(
                        "/api/v1/bookings",
                        at.tenant().token(),
                        "{\"resourceId\":\"" + room + "\",\"memberId\":\"" + at.member() + "\",\"start\":\""
                                + day.atTime(LocalTime.parse(from))
                                        .atZone(BERLIN)
                                        .toInstant() + "\",\"end\":\""
                                + day.atTime(LocalTime.parse(to)).atZone(BERLIN).toInstant()
                                + "\",\"awaitApproval\":true}");
        assertThat(answer.status()).as(answer.toString()).isEqualTo(201);
        assertThat(answer.json().get("status").asText()).isEqualTo("pending");
        return answer.json().get("id").asText();
    }

    private Api.Response post(String path, String body) {
        return hub.api().post(path, at.tenant().token(), body);
    }

    private record Received(String to, String subject, String text) {}

    private static List<Received> mails() {
        return java.util.Arrays.stream(SMTP.getReceivedMessages())
                .map(DecisionMailTest::received)
                .toList();
    }

    private static Received received(MimeMessage message) {
        try {
            return new Received(
                    message.getAllRecipients()[0].toString(), message.getSubject(), (String) message.getContent());
        } catch (MessagingException | IOException e) {
            throw new IllegalStateException(e);
        }
    }

    /** How the mail writes the request's day, as the member reads it in Berlin. */
    private String dayWords() {
        return DateTimeFormatter.ofPattern("EEEE d MMMM uuuu", Locale.ENGLISH).format(day);
    }

    @Test
    void anApprovalMailsTheMemberOnceWithWhatAndWhen() {
        String id = requested(boardroom(24), "10:00", "11:00");
        // Waiting is no decision: nothing is sent yet.
        assertThat(mails()).isEmpty();

        assertThat(post("/api/v1/bookings/" + id + "/approve", "").status()).isEqualTo(200);
        assertThat(mails()).singleElement().satisfies(mail -> {
            assertThat(mail.to()).isEqualTo(ADA);
            assertThat(mail.subject()).isEqualTo("Your booking of Boardroom is approved");
            assertThat(mail.text())
                    .contains("Hello Ada Lovelace")
                    .contains("approved")
                    .contains("Boardroom at Berlin Mitte")
                    // The site's local time, not UTC.
                    .contains(dayWords() + ", 10:00–11:00 (Europe/Berlin)")
                    .contains("https://hub.example.test/portal/bookings")
                    .doesNotContain("declined");
        });

        decidingAgainIsRefusedAndMailsNothing(id);
    }

    @Test
    void aDeclineMailsTheOperatorsReasonOnce() {
        String id = requested(boardroom(24), "14:00", "16:00");
        Api.Response declined = post("/api/v1/bookings/" + id + "/decline", "{\"reason\":\"Board meeting that day\"}");
        assertThat(declined.status()).as(declined.toString()).isEqualTo(200);
        assertThat(mails()).singleElement().satisfies(mail -> {
            assertThat(mail.to()).isEqualTo(ADA);
            assertThat(mail.subject()).isEqualTo("Your booking of Boardroom is declined");
            assertThat(mail.text())
                    .contains("declined")
                    .contains("Reason: Board meeting that day")
                    .contains(dayWords() + ", 14:00–16:00 (Europe/Berlin)");
        });
        decidingAgainIsRefusedAndMailsNothing(id);
    }

    /** A second decision, either way, is refused (409) and tells the member nothing more. */
    private void decidingAgainIsRefusedAndMailsNothing(String id) {
        assertThat(post("/api/v1/bookings/" + id + "/approve", "").status()).isEqualTo(409);
        assertThat(post("/api/v1/bookings/" + id + "/decline", "{\"reason\":\"changed my mind\"}")
                        .status())
                .isEqualTo(409);
        assertThat(mails()).hasSize(1);
    }

    @Test
    void theConsolesButtonsMailTheMemberToo() {
        String approve = requested(boardroom(24), "09:00", "10:00");
        String decline = requested(boardroom(24), "15:00", "16:00");
        dev.gatehouse.hub.accounts.Sessions.Opened owner = hub.operator(at.tenant(), "owner", "[]");
        String csrf = "_csrf=" + owner.session().csrfToken();

        assertThat(console(owner, "/console/bookings/" + approve + "/approve", csrf)
                        .headers()
                        .firstValue("Location"))
                .hasValue("/console/bookings/" + approve + "?notice=approved");
        assertThat(console(owner, "/console/bookings/" + decline + "/decline", csrf + "&reason=Room+repainted")
                        .headers()
                        .firstValue("Location"))
                .hasValue("/console/bookings/" + decline + "?notice=declined");

        assertThat(mails())
                .extracting(Received::subject)
                .containsExactly("Your booking of Boardroom is approved", "Your booking of Boardroom is declined");
        assertThat(mails().get(1).text()).contains("Reason: Room repainted");
    }

    private static Api.Response console(dev.gatehouse.hub.accounts.Sessions.Opened session, String path, String form) {
        return hub.api()
                .withCookie(
                        "POST",
                        path,
                        // hub.public-url is https here: the cookie has its __Host- name.
                        hub.hub().config().console().sessionCookie() + "=" + session.cookieValue(),
                        Optional.of(form));
    }

    @Test
    void theHubsSweepMailsARequestThatLapsed() {
        String id = requested(boardroom(1), "09:00", "10:00");
        clock.advance(Duration.ofMinutes(61));
        // The hub's own sweep (every 10 s) lets it lapse and tells the member, once.
        await().atMost(Duration.ofSeconds(60)).until(() -> !mails().isEmpty());
        assertThat(mails()).singleElement().satisfies(mail -> {
            assertThat(mail.to()).isEqualTo(ADA);
            assertThat(mail.subject()).isEqualTo("Your request for Boardroom lapsed");
            assertThat(mail.text())
                    .contains("your request lapsed; credits refunded")
                    .contains("09:00");
        });
        assertThat(hub.api()
                        .get("/api/v1/bookings/" + id, at.tenant().token())
                        .json()
                        .get("status")
                        .asText())
                .isEqualTo("lapsed");
        // Swept again, it is nothing new.
        assertThat(new BookingApprovals(hub.hub().database(), clock).lapseDue()).isZero();
        assertThat(mails()).hasSize(1);
    }

    @Test
    void aMailThatCannotBeSentLeavesTheDecisionStanding() throws IOException {
        String id = requested(boardroom(24), "12:00", "13:00");
        int closed;
        try (ServerSocket socket = new ServerSocket(0)) {
            closed = socket.getLocalPort();
        }
        BookingApprovals approvals = new BookingApprovals(
                hub.hub().database(),
                clock,
                new DecisionMails(hub.hub().database(), smtp(closed).mailer(clock), Optional.empty()));

        StoreResult<BookingApprovals.Decision> decided =
                approvals.approve(at.tenant().id(), id, "operator");

        assertThat(decided).isInstanceOfSatisfying(StoreResult.Found.class, found -> assertThat(
                        ((BookingApprovals.Decision) found.value()).result())
                .isEqualTo(BookingApprovals.Result.APPROVED));
        assertThat(hub.api()
                        .get("/api/v1/bookings/" + id, at.tenant().token())
                        .json()
                        .get("status")
                        .asText())
                .isEqualTo("confirmed");
        assertThat(mails()).isEmpty();
    }
}
