package dev.gatehouse.hub.parcels;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.icegreen.greenmail.util.GreenMail;
import com.icegreen.greenmail.util.ServerSetup;
import com.icegreen.greenmail.util.ServerSetupTest;
import dev.gatehouse.hub.console.ConsoleSettings;
import dev.gatehouse.hub.mqtt.MqttSettings;
import dev.gatehouse.hub.store.Sql;
import dev.gatehouse.hub.store.StoreKind;
import dev.gatehouse.hub.testing.Api;
import dev.gatehouse.hub.testing.MailFolder;
import dev.gatehouse.hub.testing.MovableClock;
import dev.gatehouse.hub.testing.SmtpSettings;
import dev.gatehouse.hub.testing.TestHub;
import jakarta.mail.Multipart;
import jakarta.mail.internet.MimeMessage;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Optional;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.AfterParameterizedClassInvocation;
import org.junit.jupiter.params.BeforeParameterizedClassInvocation;
import org.junit.jupiter.params.Parameter;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Mail and parcels through the API on both stores, with real SMTP (GreenMail): an item logged at the
 * desk reaches the member by mail at once with its photo, is handed over once against a signature
 * and audited; bad input (an unknown or another tenant's member, a file that is no image, an image
 * too large, missing fields) is refused naming the field and writes nothing; a mail that cannot be
 * sent leaves the item standing with its notice failed, and a retry sends it once.
 */
@ParameterizedClass
@EnumSource(StoreKind.class)
class ParcelApiTest {
    static GreenMail smtp;
    static MovableClock clock;
    static TestHub hub;

    @Parameter
    StoreKind store;

    private TestHub.Tenant tenant;
    private String site;
    private String member;

    @BeforeParameterizedClassInvocation
    static void start(StoreKind kind) {
        smtp = new GreenMail(ServerSetupTest.SMTP.dynamicPort());
        smtp.start();
        clock = new MovableClock();
        int port = smtp.getSmtp().getPort();
        hub = TestHub.start(kind, clock, Optional.empty(), MqttSettings.disabled(), config -> config.withMail(
                        SmtpSettings.local(port, "desk@gatehouse.example", Path.of("target", "parcel-mail")))
                .withConsole(new ConsoleSettings(
                        Optional.of(URI.create("https://hub.example.test/")),
                        ConsoleSettings.defaults().dwell())));
    }

    @AfterParameterizedClassInvocation
    static void stop() {
        hub.close();
        smtp.stop();
    }

    @BeforeEach
    void space() throws Exception {
        smtp.purgeEmailFromAllMailboxes();
        tenant = hub.newTenant("parcels");
        site = hub.create(
                "/api/v1/sites",
                tenant.token(),
                "{\"name\":\"Kreuzberg\",\"address\":\"Oranienstr. 1\",\"timeZone\":\"Europe/Berlin\"}");
        member = hub.create(
                "/api/v1/members", tenant.token(), "{\"email\":\"ada@example.com\",\"fullName\":\"Ada Lovelace\"}");
    }

    static byte[] png() throws Exception {
        try (InputStream in = ParcelApiTest.class.getResourceAsStream("/parcels/parcel.png")) {
            return in.readAllBytes();
        }
    }

    private Api.Response log(String body) {
        return hub.api().post("/api/v1/parcels", tenant.token(), body);
    }

    private String body(String memberId, String photo) {
        return "{\"siteId\":\"" + site + "\",\"memberId\":\"" + memberId + "\",\"kind\":\"parcel\",\"carrier\":\"DHL\","
                + "\"trackingNumber\":\"JJD0001\",\"shelf\":\"B2\",\"note\":\"Heavy\""
                + (photo == null ? "" : ",\"photo\":\"" + photo + "\"") + "}";
    }

    private List<JsonNode> items(String query) {
        Api.Response answer = hub.api().get("/api/v1/parcels" + query, tenant.token());
        assertThat(answer.status()).as(answer.toString()).isEqualTo(200);
        return java.util.stream.StreamSupport.stream(answer.json().get("items").spliterator(), false)
                .toList();
    }

    private static HttpResponse<byte[]> bytes(String path, String token) throws Exception {
        try (HttpClient client = HttpClient.newHttpClient()) {
            return client.send(
                    HttpRequest.newBuilder(
                                    URI.create("http://127.0.0.1:" + hub.hub().port() + path))
                            .header("Authorization", "Bearer " + token)
                            .build(),
                    HttpResponse.BodyHandlers.ofByteArray());
        }
    }

