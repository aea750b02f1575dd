package dev.gatehouse.hub.analytics;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.icegreen.greenmail.util.GreenMail;
import com.icegreen.greenmail.util.ServerSetupTest;
import dev.gatehouse.hub.accounts.MailSettings;
import dev.gatehouse.hub.mqtt.MqttSettings;
import dev.gatehouse.hub.store.StoreKind;
import dev.gatehouse.hub.testing.Api;
import dev.gatehouse.hub.testing.MovableClock;
import dev.gatehouse.hub.testing.TestHub;
import jakarta.mail.BodyPart;
import jakarta.mail.Multipart;
import jakarta.mail.internet.MimeMessage;
import java.io.InputStream;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneId;
import java.util.List;
import java.util.Optional;
import org.apache.pdfbox.Loader;
import org.apache.pdfbox.pdmodel.PDDocument;
import org.apache.pdfbox.text.PDFTextStripper;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * A site's weekly report, mailed over real SMTP (GreenMail, in process) with its PDF attached: the
 * PDF and the mail carry the same figures as the occupancy API for that week, each with its
 * definition; the PDF route gives the same document; a bad address or a day that is not a Monday is
 * refused and nothing is sent; another tenant's site is a 404.
 */
class WeeklyReportTest {
    private static final ZoneId BERLIN = ZoneId.of("Europe/Berlin");
    static final GreenMail SMTP = new GreenMail(ServerSetupTest.SMTP.dynamicPort());
    static MovableClock clock;
    static TestHub hub;

    @BeforeAll
    static void start() {
        SMTP.start();
        clock = MovableClock.standingStill();
        hub = TestHub.start(
                StoreKind.SQLITE,
                clock,
                Optional.empty(),
                MqttSettings.disabled(),
                config -> config.withMail(new MailSettings(
                        MailSettings.Mode.SMTP,
                        java.nio.file.Path.of("target", "weekly-report-mail"),
                        "reports@gatehouse.example",
                        Optional.of("127.0.0.1"),
                        SMTP.getSmtp().getPort(),
                        Optional.empty(),
                        Optional.empty(),
                        false)));
    }

    @AfterAll
    static void stop() {
        hub.close();
        SMTP.stop();
    }

    private static Instant berlin(String local) {
        return LocalDateTime.parse(local).atZone(BERLIN).toInstant();
    }

    private static String pdfText(byte[] pdf) throws Exception {
        try (PDDocument document = Loader.loadPDF(pdf)) {
            return new PDFTextStripper().getText(document);
        }
    }

