package dev.gatehouse.hub.analytics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.icegreen.greenmail.util.GreenMail;
import com.icegreen.greenmail.util.ServerSetupTest;
import dev.gatehouse.hub.accounts.MailSettings;
import dev.gatehouse.hub.mqtt.MqttSettings;
import dev.gatehouse.hub.store.Sql;
import dev.gatehouse.hub.store.StoreKind;
import dev.gatehouse.hub.testing.MovableClock;
import dev.gatehouse.hub.testing.TestHub;
import jakarta.mail.Message;
import jakarta.mail.Multipart;
import jakarta.mail.internet.MimeMessage;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.AfterParameterizedClassInvocation;
import org.junit.jupiter.params.BeforeParameterizedClassInvocation;
import org.junit.jupiter.params.Parameter;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The weekly site report mailed by the hub itself, on both stores, over real SMTP (GreenMail), on a
 * clock the test moves: nothing before Monday 07:00 in the site's zone; then each site's report goes to
 * exactly the site's managers, once, though three sweepers (the hub's own and two more on the same
 * store, as a second hub process would run) race for it and a fresh one (a restart) sweeps again; the
 * next week is mailed the next Monday.
 */
@ParameterizedClass
@EnumSource(StoreKind.class)
class WeeklyReportMailsTest {
    private static final ZoneId BERLIN = ZoneId.of("Europe/Berlin");
    static GreenMail smtp;
    static MovableClock clock;
    static TestHub hub;

    @Parameter
    StoreKind store;

    @BeforeParameterizedClassInvocation
    static void start(StoreKind kind) {
        smtp = new GreenMail(ServerSetupTest.SMTP.dynamicPort());
        smtp.start();
        clock = MovableClock.standingStill();
        clock.moveTo(berlin("2027-03-03T12:00"));
        hub = TestHub.start(
                kind,
                clock,
                Optional.empty(),
                MqttSettings.disabled(),
                config -> config.withMail(new MailSettings(
                        MailSettings.Mode.SMTP,
                        java.nio.file.Path.of("target", "weekly-report-mails"),
                        "reports@gatehouse.example",
                        Optional.of("127.0.0.1"),
                        smtp.getSmtp().getPort(),
                        Optional.empty(),
                        Optional.empty(),
                        false)));
    }

    @AfterParameterizedClassInvocation
    static void stop() {
        hub.close();
        smtp.stop();
    }

    private static Instant berlin(String local) {
        return LocalDateTime.parse(local).atZone(BERLIN).toInstant();
    }

    private String site(TestHub.Tenant tenant, String name) {
        return hub.create(
                "/api/v1/sites",
                tenant.token(),
                "{\"name\":\"" + name + "\",\"address\":\"1 Test St\",\"timeZone\":\"Europe/Berlin\"}");
    }

    private void account(TestHub.Tenant tenant, String email, String role, String sites) {
        hub.create(
                "/api/v1/accounts",
                tenant.token(),
                "{\"email\":\"" + email + "\",\"name\":\"" + role + "\",\"role\":\"" + role + "\",\"sites\":" + sites
                        + ",\"password\":\"a password for the weekly report test\"}");
    }

    /** Who got which subjects, from every mail the SMTP server holds. */
    private static Map<String, List<String>> received() throws Exception {
        Map<String, List<String>> by = new TreeMap<>();
        for (MimeMessage message : smtp.getReceivedMessages()) {
            for (var to : message.getRecipients(Message.RecipientType.TO)) {
                by.computeIfAbsent(to.toString(), k -> new ArrayList<>()).add(message.getSubject());
            }
        }
        return by;
    }

    private WeeklyReportMails another() {
        return new WeeklyReportMails(
                Analytics.of(
                        hub.hub().stores().database(),
                        clock,
                        hub.hub().config().console().dwell()),
                hub.hub().stores().database(),
                hub.hub().config().mail().mailer(clock),
                clock);
    }