    @Test
    void aParcelLoggedAtTheDeskReachesTheMemberByMailAtOnceWithItsPhoto() throws Exception {
        Api.Response logged = log(body(member, Base64.getEncoder().encodeToString(png())));
        assertThat(logged.status()).as(logged.toString()).isEqualTo(201);
        JsonNode parcel = logged.json();
        String id = parcel.get("id").asText();
        assertThat(parcel.get("status").asText()).isEqualTo("waiting");
        assertThat(parcel.get("shelf").asText()).isEqualTo("B2");
        // Sent in the request, after the item committed: no waiting for a sweep.
        assertThat(parcel.at("/notice/state").asText()).isEqualTo("sent");
        assertThat(parcel.get("photo").asText()).isEqualTo("/api/v1/parcels/" + id + "/photo");

        MimeMessage[] mails = smtp.getReceivedMessages();
        assertThat(mails).hasSize(1);
        assertThat(mails[0].getAllRecipients()[0].toString()).isEqualTo("ada@example.com");
        assertThat(mails[0].getSubject()).isEqualTo("A parcel is waiting for you at Kreuzberg (parcels coworking)");
        assertThat(MailFolder.text(mails[0]))
                .contains("Hello Ada Lovelace", "Carrier: DHL", "Tracking number: JJD0001", "Shelf: B2")
                .contains("https://hub.example.test/portal/mail");
        Multipart parts = (Multipart) mails[0].getContent();
        assertThat(parts.getCount()).isEqualTo(2);
        assertThat(parts.getBodyPart(1).getContentType()).startsWith("image/png");

        // The photo is the hub's own PNG of the same picture.
        HttpResponse<byte[]> photo = bytes("/api/v1/parcels/" + id + "/photo", tenant.token());
        assertThat(photo.statusCode()).isEqualTo(200);
        assertThat(photo.headers().firstValue("Content-Type")).hasValue("image/png");
        BufferedImage image = ImageIO.read(new java.io.ByteArrayInputStream(photo.body()));
        assertThat(image.getWidth()).isEqualTo(160);
        assertThat(image.getHeight()).isEqualTo(120);

        assertThat(items("?status=waiting&siteId=" + site))
                .extracting(item -> item.get("id").asText())
                .containsExactly(id);
        Api.Response audit = hub.api().get("/api/v1/audit?resourceType=parcel", tenant.token());
        assertThat(audit.text()).contains("parcel.log");
    }

    @Test
    void thePickupIsSignedForOnceAndAudited() throws Exception {
        String id = log(body(member, null)).json().get("id").asText();
        String signature = "data:image/png;base64," + Base64.getEncoder().encodeToString(png());

        Api.Response none =
                hub.api().post("/api/v1/parcels/" + id + "/pickup", tenant.token(), "{\"collectedBy\":\"Ada\"}");
        assertThat(none.status()).as(none.toString()).isEqualTo(422);
        assertThat(none.json().at("/errors/0/field").asText()).isEqualTo("signature");

        Api.Response picked = hub.api()
                .post(
                        "/api/v1/parcels/" + id + "/pickup",
                        tenant.token(),
                        "{\"collectedBy\":\"Ada Lovelace\",\"signature\":\"" + signature + "\"}");
        assertThat(picked.status()).as(picked.toString()).isEqualTo(200);
        assertThat(picked.json().get("status").asText()).isEqualTo("collected");
        assertThat(picked.json().at("/pickup/collectedBy").asText()).isEqualTo("Ada Lovelace");
        assertThat(picked.json().at("/pickup/signature").asText()).isEqualTo("/api/v1/parcels/" + id + "/signature");
        assertThat(bytes("/api/v1/parcels/" + id + "/signature", tenant.token()).statusCode())
                .isEqualTo(200);

        // A second handover of the same item is refused and changes nothing.
        Api.Response again = hub.api()
                .post(
                        "/api/v1/parcels/" + id + "/pickup",
                        tenant.token(),
                        "{\"collectedBy\":\"Someone else\",\"confirmed\":true}");
        assertThat(again.status()).as(again.toString()).isEqualTo(409);
        assertThat(hub.api()
                        .get("/api/v1/parcels/" + id, tenant.token())
                        .json()
                        .at("/pickup/collectedBy")
                        .asText())
                .isEqualTo("Ada Lovelace");
        assertThat(hub.api()
                        .get("/api/v1/audit?resourceType=parcel", tenant.token())
                        .text())
                .contains("parcel.collect");
        assertThat(items("?status=waiting")).isEmpty();
    }