    @Test
    void theWeeksReportIsMailedWithItsPdfAndCarriesTheApisFiguresAndDefinitions() throws Exception {
        clock.moveTo(berlin("2027-02-26T12:00"));
        TestHub.Tenant tenant = hub.newTenant("weekly");
        String site = hub.create(
                "/api/v1/sites",
                tenant.token(),
                "{\"name\":\"Mitte\",\"address\":\"Torstr. 1\",\"timeZone\":\"Europe/Berlin\"}");
        String door = hub.create("/api/v1/sites/" + site + "/doors", tenant.token(), "{\"name\":\"Front\"}");
        String device = hub.create("/api/v1/sites/" + site + "/devices", tenant.token(), "{\"name\":\"pi\"}");
        Api.Response targets =
                hub.api().put("/api/v1/analytics/sites/" + site + "/targets", tenant.token(), "{\"capacity\":8}");
        assertThat(targets.status()).as(targets.toString()).isEqualTo(200);
        clock.moveTo(berlin("2027-03-03T12:00"));
        hub.hub()
                .stores()
                .accessLog()
                .ingest(
                        tenant.id(),
                        site,
                        device,
                        List.of(
                                Entries.granted(site, door, berlin("2027-03-02T09:00"), "mem_a"),
                                Entries.granted(site, door, berlin("2027-03-02T09:30"), "mem_b")));
        // The report is asked the next Monday: it covers the week before.
        clock.moveTo(berlin("2027-03-08T07:00"));

        Api.Response sent = hub.api()
                .post(
                        "/api/v1/analytics/sites/" + site + "/weekly-report",
                        tenant.token(),
                        "{\"to\":\"manager@example.com\"}");
        assertThat(sent.status()).as(sent.toString()).isEqualTo(200);
        assertThat(sent.json().get("from").asText()).isEqualTo("2027-03-01");
        assertThat(sent.json().get("to").asText()).isEqualTo("2027-03-07");

        JsonNode api = hub.api()
                .get("/api/v1/analytics/sites/" + site + "/occupancy?from=2027-03-01&to=2027-03-07", tenant.token())
                .json();
        assertThat(api.get("physical").get("peakPeople").asInt()).isEqualTo(2);
        assertThat(api.get("physical").get("peak").asDouble()).isEqualTo(0.25);

        assertThat(SMTP.waitForIncomingEmail(5_000, 1)).isTrue();
        MimeMessage mail = SMTP.getReceivedMessages()[0];
        assertThat(mail.getSubject()).isEqualTo("Weekly report: Mitte, 2027-03-01 to 2027-03-07");
        Multipart parts = (Multipart) mail.getContent();
        String text = null;
        byte[] pdf = null;
        for (int i = 0; i < parts.getCount(); i++) {
            BodyPart part = parts.getBodyPart(i);
            if (("weekly-" + site + "-2027-03-01.pdf").equals(part.getFileName())) {
                try (InputStream in = part.getInputStream()) {
                    pdf = in.readAllBytes();
                }
            } else {
                text = String.valueOf(part.getContent());
            }
        }
        assertThat(text).contains("Physical occupancy: 25.0 % at the peak hour (2 of 8 people)");
        assertThat(text).contains(Occupancy.PHYSICAL_DEFINITION);
        assertThat(pdf).isNotNull();
        // Kept for a look (pdftoppm target/weekly-report.pdf renders it).
        java.nio.file.Files.write(java.nio.file.Path.of("target", "weekly-report.pdf"), pdf);
        String pdfText = pdfText(pdf).replaceAll("\\s+", " ");
        assertThat(pdfText)
                .contains("Weekly report: Mitte, 2027-03-01 to 2027-03-07")
                .contains("Physical occupancy: 25.0 % at the peak hour (2 of 8 people)")
                .contains("Sold occupancy", "Utilisation", "No-show rate")
                .contains("distinct members present in each hour");

        // The PDF route gives the same report for that week.
        java.net.http.HttpResponse<byte[]> download = java.net.http.HttpClient.newHttpClient()
                .send(
                        java.net.http.HttpRequest.newBuilder(java.net.URI.create("http://127.0.0.1:"
                                        + hub.hub().port() + "/api/v1/analytics/sites/" + site
                                        + "/weekly-report/pdf?week=2027-03-01"))
                                .header("Authorization", "Bearer " + tenant.token())
                                .build(),
                        java.net.http.HttpResponse.BodyHandlers.ofByteArray());
        assertThat(download.statusCode()).isEqualTo(200);
        assertThat(download.headers().firstValue("Content-Type")).contains("application/pdf");
        assertThat(pdfText(download.body()).replaceAll("\\s+", " "))
                .contains("Physical occupancy: 25.0 % at the peak hour (2 of 8 people)");

        // Refusals send nothing.
        Api.Response badAddress = hub.api()
                .post(
                        "/api/v1/analytics/sites/" + site + "/weekly-report",
                        tenant.token(),
                        "{\"to\":\"not-an-address\"}");
        assertThat(badAddress.status()).isEqualTo(422);
        assertThat(badAddress.text()).contains("\"to\"");
        Api.Response tuesday = hub.api()
                .post(
                        "/api/v1/analytics/sites/" + site + "/weekly-report",
                        tenant.token(),
                        "{\"to\":\"manager@example.com\",\"week\":\"2027-03-02\"}");
        assertThat(tuesday.status()).isEqualTo(422);
        assertThat(tuesday.text()).contains("week").contains("Monday");
        TestHub.Tenant other = hub.newTenant("weekly-other");
        assertThat(hub.api()
                        .post(
                                "/api/v1/analytics/sites/" + site + "/weekly-report",
                                other.token(),
                                "{\"to\":\"x@example.com\"}")
                        .status())
                .isEqualTo(404);
        assertThat(SMTP.getReceivedMessages()).hasSize(1);
    }
}