    @Test
    void eachSitesReportReachesItsManagersOnceAWeekThoughSweepersRaceAndRestart() throws Exception {
        TestHub.Tenant tenant = hub.newTenant("weekly");
        String mitte = site(tenant, "Mitte " + store);
        String kreuzberg = site(tenant, "Kreuzberg " + store);
        String p = store.name().toLowerCase(java.util.Locale.ROOT);
        account(tenant, p + "-all@example.com", "site-manager", "[]");
        account(tenant, p + "-mitte@example.com", "site-manager", "[\"" + mitte + "\"]");
        account(tenant, p + "-kreuzberg@example.com", "site-manager", "[\"" + kreuzberg + "\"]");
        // Not managers: no report.
        account(tenant, p + "-desk@example.com", "front-desk", "[\"" + mitte + "\"]");
        account(tenant, p + "-finance@example.com", "finance", "[]");
        TestHub.Tenant other = hub.newTenant("weekly-other");
        String elsewhere = site(other, "Elsewhere " + store);
        account(other, p + "-other@example.com", "site-manager", "[\"" + elsewhere + "\"]");
        int before = smtp.getReceivedMessages().length;

        // Sunday night: the week is not over in Berlin.
        clock.moveTo(berlin("2027-03-07T23:30"));
        assertThat(another().pass()).isZero();
        clock.moveTo(berlin("2027-03-08T06:59"));
        assertThat(hub.hub().weeklyReports().pass()).isZero();
        assertThat(smtp.getReceivedMessages()).hasSize(before);

        // Monday 07:00: three sweepers at once, as the hub and a second hub process on the same store would.
        clock.moveTo(berlin("2027-03-08T07:00"));
        List<Callable<Integer>> sweepers =
                List.of(() -> hub.hub().weeklyReports().pass(), () -> another().pass(), () -> another()
                        .pass());
        ExecutorService pool = Executors.newFixedThreadPool(3);
        int sent = 0;
        try {
            for (Future<Integer> done : pool.invokeAll(sweepers)) {
                sent += done.get();
            }
        } finally {
            pool.shutdownNow();
        }
        // Three sites' reports; the hub's own background sweep may have taken some of them.
        assertThat(sent).isBetween(0, 3);
        String mitteWeek = "Weekly report: Mitte " + store + ", 2027-03-01 to 2027-03-07";
        String kreuzbergWeek = "Weekly report: Kreuzberg " + store + ", 2027-03-01 to 2027-03-07";
        String elsewhereWeek = "Weekly report: Elsewhere " + store + ", 2027-03-01 to 2027-03-07";
        await().atMost(Duration.ofSeconds(30))
                .untilAsserted(() -> assertThat(smtp.getReceivedMessages()).hasSize(before + 5));
        Map<String, List<String>> got = received();
        assertThat(got.get(p + "-all@example.com")).containsExactlyInAnyOrder(mitteWeek, kreuzbergWeek);
        assertThat(got.get(p + "-mitte@example.com")).containsExactly(mitteWeek);
        assertThat(got.get(p + "-kreuzberg@example.com")).containsExactly(kreuzbergWeek);
        assertThat(got.get(p + "-other@example.com")).containsExactly(elsewhereWeek);
        assertThat(got).doesNotContainKeys(p + "-desk@example.com", p + "-finance@example.com");
        MimeMessage one = List.of(smtp.getReceivedMessages()).stream()
                .filter(m -> {
                    try {
                        return m.getSubject().equals(mitteWeek);
                    } catch (jakarta.mail.MessagingException e) {
                        throw new IllegalStateException(e);
                    }
                })
                .findFirst()
                .orElseThrow();
        Multipart parts = (Multipart) one.getContent();
        assertThat(parts.getBodyPart(parts.getCount() - 1).getFileName())
                .isEqualTo("weekly-" + mitte + "-2027-03-01.pdf");
        List<String> runs = hub.hub()
                .stores()
                .database()
                .read(c -> Sql.list(
                        c,
                        "SELECT week, recipients FROM weekly_report_runs WHERE site_id = ? AND sent_at IS NOT NULL"
                                + " AND error IS NULL",
                        r -> r.getString(1) + ":" + r.getInt(2),
                        mitte));
        assertThat(runs).containsExactly("2027-03-01:2");

        // A restart (a fresh sweeper) later that week sends nothing again.
        clock.moveTo(berlin("2027-03-10T12:00"));
        assertThat(another().pass()).isZero();
        assertThat(hub.hub().weeklyReports().pass()).isZero();
        assertThat(smtp.getReceivedMessages()).hasSize(before + 5);

        // The next Monday: the next week, once.
        clock.moveTo(berlin("2027-03-15T08:00"));
        another().pass();
        await().atMost(Duration.ofSeconds(30))
                .untilAsserted(() -> assertThat(smtp.getReceivedMessages()).hasSize(before + 10));
        assertThat(another().pass()).isZero();
        assertThat(received().get(p + "-mitte@example.com"))
                .containsExactly(mitteWeek, "Weekly report: Mitte " + store + ", 2027-03-08 to 2027-03-14");
    }
}