    @Test
    void badInputIsRefusedNamingTheFieldAndWritesNothing() throws Exception {
        TestHub.Tenant other = hub.newTenant("elsewhere");
        String stranger =
                hub.create("/api/v1/members", other.token(), "{\"email\":\"eve@example.com\",\"fullName\":\"Eve\"}");
        assertRefused(log(body("mem_unknown000000000000", null)), "memberId", "no member");
        assertRefused(log(body(stranger, null)), "memberId", "no member");
        String text = Base64.getEncoder().encodeToString("not a picture at all".getBytes(StandardCharsets.UTF_8));
        assertRefused(log(body(member, text)), "photo", "not a JPEG or PNG");
        assertRefused(log(body(member, Base64.getEncoder().encodeToString(wide()))), "photo", "pixels");
        assertRefused(log("{\"siteId\":\"" + site + "\",\"memberId\":\"" + member + "\"}"), "kind", "required");
        assertRefused(log("{\"memberId\":\"" + member + "\",\"kind\":\"parcel\"}"), "siteId", "required");
        assertRefused(log(body(member, null).replace("\"parcel\"", "\"crate\"")), "kind", "letter");
        // A photo larger than the body limit is refused by its size before anything is read.
        String big = Base64.getEncoder().encodeToString(new byte[70_000]);
        // Sent as curl sends large bodies (Expect: 100-continue): the refusal by Content-Length is not
        // lost in the reset of a connection the hub closes while the client is still sending.
        assertThat(hub.api()
                        .sendBytes(
                                "POST",
                                "/api/v1/parcels",
                                tenant.token(),
                                body(member, big).getBytes(StandardCharsets.UTF_8),
                                Optional.of("application/json"),
                                true)
                        .status())
                .isEqualTo(413);
        // Another tenant's site is no site of this one.
        String theirs = hub.create(
                "/api/v1/sites", other.token(), "{\"name\":\"Theirs\",\"address\":\"x\",\"timeZone\":\"UTC\"}");
        assertRefused(log(body(member, null).replace(site, theirs)), "siteId", "no site");

        assertThat(items("")).isEmpty();
        assertThat(smtp.getReceivedMessages()).isEmpty();
    }

    @Test
    void anotherTenantsItemIsA404AndARoleWithoutTheSiteCannotSeeIt() throws Exception {
        String id = log(body(member, Base64.getEncoder().encodeToString(png())))
                .json()
                .get("id")
                .asText();
        TestHub.Tenant other = hub.newTenant("nosy");
        assertThat(hub.api().get("/api/v1/parcels/" + id, other.token()).status())
                .isEqualTo(404);
        assertThat(bytes("/api/v1/parcels/" + id + "/photo", other.token()).statusCode())
                .isEqualTo(404);
        assertThat(hub.api()
                        .post(
                                "/api/v1/parcels/" + id + "/pickup",
                                other.token(),
                                "{\"collectedBy\":\"Eve\",\"confirmed\":true}")
                        .status())
                .isEqualTo(404);

        String elsewhere = hub.create(
                "/api/v1/sites",
                tenant.token(),
                "{\"name\":\"Mitte\",\"address\":\"y\",\"timeZone\":\"Europe/Berlin\"}");
        String desk = hub.api()
                .post(
                        "/api/v1/tokens",
                        tenant.token(),
                        "{\"name\":\"mitte desk\",\"role\":\"front-desk\",\"sites\":[\"" + elsewhere + "\"]}")
                .json()
                .get("token")
                .asText();
        assertThat(hub.api().get("/api/v1/parcels/" + id, desk).status()).isEqualTo(404);
        assertThat(hub.api().get("/api/v1/parcels", desk).json().get("items")).isEmpty();
        assertThat(hub.api().post("/api/v1/parcels", desk, body(member, null)).status())
                .isEqualTo(404);
        String finance = hub.api()
                .post("/api/v1/tokens", tenant.token(), "{\"name\":\"books\",\"role\":\"finance\"}")
                .json()
                .get("token")
                .asText();
        assertThat(hub.api()
                        .post("/api/v1/parcels", finance, body(member, null))
                        .status())
                .isEqualTo(403);
        // Finance reads the list but not the photo: that is the desk's and the member's.
        assertThat(hub.api().get("/api/v1/parcels/" + id, finance).status()).isEqualTo(200);
        assertThat(bytes("/api/v1/parcels/" + id + "/photo", finance).statusCode())
                .isEqualTo(403);
    }

