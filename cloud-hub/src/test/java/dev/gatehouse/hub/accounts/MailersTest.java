package dev.gatehouse.hub.accounts;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.icegreen.greenmail.junit5.GreenMailExtension;
import com.icegreen.greenmail.util.ServerSetupTest;
import dev.gatehouse.hub.accounts.Mail.Attachment;
import jakarta.mail.BodyPart;
import jakarta.mail.Multipart;
import jakarta.mail.Part;
import jakarta.mail.Session;
import jakarta.mail.internet.MimeMessage;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Optional;
import java.util.Properties;
import java.util.stream.Stream;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Mail as the hub sends it: through a real SMTP server (GreenMail, in process, on a free port) and
 * into a folder of {@code .eml} files, both built by the same MIME builder.
 */
class MailersTest {
    static final String SUBJECT = "Willkommen bei Gatehouse — Zugang für Ada";

    static Mail invitation() throws IOException {
        return new Mail(
                "ada@example.com",
                SUBJECT,
                "Open https://acme.gatehouse.example/accept/abc to choose a password.",
                "<p>Open <a href=\"https://acme.gatehouse.example/accept/abc\">this link</a>.</p>",
                List.of(new Attachment("door-pass.png", "image/png", png())));
    }

    static byte[] png() throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ImageIO.write(new BufferedImage(2, 2, BufferedImage.TYPE_INT_RGB), "png", out);
        return out.toByteArray();
    }

    /** The text and HTML bodies and the attachment, read back from a received message. */
    static void assertIsTheInvitation(MimeMessage message) throws Exception {
        assertThat(message.getSubject()).isEqualTo(SUBJECT);
        assertThat(message.getFrom()[0].toString()).isEqualTo("gatehouse@acme.example");
        assertThat(message.getAllRecipients()[0].toString()).isEqualTo("ada@example.com");
        Multipart mixed = (Multipart) message.getContent();
        assertThat(mixed.getContentType()).startsWith("multipart/mixed");
        assertThat(mixed.getCount()).isEqualTo(2);
        Multipart alternative = (Multipart) mixed.getBodyPart(0).getContent();
        assertThat(alternative.getContentType()).startsWith("multipart/alternative");
        assertThat(alternative.getBodyPart(0).isMimeType("text/plain")).isTrue();
        assertThat(alternative.getBodyPart(0).getContent()).asString().contains("/accept/abc to choose");
        assertThat(alternative.getBodyPart(1).isMimeType("text/html")).isTrue();
        assertThat(alternative.getBodyPart(1).getContent()).asString().contains("<a href=");
        BodyPart attachment = mixed.getBodyPart(1);
        assertThat(attachment.getDisposition()).isEqualTo(Part.ATTACHMENT);
        assertThat(attachment.getFileName()).isEqualTo("door-pass.png");
        assertThat(attachment.isMimeType("image/png")).isTrue();
        try (InputStream in = attachment.getInputStream()) {
            assertThat(in.readAllBytes()).isEqualTo(png());
        }
    }

    @Nested
    class OverSmtp {
        @RegisterExtension
        final GreenMailExtension server = new GreenMailExtension(ServerSetupTest.SMTP.dynamicPort());

        SmtpMailer mailer(int port, Optional<String> user, Optional<String> password) {
            return new SmtpMailer(
                    "127.0.0.1", port, user, password, false, "gatehouse@acme.example", Duration.ofSeconds(10));
        }

        @Test
        void theServerReceivesTextHtmlAndThePng() throws Exception {
            mailer(server.getSmtp().getPort(), Optional.empty(), Optional.empty())
                    .send(invitation());

            MimeMessage[] received = server.getReceivedMessages();
            assertThat(received).hasSize(1);
            assertIsTheInvitation(received[0]);
        }

        @Test
        void anAccountSignsIn() throws Exception {
            server.setUser("gatehouse@acme.example", "gatehouse", "s3cret");

            mailer(server.getSmtp().getPort(), Optional.of("gatehouse"), Optional.of("s3cret"))
                    .send(new Mail("ada@example.com", "Reset", "Your link"));

            assertThat(server.getReceivedMessages()).hasSize(1);
        }

        /** A text-only mail stays a single text/plain part, readable by the simplest client. */
        @Test
        void aTextOnlyMailIsPlainText() throws Exception {
            mailer(server.getSmtp().getPort(), Optional.empty(), Optional.empty())
                    .send(new Mail("ada@example.com", "Your sign-in link", "https://acme.gatehouse.example/s/x"));

            MimeMessage received = server.getReceivedMessages()[0];
            assertThat(received.isMimeType("text/plain")).isTrue();
            assertThat(received.getContent()).asString().contains("/s/x");
        }
    }

    @Nested
    class WhenSmtpFails {
        /** An operator reading the log must see which server and which setting to fix. */
        @Test
        void aClosedPortNamesTheServerAndTheSettings() throws Exception {
            int closed;
            try (ServerSocket socket = new ServerSocket(0)) {
                closed = socket.getLocalPort();
            }
            SmtpMailer mailer = new SmtpMailer(
                    "127.0.0.1",
                    closed,
                    Optional.empty(),
                    Optional.empty(),
                    false,
                    "g@acme.example",
                    Duration.ofSeconds(5));

            assertThatThrownBy(() -> mailer.send(invitation()))
                    .isInstanceOf(Mailer.MailException.class)
                    .hasMessageContaining("ada@example.com")
                    .hasMessageContaining("127.0.0.1:" + closed)
                    .hasMessageContaining("hub.mail.smtp");
        }

        @Test
        void anUnknownHostNamesTheHost() {
            SmtpMailer mailer = new SmtpMailer(
                    "no-such-host.invalid",
                    587,
                    Optional.empty(),
                    Optional.empty(),
                    true,
                    "g@acme.example",
                    Duration.ofSeconds(5));

            assertThatThrownBy(() -> mailer.send(new Mail("ada@example.com", "Hi", "text")))
                    .isInstanceOf(Mailer.MailException.class)
                    .hasMessageContaining("no-such-host.invalid:587");
        }

        @Test
        void aUserWithoutAPasswordIsRefused() {
            assertThatThrownBy(() -> new SmtpMailer(
                            "127.0.0.1",
                            587,
                            Optional.of("u"),
                            Optional.empty(),
                            true,
                            "g@acme.example",
                            Duration.ofSeconds(5)))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("password");
        }
    }

    @Nested
    class IntoAFolder {
        @TempDir
        Path dir;

        @Test
        void eachMailIsAnOwnerOnlyEmlFileInAnOwnerOnlyFolder() throws Exception {
            Path folder = dir.resolve("data/mail");
            new FolderMailer(folder, "gatehouse@acme.example", Clock.systemUTC()).send(invitation());

            assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(folder)))
                    .isEqualTo("rwx------");
            List<Path> files = files(folder);
            assertThat(files).hasSize(1);
            assertThat(files.getFirst().getFileName().toString()).endsWith(".eml");
            assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(files.getFirst())))
                    .isEqualTo("rw-------");
            try (InputStream in = Files.newInputStream(files.getFirst())) {
                assertIsTheInvitation(new MimeMessage(Session.getInstance(new Properties()), in));
            }
        }

        /** Listing the folder shows the mails in the order they were sent. */
        @Test
        void fileNamesSortByTime() throws Exception {
            Path folder = dir.resolve("mail");
            Instant first = Instant.parse("2026-12-04T09:59:59.999Z");
            new FolderMailer(folder, "g@acme.example", Clock.fixed(first.plusMillis(1), ZoneOffset.UTC))
                    .send(new Mail("b@example.com", "second", "2"));
            new FolderMailer(folder, "g@acme.example", Clock.fixed(first, ZoneOffset.UTC))
                    .send(new Mail("a@example.com", "first", "1"));

            List<String> subjects =
                    files(folder).stream().map(IntoAFolder::subject).toList();
            assertThat(subjects).containsExactly("first", "second");
        }

        @Test
        void aFolderThatCannotBeMadeGivesAClearError() throws Exception {
            Path file = Files.writeString(dir.resolve("taken"), "not a folder");
            FolderMailer mailer = new FolderMailer(file.resolve("mail"), "g@acme.example", Clock.systemUTC());

            assertThatThrownBy(() -> mailer.send(new Mail("a@example.com", "Hi", "text")))
                    .isInstanceOf(Mailer.MailException.class)
                    .hasMessageContaining("hub.mail.folder")
                    .hasMessageContaining(file.toString());
        }

        static List<Path> files(Path folder) throws IOException {
            try (Stream<Path> files = Files.list(folder)) {
                return files.sorted().toList();
            }
        }

        static String subject(Path file) {
            try (InputStream in = Files.newInputStream(file)) {
                return new MimeMessage(Session.getInstance(new Properties()), in).getSubject();
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        }
    }

    @Nested
    class Settings {
        @TempDir
        Path dir;

        @Test
        void folderModeWritesIntoTheFolder() {
            Mailer mailer = MailSettings.folder(dir.resolve("mail")).mailer();

            assertThat(mailer).isInstanceOf(FolderMailer.class);
            assertThat(((FolderMailer) mailer).folder()).isEqualTo(dir.resolve("mail"));
        }

        /** With mail off an invitation cannot silently vanish: the sender learns why. */
        @Test
        void offModeRefusesEveryMailNamingTheKey() {
            Mailer mailer = settings(MailSettings.Mode.OFF, Optional.empty()).mailer();

            assertThatThrownBy(() -> mailer.send(new Mail("a@example.com", "Hi", "text")))
                    .isInstanceOf(Mailer.MailException.class)
                    .hasMessageContaining("hub.mail.mode is off");
        }

        @Test
        void smtpModeReadsThePasswordFileAtOnce() throws Exception {
            Path missing = dir.resolve("smtp-password");
            assertThatThrownBy(() -> settings(MailSettings.Mode.SMTP, Optional.of(missing))
                            .mailer())
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("hub.mail.smtp.password-file");

            Files.writeString(missing, "s3cret\n");
            assertThat(settings(MailSettings.Mode.SMTP, Optional.of(missing)).mailer())
                    .isInstanceOf(SmtpMailer.class)
                    .hasToString("SMTP smtp.example.com:587 as gatehouse");
        }

        MailSettings settings(MailSettings.Mode mode, Optional<Path> passwordFile) {
            return new MailSettings(
                    mode,
                    dir.resolve("mail"),
                    "g@acme.example",
                    Optional.of("smtp.example.com"),
                    587,
                    passwordFile.map(p -> "gatehouse"),
                    passwordFile,
                    true);
        }
    }
}