    @Test
    void aMailThatCannotBeSentLeavesTheItemAndIsSentOnceOnRetry() throws Exception {
        int port = smtp.getSmtp().getPort();
        smtp.stop();
        Api.Response logged = log(body(member, null));
        assertThat(logged.status()).as(logged.toString()).isEqualTo(201);
        String id = logged.json().get("id").asText();
        assertThat(logged.json().at("/notice/state").asText()).isEqualTo("failed");
        assertThat(logged.json().at("/notice/error").asText()).isNotBlank();
        assertThat(items("?status=waiting")).hasSize(1);

        smtp = new GreenMail(new ServerSetup(port, "127.0.0.1", ServerSetup.PROTOCOL_SMTP));
        smtp.start();
        // Not due yet: the sweep leaves a fresh failure for a minute.
        ParcelNotices notices = new ParcelNotices(
                new ParcelStore(hub.hub().database(), clock),
                hub.hub().config().mail().mailer(clock),
                Optional.empty());
        assertThat(notices.retryDue()).isZero();
        clock.advance(Duration.ofMinutes(2));
        assertThat(notices.retryDue()).isEqualTo(1);
        assertThat(notices.retryDue()).isZero();
        assertThat(smtp.getReceivedMessages()).hasSize(1);
        assertThat(hub.api()
                        .get("/api/v1/parcels/" + id, tenant.token())
                        .json()
                        .at("/notice/state")
                        .asText())
                .isEqualTo("sent");
        notices.close();
    }

    /**
     * A hub stopped while sending the last attempt leaves the notice sending: the sweep settles it as
     * failed (for the desk's "send again") rather than picking it up for ever without being able to
     * claim it.
     */
    @Test
    void aNoticeLeftSendingOnItsLastAttemptEndsFailedForTheDesk() throws Exception {
        String id = log(body(member, null)).json().get("id").asText();
        hub.hub()
                .database()
                .run(c -> Sql.update(
                        c,
                        "UPDATE parcels SET notice_state = 'SENDING', notice_attempts = ?, noticed_at = ? WHERE id = ?",
                        ParcelStore.MAX_NOTICE_ATTEMPTS,
                        clock.instant(),
                        id));
        ParcelNotices notices = new ParcelNotices(
                new ParcelStore(hub.hub().database(), clock),
                hub.hub().config().mail().mailer(clock),
                Optional.empty());
        int mailed = smtp.getReceivedMessages().length;
        clock.advance(ParcelStore.STUCK.plusMinutes(1));
        assertThat(notices.retryDue()).isZero();
        assertThat(notices.retryDue()).isZero();
        JsonNode notice =
                hub.api().get("/api/v1/parcels/" + id, tenant.token()).json().get("notice");
        assertThat(notice.get("state").asText()).isEqualTo("failed");
        assertThat(notice.get("error").asText()).contains("send it again");
        assertThat(smtp.getReceivedMessages()).hasSize(mailed);
        notices.close();
    }

    @Test
    void erasingTheMemberDropsThePhotoSignatureAndNameButKeepsTheHandover() throws Exception {
        String id = log(body(member, Base64.getEncoder().encodeToString(png())))
                .json()
                .get("id")
                .asText();
        String signature = "data:image/png;base64," + Base64.getEncoder().encodeToString(png());
        assertThat(hub.api()
                        .post(
                                "/api/v1/parcels/" + id + "/pickup",
                                tenant.token(),
                                "{\"collectedBy\":\"Ada Lovelace\",\"signature\":\"" + signature + "\"}")
                        .status())
                .isEqualTo(200);
        Api.Response erased = hub.api().post("/api/v1/members/" + member + "/erase", tenant.token(), "");
        assertThat(erased.status()).as(erased.toString()).isEqualTo(200);

        JsonNode parcel = hub.api().get("/api/v1/parcels/" + id, tenant.token()).json();
        assertThat(parcel.get("status").asText()).isEqualTo("collected");
        assertThat(parcel.toString()).doesNotContain("Ada", "JJD0001", "Heavy");
        assertThat(parcel.get("photo").isNull()).isTrue();
        assertThat(bytes("/api/v1/parcels/" + id + "/photo", tenant.token()).statusCode())
                .isEqualTo(404);
        assertThat(bytes("/api/v1/parcels/" + id + "/signature", tenant.token()).statusCode())
                .isEqualTo(404);
    }

    private static void assertRefused(Api.Response answer, String field, String words) {
        assertThat(answer.status()).as(answer.toString()).isEqualTo(422);
        assertThat(answer.contentType()).startsWith("application/problem+json");
        JsonNode error = java.util.stream.StreamSupport.stream(
                        answer.json().get("errors").spliterator(), false)
                .filter(e -> e.get("field").asText().equals(field))
                .findFirst()
                .orElseThrow(() -> new AssertionError("no error for " + field + " in " + answer));
        assertThat(error.get("message").asText()).contains(words);
    }

    /** A PNG wider than any photo the hub takes, small as a file. */
    private static byte[] wide() throws Exception {
        BufferedImage image = new BufferedImage(ParcelImages.MAX_SIDE + 1, 2, BufferedImage.TYPE_BYTE_GRAY);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ImageIO.write(image, "png", out);
        return out.toByteArray();
    }
}
